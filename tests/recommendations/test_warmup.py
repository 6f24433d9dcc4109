"""A new gunicorn worker loads the catalogue, the role model and the views before its first request, which waited
seconds for them after every restart and every recycling, and freezes them out of the garbage collector's way."""

from __future__ import annotations

import gc
import logging

import pytest
from django.db import OperationalError

from recommendations import catalogue, lifecycle
from recommendations.models import ModelVersion


@pytest.fixture
def new_process():
    """As a process that has loaded nothing yet; what it loads is put back afterwards, and nothing stays frozen."""
    loaded, cached = dict(lifecycle._loaded), dict(catalogue._cached)
    lifecycle._loaded.clear()
    catalogue._cached.clear()
    yield
    gc.unfreeze()
    lifecycle._loaded.clear()
    lifecycle._loaded.update(loaded)
    catalogue._cached.clear()
    catalogue._cached.update(cached)


def test_a_new_worker_has_the_model_and_the_catalogue_before_its_first_request(content_and_model, new_process):
    from config.gunicorn import post_worker_init

    class Worker:
        signs_of_life = 0

        def notify(self) -> None:
            self.signs_of_life += 1

    worker = Worker()
    post_worker_init(worker)
    assert worker.signs_of_life == 1  # before the warm-up, so that gunicorn's timeout does not cut it short
    active = ModelVersion.objects.get(active=True).version
    assert active in lifecycle._loaded and lifecycle._loaded[active].version == active
    assert "snapshot" in catalogue._cached
    assert gc.get_freeze_count() > 0


def test_a_warm_up_that_fails_is_logged_and_the_worker_serves_on(content_and_model, new_process, monkeypatch, caplog):
    """A server started before `migrate`: the first request then loads what it needs, as without the warm-up."""

    def no_table():
        raise OperationalError("no such table: assessment_item")

    monkeypatch.setattr("recommendations.warmup.engine_inputs", no_table)
    from recommendations.warmup import prepare_process

    with caplog.at_level(logging.WARNING, logger="recommendations.warmup"):
        prepare_process()
    assert "warm-up skipped: OperationalError: no such table" in caplog.text
    assert lifecycle._loaded == {}
