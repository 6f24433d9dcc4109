"""The background tasks' list in the admin, readable: django-tasks-db's own admin showed "TASK NAME" over code names
("retrain", "calibrate_items"), "Run after" and a raw traceback heading in English, and linked no task to the page
that follows it (a review). The package's admin is replaced here; `core` comes after it in INSTALLED_APPS."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

# What each task does, for people, and the admin page that follows one run of it (by URL name, with the task's id);
# named by path, so that core imports nothing of the apps whose tasks these are.
TASKS = {
    "recommendations.tasks.retrain": (
        _("Retraining the role model"),
        "admin:recommendations_modelversion_retrain_status",
    ),
    "recommendations.tasks.import_courses": (_("Importing courses"), "admin:recommendations_course_import_status"),
    "assessment.tasks.calibrate_items": (
        _("Calibrating the knowledge checks"),
        "admin:assessment_calibrationversion_run_status",
    ),
    "core.housekeeping.daily_clean_up": (_("Daily clean-up (data past its retention period)"), None),
}


def task_title(task_path: str) -> str:
    """The task's name for people; a task this list does not know by its code name."""
    known = TASKS.get(task_path)
    return str(known[0]) if known else task_path.rsplit(".", 1)[-1]


class BackgroundTaskAdmin(DBTaskResultAdmin):
    list_display = ("task", "status", "enqueued_at", "started_at", "finished_at")  # type: ignore[assignment]
    list_display_links = None

    @admin.display(description=_("task"), ordering="task_path")
    def task(self, obj: DBTaskResult):
        """The task's name, linked to the page that follows its run, or to its details."""
        known = TASKS.get(obj.task_path)
        if known and known[1]:
            url = reverse(known[1], args=[obj.id])
        else:
            url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, task_title(obj.task_path))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Its details under the task's name, not "DBTaskResult object (…)"."""
        obj = self.get_object(request, object_id)
        named = {"subtitle": task_title(obj.task_path)} if obj is not None else {}
        return super().change_view(request, object_id, form_url, {**named, **(extra_context or {})})

    @admin.display(description=_("run after"))
    def display_run_after(self, obj: DBTaskResult):
        return super().display_run_after(obj)

    @admin.display(description=_("traceback"))
    def formatted_traceback(self, obj: DBTaskResult) -> str:
        return super().formatted_traceback(obj)


admin.site.unregister(DBTaskResult)
admin.site.register(DBTaskResult, BackgroundTaskAdmin)
