"""The resume link and the results address open an attempt in the language it was taken in; a switch of language
in that browser wins."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse

from assessment.services import start_assessment
from tests.conftest import answer_all, strongest

pytestmark = pytest.mark.django_db


def page_language(response) -> str:
    return response.content.decode().split('<html lang="', 1)[1].split('"', 1)[0]


def kept(client, name: str) -> str | None:
    """The cookie `name` as a browser keeps it: one deleted (emptied, max-age 0) is gone, though the test client
    sends it on empty."""
    morsel = client.cookies.get(name)
    return morsel.value if morsel is not None and morsel.value else None


def switch(client, language: str, next_url: str = "/"):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


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


def test_a_german_attempt_resumes_in_german_where_english_was_set_without_the_switch(client):
    """English from another attempt's link (or from a switch before the switch marked its choice)."""
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


def test_a_language_chosen_at_the_switch_on_a_result_stands_when_its_resume_link_is_opened(client):
    """A review switched a German attempt's result to English, opened its resume link, and the result and the whole
    site were German again: the link took the browser for one that had made no choice."""
    german = answer_all(start_assessment(language="de"), strongest)
    results = reverse("results", args=[german.token])
    assert page_language(client.get(results)) == "de"
    switch(client, "en", results)  # the switch, on the result
    assert page_language(client.get(results)) == "en"
    response = client.get(german.resume_url(), follow=True)
    assert page_language(response) == "en" and kept(client, settings.LANGUAGE_COOKIE_NAME) == "en"
    assert page_language(client.get(reverse("assessment:home"))) == "en"
    assert page_language(client.get(german.resume_url(), follow=True)) == "en"  # opened here now: still


def test_a_language_chosen_at_the_switch_stands_when_an_unfinished_attempts_link_is_opened_later(client):
    switch(client, "en")
    german = start_assessment(language="de")
    response = client.get(german.resume_url(), follow=True, HTTP_ACCEPT_LANGUAGE="de")
    assert response.redirect_chain[-1][0] == german.step_url(1)
    assert page_language(response) == "en" and kept(client, settings.LANGUAGE_COOKIE_NAME) == "en"


def test_a_language_an_attempts_link_set_yields_to_the_next_attempts_link(client):
    english, german = start_assessment(language="en"), start_assessment(language="de")
    assert page_language(client.get(english.resume_url(), follow=True)) == "en"
    assert kept(client, settings.LANGUAGE_CHOSEN_COOKIE_NAME) is None  # set by the link: no choice
    assert page_language(client.get(german.resume_url(), follow=True)) == "de"
    assert page_language(client.get(reverse("assessment:home"))) == "de"


def test_a_mark_left_from_the_switch_does_not_make_a_links_language_a_choice(client):
    """The review's second point: the switch's mark outlived the language it marked, and the language an attempt's
    link set in its place then counted as chosen, so the next attempt's link no longer set its own."""
    switch(client, "en")
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]  # the browser lost the language (the mark stayed)
    german, english = start_assessment(language="de"), start_assessment(language="en")
    assert page_language(client.get(german.resume_url(), follow=True)) == "de"
    assert kept(client, settings.LANGUAGE_CHOSEN_COOKIE_NAME) is None
    assert page_language(client.get(english.resume_url(), follow=True)) == "en"


@pytest.mark.parametrize("language", [None, "fr"])
def test_the_switchs_mark_without_a_language_the_site_speaks_is_no_choice(client, language):
    """The mark beside no language cookie, or beside one the site does not speak (Django's switch sets French, for
    which it has texts of its own, and the site shows German): the English attempt's link sets English."""
    client.cookies[settings.LANGUAGE_CHOSEN_COOKIE_NAME] = "1"
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    english = start_assessment(language="en")
    assert page_language(client.get(english.resume_url(), follow=True)) == "en"
    assert kept(client, settings.LANGUAGE_COOKIE_NAME) == "en"
    assert kept(client, settings.LANGUAGE_CHOSEN_COOKIE_NAME) is None


def test_the_switch_marks_its_choice_in_a_cookie_like_the_language_cookie_and_starts_no_session(client, settings):
    settings.LANGUAGE_COOKIE_SECURE = True  # as in production (not DEBUG)
    settings.LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
    response = switch(client, "en", "/")
    assert response.status_code == 302
    language, mark = (
        response.cookies[settings.LANGUAGE_COOKIE_NAME],
        response.cookies[settings.LANGUAGE_CHOSEN_COOKIE_NAME],
    )
    for flag in ("max-age", "path", "domain", "secure", "httponly", "samesite"):
        assert mark[flag] == language[flag], flag
    assert mark["secure"] and mark["httponly"] and mark["max-age"] == 365 * 24 * 60 * 60
    # the review's first point: a session for everyone who switched, which the privacy notice did not state
    assert settings.SESSION_COOKIE_NAME not in response.cookies and not Session.objects.exists()
    for unspoken in ("fr", "xx"):  # no mark for a language the site does not speak
        assert settings.LANGUAGE_CHOSEN_COOKIE_NAME not in switch(client, unspoken, "/").cookies
    assert settings.LANGUAGE_CHOSEN_COOKIE_NAME not in client.get(reverse("set_language"), {"next": "/"}).cookies
