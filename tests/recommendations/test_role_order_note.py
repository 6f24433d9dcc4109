"""When the roles shown first are not in the order of their percentages, the page asks "Why does a role with a
higher match stand further down?" in plain sight, where it explains the numbers, and answers it first."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import override

from assessment.services import start_assessment
from recommendations import presentation
from recommendations.models import StoredResult
from recommendations.presentation import order_unlike_match
from tests.conftest import answer_all, strongest

ORDER = "Die Reihenfolge stammt aus einem Modell"


def fits(*matches: float) -> list:
    return [(None, SimpleNamespace(match=SimpleNamespace(value=value))) for value in matches]


def fits_with(*matches: float) -> list:
    """Fits of roles r0, r1, ... with these matches."""
    return [(SimpleNamespace(slug=f"r{i}"), fit) for i, (_, fit) in enumerate(fits(*matches))]


@pytest.mark.parametrize(
    ("matches", "unlike"),
    [
        ((90, 80, 70, 60, 50), False),
        ((90, 90, 70, 70), False),  # level is not out of order
        ((99.4, 99.2, 98.6), False),  # as shown, in whole percent: 99, 99, 99
        ((12.4, 12.5), True),  # shown as 12 % and 13 %: the page rounds halves up
        ((19, 12, 13, 16), True),  # a later one higher, and one left out higher than one shown
        ((99, 100, 98), True),
        ((50, 40, 30, 35), True),  # a role not shown matches more than one shown
        ((50, 40), False),
    ],
)
def test_the_order_is_unlike_the_percentages_when_a_later_or_a_left_out_role_shows_more(matches, unlike):
    assert order_unlike_match(fits(*matches)) is unlike


@pytest.mark.django_db
@pytest.mark.parametrize("unlike", [True, False])
def test_the_results_page_asks_why_this_order_only_when_the_order_is_unlike_the_percentages(
    client, monkeypatch, unlike
):
    monkeypatch.setattr(presentation, "order_unlike_match", lambda fits: unlike)
    assessment = answer_all(start_assessment(adaptive=False), strongest)
    text = client.get(reverse("results", args=[assessment.token])).content.decode()
    summary = text.split('class="numbers-explained"')[1].split("</details>")[0]
    assert ("<summary>Warum steht eine Rolle mit höherer Passung weiter unten?</summary>" in summary) is unlike
    assert ("<summary>Was die Zahlen bedeuten</summary>" in summary) is not unlike
    assert summary.count(ORDER) == 1  # the explanation once, first when the summary asks for it
    assert (summary.index(ORDER) < summary.index("Die Passung sagt")) is unlike


@pytest.mark.django_db
def test_a_card_below_a_lower_match_gives_every_reason(client, monkeypatch):
    """Card 2 showed 100 % below card 1's 98 %, and why (over-qualified) stood only under "Rollen im Detail"."""
    assessment = answer_all(start_assessment(adaptive=False), strongest)
    context, _status = presentation.results_context(assessment)
    fits = context["top_fits"]
    second = fits[1][0].slug
    below = presentation.below_a_lower_match
    assert below(fits_with(98, 100, 95)) == {"r1"}
    assert below(fits_with(98, 98.4, 95)) == set()  # 98 and 98 on the page: level
    assert below(fits_with(90, 80, 85)) == {"r2"}
    monkeypatch.setattr(presentation, "below_a_lower_match", lambda fits: {second})
    text = client.get(reverse("results", args=[assessment.token])).content.decode()
    cards = text.split('<ol class="role-list">')[1].split("</ol>")[0].split('<li class="role-card">')[1:]
    reasons = [card.count('<p class="why">') for card in cards]
    assert reasons[1] == len(fits[1][1].reasons) > 2 and reasons[0] == reasons[2] == 2


@pytest.mark.django_db
def test_without_a_model_the_page_explains_the_order_the_transparent_ranking_gives():
    """The explanation named what the model weighs (the profile's shape among it) even when no model ranked the
    roles, beside the note that the transparent match ranked them."""
    from django.test import Client

    from recommendations.models import ModelVersion

    ModelVersion.objects.all().delete()
    assessment = answer_all(start_assessment(adaptive=False), strongest)
    text = Client().get(reverse("results", args=[assessment.token])).content.decode()
    assert "Rollen geordnet nach der nachvollziehbaren Passung" in text
    assert ORDER not in text and "Die Reihenfolge ist die Passung, abzüglich 10 Punkten" in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("matches", "page_asks", "pdf_asks"),
    [
        ((85, 85, 80, 92), True, False),  # the 92 % role is not in the PDF: its question had no answer there
        ((80, 85, 85, 70), True, True),  # the roles the PDF lists rise
        ((90, 85, 80, 70), False, False),
    ],
)
def test_the_pdf_asks_why_a_higher_match_stands_lower_only_of_the_roles_it_lists(client, matches, page_asks, pdf_asks):
    assessment = answer_all(start_assessment(adaptive=False), strongest)
    client.get(reverse("results", args=[assessment.token]))  # computes and stores the result
    row = StoredResult.objects.get(assessment=assessment)
    lower = [60.0 - i for i in range(len(row.document["roles"]))]  # every other role: lower than these
    for role, match in zip(row.document["roles"], [*matches, *lower]):
        role["match"].update(value=float(match), low=match - 5.0, high=min(match + 3.0, 100.0))
    row.save()
    assessment.refresh_from_db()
    question = "Warum steht eine Rolle mit höherer Passung weiter unten?"
    page = client.get(reverse("results", args=[assessment.token])).content.decode()
    assert (f"<summary>{question}</summary>" in page) is page_asks
    with override("de"):
        context, _status = presentation.results_context(assessment)
        pdf_html = render_to_string("recommendations/result_pdf.html", {**context, "stylesheet": ""})
    heading = pdf_html.split("Die Passung sagt")[0].rsplit("<h3>", 1)[1].split("</h3>")[0]  # over the numbers
    assert heading == (question if pdf_asks else "Was die Zahlen bedeuten")
    assert pdf_html.count("Sie erfüllen etwa") == 3  # the three roles the PDF lists
