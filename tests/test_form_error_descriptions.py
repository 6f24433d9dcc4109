"""Every public form, sent back with its errors, names only elements that exist: a field's aria-describedby (Django
adds "<field id>_error" to a field with errors, "<field id>_helptext" to one with help), aria-labelledby, and a
label's `for`. A screen reader reads a field's error to the person only when the list carrying it has that id."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from assessment.models import Item
from assessment.services import start_assessment
from tests.conftest import answer_all, strongest

pytestmark = pytest.mark.django_db
HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}
WEAK_AND_MISMATCHED = {"new_password1": "password123", "new_password2": "password124"}


class References(HTMLParser):
    """The ids a page has, and the ids its attributes point to (attribute, id)."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.pointers: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if id_ := attributes.get("id"):
            self.ids.add(id_)
        for name in ("aria-describedby", "aria-labelledby", "aria-controls", "aria-errormessage"):
            for target in (attributes.get(name) or "").split():
                self.pointers.append((f"<{tag}>", name, target))
        if tag == "label" and (label_for := attributes.get("for")):
            self.pointers.append(("<label>", "for", label_for))


def dangling_references(html: str) -> list[str]:
    """Each reference to an id no element has, as '<tag> attribute="id"'."""
    parser = References()
    parser.feed(html)
    return [f'{tag} {name}="{target}"' for tag, name, target in parser.pointers if target not in parser.ids]


def error_descriptions(html: str) -> list[str]:
    """The ids a page's aria-describedby attributes name for errors (which must exist, for the test to mean much)."""
    return [
        target
        for target in re.findall(r'aria-describedby="([^"]*)"', html)
        for target in target.split()
        if "error" in target
    ]


def test_the_check_finds_a_description_that_is_not_there():
    html = (
        '<label for="id_a">A</label><input id="id_a" aria-describedby="id_a_helptext id_a_error">'
        '<div id="id_a_helptext"></div><div class="errors"><p>A: wrong</p></div><label for="id_b">B</label>'
    )
    assert dangling_references(html) == ['<input> aria-describedby="id_a_error"', '<label> for="id_b"']


def link_in_last_mail(pattern: str) -> str:
    found = re.search(pattern, str(mail.outbox[-1].body))
    assert found is not None, mail.outbox[-1].body
    return found.group(1)


def signup_link(client: Client) -> str:
    client.post(reverse("signup"), {"email": "kim@example.org"})
    return link_in_last_mail(r"https?://[^/\s]+(/konto/bestaetigen/\S+)")


def new_password_page(client: Client) -> str:
    get_user_model().objects.create_user("eva@example.org", "eva@example.org", "Zollverein-2026!")
    client.post(reverse("password_reset"), {"email": "eva@example.org"})
    link = link_in_last_mail(r"https?://[^/\s]+(/konto/passwort-neu/\S+)")
    return client.get(link)["Location"].split("?")[0]


def forms_with_errors(client: Client) -> dict:
    """Each public form posted (or, for the GET form of path limits, sent) with what it refuses."""
    unfinished = start_assessment()
    finished = answer_all(start_assessment(), strongest)
    results = reverse("results", args=[finished.token])
    feedback = reverse("feedback", args=[finished.token])
    no_consent = {"fits": "maybe", "role": "no-such-role", "relation": "", "consent": ""}
    member = Client()  # logged in apart, so `client` stays a visitor for the other forms
    if "django_language" in client.cookies:
        member.cookies["django_language"] = client.cookies["django_language"].value
    member.force_login(get_user_model().objects.create_user("lena@example.org", password="Zollverein-2026!"))
    first_item = Item.objects.get(pk=unfinished.steps[0]).slug  # an answer meant for it, with an option it lacks
    return {
        "delete account": member.post(reverse("delete-account"), {"password": "wrong"}),
        "signup": client.post(reverse("signup"), {"email": "not-an-address"}),
        "confirm signup": client.post(signup_link(client), WEAK_AND_MISMATCHED),
        "login": client.post(reverse("login"), {"username": "kim@example.org", "password": "wrong"}),
        "password reset": client.post(reverse("password_reset"), {"email": "not-an-address"}),
        "new password": client.post(new_password_page(client), WEAK_AND_MISMATCHED),
        "question": client.post(unfinished.step_url(1), {"item": first_item, "option": "nope"}),
        "question (htmx)": client.post(unfinished.step_url(1), {"item": first_item, "option": "nope"}, **HTMX),
        "path limits": client.get(results, {"max_hours": "viele", "max_price_eur": "-5"}),
        "path limits (htmx)": client.get(results, {"max_hours": "viele", "max_price_eur": "-5"}, **HTMX),
        "feedback": client.post(feedback, no_consent),
        "feedback (htmx)": client.post(feedback, no_consent, **HTMX),
    }


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_error_a_field_is_described_by_exists_on_the_page(client, language):
    client.cookies["django_language"] = language
    pages = forms_with_errors(client)
    dangling = {form: dangling_references(response.content.decode()) for form, response in pages.items()}
    assert {form: references for form, references in dangling.items() if references} == {}
    for form, response in pages.items():
        assert response.status_code in (200, 400), form
        assert 'aria-invalid="true"' in response.content.decode(), f"{form}: sent back without errors"
    # The account forms' fields are each described by their own error list
    for form in ("signup", "confirm signup", "password reset", "new password", "delete account"):
        html = pages[form].content.decode()
        assert error_descriptions(html), form
        for target in error_descriptions(html):
            assert re.search(rf'<ul class="errorlist" id="{target}">', html), (form, target)
    assert {"id_consent_error", "id_role_error"} <= set(error_descriptions(pages["feedback"].content.decode()))
