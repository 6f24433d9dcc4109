"""Every kind of admin page the catalogue's admins use, by name and address: every model's list (filters and search
shown), add and change forms, delete confirmations, histories, the start page, the project's own pages (import,
export, retraining, calibration, the dashboard) and the password pages. Read by the axe test
(tests/browser/test_admin_axe.py) and by the test that every page's stylesheets and scripts exist
(tests/admin/test_static_assets.py). The add forms are those a superuser may open: one must exist."""

from __future__ import annotations

from collections.abc import Callable

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
    request.user = User.objects.filter(is_superuser=True).order_by("pk")[0]
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


PAGE_KINDS: dict[str, Callable] = {
    "changelists": changelists,
    "add forms": add_forms,
    "change forms": change_forms,
    "deletes and histories": deletes_and_histories,
    "start, own and account pages": start_own_and_account_pages,
}
