"""The nightly clean-up that keeps the retention periods the privacy notice states: unfinished anonymous attempts,
sign-ups nobody confirmed, login records, expired sessions and old task results; and it ends "Ergebnis schärfen" left
untouched, which keeps a result (and its share link) from view while it is open. Each part is a management command an
operator can also run alone; the worker (`manage.py db_worker`) runs them all every night, and each run queues the
next before it starts, so one `manage.py clean_up --schedule` at start-up keeps it going."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from core.tasks import WORKER_WAIT_LIMIT, task_lock

log = logging.getLogger(__name__)

# Finished task results (retraining, calibration, imports, these runs) are kept this long for the admin's pages.
TASK_RESULT_DAYS = 30

# The commands of one clean-up, each with its own retention setting (config/settings.py).
COMMANDS: list[tuple[str, ...]] = [
    ("purge_assessments",),  # ASSESSMENT_RETENTION_DAYS
    ("end_sharpenings",),  # SHARPEN_IDLE_DAYS
    ("purge_signups",),  # PASSWORD_RESET_TIMEOUT
    ("purge_login_records",),  # LOGIN_RECORD_RETENTION_DAYS
    ("clearsessions",),  # SESSION_COOKIE_AGE
    ("prune_db_task_results", f"--min-age-days={TASK_RESULT_DAYS}"),
]

# When it runs: at night, local time, when hardly anyone takes an assessment.
AT = time(3, 0)


def next_run(now: datetime) -> datetime:
    """The next `AT` in the site's time zone strictly after `now` (a day has 23 or 25 hours when the clocks
    change; the run stays at 3 o'clock)."""
    local = timezone.localtime(now)
    day = local.date() if local.time() < AT else local.date() + timedelta(days=1)
    return datetime.combine(day, AT, tzinfo=local.tzinfo)


class CleanUpFailed(Exception):
    """Some parts of a clean-up failed (the others ran): the worker marks the run failed, as the admin then shows."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("; ".join(lines))
        self.lines = lines


def clean_up() -> list[str]:
    """Run every clean-up command once; what each reports, one line each. One that fails does not keep the
    others from running: its error is logged, and once all have run `CleanUpFailed` carries every line."""
    lines, failed = [], False
    for name, *args in COMMANDS:
        out = io.StringIO()
        try:
            with transaction.atomic():  # on PostgreSQL a failed statement would otherwise end the others' chance
                call_command(name, *args, stdout=out, verbosity=1)
        except Exception as error:  # a failing part must not keep the others from their retention period
            log.exception("clean-up: %s failed", name)
            # the type only: the task's result is shown in the admin, and an error's text may quote a row
            lines.append(f"{name}: failed: {type(error).__name__}")
            failed = True
        else:
            lines.append(f"{name}: {out.getvalue().strip() or 'done.'}")
    for line in lines:
        log.info("clean-up: %s", line)
    if failed:
        raise CleanUpFailed(lines)
    return lines


def schedule(now: datetime | None = None) -> tuple[str, datetime, bool]:
    """Queue the next nightly run unless one is queued: (its id, when it runs, whether it is new). A run in
    progress does not count, so that the run can queue its successor."""
    with task_lock(daily_clean_up):
        queued = (
            DBTaskResult.objects.filter(task_path=daily_clean_up.module_path, status=TaskResultStatus.READY)
            .order_by("run_after")
            .first()
        )
        if queued is not None:
            return str(queued.id), queued.run_after, False
        when = next_run(now or timezone.now())
        return str(daily_clean_up.using(run_after=when).enqueue().id), when, True


@task()
def daily_clean_up() -> list[str]:
    """The nightly run: queue the next one first (so that a failure here does not end the chain), then clean up."""
    schedule()
    return clean_up()


@dataclass(frozen=True)
class Status:
    """What the admin's start page says about the nightly clean-up."""

    next_at: datetime | None  # the queued run; None: none is queued, so nothing is deleted
    overdue: bool  # the queued run has been due for longer than a worker would take to start it
    last_at: datetime | None  # when the last run finished
    last_ok: bool | None  # whether it succeeded


def health() -> str:
    """For /healthz: "scheduled" while a run is queued or running and the last one (if any) succeeded; "unscheduled"
    when none is, so nothing past its retention period is deleted any more; "failed" when the last run failed."""
    runs = DBTaskResult.objects.filter(task_path=daily_clean_up.module_path)
    if not runs.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]).exists():
        return "unscheduled"
    last = (
        runs.filter(status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED])
        .order_by("-finished_at")
        .values_list("status", flat=True)
        .first()
    )
    return "failed" if last == TaskResultStatus.FAILED else "scheduled"


def status() -> Status:
    runs = DBTaskResult.objects.filter(task_path=daily_clean_up.module_path)
    queued = runs.filter(status=TaskResultStatus.READY).order_by("run_after").values_list("run_after", flat=True)
    last = (
        runs.filter(status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED])
        .order_by("-finished_at")
        .values_list("finished_at", "status")
        .first()
    )
    next_at = queued.first()
    return Status(
        next_at=next_at,
        overdue=next_at is not None and timezone.now() - next_at > WORKER_WAIT_LIMIT,
        last_at=last[0] if last else None,
        last_ok=last[1] == TaskResultStatus.SUCCESSFUL if last else None,
    )
