"""django-tasks-db's app under a name the admin says in its own language (INSTALLED_APPS names this class).

Not in core/apps.py: Django takes the only AppConfig of an app's `apps` module as its default, and a second one
there would leave `core` without its own (and its `ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class BackgroundTasksConfig(TasksAppConfig):
    """The package's own name is the English "Tasks Database Backend"."""

    # Lazy, as Django's own apps name themselves; the package's class declares a plain str.
    verbose_name = _("Background tasks")  # type: ignore[assignment]
