"""Axe finds nothing on any kind of admin page the catalogue's admins use, in German, at a laptop's and a phone's
width: every model's list (filters and search shown), add and change forms (inlines and the two-list filter widget
included), delete confirmations, histories, the start page, the project's own pages (import and its preview,
export, retraining, calibration, the dashboard), login and password change: 70 page kinds.

Before the fixes in templates/admin/, static/admin_extra/ and the inlines (assessment.admin.LabelledCellsMixin), axe
found 484 elements at fault on 36 of them at 1280 px and 37 at 375 px, nearly all in Django's own markup: unnamed
inline boxes (label, select-name, label-title-only), empty column headings, an aria-label on the filter widget's
icon, in-text links told apart by colour alone, a login page without a heading. Nothing is exempted."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.test import RequestFactory
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from assessment import tasks as assessment_tasks
from assessment.models import Competency, Item, Section
from recommendations import tasks as recommendation_tasks
from recommendations.models import ConfirmedOutcome, Course, ModelVersion, Provider, Role
from tests.admin.helpers import admin_url, calibration_with_one_item
from tests.browser.conftest import log_in_to_admin

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("shipped_content")]
PASSWORD = "ein-langes-testpasswort-9"
WIDTHS = [1280, 375]


def first(model):
    return model._default_manager.order_by("pk").first()


def registered() -> list:
    return sorted(admin.site._registry, key=lambda model: model._meta.label)


def one_of_everything() -> None:
    """What the shipped content lacks: a group, a confirmed outcome, a calibration with an item, failed logins and
    history records."""
    Group.objects.create(name="Redaktion")
    ConfirmedOutcome.objects.create(role=first(Role), levels={"agile": 3}, work_style=0.2)
    calibration_with_one_item()
    for model in (Course, Role, Provider, Section, Competency, Item):
        first(model).save()  # a history record to open
    attempt = {"user_agent": "Firefox", "ip_address": "192.0.2.7", "username": "redaktion", "path_info": "/admin/"}
    AccessAttempt.objects.create(**attempt, http_accept="text/html", get_data="", post_data="", failures_since_start=1)
    AccessFailureLog.objects.create(**attempt, http_accept="text/html")


def changelists() -> dict[str, str]:
    urls = {f"list {m._meta.label}": admin_url(m, "changelist") for m in registered()}
    urls["list recommendations.Course, searched and filtered"] = (
        admin_url(Course, "changelist") + "?q=a&active__exact=1"
    )
    return urls


def add_forms() -> dict[str, str]:
    request = RequestFactory().get("/")
    request.user = User.objects.get(username="redaktion")
    return {
        f"add {m._meta.label}": admin_url(m, "add")
        for m in registered()
        if admin.site._registry[m].has_add_permission(request)
    }


def change_forms() -> dict[str, str]:
    urls = {f"change {m._meta.label}": admin_url(first(m)) for m in registered() if first(m) is not None}
    urls["user's password"] = reverse("admin:auth_user_password_change", args=[first(User).pk])
    return urls


def deletes_and_histories() -> dict[str, str]:
    urls = {}
    for model in (Course, Role, Provider, Item, User):
        urls[f"delete {model._meta.label}"] = admin_url(first(model), "delete")
        urls[f"history {model._meta.label}"] = admin_url(first(model), "history")
    for model in (Course, Provider):
        obj = first(model)
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}_simple_history"
        urls[f"historical {model._meta.label}"] = reverse(name, args=[obj.pk, obj.history.first().pk])
    return urls


def start_own_and_account_pages() -> dict[str, str]:
    retraining = recommendation_tasks.retrain.enqueue().id
    calibration = assessment_tasks.calibrate_items.enqueue(80).id
    importing = recommendation_tasks.import_courses.enqueue("none", "csv", None, True).id
    return {
        "index": reverse("admin:index"),
        "app index": reverse("admin:app_list", args=["recommendations"]),
        "dashboard": reverse("admin_dashboard"),
        "import": reverse("admin:recommendations_course_import"),
        "import status": reverse("admin:recommendations_course_import_status", args=[importing]),
        "export": reverse("admin:recommendations_course_export"),
        "retrain": reverse("admin:recommendations_modelversion_retrain"),
        "retrain status": reverse("admin:recommendations_modelversion_retrain_status", args=[retraining]),
        "calibrate": reverse("admin:assessment_calibrationversion_run"),
        "calibrate status": reverse("admin:assessment_calibrationversion_run_status", args=[calibration]),
        "model version": admin_url(first(ModelVersion)),
        "task result": admin_url(first(DBTaskResult)),
        "password change": reverse("admin:password_change"),
        "password change done": reverse("admin:password_change_done"),
    }


def found_by_axe(page) -> dict[str, int]:
    """Rule ids axe finds on the page, each with the number of elements it fails on."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return {violation["id"]: len(violation["nodes"]) for violation in violations}


def listed(found: dict[str, dict[str, int]]) -> str:
    return "\n".join(f"{name}: {rules}" for name, rules in found.items())


PAGE_KINDS: dict[str, Callable] = {
    "changelists": changelists,
    "add forms": add_forms,
    "change forms": change_forms,
    "deletes and histories": deletes_and_histories,
    "start, own and account pages": start_own_and_account_pages,
}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", list(PAGE_KINDS))
def test_axe_finds_nothing_on_the_admins_pages(page, kind, width):
    User.objects.create_superuser("redaktion", "redaktion@example.org", PASSWORD)
    one_of_everything()
    page.set_viewport_size({"width": width, "height": 900})
    log_in_to_admin(page, "redaktion", PASSWORD)
    found = {}
    for name, url in PAGE_KINDS[kind]().items():
        response = page.goto(url)
        assert response is not None and response.status == 200, (name, url)
        found[name] = found_by_axe(page)
    assert len(found) >= 5  # the pages were there to check
    found = {name: rules for name, rules in found.items() if rules}
    assert not found, listed(found)


@pytest.mark.parametrize("width", WIDTHS)
def test_axe_finds_nothing_on_the_login_the_import_preview_or_a_course_whose_rows_are_being_edited(
    page, width, tmp_path
):
    """The login form (and its error), the course form with a competency row added, a row ticked for deletion and a
    prerequisite chosen (which then saves: the rows are found by their new names), deleting selected courses, the import
    preview."""
    User.objects.create_superuser("redaktion", "redaktion@example.org", PASSWORD)
    page.set_viewport_size({"width": width, "height": 900})
    found = {}
    page.goto(reverse("admin:login"))
    found["login"] = found_by_axe(page)
    page.get_by_label("Benutzername").fill("redaktion")
    page.get_by_label("Passwort").fill("falsch")
    page.get_by_role("button", name="Anmelden").click()
    page.locator(".errornote").wait_for()
    found["login refused"] = found_by_axe(page)
    log_in_to_admin(page, "redaktion", PASSWORD)

    course = Course.objects.filter(competencies__isnull=False).order_by("pk").first()
    other = Competency.objects.exclude(courses__course=course).order_by("pk").first()
    page.goto(admin_url(course))
    page.locator(".inline-group .add-row a").click()
    added = page.locator("#competencies-group tr.form-row:not(.has_original, .empty-form)")
    added.get_by_label("Kompetenz", exact=True).select_option(str(other.pk))
    added.get_by_label("Ausgangsstufe").select_option("1")
    added.get_by_label("Zielstufe").select_option("3")
    for saved in page.locator("#competencies-group tr.has_original").all():
        saved.get_by_label("Löschen", exact=True).check()
    page.locator("#id_prerequisites_from option").first.dblclick()
    found["course with its rows edited"] = found_by_axe(page)
    page.get_by_role("button", name="Sichern", exact=True).click()
    page.wait_for_url(f"**{admin_url(Course, 'changelist')}")
    assert set(course.competencies.values_list("competency", "from_level", "to_level")) == {(other.pk, 1, 3)}
    assert course.prerequisites.count() == 1

    page.locator("#result_list tbody input.action-select").first.check()
    page.locator("select[name=action]").select_option("delete_selected")
    page.locator("button[name=index]").click()
    page.locator(".delete-confirmation").wait_for()
    found["delete selected courses"] = found_by_axe(page)

    upload = tmp_path / "kurse.csv"
    upload.write_text(f"slug,hours\n{course.slug},{course.hours + 7}\n", encoding="utf-8")
    page.goto(admin_url(Course, "import"))
    page.locator('input[type="file"]').set_input_files(str(upload))
    page.locator("select[name=format]").select_option(label="csv")
    page.locator('input[type="submit"]').click()
    page.locator("table.import-preview").wait_for()
    assert page.locator("table.import-preview th", has_text="Art der Änderung").count() == 1
    found["import preview"] = found_by_axe(page)
    found = {name: rules for name, rules in found.items() if rules}
    assert not found, listed(found)
