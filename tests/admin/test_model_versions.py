"""Model versions in the admin: every version with its metrics, retraining from the admin, activation."""

from __future__ import annotations

import functools

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from recommendations import recommender, services
from recommendations.models import ModelVersion, Role
from tests.admin.helpers import admin_url
from tests.conftest import TEST_PROFILES_PER_ROLE

pytestmark = pytest.mark.django_db
RETRAIN_URL = reverse("admin:recommendations_modelversion_retrain")
CHANGELIST_URL = reverse("admin:recommendations_modelversion_changelist")


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def quick_training(monkeypatch):
    """The real training, on the test suite's smaller set of generated people."""
    monkeypatch.setattr(
        services, "train_and_activate", functools.partial(services.train_and_activate, per_role=TEST_PROFILES_PER_ROLE)
    )


def test_the_version_list_shows_metrics_and_which_version_is_active(admin_client):
    active = ModelVersion.objects.get(active=True)
    response = admin_client.get(CHANGELIST_URL)
    text = response.content.decode()
    assert active.version in text
    top1 = f"{active.metrics['cv_top1_accuracy'] * 100:.1f}".replace(".", ",")
    assert f"{top1} %" in text
    assert "Modell neu trainieren" in text
    assert response.context["cl"].model_admin.has_add_permission(response.wsgi_request) is False


def test_a_version_is_read_only(admin_client):
    version = ModelVersion.objects.get(active=True)
    response = admin_client.get(admin_url(version))
    assert response.status_code == 200
    assert not response.context["adminform"].form.fields
    admin_client.post(admin_url(version), {"version": "x", "active": ""})
    assert ModelVersion.objects.get(pk=version.pk).version == version.version


def test_retraining_from_the_admin_activates_a_new_version_and_reports_its_metrics(admin_client, quick_training):
    previous = ModelVersion.objects.get(active=True)
    page = admin_client.get(RETRAIN_URL)
    assert previous.version in page.content.decode()
    response = admin_client.post(RETRAIN_URL)
    assert response.status_code == 302 and response["Location"] == CHANGELIST_URL
    current = ModelVersion.objects.get(active=True)
    assert current.pk != previous.pk
    top1 = f"{current.metrics['cv_top1_accuracy'] * 100:.1f}".replace(".", ",")
    assert any(current.version in m and top1 in m and str(current.training_size) in m for m in messages_of(response))
    assert current.training_size >= TEST_PROFILES_PER_ROLE * Role.objects.active().count()


def test_a_failed_retraining_says_so_and_keeps_the_active_version(admin_client, monkeypatch):
    previous = ModelVersion.objects.get(active=True)

    def broken(*args, **kwargs):
        raise RuntimeError("no memory left")

    monkeypatch.setattr(recommender, "train", broken)
    response = admin_client.post(RETRAIN_URL)
    assert response.status_code == 302
    assert ModelVersion.objects.get(active=True).pk == previous.pk
    assert ModelVersion.objects.count() == ModelVersion.objects.filter(pk=previous.pk).count()
    message = next(m for m in messages_of(response) if "no memory left" in m)
    assert previous.version in message and "fehlgeschlagen" in message


def test_retraining_needs_the_permission_to_add_model_versions(client, django_user_model):
    staff = django_user_model.objects.create_user("redaktion", password="x-unknown-2", is_staff=True)
    client.force_login(staff)
    assert client.post(RETRAIN_URL).status_code == 403


def test_an_earlier_version_can_be_activated_again(admin_client, quick_training):
    previous = ModelVersion.objects.get(active=True)
    admin_client.post(RETRAIN_URL)
    assert not ModelVersion.objects.get(pk=previous.pk).active
    response = admin_client.post(
        CHANGELIST_URL, {"action": "activate_version", "_selected_action": [previous.pk], "index": 0}
    )
    assert response.status_code == 302
    assert ModelVersion.objects.get(active=True).pk == previous.pk
    assert services.active_model().version == previous.version


def test_a_role_change_after_training_is_pointed_out(admin_client):
    assert "errornote" not in admin_client.get(CHANGELIST_URL).content.decode()
    role = Role.objects.first()
    role.work_style = -role.work_style or 0.1
    role.save()
    assert "neu trainieren" in admin_client.get(CHANGELIST_URL).content.decode().split("errornote", 1)[1]
