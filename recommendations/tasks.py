"""Background tasks, run by the worker (`manage.py db_worker`), never inside a web request."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from recommendations import lifecycle

# A training takes seconds; one "running" for longer lost its worker (killed, machine restarted).
RETRAIN_STALE_AFTER = timedelta(minutes=30)


@task()
def retrain() -> str:
    """Train a new model version and activate it; returns its version. If training fails, the task
    fails (its result keeps the error) and the previous version stays active."""
    return lifecycle.train_and_activate().version


def pending_retrain() -> DBTaskResult | None:
    """The newest retraining that is queued or still running, if any: a second click queues no second one."""
    alive = Q(status=TaskResultStatus.READY) | Q(
        status=TaskResultStatus.RUNNING, started_at__gte=timezone.now() - RETRAIN_STALE_AFTER
    )
    return DBTaskResult.objects.filter(alive, task_path=retrain.module_path).order_by("-enqueued_at").first()
