"""A new server process does its first visitor's waiting itself: `prepare_process`, from gunicorn's
`post_worker_init` (config/gunicorn.py) and the benchmark (bench/run.py)."""

from __future__ import annotations

import gc
import logging
import time

from django.db import connections
from django.urls import resolve

from assessment import adaptive
from assessment.measurement import score_profile
from recommendations.asking import engine_inputs
from recommendations.services import recommend

log = logging.getLogger(__name__)


def warm_up() -> None:
    """Load what the first pages would wait for: the URL configuration and its views, the catalogue snapshot, the
    active role model (importing scikit-learn takes seconds in a new process), the question bank and the tables of
    the measurement and the adaptive test, by recommending for a person who has answered nothing and choosing
    their first question."""
    resolve("/")
    bank, roles, score_roles = engine_inputs()
    recommend([score_profile(bank.competencies, bank.items, {})])
    adaptive.plan(bank, roles, {}, set(), score_roles=score_roles)


def prepare_process() -> None:
    """Warm up, then freeze what is loaded (`gc.freeze`): the garbage collector's full collections no longer walk
    Django's, the catalogue's and the model's long-lived objects (with 5,000 courses the ranking's p95 was 1.87 ms
    frozen and 1.89-2.04 not: README, "Measured"). A warm-up that fails (a server started before `migrate` or
    `load_content`) is logged and never stops the process: its first request loads what it needs, as without the
    warm-up, and meets the same problem where the site reports it."""
    started = time.perf_counter()
    try:
        warm_up()
        log.info(
            "warmed up in %.1f s: views, catalogue, role model and question bank loaded", time.perf_counter() - started
        )
    except Exception as exc:  # any: see above
        log.warning("warm-up skipped: %s: %s", type(exc).__name__, exc)
    finally:
        connections.close_all()  # opened by this process for the warm-up; each request opens its own
    gc.collect()
    gc.freeze()
