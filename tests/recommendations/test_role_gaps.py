"""Every gap a role card counts is listed under the roles in detail.

A card names the two missing requirements that weigh most and counts the rest ("dazu 5 weitere"); a review found
the rest named nowhere on the page but in the chart's table of the one target role. The roles in detail now list
every requirement the person's levels fall short of (`presentation.every_gap`), and the card links there
(`presentation.hidden_gaps`). Checked here against what the reasons say, for any roles and levels.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import override
from hypothesis import example, given, settings
from hypothesis import strategies as st

from assessment.services import start_assessment
from core.numbers import CLEARLY_BELOW, one_decimal, shown_gap
from recommendations import presentation
from recommendations.matching import role_matches
from recommendations.presentation import every_gap, hidden_gaps, unnamed_gaps
from recommendations.reasons import reasons_for_roles
from recommendations.recommender import RoleSpec
from tests.conftest import answer_all, at_level_one
from tests.recommendations.test_speed_ranking import COMPETENCIES, NAMES, level, requirement_rows

NAMED = re.compile(r"(\w+): (?:Stufe|level) \d+[.,]\d \((?:gefordert|required): \d+\)")
MORE = re.compile(r"(?:dazu|and) (\d+) (?:weitere|more)\.$")
POSSIBLY = ("Vielleicht erfüllt", "Possibly met", "Keine Anforderung", "No requirement")


@settings(max_examples=300, deadline=None)
@example(  # three gaps possibly met: two named, one counted (a CI run's search)
    requirements=[[0.0] * 5] * 7 + [[3.0, 0.0, 1.0, 1.0, 1.0]],
    levels=[2.5, 0.0, 0.0, 0.5, 0.5],
    highs=[3.0, 0.0, 0.0, 1.0, 1.0],
    language="de",
)
@given(
    requirement_rows,
    st.lists(level, min_size=len(COMPETENCIES), max_size=len(COMPETENCIES)),
    st.lists(level, min_size=len(COMPETENCIES), max_size=len(COMPETENCIES)),
    st.sampled_from(["de", "en"]),
)
def test_the_roles_in_detail_list_every_gap_the_reasons_name_or_count(requirements, levels, highs, language):
    roles = [RoleSpec(f"r{i}", tuple(row), 0.0) for i, row in enumerate(requirements)]
    person = dict(zip(COMPETENCIES, levels))
    tops = np.maximum(np.array(highs), np.array(levels))
    matches = role_matches(
        COMPETENCIES, np.array(requirements), np.array(levels), tops, np.zeros((len(COMPETENCIES), 6))
    )
    with override(language):
        together = reasons_for_roles(roles, COMPETENCIES, person, 0.0, NAMES, matches)
    fits = [
        (SimpleNamespace(slug=r.slug), SimpleNamespace(match=m, reasons=reasons))
        for r, m, reasons in zip(roles, matches, together)
    ]
    scores = {
        c: SimpleNamespace(level_low=0.0, level_high=float(top), answered=1) for c, top in zip(COMPETENCIES, tops)
    }
    listed = every_gap(fits, SimpleNamespace(competencies=scores), NAMES)
    counted = hidden_gaps(listed, set())
    for role, reasons, (_, _, rows) in zip(roles, together, listed):
        requirements_of = dict(zip(COMPETENCIES, role.requirements))
        # the table: exactly the requirements the page shows a gap for, each as the chart's table writes it
        assert {row.name for row in rows} == {
            NAMES[c] for c in COMPETENCIES if shown_gap(requirements_of[c], person[c])
        }
        by_name = {row.name: row for row in rows}
        for c in COMPETENCIES:
            if NAMES[c] in by_name:
                row = by_name[NAMES[c]]
                assert (row.level, row.required, row.gap) == (
                    one_decimal(person[c]),
                    requirements_of[c],
                    shown_gap(requirements_of[c], person[c]),
                )
        # the reasons name some of them and count the rest: together, every row of the table
        named = [name for sentence in reasons for name in NAMED.findall(sentence)]
        more = [int(found[1]) for sentence in reasons if (found := MORE.search(sentence))]
        assert set(named) <= set(by_name)
        assert len(named) + sum(more) == len(rows), reasons
        # the PDF, which gives every reason, names the counted ones and no other
        assert len(unnamed_gaps(rows, reasons)) == sum(more)
        # the card (its first two reasons) links to the table wherever it leaves a gap unnamed, and only there
        on_card = " ".join(reasons[:2])
        unnamed = [row for row in rows if not re.search(rf"[:;] {row.name}: ", on_card)]
        assert counted.get(role.slug, 0) == len(unnamed) >= sum(more)
        # what the reasons call possibly met, the table does too, and nothing else
        # (named, or counted as "dazu 1 weitere" when there are more than the sentence names: a search found three)
        said = [sentence for sentence in reasons if sentence.startswith(POSSIBLY)]
        possibly = {name for sentence in said for name in NAMED.findall(sentence)}
        counted_too = sum(int(found[1]) for sentence in said if (found := MORE.search(sentence)))
        met = {row.name for row in rows if row.possibly_met}
        assert possibly <= met and len(possibly) + counted_too == len(met)
        assert all(row.gap <= CLEARLY_BELOW for row in rows if row.possibly_met)


@pytest.mark.django_db
def test_the_pdf_names_the_gaps_its_roles_count_once(client):
    """The PDF lists the first three roles with every reason; where a reason counts gaps without naming them ("dazu 5
    weitere"), the PDF names those, as the page's roles in detail do, and only those: it named every gap of such a
    role, the ones its reasons name as well (a review)."""
    assessment = answer_all(start_assessment(adaptive=False), at_level_one)
    client.get(reverse("results", args=[assessment.token]))  # computes and stores the result
    with override("de"):
        context, _status = presentation.results_context(assessment)
        pdf_html = render_to_string("recommendations/result_pdf.html", {**context, "stylesheet": ""})
    assert [role for role, _fit, _further in context["pdf_roles"]] == [r for r, _f, _g in context["role_details"][:3]]
    counting = 0
    for role, fit, gaps in context["role_details"][:3]:
        section = pdf_html.split(f"<h3>{role.name}</h3>", 1)[1].split("<h3>", 1)[0]
        more = sum(int(found[1]) for reason in fit.reasons if (found := re.search(r"dazu (\d+) weitere", reason)))
        counting += bool(more)
        for gap in gaps:
            level = f"{gap.level:.1f}".replace(".", ",")
            written = f"{escape(gap.name)}: Stufe {level} (gefordert: {gap.required:.0f})"
            assert section.count(written) == 1, (gap.name, section)  # in a reason or among the further gaps
        further = section.split("Weitere Lücken: ", 1)[1].split("</p>", 1)[0] if more else ""
        assert further.count("(gefordert: ") == more
    assert counting  # this person's reasons count gaps they do not name
