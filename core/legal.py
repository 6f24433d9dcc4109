"""What the legal notice (Impressum, § 5 DDG) and the privacy notice (Art. 13 DSGVO) say about the operator and
about how long this installation keeps things: read from the settings, which come from the environment, so the
pages never name an operator nobody configured or a period the code does not keep."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest

from core.rounding import half_up_int

DAY = 24 * 3600


@dataclass(frozen=True)
class Operator:
    """Who runs this site, as the environment says (DJANGO_OPERATOR_*)."""

    name: str
    address: list[str]
    email: str
    phone: str
    details: list[str]
    privacy_contact: list[str]
    hosting_provider: list[str]

    @property
    def missing(self) -> list[str]:
        """The environment variables the legal notice needs and the operator has not set."""
        required = {
            "DJANGO_OPERATOR_NAME": self.name,
            "DJANGO_OPERATOR_ADDRESS": self.address,
            "DJANGO_OPERATOR_EMAIL": self.email,
        }
        return [variable for variable, value in required.items() if not value]


def site_operator() -> Operator:
    """The operator's details from the settings (read at request time: tests override them)."""
    return Operator(
        name=settings.OPERATOR_NAME,
        address=list(settings.OPERATOR_ADDRESS),
        email=settings.OPERATOR_EMAIL,
        phone=settings.OPERATOR_PHONE,
        details=list(settings.OPERATOR_DETAILS),
        privacy_contact=list(settings.PRIVACY_CONTACT),
        hosting_provider=list(settings.HOSTING_PROVIDER),
    )


def link_days() -> int:
    """For how many days a confirmation or password link works (PASSWORD_RESET_TIMEOUT, whole days up)."""
    return math.ceil(settings.PASSWORD_RESET_TIMEOUT / DAY)


def link_lifetime(request: HttpRequest) -> dict[str, int]:
    """Context processor: `link_days` for the pages that tell how long a mailed link works."""
    return {"link_days": link_days()}


def retention() -> dict[str, int | str | None]:
    """The names and lifetimes the privacy notice states, from the settings the code runs on."""
    longest_window = max(seconds for _requests, seconds in settings.RATELIMITS.values())
    language_age = settings.LANGUAGE_COOKIE_AGE
    return {
        "assessment_days": settings.ASSESSMENT_RETENTION_DAYS,
        "login_record_days": settings.LOGIN_RECORD_RETENTION_DAYS,
        "link_days": link_days(),
        "lockout_failures": settings.AXES_FAILURE_LIMIT,
        "lockout_minutes": half_up_int(settings.AXES_COOLOFF_TIME.total_seconds() / 60),
        # A counter lives through its window and the next, where it is the previous one (core/ratelimit.py).
        "counter_minutes": math.ceil((2 * longest_window + 1) / 60),
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "session_days": math.ceil(settings.SESSION_COOKIE_AGE / DAY),
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "csrf_days": math.ceil(settings.CSRF_COOKIE_AGE / DAY),
        "language_cookie": settings.LANGUAGE_COOKIE_NAME,
        "language_days": None if language_age is None else math.ceil(language_age / DAY),
        "language_chosen_cookie": settings.LANGUAGE_CHOSEN_COOKIE_NAME,  # set beside it, as long-lived
        "messages_cookie": CookieStorage.cookie_name,
    }
