"""What the admin's list of background tasks says of each task: its name for people and the admin page that follows
one run of it, as the app that owns the task registers them (core knows no app's tasks)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class TaskPage:
    title: Any  # a lazy translation
    url_name: str | None  # the admin URL that follows one run, by the task's id; None: only its details
    allowed: Callable[[HttpRequest, Any], bool]  # whether this person may open it for this task result


PAGES: dict[str, TaskPage] = {}


def register_task_page(
    task_path: str,
    title: Any,
    url_name: str | None = None,
    allowed: Callable[[HttpRequest, Any], bool] = lambda request, task: True,
) -> None:
    """Name the task at `task_path` ("app.tasks.function") for people, and the page that follows a run of it."""
    PAGES[task_path] = TaskPage(title, url_name, allowed)
