"""The health check. The error pages live in core.views."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from redis.exceptions import RedisError

from core import housekeeping
from core import tasks as core_tasks
from core.checks import static_files_ready

log = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """The database, the static files, the shared cache, the model, the task worker and the nightly clean-up, as
    JSON: 200 while the database answers and the static files can be named (no page renders without either), else
    503. `tasks` is "waiting" when a queued task has been due for longer than an hour: no
    worker takes tasks, so neither retraining nor the clean-up happens. `clean_up` is "unscheduled" when no nightly
    run is queued (nothing past its retention period is deleted any more) and "failed" when the last one failed."""
    database = _database_state()
    static = "ok" if static_files_ready() else "missing"
    if database == "ok":
        shared_cache, model = _cache_state(), _model_state()
        tasks, clean_up = _tasks_states()
    else:
        shared_cache, model, tasks, clean_up = "unknown", {"version": None, "loaded": False}, "unknown", "unknown"
    healthy = (
        database == "ok"
        and static == "ok"
        and shared_cache == "ok"
        and model["loaded"]
        and tasks == "ok"
        and clean_up == "scheduled"
    )
    body = {
        "status": "ok" if healthy else "degraded",
        "database": database,
        "static": static,
        "cache": shared_cache,
        "model": model,
        "tasks": tasks,
        "clean_up": clean_up,
    }
    # no page can be served without the database or the static files: a load balancer should send people elsewhere
    return JsonResponse(body, status=200 if database == "ok" and static == "ok" else 503)


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        log.warning("health check: the database is unavailable (%s)", type(exc).__name__)
        return "unavailable"
    return "ok"


def _cache_state() -> str:
    try:
        cache.set("healthz", "ok", timeout=10)
        return "ok" if cache.get("healthz") == "ok" else "unavailable"
    except (DatabaseError, RedisError, OSError) as exc:
        log.warning("health check: the cache is unavailable (%s)", type(exc).__name__)
        return "unavailable"


def _tasks_states() -> tuple[str, str]:
    """Whether a worker takes the queued tasks, and whether the nightly clean-up is scheduled (`healthz`)."""
    try:
        waited, clean_up = core_tasks.longest_wait(), housekeeping.health()
    except DatabaseError as exc:
        log.warning("health check: the task queue cannot be read (%s)", type(exc).__name__)
        return "unknown", "unknown"
    tasks = "ok"
    if waited > core_tasks.WORKER_WAIT_LIMIT:
        log.warning("health check: a queued task has waited %d minutes for a worker", waited.total_seconds() // 60)
        tasks = "waiting"
    if clean_up != "scheduled":
        log.warning("health check: the nightly clean-up is %s", clean_up)
    return tasks, clean_up


def _model_state() -> dict:
    """Read-only: whether the active version loads here. Never trains, never activates another version."""
    from recommendations.lifecycle import loaded_model_state

    try:
        return loaded_model_state()
    except Exception:
        log.exception("health check: the model state cannot be read")
        return {"version": None, "loaded": False}
