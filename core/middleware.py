"""Request ids and request logs, checks of what a request carries, and clear pages where Django would answer
with an empty body or a traceback."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.admin.helpers import AdminErrorList, AdminForm
from django.forms import BaseForm, BaseFormSet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found

from config.logging import REQUEST_ID, mask_tokens
from core.numbers import number_text
from core.views import DATABASE_ERRORS, bad_request_page, database_unavailable, too_many_requests

log = logging.getLogger(__name__)
request_log = logging.getLogger("revierpfad.requests")
_REQUEST_ID_FORMAT = re.compile(r"[A-Za-z0-9._-]{8,64}")  # a proxy's id is kept; anything else replaced
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


TOKEN_KWARGS = ("token", "share_token")
# A private token as the site makes them (`secrets.token_urlsafe(24)`: 32 URL-safe characters), in a parameter
# such as `next=/a/<token>/ergebnis/` or `keep=<token>`.
_TOKEN_LIKE = re.compile(r"[A-Za-z0-9_-]{32,}")


class NoStoreForTokenPagesMiddleware:
    """A page reached through a private token (an assessment, a share link) is never kept by a browser's or a
    proxy's cache: the token is the only key to the person's answers and results. The same for a page whose
    request carries one in a parameter (the sign-up and password pages linked from a result with
    `next=/a/<token>/…&keep=<token>` write it into their forms and their language switch), and for any response
    whose address holds one, answered before a view was found: the slash appended (a 301 a browser keeps), a
    404 for a mistyped or a control character's address (its language switch carries the address)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if (
            (match is not None and any(name in match.kwargs for name in TOKEN_KWARGS))
            or _TOKEN_LIKE.search(request.path)
            or getattr(request, "carries_token", False)  # an address from elsewhere written into the page
            or _carries_token(request)
        ):
            patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
        return response


def _carries_token(request: HttpRequest) -> bool:
    parameters = [request.GET]
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        parameters.append(request.POST)
    return any(
        _TOKEN_LIKE.search(value)
        for query in parameters
        for name, values in query.lists()
        if name != "csrfmiddlewaretoken"  # the form token is no key to anyone's results
        for value in values
    )


_WHOLE_DOCUMENT = re.compile(rb"^\s*<!doctype html", re.IGNORECASE)


class HtmxWholePageErrorMiddleware:
    """An htmx request (an answer, another target role, a course marked done) answered with a whole error page
    instead of a part of one: the attempt was finished or deleted in another tab (409, 404), the form's CSRF
    token expired (403). htmx swaps 4xx responses into the part it targets (the question card, the learning
    path), which then held a second page with its own header, footer and heading. `HX-Refresh` has htmx load the
    address shown instead, which shows the same page whole, as it does without JavaScript. Outside the CSRF
    check, so its 403 page is among them; the 400s that carry a part with its message are left to swap."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.headers.get("HX-Request") == "true"
            and 400 <= response.status_code < 500
            and not response.streaming
            and not any(h in response for h in ("HX-Refresh", "HX-Redirect", "HX-Location"))
            and _WHOLE_DOCUMENT.match(response.content)
        ):
            response["HX-Refresh"] = "true"
        return response


class MethodNotAllowedPageMiddleware:
    """A GET where a POST belongs gets a page that says so, not a blank 405."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            response.content = render_to_string("405.html", request=request)
            response["Content-Type"] = "text/html; charset=utf-8"
        return response


class InvalidFormStatusMiddleware:
    """A form sent with errors answers 400 where a view of Django's own shows it again with 200 (the admin's
    change and add forms, its password form, the login pages): the page is the same, with its messages and
    everything entered, but the status says the input was refused, as the site's own views say it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_template_response(self, request: HttpRequest, response: TemplateResponse) -> TemplateResponse:
        if request.method == "POST" and response.status_code == 200 and _refuses_input(response.context_data):
            response.status_code = 400
        return response


def _refuses_input(context: Mapping[str, Any] | None) -> bool:
    """Whether a page's context holds a sent form (or formset) with errors: the admin's error list, its form
    wrapper, a form or formset."""
    for value in (context or {}).values():
        if isinstance(value, AdminErrorList) and value:
            return True
        form = value.form if isinstance(value, AdminForm) else value
        if isinstance(form, (BaseForm, BaseFormSet)) and form.is_bound and not form.is_valid():
            return True
    return False


class RequestIdMiddleware:
    """Gives each request an id (a proxy's X-Request-ID, or a new one), puts it on the response and on
    every log record written while the request is served, and logs one line per request with the
    method, the masked path, the status and the duration: no query string, address or token."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _REQUEST_ID_FORMAT.fullmatch(given) else uuid.uuid4().hex
        # An attribute of our own on the request: the log filter reads it for records Django writes later
        request.id = request_id  # type: ignore[attr-defined]
        reset = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            duration_ms = round(1000 * (time.perf_counter() - started), 1)
            path = _CONTROL_CHARACTERS.sub("?", mask_tokens(request.path))  # one request, one line
            request_log.info(
                "%s %s %s %.1fms",
                request.method,
                path,
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
            return response
        finally:
            REQUEST_ID.reset(reset)


class DatabaseUnavailableMiddleware:
    """A view that cannot reach the database gets the 503 page instead of a traceback.

    (A database error outside a view, such as the session save after it, reaches handler500,
    which gives the same page: core.views.server_error.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        log.error("the database is unavailable: %s: %s", type(exception).__name__, exception)
        return database_unavailable(request)


class ControlCharacterPathMiddleware:
    """A path with a NUL or another control character names no page: 404 before any view looks it up
    (PostgreSQL refuses to compare such a string with a token and would raise instead)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _CONTROL_CHARACTERS.search(request.path):
            return page_not_found(request, Http404("control characters in the path"))
        return self.get_response(request)


# Longest accepted values. A query parameter or a cookie is never long here; a form field may be (a course
# description in the admin). A field's own limit is its form's to check, with the input kept (core.auth_forms for
# the login forms' user names).
MAX_QUERY_VALUE = 2048
MAX_FIELD_VALUE = 20_000
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _in_the_admin(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return request.path.startswith(reverse("admin:index")) and user is not None and user.is_staff


def too_large_message(request: HttpRequest) -> str:
    """What a refused body is told: in the admin, the file limit in megabytes, as the import form says it for a
    file a little smaller (an 11 MB catalogue got the public "larger than any form here accepts"; an admin
    review)."""
    if not _in_the_admin(request):
        return _("This request is larger than any form here accepts.")
    megabytes = {
        "size": number_text(int(request.META.get("CONTENT_LENGTH") or 0) / 1_000_000, 1),
        "limit": number_text(settings.IMPORT_MAX_UPLOAD_BYTES / 1_000_000, 1),
    }
    return (
        _(
            "This upload is about %(size)s MB; a file for the admin may have at most %(limit)s MB. Please split it "
            "into smaller files."
        )
        % megabytes
    )


def body_too_large(request: HttpRequest) -> bool:
    """A body larger than its page's forms take: no public form takes a file, so twice Django's limit for
    form data (which leaves file parts out, and would spool them to disk); for staff in the admin, the
    catalogue import's file limit and a margin for the form around it (the admin's login page is public)."""
    try:
        size = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False  # Django reads no body then
    if _in_the_admin(request):
        return size > settings.IMPORT_MAX_UPLOAD_BYTES + 1_000_000
    return size > 2 * settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def request_problem(request: HttpRequest) -> str | None:
    """What makes a request unfit for any view (a NUL byte, or a value far longer than any field), or None."""
    for name, value in request.COOKIES.items():
        if "\x00" in name or "\x00" in value:
            return _("A cookie of this request contains a NUL character.")
    for name, values in request.GET.lists():
        for value in [name, *values]:
            if "\x00" in value:
                return _("The address contains a NUL character.")
            if len(value) > MAX_QUERY_VALUE:
                return _("A value in the address is longer than %(limit)s characters.") % {
                    "limit": number_format(MAX_QUERY_VALUE, force_grouping=True)
                }
    if request.method == "POST" and request.content_type in _FORM_TYPES:
        for name, values in request.POST.lists():
            for value in [name, *values]:
                if "\x00" in value:
                    return _("A form field contains a NUL character.")
                if len(value) > MAX_FIELD_VALUE:
                    return _("A form field is longer than %(limit)s characters.") % {
                        "limit": number_format(MAX_FIELD_VALUE, force_grouping=True)
                    }
    return None


class RequestSanityMiddleware:
    """A NUL byte or an overlong value anywhere in the query string, the form or the cookies is a 400 page
    that says so, before a view passes it to the database (PostgreSQL refuses both with an error)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if body_too_large(request):  # before anything reads it: a file part would be spooled to disk
            log.info("request body refused: %s bytes", request.META.get("CONTENT_LENGTH"))
            response = bad_request_page(request, too_large_message(request))
            response.status_code = 413
            return response
        problem = request_problem(request)
        if problem is not None:
            log.info("bad request refused: %s", problem)
            if hasattr(request, "session") and "\x00" in (request.session.session_key or ""):
                # The page shows whether someone is logged in: never look that key up.
                request.session = import_module(settings.SESSION_ENGINE).SessionStore()
            return bad_request_page(request, problem)
        return self.get_response(request)


class LoginFailureLimitMiddleware:
    """Failed logins per client across all user names (password spraying), beside django-axes' lockout of
    one user name from one client: over settings.RATELIMITS["login_failures"] in the last window's length,
    login posts get the 429 page until enough of them lie further back. The failures are counted by
    core.ratelimit.count_login_failure. Deleting an account asks for its password too, so its posts count
    and are refused alike."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._login_paths: frozenset[str] | None = None

    def login_paths(self) -> frozenset[str]:
        if self._login_paths is None:
            self._login_paths = frozenset(reverse(name) for name in settings.LOGIN_FAILURE_VIEWS)
        return self._login_paths

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path in self.login_paths():
            from core.ratelimit import login_failures_exceeded

            wait = login_failures_exceeded(request)
            if wait is not None:
                log.warning("failed-login limit reached for a client")
                return too_many_requests(request, wait)
        return self.get_response(request)
