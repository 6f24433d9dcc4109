"""No web request ever trains the model: without a usable model every page still answers, and training
waits for the worker (the admin's retrain button only queues it)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessment.services import start_assessment
from recommendations import lifecycle, recommender
from recommendations.models import ModelVersion

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["no version at all", "only an unusable version"])
def no_usable_model(request, monkeypatch):
    """A fresh process with no model to use, in which training raises (and is counted)."""
    trained = []

    def refuse(*args, **kwargs):
        trained.append(args)
        raise AssertionError("a web request trained the model")

    monkeypatch.setattr(recommender, "train", refuse)
    monkeypatch.setattr(lifecycle, "_loaded", {})
    if request.param == "no version at all":
        ModelVersion.objects.all().delete()
    else:
        ModelVersion.objects.update(payload=b"not a model any more")
    return trained


def test_the_pages_of_a_person_answer_without_a_model_and_never_train(client, no_usable_model, finished_assessment):
    assert client.get(reverse("assessment:home")).status_code == 200
    started = client.post(reverse("assessment:start"))
    assert started.status_code == 302
    fresh = start_assessment()
    assert client.get(reverse("assessment:question", args=[fresh.token, 1])).status_code == 200
    results = client.get(reverse("results", args=[finished_assessment.token]))
    assert results.status_code == 200
    assert client.get(reverse("results-json", args=[finished_assessment.token])).status_code == 200
    assert no_usable_model == []


def test_the_health_check_answers_degraded_without_a_model_and_never_trains(client, no_usable_model):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "degraded"
    assert no_usable_model == []


def test_the_admin_pages_and_the_retrain_button_answer_without_a_model_and_never_train(admin_client, no_usable_model):
    assert admin_client.get(reverse("admin:recommendations_modelversion_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:recommendations_modelversion_retrain")).status_code == 200
    queued = admin_client.post(reverse("admin:recommendations_modelversion_retrain"))
    assert queued.status_code == 302
    assert admin_client.get(queued["Location"]).status_code == 200
    assert admin_client.get(reverse("admin_dashboard")).status_code == 200
    assert no_usable_model == []
