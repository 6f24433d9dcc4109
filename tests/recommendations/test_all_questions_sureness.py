"""A result of every question says how sure its ranking is, as an adaptive one does: judged once, when it is stored."""

from __future__ import annotations

import html
import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import override

from assessment import adaptive
from assessment.models import Assessment, Item
from assessment.presentation import RUNNER_UP_NAMED
from assessment.services import answers_by_slug, start_assessment
from core.numbers import whole_percent
from recommendations import results as results_module
from recommendations.asking import engine_inputs
from recommendations.models import Role, StoredResult
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
        r"Many profiles fit your answers; in (\d+)% of them, the first role is among the best "
        r"three(?:, and in \d+% it comes first)?\."
        r"|Many profiles fit your answers; in (every) one of the 128 drawn from them, the first role "
        r"(?:is among the best three(?:, and in \d+% of them it comes first)?|comes first)\."
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


def engine_judges(assessment: Assessment) -> adaptive.Standing:
    """The adaptive engine's own judgement of these answers (its bank, roles and ranking)."""
    bank, roles, score_roles = engine_inputs()
    given = {slug: value for slug, value in answers_by_slug(assessment).items() if value is not None}
    judged = adaptive.standing(bank, roles, given, score_roles=score_roles)
    assert judged is not None
    return judged


def engine_says(assessment: Assessment) -> tuple[str, int]:
    """The engine's best role and top-three share, as the page words the share."""
    judged = engine_judges(assessment)
    return judged.best_role, 100 if judged.stability >= 1 else whole_percent(100 * judged.stability)


FIRST = {
    "de": re.compile(r"in (\d+)\u00a0% (?:davon )?steht sie vorn"),
    "en": re.compile(r"in (\d+)% (?:of them )?it comes first"),
}
INSTEAD = {
    "de": re.compile(r"In (\d+)\u00a0% der Profile steht stattdessen eine andere Rolle vorn: (.+?)\.(?:\s|<|$)"),
    "en": re.compile(r"In (\d+)% of the profiles, another role comes first instead: (.+?)\.(?:\s|<|$)"),
}


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

    monkeypatch.setattr(results_module, "standing_of", judged_again)


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_result_of_every_question_says_how_sure_its_ranking_is_as_the_engine_judges_it(client, language):
    # every answer the strongest: several roles met almost fully, so the first role is not in every top three
    person = answer_all(start_assessment(language=language), strongest)
    best, share = engine_says(person)
    assert share < 100  # measured: 95 %
    page, pdf_html = (html.unescape(text) for text in page_and_pdf(client, person, language))
    first = client.get(reverse("results", args=[person.token])).context["top_fits"][0][0].slug
    assert first == best  # the role the sentence speaks of is the one the page puts first
    assert share_said(page, language) == share == share_said(pdf_html, language)
    judged = engine_judges(person)  # how often it comes first, too
    assert FIRST[language].findall(page) == [str(whole_percent(100 * judged.best_share))]
    assert judged.runner_up_share < RUNNER_UP_NAMED  # measured: 2 %: no other role named
    assert not INSTEAD[language].findall(page) and not INSTEAD[language].findall(pdf_html)
    rests = "Dieses Ergebnis beruht auf" if language == "de" else "This result rests on"
    assert f"{rests} {Assessment.objects.get(pk=person.pk).answers.exclude(option=None).count()}" in page
    assert 'class="sharpen-form' not in page  # every question asked: nothing to sharpen


def between(first: str, second: str):
    """A person whose every level lies midway between two roles' requirements and who answers exactly at it (self-
    ratings at the level, knowledge checks right up to it), of a work style midway between theirs."""
    roles = {r.slug: r for r in Role.objects.filter(slug__in=[first, second]).prefetch_related("requirements")}
    required = [{q.competency_id: q.level for q in roles[slug].requirements.all()} for slug in (first, second)]
    style = (roles[first].work_style + roles[second].work_style) / 2

    def choose(item, options):
        level = round((required[0].get(item.competency_id, 0) + required[1].get(item.competency_id, 0)) / 2)
        if item.kind == Item.Kind.SELF_RATING:
            return min(options, key=lambda o: abs(o.level - level))
        if item.kind == Item.Kind.KNOWLEDGE:
            return next(o for o in options if o.correct == (level >= item.difficulty))
        return min(options, key=lambda o: abs(o.style - style))

    return choose


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_result_between_two_roles_names_the_one_that_comes_first_in_many_profiles_instead(client, language):
    person = answer_all(start_assessment(language=language), between("service_desk_lead", "it_operations_engineer"))
    judged = engine_judges(person)
    assert judged.runner_up_share >= RUNNER_UP_NAMED  # measured: 53 % against 47 %
    page, pdf_html = (html.unescape(text) for text in page_and_pdf(client, person, language))
    assert client.get(reverse("results", args=[person.token])).context["top_fits"][0][0].slug == judged.best_role
    with override(language):
        named = [(str(whole_percent(100 * judged.runner_up_share)), Role.objects.get(slug=judged.runner_up).name)]
    assert INSTEAD[language].findall(page) == named == INSTEAD[language].findall(pdf_html)
    assert FIRST[language].findall(page) == [str(whole_percent(100 * judged.best_share))]


def test_a_result_whose_every_profile_keeps_the_first_role_says_so_and_not_100_percent(client):
    beginner = answer_all(start_assessment(), weakest)
    assert engine_says(beginner)[1] == 100  # measured: every one of the 128
    assert engine_judges(beginner).runner_up is None  # no other role first in any of them: none stored
    page, pdf_html = page_and_pdf(client, beginner, "de")
    assert share_said(page, "de") == 100 == share_said(pdf_html, "de")
    assert "In 100\u00a0%" not in page


def test_an_unreliable_result_of_every_question_says_nothing_of_how_sure_a_ranking_is(client):
    contradictory = answer_all(start_assessment(), boastful)
    page, pdf_html = page_and_pdf(client, contradictory, "de")
    assert client.get(reverse("results", args=[contradictory.token])).context["reliable"] is False
    assert share_said(page, "de") is None and share_said(pdf_html, "de") is None
    assert StoredResult.objects.get(assessment=contradictory).document["standing"] is None  # not judged


def test_how_sure_it_is_is_judged_once_when_the_result_is_stored_not_at_every_view(client, monkeypatch):
    person = answer_all(start_assessment(), strongest)
    url = reverse("results", args=[person.token])
    client.get(url)  # computes and stores the result
    stored = StoredResult.objects.get(assessment=person).document["standing"]
    assert adaptive.Standing(**stored) == engine_judges(person)
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
    """The person's stored result as it was stored before `standing` was (with `changes` to the document)."""
    row = StoredResult.objects.get(assessment=person)
    document = {k: v for k, v in row.document.items() if k != "standing"}
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
    assert StoredResult.objects.get(assessment=person).document["standing"]["best_role"] == engine_says(person)[0]
    never_judged_again(monkeypatch)
    assert share_said(client.get(url).content.decode(), "de") == engine_says(person)[1]


def test_a_result_stored_before_and_ranked_by_another_model_is_not_judged_by_this_one(client):
    person = answer_all(start_assessment(), strongest)
    url = reverse("results", args=[person.token])
    client.get(url)
    stored_as_before(person, model_version="an-older-model")
    assert share_said(client.get(url).content.decode(), "de") is None
    assert "standing" not in StoredResult.objects.get(assessment=person).document
    client.post(reverse("results-recompute", args=[person.token]))  # computed again: judged with it
    assert share_said(client.get(url).content.decode(), "de") == engine_says(person)[1]


def test_a_shared_view_of_a_result_stored_before_stores_nothing(client):
    """The shared page is read-only (`result_with_current_path(store=False)`): it judged and stored the owner's
    result before; now the owner's next view does."""
    person = answer_all(start_assessment(), strongest)
    client.get(reverse("results", args=[person.token]))
    stored_as_before(person)
    client.get(reverse("shared-results", args=[person.share()]))
    assert "standing" not in StoredResult.objects.get(assessment=person).document
    assert (
        share_said(client.get(reverse("results", args=[person.token])).content.decode(), "de") == engine_says(person)[1]
    )


def test_a_result_stored_with_only_its_top_three_share_says_that_and_is_judged_anew_where_it_can_be(client):
    """Until December 2026 a result of every question stored [best role, top-three share] (`top_three`): where this
    model would rank it as it was, the page judges it anew and says how often the first role comes first; ranked by
    another model, it says the stored share alone."""
    person = answer_all(start_assessment(), strongest)
    url = reverse("results", args=[person.token])
    client.get(url)
    model_version = StoredResult.objects.get(assessment=person).model_version
    best, share = engine_says(person)
    old = [best, share / 100]
    stored_as_before(person, model_version="an-older-model", top_three=old)
    page = client.get(url).content.decode()
    assert share_said(page, "de") == share and not FIRST["de"].findall(page) and not INSTEAD["de"].findall(page)
    assert StoredResult.objects.get(assessment=person).document["top_three"] == old  # kept as it was
    stored_as_before(person, model_version=model_version, top_three=old)
    page = client.get(url).content.decode()
    judged = engine_judges(person)
    assert FIRST["de"].findall(page) == [str(whole_percent(100 * judged.best_share))]
    document = StoredResult.objects.get(assessment=person).document
    assert "top_three" not in document and adaptive.Standing(**document["standing"]) == judged
