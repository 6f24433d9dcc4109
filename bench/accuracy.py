"""How right the result is for simulated people who answer as real people do: the project's own check.

    make accuracy       (or: .venv/bin/python -m bench.accuracy [--per-role 12] [--seed 1] [--all-questions])
    .venv/bin/python -m bench.accuracy --candidates [--all-questions]   (the bank with the candidate checks)

Role holders are drawn as the role model's generator draws them (`recommender.generate_profiles`, with a seed
the model never trained on): each holds a known role, with true levels between the steps. They then answer the
shipped bank, not as the measurement model assumes but with the faults of real answering, as this module
assumes them (the measurement knows none of these values):

* knowledge checks: a guessing floor of 1 / options, and a chance of knowing that rises smoothly with the level,
  each check with its own slope (uniform 1-2) and a location half a level below its labelled difficulty give or
  take 0.5 levels (authors' labels are off);
* self-ratings: the true level, plus a personal bias (normal, mean -0.25: a little modest on average, sd 0.75),
  plus noise (sd between 0.3 and 0.8 per person), rounded to a step;
* work-style scenarios: the option nearest the person's style, most of the time;
* skips: none for most, up to one question in ten for some.
People who answer at random (every option alike, one in five people) take the test as well: a good result says
their answers do not hold together.

It drives the adaptive engine as the web flow does (`assessment.adaptive.plan` with the shipped bank and the
active ranking) or, with --all-questions, gives every answer, and scores the result as the result page does.
Prints the figures as JSON and a summary line. Top-1 counts a hit only for the role the person was drawn for;
holders drawn with a side strength or far from the role's centre often fit a second role as well, so top-1 here
stays below that of the hand-made people in `bench/MEASUREMENT.md` (the role model itself agrees with the
generator's role on about 78 % of measured generated people, in cross-validation).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
from dataclasses import dataclass
from pathlib import Path

# Knowledge checks written for the bank but not shipped (bench/MEASUREMENT.md, eleventh session).
CANDIDATES = Path(__file__).resolve().parent / "candidate_checks.json"


@dataclass(frozen=True)
class Person:
    levels: dict[str, float]  # true levels, 0-5, between the steps
    style: float
    role: str | None  # the role this person holds; None: answers at random
    bias: float
    noise: float
    skip: float


def draw_people(roles, competencies, per_role: int, seed: int) -> list[Person]:
    """Role holders as the generator draws them, with their answering faults, and the random answerers."""
    from recommendations.recommender import generate_profiles

    rng = random.Random(seed)
    levels, styles, labels = generate_profiles(roles, per_role=per_role, seed=10_000 + seed)
    people = [
        Person(
            levels=dict(zip(competencies, map(float, row))),
            style=float(style),
            role=roles[int(label)].slug,
            bias=rng.gauss(-0.25, 0.75),
            noise=rng.uniform(0.3, 0.8),
            skip=rng.choice((0.0, 0.0, 0.02, 0.05, 0.1)),
        )
        for row, style, label in zip(levels, styles, labels)
    ]
    randoms = [Person({}, 0.0, None, 0.0, 0.0, 0.0) for _ in range(max(1, len(people) // 4))]
    return people + randoms


def true_items(items, seed: int) -> dict[str, tuple[float, float]]:
    """Each knowledge check's true slope and location in this simulated world."""
    rng = random.Random(seed)
    return {
        item.slug: (rng.uniform(1, 2), (item.difficulty or 3) - 0.5 + rng.gauss(0, 0.5))
        for item in items
        if item.kind == "knowledge"
    }


def answer(person: Person, item, world: dict, rng: random.Random) -> str | None:
    """The option this person chooses, or None for a skip."""
    if person.role is None:
        return rng.choice(item.options).value
    if rng.random() < person.skip:
        return None
    if item.kind == "self_rating":
        said = min(5, max(0, round(person.levels[item.competency] + person.bias + rng.gauss(0, person.noise))))
        rated = [o for o in item.options if o.level is not None]
        return min(rated, key=lambda o: abs(o.level - said)).value if rated else None
    if item.kind == "knowledge":
        slope, location = world[item.slug]
        floor = 1 / len(item.options)
        knows = 1 / (1 + math.exp(-slope * (person.levels[item.competency] - location)))
        right = rng.random() < floor + (1 - floor) * knows
        pool = [o for o in item.options if o.correct == right] or list(item.options)
        return rng.choice(pool).value
    styled = [o for o in item.options if o.style is not None]
    if not styled:
        return None
    weights = [math.exp(-((o.style - person.style) ** 2) / (2 * 0.3**2)) for o in styled]
    return rng.choices(styled, weights)[0].value


def take_adaptive_test(person: Person, engine, world: dict, rng: random.Random, watch=None):
    """The person through the adaptive test as the web flow runs it: (answers, skips, the final plan). `engine` is
    `recommendations.asking.engine_inputs()`; `watch(plan)` sees the plan of every question put."""
    from assessment.adaptive import plan

    bank, roles, score_roles = engine
    by_slug = {item.slug: item for item in bank.items}
    answers: dict[str, str] = {}
    skipped: list[str] = []
    while not (step := plan(bank, roles, answers, skipped, score_roles=score_roles)).done:
        if watch is not None:
            watch(step)
        slug = step.next_item
        assert slug is not None, "a plan that is not done names the next question"
        value = answer(person, by_slug[slug], world, rng)
        if value is None:
            skipped.append(slug)
        else:
            answers[slug] = value
    return answers, skipped, step


def run(per_role: int = 12, seed: int = 1, adaptive: bool = True) -> dict:
    import numpy as np

    from assessment.measurement import score_profile
    from recommendations.asking import engine_inputs
    from recommendations.catalogue import snapshot

    current = snapshot()
    engine = engine_inputs(current)
    bank, roles, score_roles = engine
    people = draw_people(current.roles, list(bank.competencies), per_role, seed)
    world = true_items(bank.items, seed)
    rng = random.Random(seed)
    top1 = top3 = flagged = random_flagged = 0
    errors, inside, asked = [], [], []
    for person in people:
        answers: dict[str, str] = {}
        skipped: list[str] = []
        if adaptive:
            answers, skipped, _ = take_adaptive_test(person, engine, world, rng)
        else:
            for item in bank.items:
                if (value := answer(person, item, world, rng)) is not None:
                    answers[item.slug] = value
        profile = score_profile(bank.competencies, bank.items, answers)
        if person.role is None:
            random_flagged += not profile.reliable
            continue
        asked.append(len(answers) + len(skipped) if adaptive else len(bank.items))
        flagged += not profile.reliable
        expected = np.array([[profile.competencies[c].expected for c in bank.competencies]])
        scores = np.asarray(score_roles(expected, np.array([profile.work_style])))[0]
        ranked = [roles.slugs[i] for i in np.argsort(-scores, kind="stable")]
        top1 += ranked[0] == person.role
        top3 += person.role in ranked[:3]
        for slug, true in person.levels.items():
            score = profile.competencies[slug]
            errors.append(abs(score.expected - true))
            inside.append(score.level_low <= round(true) <= score.level_high)
    genuine = len(asked)
    randoms = len(people) - genuine
    return {
        "mode": "adaptive" if adaptive else "all questions",
        "seed": seed,
        "people": genuine,
        "top1": round(top1 / genuine, 3),
        "top3": round(top3 / genuine, 3),
        "level_error": round(statistics.fmean(errors), 3),
        "range_coverage": round(statistics.fmean(inside), 3),
        "questions_median": statistics.median(asked),
        "questions_p95": sorted(asked)[int(0.95 * (genuine - 1))],
        "genuine_flagged": round(flagged / genuine, 3),
        "random_flagged": round(random_flagged / randoms, 3),
    }


def summary(figures: dict) -> str:
    return (
        f"{figures['mode']}, {figures['people']} role holders: top-1 {figures['top1']:.1%}, "
        f"top-3 {figures['top3']:.1%}, level error {figures['level_error']:.2f}, "
        f"90 % ranges hold the true level {figures['range_coverage']:.0%}, questions median "
        f"{figures['questions_median']} (95th percentile {figures['questions_p95']}), random answerers flagged "
        f"{figures['random_flagged']:.0%}, genuine flagged {figures['genuine_flagged']:.1%}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-role", type=int, default=12, help="simulated holders of each role")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--all-questions", action="store_true", help="everyone answers every question")
    parser.add_argument(
        "--candidates",
        action="store_true",
        help=f"add the candidate knowledge checks ({CANDIDATES.name}, not shipped) to the bank",
    )
    options = parser.parse_args()
    from bench.adaptive import throwaway_database

    throwaway_database("bench-accuracy-", CANDIDATES if options.candidates else None)
    figures = run(options.per_role, options.seed, adaptive=not options.all_questions)
    print(json.dumps(figures, indent=2))
    print(summary(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
