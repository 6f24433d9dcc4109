"""Retraining is a background task: the admin's button queues it, the worker trains and activates,
and the status page shows how it goes (also without JavaScript)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from recommendations import recommender, tasks
from recommendations.models import ModelVersion
from tests.conftest import run_queued_tasks

pytestmark = pytest.mark.django_db
RETRAIN_URL = reverse("admin:recommendations_modelversion_retrain")


@pytest.fixture
def training_is_forbidden_here(monkeypatch):
    """Until the worker runs, nothing may train: the web request only queues."""
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise AssertionError("trained inside the request")

    monkeypatch.setattr(recommender, "train", refuse)
    return calls


def queued() -> DBTaskResult:
    return DBTaskResult.objects.get(task_path=tasks.retrain.module_path)


def test_the_retrain_button_queues_a_task_and_trains_nothing_itself(admin_client, training_is_forbidden_here):
    previous = ModelVersion.objects.get(active=True)
    response = admin_client.post(RETRAIN_URL)
    task = queued()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:recommendations_modelversion_retrain_status", args=[task.id])
    assert task.status == TaskResultStatus.READY
    assert not training_is_forbidden_here
    assert list(ModelVersion.objects.values_list("version", flat=True)) == [previous.version]


def test_the_worker_trains_and_activates_the_new_version_and_the_status_page_says_so(admin_client, quick_training):
    previous = ModelVersion.objects.get(active=True)
    status_url = admin_client.post(RETRAIN_URL)["Location"]
    waiting = admin_client.get(status_url).content.decode()
    assert "in der Warteschlange" in waiting
    assert "<h1>Das Modell der Rollenpassung wird neu trainiert</h1>" in waiting
    run_queued_tasks()
    current = ModelVersion.objects.get(active=True)
    assert current.pk != previous.pk
    assert queued().status == TaskResultStatus.SUCCESSFUL and queued().return_value == current.version
    page = admin_client.get(status_url).content.decode()
    top1 = f"{current.metrics['cv_top1_accuracy'] * 100:.1f}".replace(".", ",")
    size = f"{current.training_size:,}".replace(",", ".")  # grouped as the list writes it
    assert current.version in page and top1 in page and f"über {size} Personen" in page
    assert "data-reload-seconds" not in page  # finished: the page stops reloading itself
    assert "<h1>Das Modell der Rollenpassung ist neu trainiert</h1>" in page and "wird neu trainiert" not in page


def test_a_failed_training_leaves_the_previous_version_active_and_the_status_page_says_why(admin_client, monkeypatch):
    previous = ModelVersion.objects.get(active=True)

    def broken(*args, **kwargs):
        raise RuntimeError("no memory left")

    monkeypatch.setattr(recommender, "train", broken)
    status_url = admin_client.post(RETRAIN_URL)["Location"]
    run_queued_tasks()
    assert queued().status == TaskResultStatus.FAILED
    assert ModelVersion.objects.get(active=True) == previous
    assert ModelVersion.objects.count() == 1
    page = admin_client.get(status_url).content.decode()
    assert "RuntimeError: no memory left" in page and previous.version in page and "fehlgeschlagen" in page
    assert "<h1>Das Neutraining des Modells der Rollenpassung ist fehlgeschlagen</h1>" in page


def test_a_second_click_follows_the_training_already_queued(admin_client, training_is_forbidden_here):
    first = admin_client.post(RETRAIN_URL)["Location"]
    second = admin_client.post(RETRAIN_URL)["Location"]
    assert first == second
    assert DBTaskResult.objects.count() == 1
    assert "bereits" in admin_client.get(RETRAIN_URL).content.decode()


def test_a_training_whose_worker_died_long_ago_does_not_block_a_new_one(admin_client, training_is_forbidden_here):
    admin_client.post(RETRAIN_URL)
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING, started_at=timezone.now() - timedelta(hours=2))
    admin_client.post(RETRAIN_URL)
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1


def test_the_status_page_works_without_javascript_and_without_inline_scripts(admin_client, training_is_forbidden_here):
    status_url = admin_client.post(RETRAIN_URL)["Location"]
    response = admin_client.get(status_url)
    text = response.content.decode()
    assert response.status_code == 200
    assert f'href="{status_url}"' in text  # the reload link: a plain GET
    assert 'http-equiv="refresh"' not in text.lower()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text)  # CSP: only scripts from files
    assert "retrain.js" in text and 'data-reload-seconds="2"' in text


def test_a_queued_training_that_waits_long_asks_whether_the_worker_runs(admin_client, training_is_forbidden_here):
    status_url = admin_client.post(RETRAIN_URL)["Location"]
    assert "db_worker" not in admin_client.get(status_url).content.decode()
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=2))
    assert "db_worker" in admin_client.get(status_url).content.decode()


def test_the_status_of_an_unknown_training_is_a_404(admin_client):
    url = reverse("admin:recommendations_modelversion_retrain_status", args=["0" * 8 + "-0000-4000-8000-" + "0" * 12])
    assert admin_client.get(url).status_code == 404


def test_the_status_page_needs_the_permission_to_retrain(admin_client, client, django_user_model):
    status_url = admin_client.post(RETRAIN_URL)["Location"]
    staff = django_user_model.objects.create_user("redaktion", password="x-unknown-2", is_staff=True)
    client.force_login(staff)
    assert client.get(status_url).status_code == 403
