"""An area no knowledge check tested rests on its self-rating, read through the person's shared self-rating bias
and own mean level, so it can come out half a level or more from what the person said. The page says why: a
reviewer saw "said 2, shown about level 3" beside no explanation at all."""

from __future__ import annotations

import random

from django.urls import reverse
from django.utils import translation

from assessment.measurement import RATING_MOVED, score_profile
from assessment.models import Item
from assessment.presentation import ScoredCompetency
from assessment.services import start_assessment
from core.rounding import half_up
from tests.assessment.test_measurement import BANK, COMPETENCIES, answers_for
from tests.conftest import answer_all

CHECKED = COMPETENCIES[:4]


def profile_of(answers):
    return score_profile(COMPETENCIES, BANK, answers)


def test_an_unchecked_area_that_the_other_answers_move_says_which_way_and_a_checked_one_does_not():
    answers = {f"{c}-self": "2" for c in COMPETENCIES}
    for c in CHECKED:  # says 2, knows everything: the ratings run low, so every level rises
        answers.update(answers_for(2, 5, c))
    profile = profile_of(answers)
    for slug, score in profile.competencies.items():
        if slug in CHECKED:
            assert score.moved_unchecked == 0
        else:
            assert score.expected - 2 >= RATING_MOVED
            assert score.moved_unchecked == 1
            with translation.override("de"):
                note = ScoredCompetency(competency=None, score=score, descriptor="").unchecked_note
            assert note == (
                "Keine Wissensfrage hat diese Kompetenz geprüft: Die Stufe beruht auf Ihrer Selbsteinschätzung "
                "(Stufe 2), unter Berücksichtigung Ihrer übrigen Antworten, und fällt daher höher aus."
            )


def test_a_rating_far_above_the_rest_and_never_checked_is_said_to_come_out_lower():
    answers = {}
    for c in COMPETENCIES[:-1]:  # at 1, and the checks agree
        answers.update(answers_for(1, 1, c))
    answers[f"{COMPETENCIES[-1]}-self"] = "5"
    score = profile_of(answers).competencies[COMPETENCIES[-1]]
    assert score.expected <= 5 - RATING_MOVED and score.moved_unchecked == -1
    with translation.override("en"):
        note = ScoredCompetency(competency=None, score=score, descriptor="").unchecked_note
    assert note.endswith("adjusted by your other answers, and so comes out lower.")
    assert "(level 5)" in note


def test_no_note_where_the_level_stays_near_the_rating_or_nothing_was_said():
    answers = {}
    for c in CHECKED:
        answers.update(answers_for(3, 3, c))
    answers.update({f"{c}-self": "3" for c in COMPETENCIES[4:8]})  # c8, c9: nothing said, nothing checked
    profile = profile_of(answers)
    for slug in COMPETENCIES[4:]:
        assert profile.competencies[slug].moved_unchecked == 0, slug


def test_the_results_page_explains_an_unchecked_area_that_came_out_above_its_rating(client, db):
    """Through the web flow: every self-rating 2, the service management checks all right, every other check
    skipped. The areas without a check come out higher, and each says so."""

    def choose(item, options):
        if item.kind == Item.Kind.SELF_RATING:
            return next(o for o in options if o.level == 2)
        if item.kind == Item.Kind.KNOWLEDGE:
            return next(o for o in options if o.correct) if item.competency.slug == "service_management" else None
        return options[0]

    assessment = answer_all(start_assessment(), choose)
    response = client.get(reverse("results", args=[assessment.token]), HTTP_ACCEPT_LANGUAGE="de")
    profile = response.context["profile"]
    moved = [s for s in profile.competencies.values() if s.moved_unchecked == 1]
    assert moved, {slug: (s.self_level, s.expected) for slug, s in profile.competencies.items()}
    text = response.content.decode()
    assert text.count("und fällt daher höher aus.") == len(moved)


def test_every_area_no_knowledge_question_checked_says_so_moved_or_not(client, db):
    """A review could not tell which levels rested on the self-rating alone: only those that moved said so. Every
    such area says it beside its level on the results page, and in the explanation the full profile gives."""

    def choose(item, options):
        if item.kind == Item.Kind.SELF_RATING:
            return next(o for o in options if o.level == 3)
        if item.kind == Item.Kind.KNOWLEDGE and item.competency.slug in ("service_management", "agile"):
            return next(o for o in options if o.correct == (item.difficulty <= 3))
        return options[0] if item.kind == Item.Kind.SCENARIO else None

    assessment = answer_all(start_assessment(), choose)
    response = client.get(reverse("results", args=[assessment.token]), HTTP_ACCEPT_LANGUAGE="de")
    profile = response.context["profile"]
    unchecked = [slug for slug, s in profile.competencies.items() if not s.knowledge_posterior]
    assert len(unchecked) == len(profile.competencies) - 2
    assert response.content.decode().count("nur Selbsteinschätzung, keine Wissensfrage") == len(unchecked)
    with translation.override("en"):
        for slug, score in profile.competencies.items():
            text = ScoredCompetency(competency=None, score=score, descriptor="d").explanation
            assert ("No knowledge question has checked this competency" in text) == (slug in unchecked), slug


def test_a_checked_rating_of_five_with_the_hardest_check_right_says_why_it_reads_lower():
    """A review: self-rating 5 and a right answer to the hardest check read "4,2" beside no word of why. The mean
    of the levels the answers allow lies under the top of the scale, and the card says so."""
    answers = {f"{c}-self": "3" for c in COMPETENCIES}
    answers.update({f"{COMPETENCIES[0]}-self": "5", f"{COMPETENCIES[0]}-k5": "a"})
    score = profile_of(answers).competencies[COMPETENCIES[0]]
    assert half_up(score.expected, 1) <= 4.5 and not score.rates_self_higher and score.moved_checked == -1
    row = ScoredCompetency(competency=None, score=score, descriptor="")
    with translation.override("de"):
        assert row.rating_note == (
            "Sie haben sich auf Stufe 5 eingeschätzt. Die gezeigte Stufe ist der Mittelwert der Stufen, die alle Ihre "
            "Antworten zulassen, und diese lassen auch Stufen unter 5 zu."
        )
    with translation.override("en"):
        assert row.rating_note.endswith("and they also allow levels below 5.")


def test_every_level_shown_half_a_level_or_more_from_its_rating_says_why_and_which_way():
    """The class of the review's finding: for random people (any self-ratings, any checks answered right or wrong,
    any left out), every level written half a level or more from the self-rating carries a note, and a note that
    names a direction names the one the page shows."""
    rng = random.Random(20261205)
    moved_seen = {"checked": 0, "unchecked": 0, "only": 0}
    for _ in range(150):
        answers = {}
        for c in COMPETENCIES:
            if rng.random() < 0.9:
                answers[f"{c}-self"] = str(rng.randint(0, 5))
            for d in range(1, 6):
                if rng.random() < 0.3:
                    answers[f"{c}-k{d}"] = rng.choice("ab")
        for slug, score in profile_of(answers).competencies.items():
            row = ScoredCompetency(competency=None, score=score, descriptor="")
            if score.self_level is None:
                assert row.rating_note == "" or score.knowledge_checked, slug
                continue
            shown = half_up(score.expected, 1)
            with translation.override("en"):
                note = row.rating_note
            if abs(shown - score.self_level) >= RATING_MOVED - 1e-9:
                assert note, (answers, slug, shown, score.self_level)
                moved_seen["checked" if score.knowledge_checked else "unchecked"] += 1
                lower = shown < score.self_level
                assert any(word in note for word in ("lower.", "below", "higher here than")) == lower, (
                    note,
                    shown,
                    score.self_level,
                )
                # "they also allow levels below 5" only where the range as written reaches the rating (a review
                # read it beside "2,4 (1,5-3,5)"); else that the range lies wholly to one side
                low, high = half_up(score.level_low, 1), half_up(score.level_high, 1)
                reaches = low <= score.self_level <= high
                assert ("also allow levels" not in note) or reaches, (note, low, high, score.self_level)
                assert ("range lies wholly" not in note) or not reaches, (note, low, high, score.self_level)
                moved_seen["only"] += "range lies wholly" in note
                # answers that do not hold together: the same note, with no 90 % claimed for the range
                with translation.override("en"):
                    unsure = ScoredCompetency(None, score, "", ranges_sure=False).rating_note
                if "range lies wholly" in note:
                    assert "90%" in note and "90%" not in unsure and "(an unsure range" in unsure, unsure
                else:
                    assert unsure == note
            else:
                assert not row.unchecked_note and not row.checked_note
    # each kind was met often enough to be tested
    assert moved_seen["checked"] >= 20 and moved_seen["unchecked"] >= 20 and moved_seen["only"] >= 5, moved_seen
