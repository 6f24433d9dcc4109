"""/healthz: the database, the shared cache and the model as JSON, for a load balancer and the operators."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.utils import OperationalError
from django.utils import timezone
from django.utils.functional import empty
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from core import housekeeping
from recommendations import tasks as recommendation_tasks
from recommendations.models import ModelVersion

pytestmark = pytest.mark.django_db


def refuse_to_train(*args, **kwargs):
    raise AssertionError("the health check trained a model")


def test_a_healthy_server_says_ok(client):
    housekeeping.schedule()  # as `make run` and `make serve` do at start
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    active = ModelVersion.objects.get(active=True)
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "static": "ok",
        "cache": "ok",
        "model": {"version": active.version, "loaded": True},
        "tasks": "ok",
        "clean_up": "scheduled",
    }


def test_without_the_database_it_is_503_and_degraded(client, monkeypatch):
    class Unreachable:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("config.views.connection", Unreachable())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded",
        "database": "unavailable",
        "static": "ok",
        "cache": "unknown",
        "model": {"version": None, "loaded": False},
        "tasks": "unknown",
        "clean_up": "unknown",
    }


def test_without_the_static_files_manifest_it_is_503_and_check_deploy_says_why(client, settings, tmp_path):
    """`collectstatic` run with DEBUG on writes no manifest: with DEBUG off every page then answered 500 while
    `/healthz` said 200 and `check --deploy` said nothing."""
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.STATIC_ROOT = str(tmp_path)  # collected nothing: no manifest
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    staticfiles_storage._wrapped = empty  # the storage as these settings make it
    try:
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["static"] == "missing" and response.json()["status"] == "degraded"
        with pytest.raises(SystemCheckError, match="collectstatic"):
            call_command("check", "--deploy", "--tag", "staticfiles")
    finally:
        staticfiles_storage._wrapped = empty


def test_without_an_active_model_it_is_degraded_and_trains_nothing(client, monkeypatch):
    monkeypatch.setattr("recommendations.recommender.train", refuse_to_train)
    ModelVersion.objects.update(active=False)
    response = client.get("/healthz")
    assert response.status_code == 200  # people can still answer; results are ranked without the model
    assert response.json()["status"] == "degraded"
    assert response.json()["model"] == {"version": None, "loaded": False}
    assert not ModelVersion.objects.filter(active=True).exists()  # only reads: activates nothing either


def test_with_an_unusable_active_model_it_is_degraded_and_changes_nothing(client, monkeypatch):
    monkeypatch.setattr("recommendations.recommender.train", refuse_to_train)
    monkeypatch.setattr("recommendations.lifecycle._loaded", {})
    active = ModelVersion.objects.get(active=True)
    ModelVersion.objects.filter(pk=active.pk).update(payload=b"garbage")
    body = client.get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["model"] == {"version": active.version, "loaded": False}
    assert list(ModelVersion.objects.values_list("version", "active")) == [(active.version, True)]


def test_without_the_shared_cache_it_is_degraded(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("no such table: django_cache")

    monkeypatch.setattr("config.views.cache.set", broken)
    body = client.get("/healthz").json()
    assert body["status"] == "degraded" and body["cache"] == "unavailable"


def queued(task, *, enqueued_ago: timedelta, run_after: timedelta | None = None) -> None:
    """`task` queued `enqueued_ago`, to run at once or `run_after` from now (negative: in the past)."""
    queueing = task if run_after is None else task.using(run_after=timezone.now() + run_after)
    result = queueing.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=timezone.now() - enqueued_ago)


@pytest.mark.parametrize(
    ("enqueued_ago", "run_after", "state"),
    [
        (timedelta(minutes=59), None, "ok"),  # the worker may be busy with another task
        (timedelta(minutes=61), None, "waiting"),  # nobody takes tasks
        (timedelta(days=1), timedelta(hours=3), "ok"),  # the nightly clean-up, queued for tonight
        (timedelta(days=1), timedelta(minutes=-50), "ok"),  # due for 50 minutes
        (timedelta(days=1), timedelta(minutes=-70), "waiting"),  # due for 70 minutes: no worker ran it
    ],
)
def test_a_task_due_for_more_than_an_hour_says_no_worker_takes_tasks(client, enqueued_ago, run_after, state):
    housekeeping.schedule()
    queued(housekeeping.daily_clean_up, enqueued_ago=enqueued_ago, run_after=run_after)
    response = client.get("/healthz")
    assert response.status_code == 200  # pages still work; retraining and the clean-up wait
    assert response.json()["tasks"] == state
    assert response.json()["status"] == ("ok" if state == "ok" else "degraded")


def test_without_a_nightly_clean_up_queued_or_running_it_is_degraded(client):
    """Nothing past its retention period would be deleted any more: the chain of runs broke (a run failed before
    it queued the next, a worker was killed in it, the queued run was deleted), or nobody started it."""
    assert client.get("/healthz").json()["clean_up"] == "unscheduled"
    assert client.get("/healthz").json()["status"] == "degraded"
    housekeeping.schedule()
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING, started_at=timezone.now())
    assert client.get("/healthz").json()["clean_up"] == "scheduled"  # the run queues its successor first
    DBTaskResult.objects.update(status=TaskResultStatus.SUCCESSFUL, finished_at=timezone.now())
    assert client.get("/healthz").json()["clean_up"] == "unscheduled"


def test_a_finished_or_running_task_never_counts_as_waiting(client):
    queued(recommendation_tasks.retrain, enqueued_ago=timedelta(days=2))
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING, started_at=timezone.now())
    assert client.get("/healthz").json()["tasks"] == "ok"
    DBTaskResult.objects.update(status=TaskResultStatus.SUCCESSFUL, finished_at=timezone.now())
    assert client.get("/healthz").json()["tasks"] == "ok"


def test_it_is_reachable_over_plain_http_behind_a_load_balancer(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/").status_code == 301
    assert client.get("/healthz").status_code == 200


def test_it_tells_nothing_about_people(client, finished_assessment):
    text = client.get("/healthz").content.decode()
    assert finished_assessment.token not in text
    assert set(client.get("/healthz").json()) == {"status", "database", "static", "cache", "model", "tasks", "clean_up"}
