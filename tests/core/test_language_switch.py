"""The language switch leads back to a page it can ask for again: after a form's answer (an error page, a 429),
the page the form was on, since the form's own address answers a GET with 405."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from assessment.services import start_assessment
from tests.conftest import answer_all, strongest

pytestmark = pytest.mark.django_db


def switch_target(response) -> str:
    found = re.search(r'name="next" value="([^"]*)" id="language-next"', response.content.decode())
    assert found, "no language switch on the page"
    return found[1]


def test_after_a_form_error_the_switch_leads_to_the_page_the_form_was_on(client):
    finished = answer_all(start_assessment(), strongest)
    results = reverse("results", args=[finished.token])
    response = client.post(
        reverse("feedback", args=[finished.token]), {"helpful": "nonsense"}, HTTP_REFERER=f"http://testserver{results}"
    )
    assert response.status_code == 400
    assert switch_target(response) == results
    switched = client.post(reverse("set_language"), {"language": "en", "next": switch_target(response)})
    assert switched.status_code == 302 and switched["Location"] == results
    assert client.get(results).status_code == 200
    # the form's own address, asked for again, is what the switch led to before
    assert client.get(reverse("feedback", args=[finished.token])).status_code == 405


@pytest.mark.parametrize("referer", [None, "https://elsewhere.example/a/x/", "//elsewhere.example/", "javascript:x"])
def test_after_a_form_from_elsewhere_or_unknown_the_switch_leads_home(client, referer):
    finished = answer_all(start_assessment(), strongest)
    headers = {"HTTP_REFERER": referer} if referer else {}
    response = client.post(reverse("feedback", args=[finished.token]), {"helpful": "nonsense"}, **headers)
    assert response.status_code == 400 and switch_target(response) == "/"


def test_on_a_page_asked_for_the_switch_leads_back_to_it_with_its_query(client):
    finished = answer_all(start_assessment(), strongest)
    url = reverse("results", args=[finished.token]) + "?role=it_architect"
    assert switch_target(client.get(url)) == url


def test_a_page_that_writes_an_address_from_elsewhere_into_its_switch_is_never_stored(client):
    """The signup form sent from a result's page: its answer carries that page's address, token and all. (The
    login form is never cached anyway, so it could not show this.) The same form sent from nowhere in particular
    is stored as any page may be."""
    finished = answer_all(start_assessment(), strongest)
    results = reverse("results", args=[finished.token])
    response = client.post(reverse("signup"), {"email": "x"}, HTTP_REFERER=f"http://testserver{results}")
    assert response.status_code == 400 and switch_target(response) == results
    assert "no-store" in response["Cache-Control"]
    plain = client.post(reverse("signup"), {"email": "x"})
    assert plain.status_code == 400 and "no-store" not in plain.get("Cache-Control", "")
