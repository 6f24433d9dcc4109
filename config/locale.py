"""German first: the language is the one a person chose at the switch, else German.

Django's LocaleMiddleware would follow the browser's Accept-Language; Revierpfad speaks to
people in the Ruhr area in German unless they ask for English (the choice is kept in the
language cookie set by the switch). The pages of one attempt (its resume link and its results
address) opened in a browser that made no choice speak the language the attempt was taken in,
and keep it there (`in_attempt_language`, `keep_language`). Since an attempt's link sets the same
cookie, the switch also sets a companion cookie (`set_language`, `chosen_at_the_switch`): only a
language chosen there stands against the resume link of an attempt in another language."""

from __future__ import annotations

from typing import TypeGuard
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.i18n import LANGUAGE_QUERY_PARAMETER
from django.views.i18n import set_language as django_set_language


class GermanFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if _supported(chosen) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


def english_hint(request: HttpRequest) -> dict[str, bool]:
    """Whether a German page offers English in English: for a browser that asks for English and not for German at
    all, and holds no language yet. German stays the default (many people here run English browsers and read
    German: theirs list German too), but a reader who has none finds the way at once."""
    # German set by an attempt's link counts as well (not `chosen_at_the_switch`): the attempt was read in German
    if _supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)) or translation.get_language() != "de":
        return {"english_hint": False}
    accepted = parse_accept_lang_header(request.headers.get("accept-language", ""))  # cut to a safe length
    asked = {code.split("-")[0].lower() for code, quality in accepted if quality > 0}
    return {"english_hint": "en" in asked and "de" not in asked}


def _supported(language: str | None) -> TypeGuard[str]:
    return language in dict(settings.LANGUAGES)


def in_attempt_language(request: HttpRequest, language: str | None) -> str | None:
    """For a page of one attempt: the attempt's `language` when this browser holds no language yet
    (it is then active for the rest of the request), else None: a choice made here stands."""
    # A language set by another attempt's link counts here (not `chosen_at_the_switch`), as before the companion
    # cookie: only the resume link, which brings an attempt back, takes over from it. These pages keep no note
    # of the attempts opened here, and a choice made at the switch before the companion cookie existed has none.
    if _supported(language) and not _supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)):
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return language
    return None


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also sets the companion cookie: the language was chosen here."""
    response = django_set_language(request)
    # Django sets its cookie for any language it has texts for (French, say); only one the site speaks is a
    # choice. A cookie, not a session flag: the switch starts no session (the privacy notice names every cookie)
    # and the mark lives exactly as long as the language cookie set beside it.
    if settings.LANGUAGE_COOKIE_NAME in response.cookies and _supported(request.POST.get(LANGUAGE_QUERY_PARAMETER)):
        _set_language_cookie(response, settings.LANGUAGE_CHOSEN_COOKIE_NAME, "1")
    return response


def chosen_at_the_switch(request: HttpRequest) -> bool:
    """Whether this browser's language was chosen at the switch, not set by an attempt's link."""
    # The companion alone (its language cookie gone, or one the site does not speak) marks no choice; an empty one
    # is one `keep_language` deleted (a browser drops it, the test client sends it on empty).
    return bool(request.COOKIES.get(settings.LANGUAGE_CHOSEN_COOKIE_NAME)) and _supported(
        request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    )


def keep_language(response: HttpResponse, language: str) -> None:
    """Keep `language`, set by an attempt's link, in this browser: the switch's cookie, not marked as chosen."""
    _set_language_cookie(response, settings.LANGUAGE_COOKIE_NAME, language)
    # a companion left from an earlier switch would make this link's language count as chosen
    response.delete_cookie(
        settings.LANGUAGE_CHOSEN_COOKIE_NAME,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def _set_language_cookie(response: HttpResponse, name: str, value: str) -> None:
    response.set_cookie(
        name,
        value,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def language_next(request: HttpRequest) -> dict[str, str]:
    """Where the language switch leads back to: this page, or, for the answer to a form (a POST's error page, a
    429), the page the form was on (same site only), since the switch can only ask for an address again, and
    asked again the form's address would answer "this address only takes a form" (405)."""
    if request.method in ("GET", "HEAD"):
        return {"language_next": request.get_full_path()}
    referer = request.headers.get("referer", "")
    try:
        host = request.get_host()
    except DisallowedHost:
        return {"language_next": "/"}
    if url_has_allowed_host_and_scheme(referer, {host}, require_https=request.is_secure()):
        parts = urlsplit(referer)
        # the page now carries that address, perhaps with a token in it: no cache keeps it
        request.carries_token = True  # type: ignore[attr-defined]  # read by NoStoreForTokenPagesMiddleware
        return {"language_next": (parts.path or "/") + (f"?{parts.query}" if parts.query else "")}
    return {"language_next": "/"}
