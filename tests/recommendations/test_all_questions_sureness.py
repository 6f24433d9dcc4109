"""A result of every question says how sure its ranking is, as an adaptive one does: judged once, when it is stored."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import override

from assessment import adaptive
from assessment.models import Assessment
from assessment.services import answers_by_slug, start_assessment
from core.numbers import whole_percent
from recommendations import results as results_module
from recommendations.asking import engine_inputs
from recommendations.models import StoredResult
from recommendations.presentation import results_context
from tests.conftest import answer_all, strongest, weakest
from tests.test_language_of_pages import boastful

pytestmark = pytest.mark.django_db

SURE = {  # an adaptive plan also says how often the first role comes first (`top_three_sentence`)
    "de": re.compile(
        r"Zu Ihren Antworten passen viele Profile; in (\d+)\u00a0% davon gehört die erste Rolle zu "
        r"den besten drei(?:, in \d+\u00a0% steht sie vorn)?\."
        r"|Zu Ihren Antworten passen viele Profile; in (jedem) der 128 daraus gezogenen (?:gehört "
        r"die erste Rolle zu den besten drei(?:, in \d+\u00a0% davon steht sie vorn)?|steht die erste Rolle vorn)\."
    ),
    "en": re.compile(
        r"Many profiles fit your answers; in (\d+)\u00a0% of them, the first role is among the best "
        r"three(?:, and in \d+\u00a0% it comes first)?\."
        r"|Many profiles fit your answers; in (every) one of the 128 drawn from them, the first role "
        r"(?:is among the best three(?:, and in \d+\u00a0% of them it comes first)?|comes first)\."
    ),
}


def share_said(text: str, language: str) -> int | None:
    """The share the text says keeps the first role among the best three (every one drawn: 100); None for none."""
    found = SURE[language].findall(text)
    assert len(found) <= 1, found
    if not found:
        return None
    percent, every = found[0]
    return 100 if every else int(percent)


def engine_says(assessment: Assessment) -> tuple[str, int]:
    """The adaptive engine's own judgement of these answers (its bank, roles and ranking), as the page words it."""
    bank, roles, score_roles = engine_inputs()
    given = {slug: value for slug, value in answers_by_slug(assessment).items() if value is not None}
    judged = adaptive.top_three_share(bank, roles, given, score_roles=score_roles)
    assert judged is not None
    best, share = judged
    return best, 100 if share >= 1 else whole_percent(100 * share)


def page_and_pdf(client, assessment: Assessment, language: str) -> tuple[str, str]:
    Assessment.objects.filter(pk=assessment.pk).update(language=language)  # the page opens in its attempt's language
    assessment.refresh_from_db()
    page = client.get(reverse("results", args=[assessment.token]))
    assert page.status_code == 200
    with override(language):
        context, _status = results_context(assessment)
        pdf_html = render_to_string("recommendations/result_pdf.html", {**context, "stylesheet": ""})
    return page.content.decode(), pdf_html


def never_judged_again(monkeypatch) -> None:
    def judged_again(*args, **kwargs):
        raise AssertionError("judged again at a page view")

    monkeypatch.setattr(results_module, "top_three_of", judged_again)


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_result_of_every_question_says_how_sure_its_ranking_is_as_the_engine_judges_it(client, language):
    # every answer the strongest: several roles met almost fully, so the first role is not in every top three
    person = answer_all(start_assessment(language=language), strongest)
    best, share = engine_says(person)
    assert share < 100  # measured: 95 %
    page, pdf_html = page_and_pdf(client, person, language)
    first = client.get(reverse("results", args=[person.token])).context["top_fits"][0][0].slug
    assert first == best  # the role the sentence speaks of is the one the page puts first
    assert share_said(page, language) == share == share_said(pdf_html, language)
    rests = "Dieses Ergebnis beruht auf" if language == "de" else "This result rests on"
    assert f"{rests} {Assessment.objects.get(pk=person.pk).answers.exclude(option=None).count()}" in page
    assert 'class="sharpen-form' not in page  # every question asked: nothing to sharpen


def test_a_result_whose_every_profile_keeps_the_first_role_says_so_and_not_100_percent(client):
    beginner = answer_all(start_assessment(), weakest)
    assert engine_says(beginner)[1] == 100  # measured: every one of the 128
    page, pdf_html = page_and_pdf(client, beginner, "de")
    assert share_said(page, "de") == 100 == share_said(pdf_html, "de")
    assert "In 100\u00a0%" not in page


def test_an_unreliable_result_of_every_question_says_nothing_of_how_sure_a_ranking_is(client):
    contradictory = answer_all(start_assessment(), boastful)
    page, pdf_html = page_and_pdf(client, contradictory, "de")
    assert client.get(reverse("results", args=[contradictory.token])).context["reliable"] is False
    assert share_said(page, "de") is None and share_said(pdf_html, "de") is None
    assert StoredResult.objects.get(assessment=contradictory).document["top_three"] is None  # not judged


def test_how_sure_it_is_is_judged_once_when_the_result_is_stored_not_at_every_view(client, monkeypatch):
    person = answer_all(start_assessment(), strongest)
    url = reverse("results", args=[person.token])
    client.get(url)  # computes and stores the result
    best, share = StoredResult.objects.get(assessment=person).document["top_three"]
    assert (best, 100 if share >= 1 else whole_percent(100 * share)) == engine_says(person)
    never_judged_again(monkeypatch)
    assert share_said(client.get(url).content.decode(), "de") == engine_says(person)[1]


def test_a_first_role_withdrawn_since_leaves_the_sentence_out(client):
    """The stored share is of the role first then; with it withdrawn the page puts another first."""
    person = answer_all(start_assessment(), strongest)
    url = reverse("results", args=[person.token])
    first = client.get(url).context["top_fits"][0][0]
    first.active = False
    first.save()  # as the admin does it
    page = client.get(url)
    assert page.context["top_fits"][0][0] != first
    assert share_said(page.content.decode(), "de") is None


def stored_as_before(person: Assessment, **changes) -> None:
    """The person's stored result as it was stored before `top_three` was (with `changes` to the document)."""
    row = StoredResult.objects.get(assessment=person)
    document = {k: v for k, v in row.document.items() if k != "top_three"}
    row.document = {**document, **changes}
    row.model_version = row.document["model_version"]
    row.save()


def test_a_result_stored_before_is_judged_once_when_its_ranking_would_come_out_the_same(client, monkeypatch):
    """The reviewer's result of every question was stored before results of every question were judged."""
    person = answer_all(start_assessment(), strongest)
    url = reverse("results", args=[person.token])
    client.get(url)
    stored_as_before(person)
    assert share_said(client.get(url).content.decode(), "de") == engine_says(person)[1]
    assert StoredResult.objects.get(assessment=person).document["top_three"][0] == engine_says(person)[0]
    never_judged_again(monkeypatch)
    assert share_said(client.get(url).content.decode(), "de") == engine_says(person)[1]


def test_a_result_stored_before_and_ranked_by_another_model_is_not_judged_by_this_one(client):
    person = answer_all(start_assessment(), strongest)
    url = reverse("results", args=[person.token])
    client.get(url)
    stored_as_before(person, model_version="an-older-model")
    assert share_said(client.get(url).content.decode(), "de") is None
    assert "top_three" not in StoredResult.objects.get(assessment=person).document
    client.post(reverse("results-recompute", args=[person.token]))  # computed again: judged with it
    assert share_said(client.get(url).content.decode(), "de") == engine_says(person)[1]


def test_a_shared_view_of_a_result_stored_before_stores_nothing(client):
    """The shared page is read-only (`result_with_current_path(store=False)`): it judged and stored the owner's
    result before; now the owner's next view does."""
    person = answer_all(start_assessment(), strongest)
    client.get(reverse("results", args=[person.token]))
    stored_as_before(person)
    client.get(reverse("shared-results", args=[person.share()]))
    assert "top_three" not in StoredResult.objects.get(assessment=person).document
    assert (
        share_said(client.get(reverse("results", args=[person.token])).content.decode(), "de") == engine_says(person)[1]
    )
