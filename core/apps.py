from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class CoreConfig(AppConfig):
    """What any Django site needs and nothing of Revierpfad's own: rate limits, request checks and logs,
    error pages."""

    name = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from core.ratelimit import count_login_failure

        user_login_failed.connect(count_login_failure, dispatch_uid="core.count_login_failure")


class BackgroundTasksConfig(TasksAppConfig):
    """django-tasks-db's app under a name the admin's sidebar says in the admin's language (its own is the English
    "Tasks Database Backend")."""

    # Lazy, as Django's own apps name themselves; the package's class declares a plain str.
    verbose_name = _("Background tasks")  # type: ignore[assignment]
