"""An attempt kept in an account has a number there that never changes: "Durchgang 3" stays the same attempt when
another is deleted, on "My results", in the comparison and on its results page. Numbered through the ORM alone, so
on SQLite and PostgreSQL alike (the suite runs on both)."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessment.models import Assessment, AttemptNumbering
from assessment.services import number_in_account, start_assessment
from recommendations.presentation import kept_attempts
from tests.conftest import answer_all, strongest, weakest

User = get_user_model()
PASSWORD = "Zollverein-2026!"


def logged_in(email: str = "eva@example.org") -> tuple[Client, object]:
    user = User.objects.create_user(email, email, PASSWORD)
    client = Client()
    client.force_login(user)
    return client, user


def kept_by_button(client: Client, choose=strongest) -> Assessment:
    """A finished attempt begun without an account, kept with "In meinem Konto aufbewahren" on its results page."""
    attempt = answer_all(start_assessment(), choose)
    assert client.post(reverse("keep-in-account", args=[attempt.token])).status_code == 302
    attempt.refresh_from_db()
    return attempt


def listed_numbers(client: Client) -> list[str]:
    """The numbers in the first column of "My results", top to bottom."""
    body = client.get(reverse("my-results")).content.decode().split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r'<th scope="row">(\d+)</th>', body)


@pytest.mark.django_db
def test_deleting_the_first_of_three_attempts_leaves_the_others_their_numbers():
    client, _user = logged_in()
    first, second, third = (kept_by_button(client, choose) for choose in (weakest, strongest, weakest))
    assert [first.number, second.number, third.number] == [1, 2, 3]
    assert listed_numbers(client) == ["3", "2", "1"]

    assert client.post(reverse("delete-results", args=[first.token])).status_code == 302
    assert listed_numbers(client) == ["3", "2"]  # it said 2, 1: "Durchgang 3" had become "Durchgang 2"
    compared = client.get(reverse("compare"), {"vorher": second.token, "nachher": third.token}).content.decode()
    assert re.search(r"Durchgang 2 \(abgeschlossen am [^)]*\) im Vergleich mit Durchgang 3 ", compared)
    results = client.get(reverse("results", args=[third.token])).content.decode()
    assert "Dieser Durchgang ist in Ihrem Konto als Durchgang 3 gespeichert." in results
    client.cookies["django_language"] = "en"
    results = client.get(reverse("results", args=[third.token])).content.decode()
    assert "This attempt is kept in your account as attempt 3." in results

    # nor does a number stand for two attempts: the one after the deleted newest gets the next
    assert client.post(reverse("delete-results", args=[third.token])).status_code == 302
    assert kept_by_button(client).number == 4
    assert listed_numbers(client) == ["4", "2"]


@pytest.mark.django_db
def test_an_attempt_without_a_number_comes_last_on_every_database():
    """Every kept attempt is numbered; should one ever lack a number, PostgreSQL would sort it first and SQLite
    last under a plain descending order."""
    client, user = logged_in()
    first, second = kept_by_button(client), kept_by_button(client, weakest)
    Assessment.objects.filter(pk=first.pk).update(number=None)
    assert [kept.assessment.pk for kept in kept_attempts(user)] == [second.pk, first.pk]


@pytest.mark.django_db
def test_each_account_counts_its_own_attempts_and_keeping_again_changes_no_number():
    eva, _ = logged_in("eva@example.org")
    kai, _ = logged_in("kai@example.org")
    assert kept_by_button(eva).number == 1
    assert kept_by_button(kai).number == 1
    second = kept_by_button(eva)
    assert second.number == 2
    assert eva.post(reverse("keep-in-account", args=[second.token])).status_code == 302  # pressed again
    assert number_in_account(second) == 2
    assert Assessment.objects.get(pk=second.pk).number == 2
    assert number_in_account(answer_all(start_assessment(), strongest)) is None  # in no account: no number


@pytest.mark.django_db
def test_an_attempt_kept_by_signing_up_from_its_result_is_numbered(client):
    """The other way into an account: "Konto anlegen" on the results page keeps the attempt once it is confirmed."""
    from tests.assessment.test_signup import sign_up_and_confirm

    attempt = answer_all(start_assessment(), strongest)
    results = reverse("results", args=[attempt.token])
    assert sign_up_and_confirm(client, next=results, keep=attempt.token).status_code == 302
    attempt.refresh_from_db()
    assert attempt.user is not None and attempt.number == 1
    assert AttemptNumbering.objects.get(user=attempt.user).last_number == 1


def test_attempts_kept_at_the_same_moment_get_numbers_of_their_own(content_and_model):
    """Four attempts kept in parallel (two tabs, two devices): four numbers, none given twice, on both databases;
    and one attempt kept from two tabs at once has one number."""
    user = User.objects.create_user("eva@example.org", "eva@example.org", PASSWORD)
    attempts = [answer_all(start_assessment(), strongest) for _ in range(4)]
    twice = attempts[0]
    barrier = threading.Barrier(5)
    statuses: list[int] = []

    def keep(attempt: Assessment) -> None:
        try:
            client = Client()
            client.force_login(user)
            barrier.wait(timeout=30)
            statuses.append(client.post(reverse("keep-in-account", args=[attempt.token])).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=keep, args=(attempt,)) for attempt in [*attempts, twice]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == [302] * 5
    numbers = sorted(Assessment.objects.filter(user=user).values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4]
    assert AttemptNumbering.objects.get(user=user).last_number == 4


@pytest.mark.django_db(transaction=True)
def test_the_migration_numbers_the_attempts_kept_before_by_when_they_ended():
    """Kept attempts had no number of their own ("My results" counted them): the migration gives each the number
    the page showed, by when it ended (then by when it began), one being sharpened after them, and each account
    goes on from its last one."""
    before, after = [("assessment", "0010_limits_written_for_people")], [("assessment", "0011_attempt_numbers")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        OldUser, OldAssessment = old.get_model("auth", "User"), old.get_model("assessment", "Assessment")
        eva = OldUser.objects.create(username="eva@example.org", email="eva@example.org")
        kai = OldUser.objects.create(username="kai@example.org", email="kai@example.org")
        now = timezone.now()

        def attempt(user, finished_days_ago: int | None, sharpening: bool = False, started_days_ago: int = 100):
            return OldAssessment.objects.create(
                token=f"t{OldAssessment.objects.count()}",
                user=user,
                created_at=now - timedelta(days=started_days_ago),
                finished_at=None if finished_days_ago is None else now - timedelta(days=finished_days_ago),
                sharpen_until=12 if sharpening else None,
            ).pk

        latest = attempt(eva, 1)
        earliest = attempt(eva, 30)
        sharpened = attempt(eva, None, sharpening=True)
        middle = attempt(eva, 10)
        same_moment = [attempt(kai, 5, started_days_ago=days) for days in (6, 7)]  # ended together, begun apart
        unfinished = attempt(None, None)  # anonymous, not finished: no account, no number

        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
        numbers = dict(Assessment.objects.values_list("pk", "number"))
        assert [numbers[pk] for pk in (earliest, middle, latest, sharpened)] == [1, 2, 3, 4]
        assert [numbers[pk] for pk in same_moment] == [2, 1]
        assert numbers[unfinished] is None
        assert dict(AttemptNumbering.objects.values_list("user_id", "last_number")) == {eva.pk: 4, kai.pk: 2}
        # ... and goes on from there
        assert number_in_account(Assessment.objects.create(token="new", user_id=eva.pk, finished_at=now)) == 5
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
