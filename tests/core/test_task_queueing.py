"""Queueing a background task from the admin: a second click, or a second admin in the same instant, follows the
run already queued instead of queueing another."""

import threading
import time

import pytest
from django.db import connection, connections
from django_tasks_db.models import DBTaskResult

from assessment import tasks as assessment_tasks
from core import tasks as core_tasks
from recommendations import tasks as recommendation_tasks

QUEUED_FROM_THE_ADMIN = [(recommendation_tasks.retrain, ()), (assessment_tasks.calibrate_items, (500,))]


@pytest.mark.django_db
@pytest.mark.parametrize(("task", "args"), QUEUED_FROM_THE_ADMIN)
def test_a_second_request_follows_the_queued_run(task, args):
    first, queued = core_tasks.enqueue_once(task, *args)
    assert queued
    assert core_tasks.enqueue_once(task, *args) == (first, False)
    assert DBTaskResult.objects.filter(task_path=task.module_path).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once: PostgreSQL")
@pytest.mark.parametrize(("task", "args"), QUEUED_FROM_THE_ADMIN)
def test_two_requests_in_the_same_instant_queue_one_run(task, args, monkeypatch):
    """The first request is held between looking for a queued run and queueing its own; the second, started in
    that moment, must wait for it and then follow its run."""
    looked = threading.Event()
    look = core_tasks.pending

    def slow_look(t):
        found = look(t)
        if threading.current_thread().name == "first":
            looked.set()
            time.sleep(0.5)  # the second request starts now
        return found

    monkeypatch.setattr(core_tasks, "pending", slow_look)
    ids: dict[str, tuple[str, bool]] = {}

    def click(name):
        try:
            ids[name] = core_tasks.enqueue_once(task, *args)
        finally:
            connections.close_all()

    first = threading.Thread(target=click, args=("first",), name="first")
    first.start()
    assert looked.wait(5)
    second = threading.Thread(target=click, args=("second",), name="second")
    second.start()
    first.join(10)
    second.join(10)

    assert ids["first"][1] and ids["second"] == (ids["first"][0], False)
    assert DBTaskResult.objects.filter(task_path=task.module_path).count() == 1
