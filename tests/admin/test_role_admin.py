"""Target roles in the admin: required levels inline, a hint to retrain, roles with real outcomes kept."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from assessment.models import Competency
from recommendations.catalogue import snapshot
from recommendations.models import ConfirmedOutcome, Role, RoleRequirement, StoredResult
from tests.admin.helpers import admin_url, errors_of, form_data, inline_prefix, inline_rows, set_inline_row

pytestmark = pytest.mark.django_db


def test_a_required_level_is_edited_inline_and_recorded(admin_client, admin_user):
    role = Role.objects.order_by("order").first()
    response = admin_client.get(admin_url(role))
    data = form_data(response)
    prefix = inline_prefix(response, RoleRequirement)
    requirement = RoleRequirement.objects.get(pk=data[f"{prefix}-0-id"])
    new_level = 1 if requirement.level != 1 else 2
    set_inline_row(data, prefix, 0, level=new_level)
    response = admin_client.post(admin_url(role), data)
    assert response.status_code == 302
    requirement.refresh_from_db()
    assert requirement.level == new_level
    assert requirement.history.latest().history_user == admin_user
    spec = next(r for r in snapshot().roles if r.slug == role.slug)
    assert new_level in spec.requirements
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("Modell jetzt neu trainieren" in m for m in messages)
    assert any("Gespeicherte Ergebnisse nennen die Rollen, wie sie waren" in m for m in messages)


def test_an_editor_who_may_not_retrain_is_told_whom_to_ask_not_linked_to_a_refusal(client, django_user_model):
    """An editor allowed to change roles but not to train models was sent to the retraining page, a 403 (a review)."""
    editor = django_user_model.objects.create_user("redaktion", password="x-unknown-4", is_staff=True)
    codenames = ["view_role", "change_role", "view_rolerequirement", "change_rolerequirement"]
    editor.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(editor)
    role = Role.objects.order_by("order").first()
    response = client.get(admin_url(role))
    data = form_data(response)
    prefix = inline_prefix(response, RoleRequirement)
    requirement = RoleRequirement.objects.get(pk=data[f"{prefix}-0-id"])
    set_inline_row(data, prefix, 0, level=1 if requirement.level != 1 else 2)
    response = client.post(admin_url(role), data)
    assert response.status_code == 302
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("Bitten Sie eine Administratorin oder einen Administrator" in m for m in messages)
    assert not any(reverse("admin:recommendations_modelversion_retrain") in m for m in messages)


def test_a_competency_is_required_once_per_role(admin_client):
    role = Role.objects.order_by("order").first()
    response = admin_client.get(admin_url(role))
    data = form_data(response)
    prefix = inline_prefix(response, RoleRequirement)
    rows = inline_rows(data, prefix)
    set_inline_row(data, prefix, len(rows), competency=data[f"{prefix}-0-competency"], level=2)
    response = admin_client.post(admin_url(role), data)
    assert response.status_code == 400
    assert "Bitte die doppelten Daten für Kompetenz korrigieren." in errors_of(response)  # not "für competency"


def test_a_new_role_starts_with_a_row_per_competency(admin_client):
    response = admin_client.get(admin_url(Role, "add"))
    prefix = inline_prefix(response, RoleRequirement)
    data = form_data(response)
    assert len(inline_rows(data, prefix)) == Competency.objects.count()
    data.update(slug="cloud_engineer", name_de="Cloud-Ingenieurin", name_en="Cloud engineer")
    data.update(description_de="Betreibt Cloud-Plattformen.", description_en="Runs cloud platforms.", work_style="0.3")
    set_inline_row(data, prefix, 0, level=4)
    assert admin_client.post(admin_url(Role, "add"), data).status_code == 302
    role = Role.objects.get(slug="cloud_engineer")
    assert list(role.requirements.values_list("level", flat=True)) == [4]


@pytest.mark.parametrize("levels", [{}, {0: 0, 1: 0, 2: 0}], ids=["rows untouched", "every level 0"])
def test_a_role_that_requires_nothing_is_refused(admin_client, levels):
    """Everyone meets such a role in full: it ranked first for a beginner, at 100 %, with no course needed."""
    response = admin_client.get(admin_url(Role, "add"))
    prefix = inline_prefix(response, RoleRequirement)
    data = form_data(response)
    data.update(slug="empty_role", name_de="Leere Rolle", name_en="Empty role", work_style="0")
    data.update(description_de="Nichts.", description_en="Nothing.")
    for row, level in levels.items():
        set_inline_row(data, prefix, row, level=level)
    response = admin_client.post(admin_url(Role, "add"), data)
    assert response.status_code == 400
    assert any("mindestens eine geforderte Stufe von 1 oder mehr" in e for e in errors_of(response))
    assert not Role.objects.filter(slug="empty_role").exists()


@pytest.mark.parametrize(
    ("field", "value"), [("work_style", "1.2"), ("salary_min_eur", "9000"), ("esco_uri", "ftp://example.org/x")]
)
def test_a_role_is_validated(admin_client, field, value):
    role = Role.objects.filter(salary_max_eur__isnull=False).order_by("order").first()
    response = admin_client.get(admin_url(role))
    data = form_data(response)
    data[field] = value
    response = admin_client.post(admin_url(role), data)
    assert response.status_code == 400
    assert errors_of(response)


def refused_delete(admin_client, role: Role) -> str:
    """The delete page of `role` (its text), after checking that confirming it deletes nothing."""
    page = admin_client.get(admin_url(role, "delete")).content.decode()
    admin_client.post(admin_url(role, "delete"), {"post": "yes"})
    assert Role.objects.filter(pk=role.pk).exists()
    return page


def role_action(admin_client, action: str, role: Role, **extra) -> None:
    changelist = reverse("admin:recommendations_role_changelist")
    admin_client.post(changelist, {"action": action, "_selected_action": [role.pk], "index": 0, **extra})


def test_a_role_with_confirmed_outcomes_is_deactivated_not_deleted(admin_client):
    role = Role.objects.order_by("order").first()
    ConfirmedOutcome.objects.create(role=role, levels={"agile": 2}, work_style=0.0)
    assert "bestätigte Ergebnisse" in refused_delete(admin_client, role)
    role_action(admin_client, "deactivate_selected", role)
    assert role.slug not in [r.slug for r in snapshot().roles]


def test_a_work_style_with_a_german_decimal_comma_is_saved(admin_client):
    role = Role.objects.order_by("order").first()
    data = form_data(admin_client.get(admin_url(role)))
    data["work_style"] = "-0,4"
    assert admin_client.post(admin_url(role), data).status_code == 302
    role.refresh_from_db()
    assert role.work_style == -0.4


def test_a_role_a_stored_learning_path_leads_to_is_deactivated_not_deleted(admin_client, client, finished_assessment):
    """Deleted, the stored result lost the role its path leads to: the page showed the path under "Choose a role"."""
    client.get(reverse("results", args=[finished_assessment.token]))  # stores the result and its path
    target = StoredResult.objects.get(assessment=finished_assessment).document["path"]["target_role"]
    role = Role.objects.get(slug=target)
    assert "1 gespeichertes Ergebnis führt seinen Lernpfad zu" in refused_delete(admin_client, role)
    role_action(admin_client, "delete_selected", role, post="yes")
    assert Role.objects.filter(pk=role.pk).exists()  # the bulk action refuses too


def test_deleting_a_role_the_active_model_was_trained_for_is_pointed_out(admin_client):
    """The model ranks only the roles it was trained for: after a delete every result was ranked by the transparent
    match, and nothing in the admin said so (the check looked only at the roles' last change)."""
    versions = reverse("admin:recommendations_modelversion_changelist")
    assert "errornote" not in admin_client.get(versions).content.decode()
    role = Role.objects.order_by("-order").first()
    admin_client.post(admin_url(role, "delete"), {"post": "yes"})
    assert not Role.objects.filter(pk=role.pk).exists()
    notice = admin_client.get(versions).content.decode().split("errornote", 1)[1]
    assert "für andere Rollen trainiert" in notice and "bis das Modell neu trainiert ist" in notice


def test_catalogue_rows_are_named_by_names_not_slugs_in_the_admins_lists():
    """Delete pages and the history listed "nc-299: change_resilience 1->3"."""
    from django.utils import translation

    from assessment.models import LevelDescriptor
    from recommendations.models import CourseCompetency

    requirement = RoleRequirement.objects.select_related("role", "competency").order_by("pk").first()
    link = CourseCompetency.objects.select_related("course", "competency").order_by("pk").first()
    descriptor = LevelDescriptor.objects.select_related("competency").order_by("pk").first()
    with translation.override("de"):
        assert (
            str(requirement)
            == f"{requirement.role.name_de}: {requirement.competency.name_de}, Stufe {requirement.level}"
        )
        assert str(link) == (
            f"{link.course.title_de}: {link.competency.name_de}, Stufe {link.from_level} bis {link.to_level}"
        )
        assert str(descriptor) == f"{descriptor.competency.name_de}, Stufe {descriptor.level}"
    with translation.override("en"):
        assert (
            str(requirement)
            == f"{requirement.role.name_en}: {requirement.competency.name_en}, level {requirement.level}"
        )


def test_the_role_forms_run_the_same_queries_however_many_requirement_rows_they_show(admin_client):
    """Each row's competency list ran its own query: 135 queries for the add form with 130 competencies."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    role = Role.objects.order_by("order").first()

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url).status_code == 200
        return len(captured)

    queries(admin_url(Role, "add")), queries(admin_url(role))  # what a first request caches
    before = queries(admin_url(Role, "add")), queries(admin_url(role))
    section = Competency.objects.first().section
    for index in range(8):
        competency = Competency.objects.create(slug=f"extra-{index}", name_de=f"Extra {index}", section=section)
        RoleRequirement.objects.create(role=role, competency=competency, level=1)
    assert (queries(admin_url(Role, "add")), queries(admin_url(role))) == before
