"""A German page speaks German: no sentence the German catalogue translates reaches it in English.

Every page a person reads is rendered in German, and its visible text is searched for the English wording of
each translated message (the parts of a msgid between its placeholders that have four words or more). A text
built outside the request's language (a translation switched off by `override(None)`, a label computed at
import time, a string stored in English) shows up here.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from assessment.models import Item
from assessment.services import start_assessment
from tests.conftest import answer_all, strongest, weakest
from tests.test_numbers_in_markup import in_language, parse, visible_text

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "de" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\([^)]*\)[sd]|%[sd]|\{[^}]*\}")
MIN_WORDS = 4


def _unquote(line: str) -> str:
    return line[line.index('"') + 1 : line.rindex('"')].replace('\\"', '"').replace("\\n", " ")


@cache
def translated_messages() -> tuple[tuple[str, str], ...]:
    """(msgid, msgstr) of every singular message the German catalogue translates differently."""
    entries: list[tuple[str, str]] = []
    msgid, msgstr, current = "", "", None
    for line in [*CATALOGUE.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("msgid "):
            msgid, msgstr, current = _unquote(line), "", "id"
        elif line.startswith("msgstr "):
            msgstr, current = _unquote(line), "str"
        elif line.startswith('"') and current:
            if current == "id":
                msgid += _unquote(line)
            else:
                msgstr += _unquote(line)
        else:  # a blank line, a comment, a plural form: the entry is over
            if msgid and msgstr and msgstr != msgid:
                entries.append((msgid, msgstr))
            msgid, msgstr, current = "", "", None
    return tuple(entries)


def english_phrases() -> set[str]:
    phrases = set()
    for msgid, _msgstr in translated_messages():
        for part in PLACEHOLDER.split(msgid):
            part = " ".join(part.split()).strip(" .,:;")
            if len(part.split()) >= MIN_WORDS:
                phrases.add(part)
    return phrases


def english_on(html: bytes | str) -> list[str]:
    text = visible_text(parse(html))
    return sorted(phrase for phrase in english_phrases() if phrase in text)


def test_the_catalogue_is_read_and_the_check_finds_english():
    assert len(translated_messages()) > 200
    assert english_on("<p>Your answers fit together: the 12 answers give a consistent picture.</p>")
    assert not english_on("<p>Ihre Antworten passen zusammen: Die 12 Antworten ergeben ein stimmiges Bild.</p>")


@pytest.fixture
def german(client):
    return in_language(client, "de")


def test_the_start_and_question_pages_are_german(german):
    assert english_on(german.get(reverse("assessment:home")).content) == []
    assessment = start_assessment(language="de")
    assert english_on(german.get(assessment.step_url(1)).content) == []


def test_the_results_profile_and_shared_pages_are_german(german, finished_assessment):
    token = finished_assessment.token
    response = german.get(reverse("results", args=[token]))
    assert response.status_code == 200
    assert english_on(response.content) == []
    finished_assessment.share()
    assert english_on(german.get(reverse("shared-results", args=[finished_assessment.share_token])).content) == []


def boastful(item, options):
    """Every self-rating at the top, every knowledge check wrong: answers that do not hold together."""
    return strongest(item, options) if item.kind == Item.Kind.SELF_RATING else weakest(item, options)


def test_the_results_page_of_answers_that_do_not_hold_together_is_german(german):
    assessment = answer_all(start_assessment(language="de"), boastful)
    response = german.get(reverse("results", args=[assessment.token]))
    assert response.context["reliable"] is False
    assert english_on(response.content) == []


def test_the_compare_page_is_german(german, kept_attempts):
    earlier, later = kept_attempts
    response = german.get(reverse("compare"), {"vorher": earlier.token, "nachher": later.token})
    assert response.status_code == 200
    assert english_on(response.content) == []
    assert english_on(german.get(reverse("my-results")).content) == []


def test_the_account_pages_are_german(german):
    for name in ("signup", "login", "password_reset", "password_reset_done"):
        response = german.get(reverse(name))
        assert response.status_code == 200, name
        assert english_on(response.content) == [], name


def test_the_pages_that_delete_an_account_are_german(german, django_user_model):
    member = django_user_model.objects.create_user("eva@example.org", "eva@example.org", "Zollverein-2026!")
    german.force_login(member)
    pages = {
        "form": german.get(reverse("delete-account")),
        "refused password": german.post(reverse("delete-account"), {"password": "wrong"}),
        "done": german.post(reverse("delete-account"), {"password": "Zollverein-2026!"}, follow=True),
    }
    admin = django_user_model.objects.create_user("chefin@example.org", password="Zollverein-2026!", is_staff=True)
    german.force_login(admin)
    pages["admin refused"] = german.get(reverse("delete-account"))
    for name, response in pages.items():
        assert english_on(response.content) == [], name


def test_the_legal_and_privacy_notices_are_german(german, settings):
    for configured in (False, True):
        if configured:  # with the operator's details, the data protection officer and the host named
            settings.OPERATOR_NAME, settings.OPERATOR_EMAIL = "Ruhrpfad Beratung GmbH", "kontakt@ruhrpfad.example"
            settings.OPERATOR_ADDRESS, settings.PRIVACY_CONTACT = ["44137 Dortmund"], ["Max Beispiel"]
            settings.HOSTING_PROVIDER = ["Beispiel Hosting AG, Essen"]
        for name in ("legal-notice", "privacy-notice"):
            response = german.get(reverse(name))
            assert response.status_code == 200, name
            assert english_on(response.content) == [], (name, configured)


def test_the_admin_dashboard_and_retrain_pages_are_german(admin_client):
    in_language(admin_client, "de")
    answer_all(start_assessment(), strongest)
    answer_all(start_assessment(), weakest)
    retrain = reverse("admin:recommendations_modelversion_retrain")
    queued = admin_client.post(retrain)
    for url in (reverse("admin_dashboard"), retrain, queued["Location"]):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert english_on(response.content) == [], url
