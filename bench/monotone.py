"""How far role matches move the wrong way when a simulated person gets one level better in one competency.

    .venv/bin/python -m bench.monotone [--people 100] [--seed 4] [--extra FILE]   (its own throwaway SQLite database)

The measurement shares one self-rating bias across a person's competencies, so getting better in one of them
can lower the others a little and with them a role match (README, "What the numbers mean"; bench/MEASUREMENT.md,
twelfth session). This measures it as `realistic_check.py --monotone` does: people who answer exactly at their
level (the self-rating at the level, every knowledge check up to the level right and none above, the
work-style situation nearest their style), each raised by one level in each competency in turn, with the
shipped bank and roles. Groups of people: role holders (every competency 0-5 at random), beginners (every
competency 0-2) and career changers (the technical competencies 0-2, communication and change 2-4). Prints,
per group, how many role matches fell, how many by more than half a point (the tool's tolerance), the largest
fall and the largest fall of another competency's level.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

SOFT = ("communication", "change_resilience")


def step_answers(items: Sequence, levels: Mapping[str, int], style: float) -> dict[str, str]:
    """What a person at exactly these levels answers (the idealised answering of `realistic_check.py`)."""
    answers = {}
    for item in items:
        if item.kind == "self_rating":
            answers[item.slug] = min(item.options, key=lambda o: abs(o.level - levels[item.competency])).value
        elif item.kind == "knowledge":
            knows = levels[item.competency] >= (item.difficulty or 3)
            answers[item.slug] = next(o for o in item.options if bool(o.correct) == knows).value
        elif item.kind == "scenario":
            styled = [o for o in item.options if o.style is not None]
            if styled:
                answers[item.slug] = min(styled, key=lambda o: abs(o.style - style)).value
    return answers


def groups(competencies: Sequence[str], people: int, rng: random.Random) -> dict[str, list[dict[str, int]]]:
    def draw(level: Callable[[str], int]) -> list[dict[str, int]]:
        return [{c: level(c) for c in competencies} for _ in range(people)]

    return {
        "role holders": draw(lambda c: rng.randint(0, 5)),
        "beginners": draw(lambda c: rng.choice([0, 0, 1, 1, 2])),
        "career changers": draw(lambda c: rng.choice([2, 3, 3, 4]) if c in SOFT else rng.choice([0, 0, 1, 1, 2])),
    }


def measure(people: int, seed: int) -> dict:
    """Per group: raised profiles, role matches that fell (at all, by more than 0.5 points), the largest fall."""
    from assessment.bank import competency_slugs, item_spec, items_with_options
    from assessment.measurement import score_profile
    from recommendations.catalogue import snapshot
    from recommendations.matching import role_match

    items = [item_spec(item) for item in items_with_options()]
    competencies = competency_slugs()
    current = snapshot()
    roles = {role.slug: dict(zip(current.competencies, role.requirements)) for role in current.roles}
    rng = random.Random(seed)
    report = {}
    for group, persons in groups(competencies, people, rng).items():
        raised = fell = over_half = 0
        largest, largest_level = 0.0, 0.0
        for levels in persons:
            style = rng.uniform(-1, 1)
            before = score_profile(competencies, items, step_answers(items, levels, style)).levels()
            matches = {slug: role_match(req, before).value for slug, req in roles.items()}
            for competency, level in levels.items():
                if level == 5:
                    continue
                after = score_profile(
                    competencies, items, step_answers(items, dict(levels, **{competency: level + 1}), style)
                ).levels()
                raised += 1
                for slug, req in roles.items():
                    fall = matches[slug] - role_match(req, after).value
                    fell += fall > 0
                    over_half += fall > 0.5
                    largest = max(largest, fall)
                others = [before[c] - after[c] for c in competencies if c != competency]
                largest_level = max(largest_level, *others)
        report[group] = {
            "people": len(persons),
            "raised_profiles": raised,
            "matches_fell": fell,
            "matches_fell_over_half_a_point": over_half,
            "largest_match_fall": round(largest, 1),
            "largest_other_level_fall": round(largest_level, 3),
        }
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=100, help="simulated people per group")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--extra", type=Path, help="further items in the shipped format, loaded with the bank")
    options = parser.parse_args()
    from bench.adaptive import throwaway_database

    throwaway_database("bench-monotone-", options.extra, train=False)
    print(json.dumps(measure(options.people, options.seed), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
