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


def test_one_situation_is_not_a_heart_nor_a_balanced_leaning_and_the_page_says_what_it_rests_on():
    """One or two answers, all on one side: "so far", not "at heart"; and not a leaning with its other side ("and
    you also see when a lasting fix is due"), which the answers did not show (a review read it beside two answers,
    both the firefighter's)."""
    one = summary([3])
    assert one["sentence"].startswith("So far you answer as an architect")
    assert "This rests on 1 situation: with 90% certainty your style lies between 0.3 and 1.0." in one["sentence"]
    assert float(one["band_x"]) < float(one["x"]) <= 210  # the range drawn around the dot, on the axis
    firefighter = summary([0], "de")
    assert firefighter["sentence"].startswith("Bisher antworten Sie wie die Feuerwehr")
    assert summary([0, 0])["sentence"].startswith("So far you answer as a firefighter")
    assert summary([1])["sentence"].startswith("You lean towards the firefighter")  # a leaning answer leans
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


def test_a_leaning_or_a_balance_the_range_does_not_settle_says_what_else_it_allows():
    """A random answerer read "Sie neigen zur Feuerwehr" beside a range from −0,5 to 0,1: the sentence claimed a
    leaning the answers left open. Each sentence now says when its range reaches the neighbouring one."""
    one = summary([1])  # a mild firefighter choice: -0.3, range -0.9 to 0.2
    assert one["sentence"].startswith(
        "You lean towards the firefighter: you like solving the problem in front of you, and you also see when a "
        "lasting fix is due. Your answers do not settle this yet: their range reaches a balanced style. This rests on"
    )
    assert "reaches a balanced style" in summary([2])["sentence"]  # the architect side alike
    assert "reaches a leaning to either side" in summary([1, 2])["sentence"]  # balanced, -0.4 to 0.4
    assert "reaches a leaning towards the firefighter" in summary([1, 2, 1])["sentence"]  # -0.1, range -0.4 to 0.2
    german = summary([1], "de")["sentence"]
    assert "Ihre Antworten legen das noch nicht fest: Die Spanne reicht bis zu einem ausgeglichenen Stil." in german


def test_a_leaning_or_a_balance_the_range_settles_says_nothing_more():
    assert "do not settle" not in summary([1] * 6)["sentence"]  # leaning, range -0.6 to -0.1
    assert "do not settle" not in summary([0])["sentence"]  # leaning, range -1.0 to -0.3
    assert "do not settle" not in summary([0, 1, 2, 3] * 3)["sentence"]  # balanced, range -0.2 to 0.2
    assert "do not settle" not in summary([3] * 6)["sentence"]  # at heart
