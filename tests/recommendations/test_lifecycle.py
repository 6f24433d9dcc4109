"""The model's life: one way to activate a version, safe when several processes do it at once; a
request never trains, it uses the active version, an earlier usable one, or none."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from recommendations import lifecycle, recommender
from recommendations.models import ModelVersion
from tests.conftest import TEST_PROFILES_PER_ROLE


def never_train(*args, **kwargs):
    raise AssertionError("trained in a code path that must never train")


def a_version(name: str, days_ago: int = 1, active: bool = False) -> ModelVersion:
    """A stored version; its payload is not a model (activation never reads it)."""
    return ModelVersion.objects.create(
        version=name,
        active=active,
        created_at=timezone.now() - timedelta(days=days_ago),
        format_version=recommender.FORMAT_VERSION,
        sklearn_version="0",
        training_data_hash="0" * 64,
        payload=b"not a model",
    )


@pytest.mark.django_db
def test_activating_a_version_deactivates_the_one_before():
    before = ModelVersion.objects.get(active=True)
    other = a_version("other")
    lifecycle.activate(other)
    assert list(ModelVersion.objects.filter(active=True)) == [other]
    lifecycle.activate(before)
    assert list(ModelVersion.objects.filter(active=True)) == [before]


@pytest.mark.django_db
def test_without_any_model_version_no_model_is_used_and_none_is_trained(monkeypatch):
    monkeypatch.setattr(recommender, "train", never_train)
    monkeypatch.setattr(lifecycle, "_loaded", {})
    ModelVersion.objects.all().delete()
    assert lifecycle.active_model() is None
    assert not ModelVersion.objects.exists()


@pytest.mark.django_db
def test_without_a_usable_version_no_model_is_used_and_none_is_trained(monkeypatch):
    monkeypatch.setattr(recommender, "train", never_train)
    monkeypatch.setattr(lifecycle, "_loaded", {})
    ModelVersion.objects.update(payload=b"garbage")
    a_version("older, also garbage", days_ago=3)
    assert lifecycle.active_model() is None
    assert ModelVersion.objects.count() == 2


@pytest.mark.django_db
def test_with_no_version_active_the_newest_usable_one_is_used_and_activated_by_the_command(monkeypatch):
    monkeypatch.setattr(recommender, "train", never_train)
    monkeypatch.setattr(lifecycle, "_loaded", {})
    usable = ModelVersion.objects.get(active=True)
    ModelVersion.objects.update(active=False)
    a_version("older, garbage", days_ago=3)
    assert lifecycle.active_model().version == usable.version
    assert not ModelVersion.objects.filter(active=True).exists()  # a request activates nothing
    assert lifecycle.ensure_model() == usable
    assert ModelVersion.objects.get(active=True) == usable


@pytest.mark.django_db
def test_ensure_model_keeps_a_usable_model_and_trains_only_when_there_is_none(monkeypatch):
    monkeypatch.setattr(lifecycle, "_loaded", {})
    active = ModelVersion.objects.get(active=True)
    with monkeypatch.context() as patched:
        patched.setattr(recommender, "train", never_train)
        assert lifecycle.ensure_model() == active
    ModelVersion.objects.all().delete()
    train = lifecycle.train_and_activate
    monkeypatch.setattr(lifecycle, "train_and_activate", lambda: train(per_role=TEST_PROFILES_PER_ROLE))
    version = lifecycle.ensure_model()
    assert ModelVersion.objects.get(active=True) == version


@pytest.mark.django_db(transaction=True)
def test_several_processes_activating_at_once_leave_exactly_one_active_version():
    """Threads with their own database connections, as several app servers or workers would be."""
    versions = [a_version(f"candidate-{i}", days_ago=i) for i in range(6)]
    rounds = 5
    barrier = threading.Barrier(len(versions))
    errors: list[BaseException] = []

    def activate_repeatedly(version: ModelVersion) -> None:
        try:
            for _round in range(rounds):
                barrier.wait(timeout=30)
                lifecycle.activate(version)
        except BaseException as exc:  # reported below, from the test's own thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=activate_repeatedly, args=(v,)) for v in versions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    assert ModelVersion.objects.filter(active=True).count() == 1
