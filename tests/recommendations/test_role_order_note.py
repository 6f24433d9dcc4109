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
from tests.conftest import answer_all, at_level_one, strongest

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
    assert reasons[1] == len(fits[1][1].reasons) > 2
    assert reasons[0] == reasons[2] == 2


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


def spec(slug: str, requirements: tuple[float, ...], style: float = 0.0):
    from recommendations.recommender import RoleSpec

    return RoleSpec(slug, requirements, style)


def match(value: float):
    from recommendations.matching import Match

    return Match(value, value - 5, min(100.0, value + 5), ())


COMPS = ("a", "b", "c", "d")
NAMES = {"a": "Alpha", "b": "Beta", "c": "Gamma", "d": "Delta"}


def above(ranked, levels, style=0.0, **options):
    from recommendations.reasons import above_a_higher_match

    with override("de"):
        return above_a_higher_match(ranked, COMPS, dict(zip(COMPS, levels)), style, NAMES, **options)


def test_a_role_above_a_higher_match_names_it_and_what_speaks_for_it():
    """A review read a 79 % role above an 86 % one with only the general paragraph on the model as the reason."""
    upper, lower = spec("upper", (4, 2, 1, 1)), spec("lower", (1, 4, 2, 2))
    said = above([(upper, "Oben", match(79)), (lower, "Unten", match(86))], (4, 2.5, 3, 3))
    assert said == {
        "upper": "Diese Rolle steht vor Unten, obwohl deren Passung höher ist (86\u00a0%). Für diese spricht: am Kern "
        "der anderen Rolle fehlt Ihnen mehr – Beta: Stufe 2,5 (gefordert: 4)."
    }
    # in the order of the matches (as the page writes them): nothing to explain
    assert above([(lower, "Unten", match(86)), (upper, "Oben", match(79))], (4, 2.5, 3, 3)) == {}
    assert above([(upper, "Oben", match(85.6)), (lower, "Unten", match(86.4))], (4, 2.5, 3, 3)) == {}
    # the transparent ranking has the core gap in the match only: never named as what speaks for a role (a review)
    transparent = above([(upper, "Oben", match(79)), (lower, "Unten", match(86))], (4, 2.5, 3, 3), by_model=False)
    assert "Kern" not in transparent["upper"]


def test_the_lower_role_far_below_the_person_and_a_nearer_work_style_are_said_with_their_figures():
    senior, junior = spec("senior", (4, 4, 4, 4), style=0.5), spec("junior", (1, 1, 1, 1), style=-0.5)
    said = above([(senior, "Leitung", match(90)), (junior, "Einstieg", match(100))], (3.6, 3.6, 3.6, 3.6), style=0.4)
    assert said["senior"] == (
        "Diese Rolle steht vor Einstieg, obwohl deren Passung höher ist (100\u00a0%). Für diese spricht: die andere "
        "verlangt im Mittel Stufe 1,0, diese 4,0, und Sie bringen 3,6 mit: eine Rolle unter Ihrem Stand steht weiter "
        "hinten; Ihr Arbeitsstil liegt näher an dem dieser Rolle als an dem der anderen."
    )
    # no work style answered: nothing said of it
    quiet = above(
        [(senior, "Leitung", match(90)), (junior, "Einstieg", match(100))], (3.6,) * 4, style=0.4, style_known=False
    )
    assert "Arbeitsstil" not in quiet["senior"]
    # a role only a little below the person's level (within the half level of slack) is not "below your level"
    near = above([(senior, "Leitung", match(90)), (spec("mid", (2.5,) * 4), "Mitte", match(100))], (2.6,) * 4)
    assert "unter Ihrem Stand" not in near["senior"]


def test_where_nothing_named_tells_two_roles_apart_it_says_the_model_orders_by_the_whole_profile():
    one, two = spec("one", (3, 2, 2, 2)), spec("two", (2, 3, 2, 2))
    ranked = [(one, "Eins", match(80)), (two, "Zwei", match(84))]
    assert above(ranked, (2, 2, 2, 2))["one"] == (
        "Diese Rolle steht vor Zwei, obwohl deren Passung höher ist (84\u00a0%). Keiner der Punkte, die die "
        "Reihenfolge neben der Passung gewichtet (der Kern einer Rolle, wie viel sie gegenüber Ihrem Stand verlangt, "
        "der Arbeitsstil), trennt die beiden für sich deutlich: Das Modell ordnet nach dem ganzen Profil."
    )
    assert "überwiegen zusammen den Unterschied der Passungen" in above(ranked, (2, 2, 2, 2), by_model=False)["one"]


def test_a_role_above_several_higher_matches_names_every_one_of_them():
    """ "88 %" above "89 %" stood unexplained: the sentence named only the 96 % role below both (a review)."""
    upper, middle, lower = spec("upper", (4, 2, 1, 1)), spec("middle", (1, 3, 2, 2)), spec("lower", (1, 4, 2, 2))
    ranked = [(upper, "Oben", match(79)), (middle, "Mitte", match(84)), (lower, "Unten", match(86))]
    said = above(ranked, (4, 2.5, 3, 3))
    assert said["upper"].startswith("Diese Rolle steht vor Unten, obwohl deren Passung höher ist (86\u00a0%).")
    assert said["upper"].endswith(" Diese Rolle steht auch vor Mitte (84\u00a0%), deren Passung ebenfalls höher ist.")
    assert "steht auch" not in said["middle"]  # above one higher match only
    fourth = (spec("fourth", (1, 4, 3, 2)), "Vierte", match(85))
    with override("en"):
        from recommendations.reasons import above_a_higher_match

        english = above_a_higher_match([*ranked, fourth], COMPS, dict(zip(COMPS, (4, 2.5, 3, 3))), 0.0, NAMES)
    assert english["upper"].endswith(
        " It also stands above Vierte (85%); Mitte (84%), whose matches are higher as well."
    )


def test_of_two_roles_called_level_in_the_order_the_sentence_says_so_before_why_one_comes_first():
    """The page said "your answers do not tell which comes first" of two roles and, below, what put one of them
    first, as if it had decided the order (a review)."""
    upper, lower = spec("upper", (4, 2, 1, 1)), spec("lower", (1, 4, 2, 2))
    ranked = [(upper, "Oben", match(79)), (lower, "Unten", match(86))]
    tied = above(ranked, (4, 2.5, 3, 3), tied=("lower", "upper"))["upper"]
    assert tied == (
        "Diese Rolle und Unten (Passung 86 %) liegen in der Reihenfolge etwa gleichauf: Ihre Antworten "
        "entscheiden nicht, welche zuerst kommt. Auf den gemessenen Stufen spricht für diese: am Kern der anderen "
        "Rolle fehlt Ihnen mehr – Beta: Stufe 2,5 (gefordert: 4)."
    )
    one, two = spec("one", (3, 2, 2, 2)), spec("two", (2, 3, 2, 2))
    level = [(one, "Eins", match(80)), (two, "Zwei", match(84))]
    for options in ({}, {"by_model": False}):
        sentence = above(level, (2, 2, 2, 2), tied=("one", "two"), **options)["one"]
        assert sentence.startswith("Diese Rolle und Zwei (Passung 84 %) liegen in der Reihenfolge etwa gleichauf")
        assert "Auf den gemessenen Stufen" in sentence and "obwohl" not in sentence
    # a tie of two other roles leaves the sentence as it was
    assert above(ranked, (4, 2.5, 3, 3), tied=("upper", "third"))["upper"].startswith("Diese Rolle steht vor Unten")


@pytest.mark.django_db
def test_a_role_above_a_higher_match_says_why_under_the_pages_question_in_its_details_and_in_the_pdf(client):
    assessment = answer_all(start_assessment(adaptive=False), strongest)
    client.get(reverse("results", args=[assessment.token]))  # computes and stores the result
    row = StoredResult.objects.get(assessment=assessment)
    for role, value in zip(row.document["roles"], [70.0, 95.0] + [60.0 - i for i in range(20)]):
        role["match"].update(value=value, low=value - 5.0, high=min(value + 3.0, 100.0))
    row.save()
    assessment.refresh_from_db()
    text = client.get(reverse("results", args=[assessment.token])).content.decode().replace("\u00ad", "")
    cards = text.split('<ol class="role-list">')[1].split("</ol>")[0].split('<li class="role-card">')[1:]
    first, second = (card.split("<h3>")[1].split("</h3>")[0] for card in cards[:2])
    # under the question the page asks, for the card concerned; not on the cards (the first screen stays short)
    question = text.split('class="numbers-explained"')[1].split("</details>")[0]
    assert "<summary>Warum steht eine Rolle mit höherer Passung weiter unten?</summary>" in question
    said = f"<li><strong>{first}</strong>: Diese Rolle steht vor {second}, obwohl deren Passung höher ist (95\u00a0%)"
    assert said in question and question.count("<li>") == 1
    assert "Diese Rolle steht vor" not in "".join(cards)
    # and first among the role's reasons in the roles in detail
    details = text.split('id="role-details"')[1]
    assert f"Diese Rolle steht vor {second}" in details
    with override("de"):
        context, _status = presentation.results_context(assessment)
        pdf_html = render_to_string("recommendations/result_pdf.html", {**context, "stylesheet": ""})
    assert "Diese Rolle steht vor" in pdf_html.replace("\u00ad", "")


@pytest.mark.django_db
def test_the_pdf_names_no_role_it_does_not_list(client):
    """The PDF lists three roles; a card there named a fourth, which matched more, as the role it stands above (a
    review), as the page's card may (the page lists every role in detail)."""
    assessment = answer_all(start_assessment(adaptive=False), strongest)
    client.get(reverse("results", args=[assessment.token]))
    row = StoredResult.objects.get(assessment=assessment)
    for role, value in zip(row.document["roles"], [90.0, 85.0, 80.0, 95.0] + [60.0 - i for i in range(20)]):
        role["match"].update(value=value, low=value - 5.0, high=min(value + 3.0, 100.0))
    row.save()
    assessment.refresh_from_db()
    text = client.get(reverse("results", args=[assessment.token])).content.decode()
    assert text.count("Diese Rolle steht vor") >= 3  # the page's cards and its roles in detail
    with override("de"):
        context, _status = presentation.results_context(assessment)
        pdf_html = render_to_string("recommendations/result_pdf.html", {**context, "stylesheet": ""})
    assert "Diese Rolle steht vor" not in pdf_html


@pytest.mark.django_db
def test_every_match_is_what_the_formula_the_page_states_gives_from_the_levels_before_rounding(client):
    """A review could not work out the match from the page: the weights were not said. The page says them; worked out
    as it says, from the levels before rounding, every role's match is the one shown, and from the levels as shown
    within two or three points."""
    from core.numbers import one_decimal, whole_percent
    from recommendations.catalogue import snapshot

    assessment = answer_all(start_assessment(adaptive=False), at_level_one)
    text = client.get(reverse("results", args=[assessment.token])).content.decode()
    assert "Gerechnet: Jede Stufe, die unter einer Anforderung fehlt, zählt mit dem Gewicht" in text
    context, _status = presentation.results_context(assessment)
    levels = {slug: score.expected for slug, score in context["profile"].competencies.items()}
    current = snapshot()

    def worked_out(requirements: dict[str, float], level: dict[str, float]) -> float:
        top = max(requirements.values())
        missing = sum(r / top * max(0.0, r - level[c]) for c, r in requirements.items())
        return 100 * (1 - missing / sum(r / top * r for r in requirements.values()))

    shown = {c: one_decimal(value) for c, value in levels.items()}
    for role, fit in context["fits"]:
        requirements = current.requirements(role.slug)
        assert whole_percent(worked_out(requirements, levels)) == whole_percent(fit.match.value), role.slug
        # from the levels as shown: each off by at most 0.05, so the match by at most this ("two or three points")
        top = max(requirements.values())
        bound = (
            100 * 0.05 * sum(r / top for r in requirements.values()) / sum(r / top * r for r in requirements.values())
        )
        assert bound < 3
        assert abs(worked_out(requirements, shown) - fit.match.value) <= bound + 0.05, role.slug
