"""Operational pages: the health check, and the answers for too many requests and a database outage."""

from __future__ import annotations

import logging
import math
import sys

from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from redis.exceptions import RedisError

from config.logging import REQUEST_ID

log = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_OUTAGE = 30  # seconds: what the 503 page asks a browser or a client to wait
OUTAGE_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The database, the shared cache and the model, as JSON: 200 while the database answers, else 503."""
    database = _database_state()
    if database == "ok":
        shared_cache, model = _cache_state(), _model_state()
    else:
        shared_cache, model = "unknown", {"version": None, "loaded": False}
    healthy = database == "ok" and shared_cache == "ok" and model["loaded"]
    body = {
        "status": "ok" if healthy else "degraded",
        "database": database,
        "cache": shared_cache,
        "model": model,
    }
    return JsonResponse(body, status=200 if database == "ok" else 503)


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


def _model_state() -> dict:
    """Read-only: whether the active version loads here. Never trains, never activates another version."""
    from recommendations.lifecycle import loaded_model_state

    try:
        return loaded_model_state()
    except Exception:
        log.exception("health check: the model state cannot be read")
        return {"version": None, "loaded": False}


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    """The 429 page (or, for htmx, the question card saying the same) with Retry-After."""
    htmx = bool(getattr(request, "htmx", False))
    template = "429.html#rate-limit-card" if htmx else "429.html"
    start = reverse("assessment:start")
    context = {
        "minutes": max(1, math.ceil(retry_after / 60)),
        "retry_url": reverse("assessment:home") if request.path == start else request.path,
    }
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 page, rendered without touching the database (no request context, no session)."""
    body = render_to_string("503.html", {"request_id": REQUEST_ID.get()})
    response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_OUTAGE)
    response["Cache-Control"] = "no-store"
    # The page uses nothing from elsewhere; say so even when CSPMiddleware does not see this response.
    response["Content-Security-Policy"] = OUTAGE_CSP
    if request.headers.get("HX-Request"):
        # htmx does not swap in 5xx responses: reload the whole page, which shows this one.
        response["HX-Refresh"] = "true"
    return response


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: a database outage that surfaced outside a view (a session save, a middleware)
    still gets the 503 page; anything else the usual 500 page."""
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return database_unavailable(request)
    return defaults.server_error(request, template_name)
