"""Error pages (too many requests, bad requests, forbidden, a database outage, the 500 handler), and the legal
notice and privacy notice."""

from __future__ import annotations

import math
import re
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views import csrf, defaults
from django.views.decorators.http import require_safe

from config.logging import REQUEST_ID
from core.legal import retention, site_operator

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_OUTAGE = 30  # seconds: what the 503 page asks a browser or a client to wait
PART_ID = re.compile(r"[a-z][a-z0-9-]{0,40}")  # an id of the site's own page parts, as htmx names its target
OUTAGE_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"


def too_many_requests(
    request: HttpRequest,
    retry_after: int,
    scope: str = "",
    back: str = "",
    retry: str = "",
    sent: QueryDict | None = None,
) -> HttpResponse:
    """The 429 page (or, for htmx, the question card saying the same) with Retry-After; `scope` is the refused
    limit's (settings.RATELIMITS), which decides what the page says was kept; `back`, the page that still opens;
    `retry`, where to try again (the refused address itself unless said); `sent`, a refused post to offer again
    as it was sent (a form of hidden fields: nothing chosen is lost). With htmx, a post offered again is said in
    place of the part of the page it would have updated (its id in HX-Target), not in a question card."""
    htmx = getattr(request, "htmx", None)
    target = htmx.target if htmx and sent is not None else None
    if target and PART_ID.fullmatch(target):
        template = "429.html#in-place"
    else:
        template = "429.html#rate-limit-card" if htmx else "429.html"
    context = {
        "minutes": max(1, math.ceil(retry_after / 60)),
        "retry_url": retry or request.path,
        # an answer refused: "your answers so far are saved"; a PDF refused: the result's page still opens
        "scope": scope,
        "results_url": back,
        "resend": None if sent is None else [(n, v) for n, v in sent.lists() if n != "csrfmiddlewaretoken"],
        "target": target,
    }
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def bad_request_page(request: HttpRequest, message: str) -> HttpResponse:
    """A 400 page that says what was wrong with the request."""
    response = render(request, "400.html", {"message": message}, status=400)
    response["Cache-Control"] = "no-store"
    return response


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403: the site's 403 page, in the site's layout and language."""
    return render(request, "403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form refused for its security token (expired, or the cookie gone). Without JavaScript,
    the whole page that says so (as Django's own view renders it, from 403_csrf.html). Sent by htmx from a part of
    one of the site's pages: the message goes before that part, which keeps what the person chose, and every form
    on the page gets a fresh token, so sending it again goes through. Reloading the page instead (`HX-Refresh`)
    cleared the choice without a word, and the answer looked saved (a review). Only the site's own script sends
    the htmx headers (a cross-site form cannot), and nothing is sent again without the person."""
    htmx = getattr(request, "htmx", None)
    target = htmx.target if htmx else None
    if not (target and PART_ID.fullmatch(target)):
        return csrf.csrf_failure(request, reason)
    response = render(request, "403_csrf.html#before-part", {"token": get_token(request), "target": target}, status=403)
    response["HX-Retarget"] = f"#{target}"
    response["HX-Reswap"] = "beforebegin"
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


@require_safe
def legal_notice(request: HttpRequest) -> HttpResponse:
    """The Impressum (§ 5 DDG): the operator's details from the environment, or that they are missing."""
    return render(request, "legal/impressum.html", {"operator": site_operator()})


@require_safe
def privacy_notice(request: HttpRequest) -> HttpResponse:
    """The Datenschutzerklärung (Art. 13 DSGVO): what this app stores, why and for how long."""
    return render(request, "legal/privacy.html", {"operator": site_operator(), **retention()})
