"""Model versions in the admin: every version with its metrics, retraining (queued for the worker), activation."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from recommendations import lifecycle, recommender
from recommendations.models import ConfirmedOutcome, ModelVersion, Role
from tests.admin.helpers import admin_url
from tests.conftest import TEST_PROFILES_PER_ROLE, run_queued_tasks

pytestmark = pytest.mark.django_db
RETRAIN_URL = reverse("admin:recommendations_modelversion_retrain")
CHANGELIST_URL = reverse("admin:recommendations_modelversion_changelist")


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_version_list_shows_metrics_and_which_version_is_active(admin_client):
    active = ModelVersion.objects.get(active=True)
    response = admin_client.get(CHANGELIST_URL)
    text = response.content.decode()
    assert active.version in text
    top1 = f"{active.metrics['cv_top1_accuracy'] * 100:.1f}".replace(".", ",")
    assert f"{top1}\u00a0%" in text  # bound to its number in German
    assert "Modell neu trainieren" in text
    assert response.context["cl"].model_admin.has_add_permission(response.wsgi_request) is False


def test_a_version_is_read_only(admin_client):
    version = ModelVersion.objects.get(active=True)
    response = admin_client.get(admin_url(version))
    assert response.status_code == 200
    assert not response.context["adminform"].form.fields
    admin_client.post(admin_url(version), {"version": "x", "active": ""})
    assert ModelVersion.objects.get(pk=version.pk).version == version.version


def test_a_versions_page_gives_when_it_was_made_in_local_time_and_the_admins_format(admin_client):
    """The page of a version said "Erstellt: 2026-12-05 13:59:28.315000+00:00": Python's form of the time, in UTC."""
    import datetime
    from zoneinfo import ZoneInfo

    version = ModelVersion.objects.get(active=True)
    ModelVersion.objects.filter(pk=version.pk).update(
        created_at=datetime.datetime(2026, 12, 5, 13, 59, tzinfo=datetime.UTC)
    )
    text = admin_client.get(admin_url(version), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "+00:00" not in text and "2026-12-05" not in text
    assert "5. Dezember 2026 14:59" in text  # Europe/Berlin
    outcome = ConfirmedOutcome.objects.create(role=Role.objects.first(), levels={"agile": 3}, work_style=0.2)
    ConfirmedOutcome.objects.filter(pk=outcome.pk).update(
        created_at=datetime.datetime(2026, 7, 1, 8, 5, tzinfo=ZoneInfo("UTC"))
    )
    assert "1. Juli 2026 10:05" in admin_client.get(admin_url(outcome), HTTP_ACCEPT_LANGUAGE="de").content.decode()


def test_retraining_from_the_admin_activates_a_new_version_and_reports_its_metrics(admin_client, quick_training):
    previous = ModelVersion.objects.get(active=True)
    page = admin_client.get(RETRAIN_URL)
    assert previous.version in page.content.decode()
    response = admin_client.post(RETRAIN_URL)
    assert response.status_code == 302 and "/retrain/" in response["Location"]
    assert ModelVersion.objects.get(active=True) == previous  # queued, not trained in the request
    run_queued_tasks()
    current = ModelVersion.objects.get(active=True)
    assert current.pk != previous.pk
    top1 = f"{current.metrics['cv_top1_accuracy'] * 100:.1f}".replace(".", ",")
    status = admin_client.get(response["Location"]).content.decode()
    size = f"{current.training_size:,}".replace(",", ".")  # "3.300" as the list writes it, not "3300"
    assert current.version in status and top1 in status and f"über {size} Personen" in status
    assert current.training_size >= TEST_PROFILES_PER_ROLE * Role.objects.active().count()
    detail = admin_client.get(admin_url(current)).content.decode()
    first = Role.objects.get(slug=current.roles[0])
    assert first.name_de in detail and ", ".join(current.roles[:2]) not in detail  # the roles by name


def test_a_failed_retraining_says_so_and_keeps_the_active_version(admin_client, monkeypatch):
    previous = ModelVersion.objects.get(active=True)

    def broken(*args, **kwargs):
        raise RuntimeError("no memory left")

    monkeypatch.setattr(recommender, "train", broken)
    response = admin_client.post(RETRAIN_URL)
    assert response.status_code == 302
    run_queued_tasks()
    assert ModelVersion.objects.get(active=True).pk == previous.pk
    assert ModelVersion.objects.count() == ModelVersion.objects.filter(pk=previous.pk).count()
    status = admin_client.get(response["Location"]).content.decode()
    assert "no memory left" in status and previous.version in status and "fehlgeschlagen" in status


def test_retraining_needs_the_permission_to_add_model_versions(client, django_user_model):
    staff = django_user_model.objects.create_user("redaktion", password="x-unknown-2", is_staff=True)
    client.force_login(staff)
    assert client.post(RETRAIN_URL).status_code == 403


def test_an_earlier_version_can_be_activated_again(admin_client, quick_training):
    previous = ModelVersion.objects.get(active=True)
    admin_client.post(RETRAIN_URL)
    run_queued_tasks()
    assert not ModelVersion.objects.get(pk=previous.pk).active
    response = admin_client.post(
        CHANGELIST_URL, {"action": "activate_version", "_selected_action": [previous.pk], "index": 0}
    )
    assert response.status_code == 302
    assert ModelVersion.objects.get(active=True).pk == previous.pk
    assert lifecycle.active_model().version == previous.version


def test_a_role_change_after_training_is_pointed_out(admin_client):
    assert "errornote" not in admin_client.get(CHANGELIST_URL).content.decode()
    role = Role.objects.first()
    role.work_style = -role.work_style or 0.1
    role.save()
    assert "Trainieren Sie das Modell neu" in admin_client.get(CHANGELIST_URL).content.decode().split("errornote", 1)[1]


def test_a_role_deactivated_after_training_is_said_to_leave_role_fit_to_the_transparent_match(admin_client):
    """After a role was deleted the page said the model ranks with the current requirements, while role fit had
    stopped using it (trained for other roles) and ranked by the transparent match (an admin review)."""
    Role.objects.filter(pk=Role.objects.order_by("slug").first().pk).update(active=False)
    notice = admin_client.get(CHANGELIST_URL).content.decode().split("errornote", 1)[1]
    assert "für andere Rollen trainiert" in notice and "nachvollziehbaren Passung" in notice
    assert "Trainieren Sie das Modell neu" not in notice
    ModelVersion.objects.update(active=False)
    notice = admin_client.get(CHANGELIST_URL).content.decode().split("errornote", 1)[1]
    assert notice.startswith('">Keine Modellversion ist aktiv')


def an_outcome(**fields) -> ConfirmedOutcome:
    values = {"role": Role.objects.get(slug="it_architect"), "relation": "holds", "levels": {}, "work_style": 0.0}
    return ConfirmedOutcome.objects.create(**(values | fields))


def test_an_admin_excludes_an_implausible_outcome_from_training_and_includes_it_again(admin_client):
    outcome, other = an_outcome(), an_outcome()
    url = reverse("admin:recommendations_confirmedoutcome_changelist")
    response = admin_client.post(url, {"action": "exclude_from_training", "_selected_action": [outcome.pk]})
    assert response.status_code == 302
    assert any("ausgeschlossen" in m for m in messages_of(response))
    assert list(ConfirmedOutcome.objects.for_training()) == [other]
    excluded_list = admin_client.get(url, {"excluded__exact": "1"}).content.decode()
    assert "vom Training ausgeschlossen" in excluded_list  # the filter and the column
    assert list(admin_client.get(url, {"excluded__exact": "1"}).context["cl"].result_list) == [outcome]
    admin_client.post(url, {"action": "include_in_training", "_selected_action": [outcome.pk]})
    assert set(ConfirmedOutcome.objects.for_training()) == {outcome, other}


def test_reviewing_outcomes_needs_the_permission_to_change_them(client, django_user_model):
    outcome = an_outcome()
    staff = django_user_model.objects.create_user("redaktion", password="x-unknown-2", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_confirmedoutcome"))
    client.force_login(staff)
    url = reverse("admin:recommendations_confirmedoutcome_changelist")
    client.post(url, {"action": "exclude_from_training", "_selected_action": [outcome.pk]})
    assert not ConfirmedOutcome.objects.get(pk=outcome.pk).excluded


def test_a_version_says_what_it_learned_from_and_that_its_cv_figures_are_not_about_real_people(admin_client):
    version = ModelVersion.objects.get(active=True)
    text = admin_client.get(admin_url(version)).content.decode()
    assert "An echten Ergebnissen gemessen" in text
    assert "nicht wie gut es echte Menschen einordnet" in text


def test_activating_a_version_trained_for_other_roles_warns_that_role_fit_will_not_use_it(admin_client):
    previous = ModelVersion.objects.get(active=True)
    other = ModelVersion.objects.create(
        version="older",
        format_version=previous.format_version,
        sklearn_version=previous.sklearn_version,
        payload=previous.payload,
        training_data_hash=previous.training_data_hash,
        training_size=previous.training_size,
        metrics=previous.metrics,
        roles=previous.roles[:-1],  # trained before a role was added
        active=False,
    )
    response = admin_client.post(
        CHANGELIST_URL, {"action": "activate_version", "_selected_action": [other.pk], "index": 0}
    )
    assert any("für andere Rollen" in message for message in messages_of(response))
    assert "errornote" in admin_client.get(CHANGELIST_URL).content.decode()
    admin_client.post(CHANGELIST_URL, {"action": "activate_version", "_selected_action": [previous.pk], "index": 0})
    assert "errornote" not in admin_client.get(CHANGELIST_URL).content.decode()


def test_a_new_version_keeps_each_folds_accuracy_and_shows_its_figures_with_their_90_percent_range(
    admin_client, quick_training
):
    admin_client.post(RETRAIN_URL)
    run_queued_tasks()
    metrics = ModelVersion.objects.get(active=True).metrics
    for name in ("top1", "top3"):
        folds = metrics[f"cv_{name}_folds"]
        assert len(folds) == metrics["cv_folds"]
        low, high = recommender.cv_range(metrics, name)
        assert low <= metrics[f"cv_{name}_accuracy"] <= high
        assert high - low > 0 or len(set(folds)) == 1  # the folds disagree: the figure is not exact
    low, high = recommender.cv_range(metrics, "top1")
    shown = f"({low * 100:.1f}–{high * 100:.1f}\u00a0%)".replace(".", ",")
    text = admin_client.get(CHANGELIST_URL).content.decode()
    assert "Top-1 (KV, 90-Prozent-Bereich)" in text
    assert shown in text


def test_a_version_trained_before_the_folds_were_kept_says_it_has_no_range(admin_client):
    version = ModelVersion.objects.get(active=True)
    version.metrics = {k: v for k, v in version.metrics.items() if not k.endswith("_folds")}
    version.save(update_fields=["metrics"])
    text = admin_client.get(admin_url(version)).content.decode()
    top1 = f"{version.metrics['cv_top1_accuracy'] * 100:.1f}".replace(".", ",")
    assert f"{top1}\u00a0% (kein Bereich gespeichert)" in text


def test_the_range_of_a_cross_validated_figure_widens_with_the_spread_of_its_folds():
    steady = {"cv_top1_accuracy": 0.8, "cv_top1_folds": [0.79, 0.8, 0.81, 0.8, 0.8]}
    shaky = {"cv_top1_accuracy": 0.8, "cv_top1_folds": [0.74, 0.86, 0.78, 0.83, 0.79]}
    (low_a, high_a), (low_b, high_b) = recommender.cv_range(steady, "top1"), recommender.cv_range(shaky, "top1")
    assert low_b < low_a < 0.8 < high_a < high_b
    assert recommender.cv_range({"cv_top1_accuracy": 0.8}, "top1") is None
