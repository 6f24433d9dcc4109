"""An area no knowledge check tested rests on its self-rating, read through the person's shared self-rating bias
and own mean level, so it can come out half a level or more from what the person said. The page says why: a
reviewer saw "said 2, shown about level 3" beside no explanation at all."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from assessment.measurement import UNCHECKED_MOVED, score_profile
from assessment.models import Item
from assessment.presentation import ScoredCompetency
from assessment.services import start_assessment
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
            assert score.expected - 2 >= UNCHECKED_MOVED
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
    assert score.expected <= 5 - UNCHECKED_MOVED and score.moved_unchecked == -1
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
