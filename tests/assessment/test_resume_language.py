"""The resume link and the results address open an attempt in the language it was taken in; a switch of language
in that browser wins."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from assessment.services import start_assessment
from tests.conftest import answer_all, strongest

pytestmark = pytest.mark.django_db


def page_language(response) -> str:
    return response.content.decode().split('<html lang="', 1)[1].split('"', 1)[0]


def test_starting_an_attempt_in_english_stores_its_language(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.post(reverse("assessment:start"))
    token = client.session["assessment_token"]
    from assessment.models import Assessment

    assert Assessment.objects.get(token=token).language == "en"


def test_the_resume_link_continues_an_english_attempt_in_english_in_a_fresh_browser(client):
    english = start_assessment(language="en")
    response = client.get(english.resume_url(), follow=True, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert page_language(response) == "en"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_the_resume_link_of_a_finished_english_attempt_shows_the_result_in_english(client):
    english = answer_all(start_assessment(language="en"), strongest)
    response = client.get(english.resume_url(), follow=True)
    assert response.redirect_chain[-1][0] == reverse("results", args=[english.token])
    assert page_language(response) == "en" and "Your learning path" in response.content.decode()


def test_a_german_attempt_resumes_in_german_even_where_english_was_chosen_before(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    german = start_assessment(language="de")
    assert page_language(client.get(german.resume_url(), follow=True)) == "de"


def test_after_a_switch_the_chosen_language_wins_over_the_attempts(client):
    english = start_assessment(language="en")
    client.get(english.resume_url())
    client.post(reverse("set_language"), {"language": "de", "next": english.resume_url()})  # the switch
    assert page_language(client.get(english.resume_url(), follow=True)) == "de"


def test_the_results_address_of_an_english_attempt_opens_in_english_in_a_browser_that_chose_no_language(client):
    english = answer_all(start_assessment(language="en"), strongest)
    response = client.get(reverse("results", args=[english.token]), HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert page_language(response) == "en" and "Your learning path" in response.content.decode()
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"  # the pages it links to follow
    assert page_language(client.get(reverse("results-review", args=[english.token]))) == "en"


def test_the_results_address_keeps_the_language_this_browser_chose(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    english = answer_all(start_assessment(language="en"), strongest)
    response = client.get(reverse("results", args=[english.token]))
    assert page_language(response) == "de" and "Ihr Lernpfad" in response.content.decode()
    assert response.cookies.get(settings.LANGUAGE_COOKIE_NAME) is None


@pytest.mark.parametrize("page", ["results-json", "results-review"])
def test_every_page_of_an_english_attempt_opened_first_in_a_fresh_browser_is_in_english(client, page):
    english = answer_all(start_assessment(language="en"), strongest)
    response = client.get(reverse(page, args=[english.token]), HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    text = response.content.decode()
    if page == "results-json":  # the reasons and the note come in the attempt's language
        assert "What you bring fits this role" in text and "Was Sie mitbringen" not in text
    else:
        assert page_language(response) == "en"


def test_the_shared_result_of_an_english_attempt_opens_in_english(client):
    english = answer_all(start_assessment(language="en"), strongest)
    english.share()
    response = client.get(reverse("shared-results", args=[english.share_token]), HTTP_ACCEPT_LANGUAGE="de")
    assert page_language(response) == "en"


def test_an_attempt_answered_on_in_another_language_resumes_in_that_language_in_a_fresh_browser(client):
    """Started in German, switched to English at question 4: the resume link brought the person back in German."""
    from django.test import Client

    from assessment.models import Assessment, Item

    attempt = start_assessment(language="de")
    client.get(attempt.resume_url())
    client.post(reverse("set_language"), {"language": "en", "next": attempt.step_url(1)})  # the switch
    item = Item.objects.get(pk=attempt.steps[0])
    client.post(attempt.step_url(1), {"item": item.slug, "option": item.options.first().value})
    assert Assessment.objects.get(pk=attempt.pk).language == "en"
    assert page_language(Client().get(attempt.resume_url(), follow=True, HTTP_ACCEPT_LANGUAGE="de")) == "en"
