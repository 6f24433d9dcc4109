"""Background tasks, run by the worker (`manage.py db_worker`), never inside a web request."""

from __future__ import annotations

from django_tasks import task

from recommendations import lifecycle


@task()
def retrain() -> str:
    """Train a new model version and activate it; returns its version. If training fails, the task
    fails (its result keeps the error) and the previous version stays active."""
    return lifecycle.train_and_activate().version


# A large course import (thousands of rows) runs here rather than in the request, which a server's timeout would
# cut off: first as a check (dry run, the preview), then, once an admin confirms, for real; all or nothing.
IMPORT_PROGRESS_KEY = "course-import-progress:{}"


@task(takes_context=True)
def import_courses(context, stored_name: str, format_name: str, user_id: int | None, dry_run: bool) -> dict:
    """Check or import an uploaded course file (kept in import-export's temporary storage under `stored_name`);
    returns the summary of recommendations.resources.run_course_import. The file is removed after the import."""
    from django.core.cache import cache
    from import_export.tmp_storages import TempFolderStorage

    from recommendations.resources import run_course_import

    storage = TempFolderStorage(name=stored_name, read_mode="rb")
    key = IMPORT_PROGRESS_KEY.format(context.task_result.id)

    def progress(done: int, total: int) -> None:
        cache.set(key, [done, total], timeout=24 * 3600)

    summary = run_course_import(storage.read(), format_name, user_id, dry_run, progress=progress)
    if not dry_run:
        storage.remove()
    return {**summary, "stored_name": stored_name, "format_name": format_name}


def import_progress(task_id: str) -> tuple[int, int] | None:
    """(rows done, rows in all) of a running import, if it said so yet."""
    from django.core.cache import cache

    value = cache.get(IMPORT_PROGRESS_KEY.format(task_id))
    return (value[0], value[1]) if value else None
