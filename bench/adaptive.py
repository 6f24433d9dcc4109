"""Benchmark of the adaptive assessment: the time to choose the next question, per step.

    .venv/bin/python -m bench.adaptive [--sessions 60] [--seed 1]   (own SQLite database, as bench.run)

`measure_next_item(count, seed)` runs `count` simulated sessions through the engine exactly as the
`next_items` command does (the shipped bank and roles, the active ranking model) and times every
call of `assessment.adaptive.plan`: one call per question shown, plus the final one that says
"done". The simulated people answer through the measurement model (`simulate_answers`) with
levels drawn at random, and skip now and then. Needs Django set up and an active model (`bench.run`
provides both; run on its own, this module sets them up in a throwaway database).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Sequence
from pathlib import Path


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure_next_item(count: int, seed: int) -> dict:
    """p50/p95/max milliseconds of choosing the next question, over `count` simulated sessions."""
    from assessment.adaptive import plan
    from assessment.measurement import simulate_answers
    from recommendations.asking import engine_inputs

    bank, roles, score_roles = engine_inputs()
    rng = random.Random(seed)
    timings: list[float] = []
    questions: list[int] = []
    reasons: dict[str, int] = {}
    plan(bank, roles, {}, score_roles=score_roles)  # warm: tables and caches, as a running server has them
    for _ in range(count):
        levels = {c: rng.uniform(0, 5) for c in bank.competencies}
        full = simulate_answers(bank.items, levels, rng.uniform(-1, 1), rng)
        answers: dict[str, str] = {}
        skipped: list[str] = []
        while True:
            started = time.perf_counter()
            result = plan(bank, roles, answers, skipped, score_roles=score_roles)
            timings.append((time.perf_counter() - started) * 1000)
            if result.done:
                break
            slug = result.next_item
            assert slug is not None, "a plan that is not done names the next question"
            if rng.random() < 0.05 or slug not in full:
                skipped.append(slug)
            else:
                answers[slug] = full[slug]
        questions.append(len(answers) + len(skipped))
        reasons[result.reason] = reasons.get(result.reason, 0) + 1
    return {
        "sessions": count,
        "steps": len(timings),
        "next_item_p50_ms": round(_percentile(timings, 0.50), 2),
        "next_item_p95_ms": round(_percentile(timings, 0.95), 2),
        "next_item_max_ms": round(max(timings), 2),
        "questions_median": statistics.median(questions),
        "questions_p95": _percentile(questions, 0.95),
        "reasons": reasons,
    }


def throwaway_database(prefix: str, extra_questions: Path | None = None, *, train: bool = True) -> None:
    """Set Django up on its own throwaway SQLite database (never bench.run's or the app's) with the shipped
    content and a freshly trained, active ranking model (`train=False`: no model, for measurements that need
    none). `extra_questions`: a file of further items in the shipped format, loaded with the bank (to measure
    candidate content before it ships)."""
    import os
    import sys
    import tempfile

    database = Path(tempfile.mkdtemp(prefix=prefix)) / "bench.sqlite3"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.core.management import get_commands

    if "load_content" in get_commands():  # the shipped bank and roles, where migrations no longer load them
        from assessment import content

        if extra_questions is not None:  # an absolute path: CONTENT_DIR / path is the path itself
            content.QUESTION_FILES = (*content.QUESTION_FILES, str(extra_questions.resolve()))
        call_command("load_content", verbosity=0)
    if train:
        from recommendations.lifecycle import train_and_activate

        train_and_activate()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    throwaway_database("bench-adaptive-")
    print(json.dumps(measure_next_item(options.sessions, options.seed), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
