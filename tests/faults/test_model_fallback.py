"""A corrupt or missing model version: fall back to the newest earlier one that loads, else use no model
(a request never trains); the log says which."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from django.urls import reverse

from recommendations import lifecycle, recommender
from recommendations.models import ModelVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_process(monkeypatch):
    """No model loaded yet, as in a newly started worker."""
    monkeypatch.setattr(lifecycle, "_loaded", {})


@pytest.fixture
def training_forbidden(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a request path trained a model")

    monkeypatch.setattr(recommender, "train", refuse)


def earlier_copy(of: ModelVersion, name: str, days: int, payload: bytes | None = None) -> ModelVersion:
    values = {f.name: getattr(of, f.name) for f in ModelVersion._meta.concrete_fields if f.name != "id"}
    values.update(version=name, active=False, created_at=of.created_at - timedelta(days=days))
    if payload is not None:
        values["payload"] = payload
    return ModelVersion.objects.create(**values)


def corrupt_the_active_one() -> ModelVersion:
    active = ModelVersion.objects.get(active=True)
    active.payload = b"PK\x03\x04 not a model any more"
    active.save(update_fields=["payload"])
    return active


def test_a_corrupt_active_model_falls_back_to_the_newest_earlier_one_and_says_so(
    fresh_process, caplog, django_assert_max_num_queries
):
    """A request uses the earlier version in its own process only: a version that does not load in one process (one
    of another scikit-learn, during a rolling deploy) may load in the others, and requests of old and new workers
    kept activating each other's versions. `ensure_model`, a command, activates it."""
    active = ModelVersion.objects.get(active=True)
    earlier_copy(active, "older", days=20)
    earlier_copy(active, "previous", days=2)
    broken = corrupt_the_active_one()
    with caplog.at_level("WARNING", logger="recommendations.lifecycle"):
        model = lifecycle.active_model()
    assert model.version == "previous"
    assert ModelVersion.objects.get(active=True).version == broken.version
    with django_assert_max_num_queries(1):  # the active version only: the fallback is kept for it
        assert lifecycle.active_model().version == "previous"
    assert lifecycle.loaded_model_state() == {"version": broken.version, "loaded": False}
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith(f"model version {broken.version} is unusable") for m in messages)
    assert "fell back to the earlier model version previous in this process only" in messages
    assert lifecycle.ensure_model().version == "previous"
    assert ModelVersion.objects.get(active=True).version == "previous"
    assert ModelVersion.objects.filter(pk=broken.pk).exists()  # kept, for whoever looks into it
    assert "fell back to the earlier model version previous" in [r.getMessage() for r in caplog.records]


def test_the_results_page_still_works_after_the_fallback(client, fresh_process, finished_assessment):
    earlier_copy(ModelVersion.objects.get(active=True), "previous", days=2)
    corrupt_the_active_one()
    response = client.get(reverse("results", args=[finished_assessment.token]))
    assert response.status_code == 200
    assert response.context["model_version"] == "previous"


def test_a_missing_active_model_falls_back_as_well(fresh_process, caplog):
    active = ModelVersion.objects.get(active=True)
    earlier_copy(active, "previous", days=2)
    active.delete()
    with caplog.at_level("WARNING", logger="recommendations.lifecycle"):
        assert lifecycle.active_model().version == "previous"
    assert "no model version is active" in [r.getMessage() for r in caplog.records]


def test_earlier_versions_that_do_not_load_or_do_not_fit_are_skipped_and_none_is_trained(
    fresh_process, training_forbidden, caplog
):
    active = ModelVersion.objects.get(active=True)
    loaded = recommender.load(bytes(active.payload))
    other_competencies = dataclasses.replace(loaded, competencies=loaded.competencies[:-1])
    earlier_copy(active, "for-other-competencies", days=1, payload=recommender.save(other_competencies))
    earlier_copy(active, "also-corrupt", days=3, payload=b"garbage")
    corrupt_the_active_one()
    with caplog.at_level("WARNING", logger="recommendations.lifecycle"):
        assert lifecycle.active_model() is None
    assert ModelVersion.objects.count() == 3
    assert ModelVersion.objects.get(active=True).version == active.version  # nothing better to activate
    assert any("no usable model version" in r.getMessage() for r in caplog.records)


def test_the_results_page_answers_without_any_usable_model(
    client, fresh_process, training_forbidden, finished_assessment
):
    corrupt_the_active_one()
    response = client.get(reverse("results", args=[finished_assessment.token]))
    assert response.status_code == 200


def test_an_unusable_version_is_not_read_again_on_every_request(fresh_process, django_assert_max_num_queries):
    corrupt_the_active_one()
    ModelVersion.objects.exclude(active=True).delete()
    assert lifecycle.active_model() is None
    with django_assert_max_num_queries(3):  # the active version, then the (empty) list of earlier ones
        assert lifecycle.active_model() is None


def test_a_loaded_model_is_not_reloaded_while_it_stays_active(fresh_process, django_assert_max_num_queries):
    lifecycle.active_model()
    with django_assert_max_num_queries(1):
        lifecycle.active_model()
