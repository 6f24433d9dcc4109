"""Request types for type checkers: views that read `request.htmx` (django-htmx's middleware sets it), and views
behind `login_required` (their `request.user` is a logged-in account, never AnonymousUser)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


class AuthenticatedHttpRequest(HttpRequest):
    user: User
