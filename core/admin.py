"""The background tasks' list in the admin, readable: django-tasks-db's own admin showed "TASK NAME" over code names
("retrain", "calibrate_items"), "Run after" and a raw traceback heading in English, and linked no task to the page
that follows it (a review). The package's admin is replaced here (`core` comes after it in INSTALLED_APPS); the apps
name their tasks with `core.task_pages.register_task_page`."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from core.task_pages import PAGES, register_task_page

register_task_page("core.housekeeping.daily_clean_up", _("Daily clean-up (data past its retention period)"))


def task_title(task_path: str) -> str:
    """The task's name for people; a task no app has named, by its code name."""
    page = PAGES.get(task_path)
    return str(page.title) if page else task_path.rsplit(".", 1)[-1]


class BackgroundTaskAdmin(DBTaskResultAdmin):
    list_display_links = ("task",)

    def get_list_display(self, request):
        """The task by name (to its details), its state and times, and a link to the page that follows its run for an
        admin who may open that page (bound to this request: a ModelAdmin serves every thread)."""

        @admin.display(description=_("progress and outcome"))
        def run_page(obj: DBTaskResult) -> str:
            page = PAGES.get(obj.task_path)
            if page is None or page.url_name is None or not page.allowed(request, obj):
                return ""
            return format_html('<a href="{}">{}</a>', reverse(page.url_name, args=[obj.id]), _("open"))

        return ("task", "status", "enqueued_at", "started_at", "finished_at", run_page)

    @admin.display(description=_("task"), ordering="task_path")
    def task(self, obj: DBTaskResult) -> str:
        return task_title(obj.task_path)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Its details under the task's name, not "DBTaskResult object (…)"."""
        obj = self.get_object(request, object_id)
        named = {"subtitle": task_title(obj.task_path)} if obj is not None else {}
        return super().change_view(request, object_id, form_url, {**named, **(extra_context or {})})

    def history_view(self, request, object_id, extra_context=None):
        """Its history page under the task's name too: title, heading and breadcrumb."""
        obj = self.get_object(request, object_id)
        named = {}
        if obj is not None:
            name = task_title(obj.task_path)
            named = {"title": gettext("Change history: %s") % name, "task_name": name}
        return super().history_view(request, object_id, {**named, **(extra_context or {})})

    @admin.display(description=_("run after"))
    def display_run_after(self, obj: DBTaskResult):
        return super().display_run_after(obj)

    @admin.display(description=_("traceback"))
    def formatted_traceback(self, obj: DBTaskResult) -> str:
        return super().formatted_traceback(obj)


admin.site.unregister(DBTaskResult)
admin.site.register(DBTaskResult, BackgroundTaskAdmin)
