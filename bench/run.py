"""Benchmark: scoring + recommendation latency and throughput, training time and memory.

    make bench          (or: .venv/bin/python -m bench.run [--assessments 400] [--courses 5000])

Runs in-process against its own SQLite database (bench/bench.sqlite3, rebuilt each run) with the
shipped content, then again with the catalogue grown to --courses courses. Prints a Markdown
table and writes bench/results/latest.json. Timings are wall-clock on this machine; compare runs
on the same machine only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DB = HERE / "bench.sqlite3"


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    for path in (DB, DB.with_suffix(".sqlite3-journal")):
        path.unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_content", verbosity=0)  # the shipped content, as after every deploy


def random_answers(items, rng: random.Random) -> dict[str, str]:
    """A plausible person: a true level per competency, answers that follow it with some noise."""
    levels = {}
    answers = {}
    style = rng.uniform(-1, 1)
    for item in items:
        competency = item.competency
        if competency is not None and competency not in levels:
            levels[competency] = rng.randint(0, 5)
        if rng.random() < 0.05:
            continue  # skipped
        options = item.options
        if item.kind == "self_rating":
            said = min(5, max(0, levels[competency] + rng.choice((-1, 0, 0, 1))))
            chosen = min(options, key=lambda o: abs(o.level - said))
        elif item.kind == "knowledge":
            knows = levels[competency] >= item.difficulty or rng.random() < 0.25
            chosen = next((o for o in options if o.correct == knows), options[0])
        else:
            chosen = min(options, key=lambda o: abs(o.style - style + rng.uniform(-0.3, 0.3)))
        answers[item.slug] = chosen.value
    return answers


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure_assessments(count: int, seed: int) -> dict:
    """Per assessment: scoring + ranking (levels, ranges, reliability, every role's match, fit and reasons),
    and the whole recommendation with the learning path, each timed on its own."""
    from assessment.bank import competency_slugs, item_spec, items_with_options
    from assessment.measurement import score_profile
    from recommendations.catalogue import snapshot
    from recommendations.paths import learning_path_for
    from recommendations.services import rank_roles, recommend
    from recommendations.warmup import prepare_process

    items = [item_spec(i) for i in items_with_options()]
    competencies = competency_slugs()
    rng = random.Random(seed)
    batch = [random_answers(items, rng) for _ in range(count)]
    prepare_process()  # as each gunicorn worker does before its first request: load, then freeze
    recommend([score_profile(competencies, items, batch[0])])
    ranking, latencies = [], []
    current = snapshot()  # the catalogue's freshness check (4 small queries) is a page's cost, not a person's
    for answers in batch:
        t0 = time.perf_counter()
        rank_roles([score_profile(competencies, items, answers)], current=current)
        ranking.append((time.perf_counter() - t0) * 1000)
    started = time.perf_counter()
    for answers in batch:
        t0 = time.perf_counter()
        recommend([score_profile(competencies, items, answers)])
        latencies.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - started
    paths = []  # the learning path alone, towards the best role (the optimiser and its fallback)
    for answers in batch:
        ranked = rank_roles([score_profile(competencies, items, answers)], current=current)[0]
        spec = next(r for r in current.roles if r.slug == ranked.roles[0].slug)
        requirements = dict(zip(current.competencies, spec.requirements))
        t0 = time.perf_counter()
        learning_path_for(spec.slug, ranked.levels, requirements, current.catalogue)
        paths.append((time.perf_counter() - t0) * 1000)
    t0 = time.perf_counter()
    recommend([score_profile(competencies, items, a) for a in batch])
    batch_elapsed = time.perf_counter() - t0
    return {
        "assessments": count,
        "ranking_p50_ms": round(statistics.median(ranking), 2),
        "ranking_p95_ms": round(percentile(ranking, 0.95), 2),
        "path_p50_ms": round(statistics.median(paths), 2),
        "path_p95_ms": round(percentile(paths, 0.95), 2),
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(percentile(latencies, 0.95), 2),
        "max_ms": round(max(latencies), 2),
        "throughput_per_s": round(count / elapsed, 1),
        "batch_throughput_per_s": round(count / batch_elapsed, 1),
    }


def measure_training() -> dict:
    from recommendations.lifecycle import train_and_activate

    t0 = time.perf_counter()
    version = train_and_activate()
    seconds = time.perf_counter() - t0
    # Memory in a second run: tracemalloc slows Python down, so it must not share the timing.
    tracemalloc.start()
    train_and_activate()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "train_seconds": round(seconds, 2),
        "train_peak_python_mib": round(peak / 2**20, 1),
        "model_bytes": len(bytes(version.payload)),
        "cv_top1": version.metrics["cv_top1_accuracy"],  # agreement with the generator, not with people
        "cv_top3": version.metrics["cv_top3_accuracy"],
        "training_profiles": version.training_size,
    }


def grow_catalogue(total: int, seed: int) -> int:
    from assessment.models import Competency
    from recommendations.models import Course, CourseCompetency, Provider

    rng = random.Random(seed)
    have = Course.objects.count()
    if have >= total:
        return have
    provider, _ = Provider.objects.get_or_create(slug="bench", defaults={"name": "Bench (example)", "is_example": True})
    competencies = list(Competency.objects.all())
    new = Course.objects.bulk_create(
        Course(
            slug=f"bench-{i}",
            title_de=f"Benchmark-Kurs {i}",
            title_en=f"Benchmark course {i}",
            provider=provider,
            format=rng.choice(["online", "classroom", "blended", "on_the_job"]),
            hours=Decimal(rng.choice([4, 8, 16, 24, 40])),
            price_eur=Decimal(rng.choice([0, 90, 490, 1290, 2400])),
        )
        for i in range(total - have)
    )
    links = []
    for course in new:
        for competency in rng.sample(competencies, rng.choice([1, 1, 2, 3])):
            start = rng.randint(0, 4)
            links.append(
                CourseCompetency(
                    course=course,
                    competency=competency,
                    weight=rng.choice([0.3, 0.5, 1.0]),
                    from_level=start,
                    to_level=rng.randint(start + 1, 5),
                )
            )
    CourseCompetency.objects.bulk_create(links)
    through = Course.prerequisites.through
    through.objects.bulk_create(
        through(from_course_id=course.pk, to_course_id=new[rng.randrange(0, index)].pk)
        for index, course in enumerate(new)
        if index and rng.random() < 0.2
    )
    return Course.objects.count()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--assessments", type=int, default=400)
    parser.add_argument("--courses", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    setup_django()
    from recommendations.models import Course

    results: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    }
    results["training"] = measure_training()
    shipped = Course.objects.count()
    results["shipped_catalogue"] = {"courses": shipped, **measure_assessments(args.assessments, args.seed)}
    courses = grow_catalogue(args.courses, args.seed)
    results["large_catalogue"] = {"courses": courses, **measure_assessments(args.assessments, args.seed)}
    from bench.adaptive import measure_next_item

    results["adaptive"] = measure_next_item(max(20, args.assessments // 10), args.seed)
    results["max_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "latest.json").write_text(json.dumps(results, indent=2))
    t = results["training"]
    print(f"machine: {results['machine']}")
    print(
        f"training: {t['train_seconds']} s, peak Python memory {t['train_peak_python_mib']} MiB, "
        f"model {t['model_bytes'] // 1024} KiB, CV top-1 {t['cv_top1']}, top-3 {t['cv_top3']}"
    )
    print(
        "| catalogue | scoring + ranking p50 / p95 ms | the path alone p50 / p95 ms | with the path p50 / p95 ms "
        "| max ms | per s (one by one) | per s (batch) |"
    )
    print("|---|---|---|---|---|---|---|")
    for key in ("shipped_catalogue", "large_catalogue"):
        r = results[key]
        print(
            f"| {r['courses']} courses | {r['ranking_p50_ms']} / {r['ranking_p95_ms']} "
            f"| {r['path_p50_ms']} / {r['path_p95_ms']} | {r['p50_ms']} / {r['p95_ms']} "
            f"| {r['max_ms']} | {r['throughput_per_s']} | {r['batch_throughput_per_s']} |"
        )
    a = results["adaptive"]
    print(
        f"adaptive test ({a['sessions']} simulated sessions, {a['steps']} steps): choosing the next question "
        f"p50 {a['next_item_p50_ms']} ms, p95 {a['next_item_p95_ms']} ms, max {a['next_item_max_ms']} ms; "
        f"questions median {a['questions_median']}, p95 {a['questions_p95']}"
    )
    print(f"max RSS of the benchmark process: {results['max_rss_mib']} MiB")
    DB.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
