"""The whole level a person reads ("Etwa Stufe 4") is the level the score beside it and the role cards show
(the posterior mean), rounded: a reviewer read "90 von 100 … Etwa Stufe 5" beside a role card's "4,5 von 5", and
a score of 30 read "Etwa Stufe 1" where 32 read "Etwa Stufe 2" (the label followed the posterior's median step)."""

from __future__ import annotations

import dataclasses
import random
import re

from django.urls import reverse
from django.utils import translation

from assessment.measurement import CompetencyScore, score_profile
from assessment.models import LevelDescriptor
from assessment.presentation import ScoredCompetency, between_levels, profile_sections, shown_level
from assessment.services import profile_for, start_assessment
from core.rounding import half_up_int
from tests.assessment.test_measurement import BANK, COMPETENCIES
from tests.conftest import answer_all, weakest


def score(expected: float, median_step: int) -> CompetencyScore:
    return CompetencyScore("x", median_step, expected, 0.0, 5.0, 0.5, 3, 6)


def test_the_level_shown_is_the_scores_level_rounded_half_up_not_the_median_step():
    assert [shown_level(score(e, m)) for e, m in ((1.5, 1), (1.6, 1), (1.44, 2), (4.5, 5), (4.44, 5), (0.0, 0))] == [
        2,
        2,
        1,
        5,
        4,
        0,
    ]
    with translation.override("de"):
        text = ScoredCompetency(competency=None, score=score(3.42, 4), descriptor="…").explanation
    assert text.startswith("Etwa Stufe 3 ")


def test_a_higher_score_never_reads_a_lower_level_across_many_profiles():
    rng = random.Random(7)
    rows = []
    for _ in range(300):
        answers = {item.slug: rng.choice(item.options).value for item in BANK if rng.random() < 0.7}
        rows += list(score_profile(COMPETENCIES, BANK, answers).competencies.values())
    rows.sort(key=lambda s: s.expected)
    shown = [shown_level(s) for s in rows]
    assert shown == sorted(shown)  # the label never falls as the level rises
    assert all(abs(shown_level(s) - s.expected) <= 0.55 for s in rows)  # its one decimal, rounded
    assert any(s.level != shown_level(s) for s in rows)  # where the median step would have said otherwise


def test_the_profile_writes_a_level_as_the_role_cards_and_its_whole_level_do():
    """The profile formatted the raw mean on its own: 1.45 read "1,5" beside "Etwa Stufe 1" and a card's "1,4". With
    one rounding, halves up on the number as written (`core.rounding`), the profile, the cards and the whole level
    agree: "1,5", about level 2."""
    row = ScoredCompetency(competency=None, score=score(1.45, 1), descriptor="…")
    assert row.level_shown == 1.5 and row.rounded_level == 2
    below = ScoredCompetency(competency=None, score=score(1.449, 1), descriptor="…")
    assert below.level_shown == 1.4 and below.rounded_level == 1


def test_a_level_written_halfway_names_both_levels_it_lies_between():
    """A review read "2,5 … Etwa Stufe 3" with level 3's description quoted, for a mean of 2.46, which is nearer to 2:
    a level written halfway between two says so, with both descriptions."""
    assert [between_levels(v) for v in (2.5, 0.5, 4.5, 2.4, 2.6, 3.0, 5.0)] == [(2, 3), (0, 1), (4, 5)] + [None] * 4
    halfway = ScoredCompetency(competency=None, score=score(2.46, 2), descriptor="drei", lower_descriptor="zwei")
    assert halfway.level_shown == 2.5 and halfway.between == (2, 3)
    with translation.override("de"):
        assert halfway.explanation.startswith(
            "Zwischen Stufe 2 (Anwendung mit Anleitung), beschrieben als: „zwei“, und Stufe 3 (Selbstständig): „drei“"
        )
    with translation.override("en"):
        assert halfway.explanation.startswith("Between level 2 (Guided practice), described as: “zwei”, and level 3")
    # without the level below's description (an admin removed it): about the level, as before
    with translation.override("de"):
        assert ScoredCompetency(None, score(2.46, 2), "drei").explanation.startswith("Etwa Stufe 3 ")
    nearer = ScoredCompetency(competency=None, score=score(2.44, 2), descriptor="zwei")
    assert nearer.between is None and nearer.rounded_level == 2


def test_the_profile_fetches_the_level_below_s_description_where_a_level_is_written_halfway(db):
    """One query still gives each competency's description, and the level below's where it is written halfway."""
    profile = profile_for(answer_all(start_assessment(), weakest))
    slugs = list(profile.competencies)
    profile.competencies[slugs[0]] = dataclasses.replace(profile.competencies[slugs[0]], expected=2.46)
    profile.competencies[slugs[1]] = dataclasses.replace(profile.competencies[slugs[1]], expected=2.44)
    rows = {row.competency.slug: row for group in profile_sections(profile) for row in group.competencies}
    descriptors = {(d.competency.slug, d.level): d.text for d in LevelDescriptor.objects.select_related("competency")}
    assert rows[slugs[0]].descriptor == descriptors[slugs[0], 3]
    assert rows[slugs[0]].lower_descriptor == descriptors[slugs[0], 2]
    assert rows[slugs[1]].descriptor == descriptors[slugs[1], 2] and rows[slugs[1]].lower_descriptor == ""


def test_every_level_toggle_on_the_results_page_reads_the_level_as_it_is_written(client, db):
    """Beside "2,5" the toggle says "Zwischen Stufe 2 … und Stufe 3" and quotes both descriptions; beside any other
    value "Etwa Stufe N", N the value written, rounded. People who answer at random until one level is written
    halfway (seeded)."""
    rng = random.Random(11)
    halfway = 0
    for _attempt in range(12):
        attempt = answer_all(start_assessment(), lambda item, options: rng.choice(options))
        response = client.get(reverse("results", args=[attempt.token]))
        text = response.content.decode().replace("\u00ad", "")
        rows = [row for group in response.context["sections"] for row in group.competencies if row.descriptor]
        summaries = re.findall(r'<details class="score-explanation"><summary>(.*?)</summary><p>(.*?)</p>', text, re.S)
        assert len(summaries) == len(rows)
        for row, (summary, description) in zip(rows, summaries):
            written = row.level_shown
            if between_levels(written):
                low, high = between_levels(written)
                halfway += 1
                assert f"Zwischen Stufe {low} (" in summary and f"und Stufe {high} (" in summary, summary
                assert f"Stufe {low} ist beschrieben als" in description and f"Stufe {high} als" in description
            else:
                assert f"Etwa Stufe {half_up_int(written)} (" in summary, (written, summary)
        if halfway:
            break
    assert halfway
