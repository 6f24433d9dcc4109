"""How honest the adaptive test's progress estimate is ("Frage 12 · noch etwa 6"), and the tables it comes from.

    make progress       (or: .venv/bin/python -m bench.progress [--seeds 1 2 3] [--per-role 12] [--between 132])

Simulated people take the adaptive test as the web flow runs it (`assessment.adaptive.plan`, the page's rule
that the number it gives never counts up, `adaptive.open_on_page`): the role holders of `bench/accuracy.py`
(levels between the steps, a side strength now and then) and as many people between roles (every level anywhere
from 0 to 5, any work style: career changers, generalists), both answering with the faults of real answering
(`bench.accuracy.answer`). Each question page's state is recorded with how many questions the session then
still asked.

It prints, as JSON and a summary line:

* the median of the questions still to come by state (questions beyond the self-ratings, and whether the top
  three is settled, settling or neither: `adaptive.TOP3_STABLE`, `adaptive.SETTLING`), over both groups alike:
  the source of `adaptive.REMAINING_SETTLED`, `REMAINING_SETTLING` and `REMAINING_AFTER_SELF_RATINGS`;
* per group, on how many question pages the estimate is given, and how often the session was then done within
  it (a median: about half the time is honest; the question pages past the self-ratings count).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
from collections import defaultdict

from bench.accuracy import Person, draw_people, take_adaptive_test, true_items


def between_roles(competencies, count: int, seed: int) -> list[Person]:
    """People with every level anywhere from 0 to 5 and any work style, answering as the role holders do."""
    rng = random.Random(7_000 + seed)
    return [
        Person(
            levels={c: rng.uniform(0, 5) for c in competencies},
            style=rng.uniform(-1, 1),
            role="between",
            bias=rng.gauss(-0.25, 0.75),
            noise=rng.uniform(0.3, 0.8),
            skip=rng.choice((0.0, 0.0, 0.02, 0.05, 0.1)),
        )
        for _ in range(count)
    ]


def sessions(people, engine, world, seed: int) -> list[dict]:
    """Each person's adaptive session: the state of every question page and how many questions it asked."""
    from assessment import adaptive

    rng = random.Random(seed)
    self_ratings = len(engine[0].self_ratings)
    out = []
    for person in people:
        pages: list[dict] = []

        def watch(step, pages=pages):
            before = pages[-1] if pages else {"shown": None, "open": False}
            open_ended = adaptive.open_on_page(
                step.expected_remaining, step.open_ended, before["shown"], before["open"], step.items_asked
            )
            pages.append(
                {
                    "asked": step.items_asked,
                    "beyond": max(0, step.items_asked - self_ratings),
                    "stability": step.stability,
                    "estimate": None if open_ended else step.expected_remaining,
                    "self_ratings": step.reason == "self-ratings first",
                    "shown": before["shown"] if open_ended else (step.expected_remaining, step.items_asked),
                    "open": open_ended,
                }
            )

        *_, last = take_adaptive_test(person, engine, world, rng, watch)
        out.append({"asked": last.items_asked, "pages": pages})
    return out


def state(page: dict) -> str:
    from assessment.adaptive import SETTLING, TOP3_STABLE

    if page["stability"] >= TOP3_STABLE:
        return "settled"
    return "settling" if page["stability"] >= SETTLING else "unsettled"


def figures(groups: dict[str, list[dict]]) -> dict:
    still: dict[tuple[str, int], list[int]] = defaultdict(list)
    first: list[int] = []
    calibration = {}
    for name, done in groups.items():
        given = within = pages = turned = 0
        own_first = []
        for session in done:
            estimates = [page["estimate"] for page in session["pages"] if not page["self_ratings"]]
            given_at = next((i for i, e in enumerate(estimates) if e is not None), None)
            turned += given_at is not None and None in estimates[given_at:]
            for page in session["pages"]:
                coming = session["asked"] - page["asked"]  # the question put next included
                if page["self_ratings"]:
                    continue
                if page["beyond"] == 0:
                    own_first.append(coming)
                still[(state(page), page["beyond"])].append(coming)
                pages += 1
                if page["estimate"] is not None:
                    given += 1
                    within += coming <= page["estimate"]
        first += own_first
        calibration[name] = {
            "sessions": len(done),
            "after_self_ratings": statistics.median(own_first) if own_first else None,
            "questions_median": statistics.median(s["asked"] for s in done),
            "pages_with_estimate": round(given / max(pages, 1), 3),
            "done_within_estimate": round(within / max(given, 1), 3),
            # sessions that gave "noch etwa N" and then only the most ("Ihr Ergebnis ist noch nicht klar")
            "estimate_then_open": round(turned / max(len(done), 1), 3),
        }
    medians = {
        kind: [int(statistics.median(still[(kind, b)])) if still[(kind, b)] else None for b in range(20)]
        for kind in ("settled", "settling", "unsettled")
    }
    return {"after_self_ratings": int(statistics.median(first)) if first else None, "medians": medians} | {
        "groups": calibration
    }


def run(seeds=(1, 2, 3), per_role: int = 12, between: int | None = None) -> dict:
    from recommendations.asking import engine_inputs
    from recommendations.catalogue import snapshot

    current = snapshot()
    engine = engine_inputs(current)
    bank = engine[0]
    competencies = list(bank.competencies)
    groups: dict[str, list[dict]] = {"role holders": [], "between roles": []}
    for seed in seeds:
        world = true_items(bank.items, seed)
        holders = [p for p in draw_people(current.roles, competencies, per_role, seed) if p.role is not None]
        others = between_roles(competencies, between or len(holders), seed)
        groups["role holders"] += sessions(holders, engine, world, seed)
        groups["between roles"] += sessions(others, engine, world, 100 + seed)
    return figures(groups)


def summary(result: dict) -> str:
    return "; ".join(
        f"{name}: {g['sessions']} sessions, questions median {g['questions_median']}, the estimate given on "
        f"{g['pages_with_estimate']:.0%} of the pages past the self-ratings, done within it "
        f"{g['done_within_estimate']:.0%}, then not clear after all in {g['estimate_then_open']:.0%} of the sessions"
        for name, g in result["groups"].items()
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--per-role", type=int, default=12, help="simulated holders of each role per seed")
    parser.add_argument("--between", type=int, help="people between roles per seed (default: as many as holders)")
    options = parser.parse_args()
    from bench.adaptive import throwaway_database

    throwaway_database("bench-progress-")
    result = run(tuple(options.seeds), options.per_role, options.between)
    print(json.dumps(result, indent=2))
    print(summary(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
