"""Background tasks of the assessment, run by the worker (`manage.py db_worker`), never inside a web request."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from assessment import calibration_runs

# A calibration takes seconds to minutes; one "running" for longer lost its worker.
CALIBRATION_STALE_AFTER = timedelta(minutes=30)


@task()
def calibrate_items(min_answers: int) -> dict:
    """What `manage.py calibrate_items --min-answers N` does, started from the admin: returns the run's summary.
    A question bank that cannot be calibrated fails the task, with the reason as its error."""
    return calibration_runs.run(min_answers).summary()


def pending_calibration() -> DBTaskResult | None:
    """The newest calibration that is queued or still running, if any: a second click queues no second one."""
    alive = Q(status=TaskResultStatus.READY) | Q(
        status=TaskResultStatus.RUNNING, started_at__gte=timezone.now() - CALIBRATION_STALE_AFTER
    )
    return DBTaskResult.objects.filter(alive, task_path=calibrate_items.module_path).order_by("-enqueued_at").first()
