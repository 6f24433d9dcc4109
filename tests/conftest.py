from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from assessment.models import Assessment, Item
from assessment.services import finish_assessment, record_answer, start_assessment

_trained_model_row: dict = {}  # the model trained for the test database, as its row
TEST_PROFILES_PER_ROLE = 120  # a smaller training set keeps the suite quick; accuracy is tested at full size


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database has the shipped content (`load_content`, as after every deploy) and one trained model."""
    from recommendations.content import load_content
    from recommendations.lifecycle import train_and_activate
    from recommendations.models import ModelVersion

    with django_db_blocker.unblock():
        load_content()
        version = train_and_activate(per_role=TEST_PROFILES_PER_ROLE)
        # Kept now, before a transactional test's flush can delete it (see `content_and_model`).
        _trained_model_row.update(ModelVersion.objects.filter(pk=version.pk).values().get())


@pytest.fixture(autouse=True)
def _no_remembered_unusable_models():
    """Each test starts without the versions an earlier test made unusable (its rows were rolled back),
    and without the memory of a missing model already being logged."""
    from recommendations import lifecycle

    lifecycle._unusable.clear()
    lifecycle._missing_reported = None
    lifecycle._none_in_state = None
    yield
    lifecycle._unusable.clear()
    lifecycle._missing_reported = None
    lifecycle._none_in_state = None


@pytest.fixture(autouse=True)
def _no_cached_page_fragments():
    """Each test renders the results page afresh: the per-process cache of its parts
    (`recommendations.presentation.fragment_keys`) would otherwise carry over from earlier tests."""
    from django.core.cache import caches

    caches["fragments"].clear()


def _commits(request) -> bool:
    """Whether the test runs outside a rolled-back transaction: `transactional_db` (the browser tests' server
    needs it) or `@pytest.mark.django_db(transaction=True)`."""
    marker = request.node.get_closest_marker("django_db")
    marked = marker is not None and bool(marker.kwargs.get("transaction", marker.args[0] if marker.args else False))
    return marked or "transactional_db" in request.fixturenames


@pytest.fixture(autouse=True)
def _no_shared_cache_left_by_committed_tests(request, django_db_blocker):
    """A test that commits leaves nothing in the shared cache to the next.

    The shared cache is a database table that no model owns: a test's rollback undoes its rows, but the flush after
    a committing test empties only the models' tables. The start page's finished sittings
    (`assessment.services.finished_sittings`) or a client's rate-limit counter would otherwise outlive the rows
    they were read from. This teardown runs after the database's own, hence the unblocking."""
    yield
    if _commits(request):
        from django.core.cache import caches

        with django_db_blocker.unblock():
            caches["default"].clear()


def run_queued_tasks() -> None:
    """Run every queued background task, as the worker (`manage.py db_worker`) would, then return."""
    import signal
    from unittest import mock

    from django.core.management import call_command

    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        # Inside a test's transaction the worker must keep its connection, as Django's test client
        # keeps it for requests: closing "old" connections would close the test's own.
        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval=0", verbosity=0)
    finally:
        for sig, handler in handlers.items():  # the worker installs its own; pytest keeps its Ctrl+C
            signal.signal(sig, handler)


def answer_all(assessment: Assessment, choose) -> Assessment:
    """Answer every item of an assessment through the service the views use.
    `choose(item, options)` returns the option to pick, or None to skip."""
    items = Item.objects.prefetch_related("options").in_bulk(assessment.item_ids)
    for item_id in assessment.item_ids:
        item = items[item_id]
        record_answer(assessment, item, choose(item, list(item.options.all())))
    finish_assessment(assessment)
    return assessment


def strongest(item: Item, options):
    """The best answer: top self-rating, the right knowledge option, the most architect-like style."""
    if item.kind == Item.Kind.SELF_RATING:
        return max(options, key=lambda o: o.level)
    if item.kind == Item.Kind.KNOWLEDGE:
        return next(o for o in options if o.correct)
    return max(options, key=lambda o: o.style)


def weakest(item: Item, options):
    if item.kind == Item.Kind.SELF_RATING:
        return min(options, key=lambda o: o.level)
    if item.kind == Item.Kind.KNOWLEDGE:
        return next(o for o in options if not o.correct)
    return min(options, key=lambda o: o.style)


def at_level_one(item: Item, options):
    """A person at level 1 in everything who says so: right up to difficulty 1, balanced in style.
    Every role asks for more somewhere, so the page has a learning path of several courses."""
    if item.kind == Item.Kind.SELF_RATING:
        return min(options, key=lambda o: abs(o.level - 1))
    if item.kind == Item.Kind.KNOWLEDGE:
        assert item.difficulty is not None
        return next(o for o in options if o.correct == (item.difficulty <= 1))
    return min(options, key=lambda o: abs(o.style))


@pytest.fixture
def quick_training(monkeypatch):
    """The real training, on the test suite's smaller set of generated people."""
    import functools

    from recommendations import lifecycle

    quick = functools.partial(lifecycle.train_and_activate, per_role=TEST_PROFILES_PER_ROLE)
    monkeypatch.setattr(lifecycle, "train_and_activate", quick)


def keep_in(user, *attempts: Assessment) -> None:
    """Keep finished attempts in `user`'s account as their result pages do (`keep_result`), numbered in this order."""
    from assessment.accounts import keep_result

    for attempt in attempts:
        assert keep_result(user, attempt.token)
        attempt.refresh_from_db(fields=["user", "number"])


@pytest.fixture
def kept_attempts(client, django_user_model):
    """A person logged in with two finished attempts kept in their account, the earlier one weaker."""
    user = django_user_model.objects.create_user("eva@example.org", "eva@example.org", "Zollverein-2026!")
    earlier = answer_all(start_assessment(), weakest)
    later = answer_all(start_assessment(), strongest)
    keep_in(user, earlier, later)
    Assessment.objects.filter(pk=earlier.pk).update(finished_at=timezone.now() - timedelta(days=90))
    client.force_login(user)
    return earlier, later


@pytest.fixture
def assessment(db) -> Assessment:
    return start_assessment()


@pytest.fixture
def finished_assessment(db) -> Assessment:
    return answer_all(start_assessment(), strongest)


@pytest.fixture
def content_and_model(transactional_db):
    """For tests with real transactions (threads, several connections): their database is flushed after
    each test, so load the shipped content (the loaders add what is missing) and the trained model."""
    from assessment.content import sync_question_bank
    from recommendations.content import sync_catalogue, sync_roles
    from recommendations.models import ModelVersion

    sync_question_bank()
    sync_roles()
    sync_catalogue()
    if not ModelVersion.objects.filter(active=True).exists():
        ModelVersion.objects.create(**_trained_model_row)


def choose_path(client, assessment: Assessment, **fields):
    """The results page's picker sent (a target role, limits) as a browser without JavaScript sends it: stored, and the
    page it leads back to (or the page with its errors, 400)."""
    from django.urls import reverse

    return client.post(reverse("results-path", args=[assessment.token]), fields, follow=True)
