"""An htmx request answered with a whole error page has htmx load the page whole (`HX-Refresh`) instead of
pasting it into the part of the page it targets; a part with its message (a 400 of a form) still swaps in."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import Item
from tests.conftest import strongest, weakest

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def answer_data(assessment, step=1, choose=strongest):
    item = Item.objects.prefetch_related("options").get(pk=assessment.steps[step - 1])
    return {"item": item.slug, "action": "answer", "option": choose(item, list(item.options.all())).value}


def test_an_answer_to_an_attempt_finished_in_another_tab_loads_the_finished_page_whole(client, finished_assessment):
    other = answer_data(finished_assessment, choose=weakest)  # not the answer stored (that one leads to the results)
    response = client.post(finished_assessment.step_url(1), other, **HTMX)
    assert response.status_code == 409
    assert response["HX-Refresh"] == "true"
    assert client.post(finished_assessment.step_url(1), other).get("HX-Refresh") is None


def test_an_expired_form_token_is_said_before_the_form_which_keeps_the_choice(assessment):
    """A review: with htmx, a refused token reloaded the question (`HX-Refresh`), the choice cleared, no word said,
    and the answer looked saved. Now the message goes before the part that sent the form, every form of the page gets
    a fresh token, and sending the same answer again goes through."""
    browser = Client(enforce_csrf_checks=True)
    data = answer_data(assessment)
    from_card = {**HTMX, "HTTP_HX_TARGET": "question-card"}
    response = browser.post(assessment.step_url(1), data, **from_card)
    assert response.status_code == 403
    assert response["HX-Retarget"] == "#question-card" and response["HX-Reswap"] == "beforebegin"
    assert "HX-Refresh" not in response and not response.content.lstrip().lower().startswith(b"<!doctype")
    assert 'role="alert"' in response.content.decode() and not assessment.answers.exists()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)" hx-swap-oob=', response.content.decode())
    assert token and "csrftoken" in response.cookies
    again = browser.post(assessment.step_url(1), data | {"csrfmiddlewaretoken": token[1]}, **from_card)
    assert again.status_code == 200 and assessment.answers.count() == 1


def test_an_expired_form_token_without_htmx_or_from_no_part_of_the_site_shows_the_page_whole(assessment):
    data = answer_data(assessment)
    whole = Client(enforce_csrf_checks=True).post(assessment.step_url(1), data)
    assert whole.status_code == 403 and whole.content.lstrip().lower().startswith(b"<!doctype")
    for target in ({}, {"HTTP_HX_TARGET": "<script>"}):  # htmx with no target, or one that is no id of ours
        response = Client(enforce_csrf_checks=True).post(assessment.step_url(1), data, **HTMX, **target)
        assert response.status_code == 403 and response["HX-Refresh"] == "true" and "HX-Retarget" not in response
    assert not assessment.answers.exists()


def test_a_result_deleted_in_another_tab_loads_the_not_found_page_whole(client, finished_assessment):
    url = reverse("results", args=[finished_assessment.token])
    finished_assessment.delete()
    response = client.get(url, {"role": "it_architect"}, **HTMX)
    assert response.status_code == 404
    assert response["HX-Refresh"] == "true"


def test_a_forms_own_message_still_swaps_into_its_part(client, assessment):
    data = answer_data(assessment)
    del data["option"]
    response = client.post(assessment.step_url(1), data, **HTMX)
    assert response.status_code == 400
    assert "HX-Refresh" not in response
    assert not response.content.lstrip().lower().startswith(b"<!doctype")
