"""An htmx request answered with a whole error page has htmx load the page whole (`HX-Refresh`) instead of
pasting it into the part of the page it targets; a part with its message (a 400 of a form) still swaps in."""

from __future__ import annotations

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


def test_an_expired_form_token_loads_the_page_whole(assessment):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(assessment.step_url(1), answer_data(assessment), **HTMX)
    assert response.status_code == 403
    assert response["HX-Refresh"] == "true"
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
