"""What the admin's pages for background tasks (retraining, calibration, a large import) share: the task that
is already queued or running, a task's result by the id in a URL, and a failed task's error in a line."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Min, Q
from django.db.models.functions import Greatest
from django.http import Http404
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch
from django_tasks_db.models import DBTaskResult, get_date_max

# A task "running" for longer than this lost its worker (killed, machine restarted): it no longer counts.
STALE_AFTER = timedelta(minutes=30)
# A task due for longer than this is waiting for a worker that does not come (none runs, or it hangs): /healthz
# says so. Long enough for a retraining or a calibration in progress to finish before the next one starts.
WORKER_WAIT_LIMIT = timedelta(hours=1)


def pending(task) -> DBTaskResult | None:
    """The newest run of `task` that is queued or still running, if any: a second click queues no second one."""
    alive = Q(status=TaskResultStatus.READY) | Q(
        status=TaskResultStatus.RUNNING, started_at__gte=timezone.now() - STALE_AFTER
    )
    return DBTaskResult.objects.filter(alive, task_path=task.module_path).order_by("-enqueued_at").first()


@contextmanager
def task_lock(task) -> Iterator[None]:
    """A transaction that holds a lock for `task` while it looks for a queued run and queues its own, so that two
    processes in the same instant queue one run (SQLite: the project's transactions take the write lock at their
    start; PostgreSQL: a transaction-level advisory lock on the task's name)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(task.module_path.encode())])
        yield


def enqueue_once(task, *args) -> tuple[str, bool]:
    """Queue a run of `task` unless one is queued or running already: (the id of the run to follow, whether it is
    new). Two admins clicking in the same instant get one run (`task_lock`)."""
    with task_lock(task):
        existing = pending(task)
        if existing is not None:
            return str(existing.id), False
        return str(task.enqueue(*args).id), True


def longest_wait() -> timedelta:
    """How long the queued task that has been due longest has waited for the worker; zero when none is due. A task
    queued to run later (the nightly clean-up) is due from its `run_after`, any other from when it was queued."""
    now = timezone.now()
    unscheduled = Q(run_after=get_date_max())
    since = DBTaskResult.objects.ready().aggregate(
        unscheduled=Min("enqueued_at", filter=unscheduled),
        scheduled=Min(Greatest("run_after", "enqueued_at"), filter=~unscheduled),
    )
    due = [when for when in since.values() if when is not None]
    return max(now - min(due), timedelta(0)) if due else timedelta(0)


def result_or_404(task, task_id, message: str):
    """The result of a run of `task`; a 404 with `message` for an unknown id, or for the id of another task's run."""
    try:
        return task.get_result(str(task_id))
    except (TaskResultDoesNotExist, TaskResultMismatch):
        raise Http404(message) from None


def task_error(result) -> str:
    """A failed task's error as "Type: message" (the last line of its traceback)."""
    if not result.errors:
        return "–"
    lines = [line for line in result.errors[0].traceback.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else result.errors[0].exception_class_path
