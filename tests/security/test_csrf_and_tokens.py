"""Forged posts are refused, and a token is the only way to an assessment: nobody else's is reachable."""

from __future__ import annotations

import secrets

import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import Answer, Assessment, Item
from assessment.services import record_answer, start_assessment

pytestmark = pytest.mark.django_db


def item_at(assessment: Assessment, step: int) -> Item:
    return Item.objects.get(pk=assessment.item_ids[step - 1])


def test_a_forged_start_without_the_csrf_token_is_refused():
    browser = Client(enforce_csrf_checks=True)
    browser.get("/")  # has the csrftoken cookie now, but the forged form does not carry the token
    response = browser.post(reverse("assessment:start"), {"csrfmiddlewaretoken": "forged" * 6})
    assert response.status_code == 403
    assert "Sicherheit" in response.content.decode()  # the friendly CSRF page, not a bare 403
    assert not Assessment.objects.exists()


def test_a_forged_answer_from_another_site_changes_nothing(assessment):
    item = item_at(assessment, 1)
    record_answer(assessment, item, item.options.first())
    attacker = Client(enforce_csrf_checks=True)
    response = attacker.post(
        assessment.step_url(1),
        {"item": item.slug, "option": item.options.last().value, "action": "answer"},
        HTTP_ORIGIN="https://evil.example",
    )
    assert response.status_code == 403
    assert Answer.objects.get(assessment=assessment).option == item.options.first()


def test_a_real_form_with_its_token_is_accepted():
    browser = Client(enforce_csrf_checks=True)
    browser.get("/")
    response = browser.post(reverse("assessment:start"), {"csrfmiddlewaretoken": browser.cookies["csrftoken"].value})
    assert response.status_code == 302


@pytest.mark.parametrize("name", ["assessment:resume", "assessment:profile", "results"])
def test_a_guessed_token_finds_nothing(client, assessment, name):
    guess = secrets.token_urlsafe(24)
    response = client.get(reverse(name, args=[guess]))
    assert response.status_code == 404
    assert assessment.token not in response.content.decode()


def test_a_guessed_token_can_neither_read_nor_answer_a_question(client, assessment):
    guess = secrets.token_urlsafe(24)
    url = reverse("assessment:question", args=[guess, 1])
    item = item_at(assessment, 1)
    assert client.get(url).status_code == 404
    response = client.post(url, {"item": item.slug, "option": item.options.first().value, "action": "answer"})
    assert response.status_code == 404
    assert not Answer.objects.exists()


def test_tokens_are_long_random_and_distinct():
    tokens = {start_assessment().token for _ in range(20)}
    assert len(tokens) == 20
    assert all(len(token) >= 32 for token in tokens)


def test_one_person_cannot_answer_with_another_assessments_question(client):
    mine, theirs = start_assessment(), start_assessment()
    their_item = item_at(theirs, 3)
    record_answer(theirs, their_item, their_item.options.first())
    # my step 1 with their question and one of its options: refused, nothing stored anywhere
    response = client.post(
        mine.step_url(1), {"item": their_item.slug, "option": their_item.options.last().value, "action": "answer"}
    )
    assert response.status_code == 400
    assert not mine.answers.exists()
    assert Answer.objects.get(assessment=theirs).option == their_item.options.first()


def test_a_forged_choice_of_target_role_changes_nothing(finished_assessment):
    """The picker stores the person's target role, which the PDF, the download and the share link follow."""
    from recommendations.models import StoredResult

    assert Client().get(reverse("results", args=[finished_assessment.token])).status_code == 200  # stores the result
    attacker = Client(enforce_csrf_checks=True)
    url = reverse("results-path", args=[finished_assessment.token])
    response = attacker.post(url, {"role": "agile_coach"}, HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403
    assert StoredResult.objects.get(assessment=finished_assessment).document["chosen_role"] == ""
