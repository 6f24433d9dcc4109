"""What the profile says about the work style: as sure as the situations answered make it, with its range."""

from __future__ import annotations

from dataclasses import replace

from django.utils.translation import override

from assessment.measurement import ItemSpec, OptionSpec, score_profile
from assessment.presentation import work_style_summary

SITUATIONS = [
    ItemSpec(
        slug=f"s{i}",
        kind="scenario",
        competency=None,
        options=tuple(OptionSpec(value=f"o{k}", style=s) for k, s in enumerate((-1.0, -0.33, 0.33, 1.0))),
    )
    for i in range(12)
]


def summary(choices: list[int], language: str = "en") -> dict:
    profile = score_profile([], SITUATIONS, {f"s{i}": f"o{c}" for i, c in enumerate(choices)})
    with override(language):
        return work_style_summary(profile)


def test_one_situation_is_a_leaning_not_a_heart_and_the_page_says_what_it_rests_on():
    one = summary([3])
    assert one["sentence"].startswith("You lean towards the architect")
    assert "This rests on 1 situation: with 90 % certainty your style lies between 0.3 and 1.0." in one["sentence"]
    assert float(one["band_x"]) < float(one["x"]) <= 210  # the range drawn around the dot, on the axis
    firefighter = summary([0], "de")
    assert firefighter["sentence"].startswith("Sie neigen zur Feuerwehr")
    assert (
        "Das beruht auf einer Situation: Mit 90 % Sicherheit liegt Ihr Stil zwischen −1,0 und −0,3."
        in (firefighter["sentence"])
    )


def test_many_situations_on_one_side_make_an_architect_or_firefighter_at_heart():
    assert summary([3] * 6)["sentence"].startswith("You are an architect at heart")
    assert summary([0] * 6)["sentence"].startswith("You are a firefighter at heart")
    assert summary([0, 1, 2, 3] * 3)["sentence"].startswith("You are balanced")


def test_no_situation_answered_says_so_and_a_result_stored_before_the_range_keeps_its_sentence():
    unknown = summary([])
    assert unknown["sentence"].startswith("None of your answers is about your work style (no situation was asked")
    assert unknown["unknown"]  # no marker at the middle of the axis as if the person were balanced
    profile = score_profile([], SITUATIONS, {f"s{i}": "o3" for i in range(6)})
    stored_before = replace(profile, work_style_range=None, work_style_answers=0)
    with override("en"):
        sentence = work_style_summary(stored_before)["sentence"]
    assert sentence.startswith("You are an architect at heart") and "rests on" not in sentence
