"""'My results' tells the attempts kept in an account apart, also two finished in the same minute: each has its
number, its finish time (for people in the text, for programs in <time datetime>) and how many questions it answered."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessment.models import Answer, Assessment
from assessment.services import start_assessment
from tests.conftest import answer_all, strongest, weakest

pytestmark = pytest.mark.django_db
User = get_user_model()


def logged_in_with_attempts(email: str, count: int) -> tuple[Client, list[Assessment]]:
    """A person logged in with `count` attempts kept in their account, all finished in the same minute."""
    user = User.objects.create_user(email, email, "Zollverein-2026!")
    moment = timezone.now().replace(second=0, microsecond=0) - timedelta(days=1)
    attempts = [answer_all(start_assessment(), strongest if n % 2 else weakest) for n in range(count)]
    for n, attempt in enumerate(attempts):
        Assessment.objects.filter(pk=attempt.pk).update(user=user, finished_at=moment + timedelta(seconds=n))
        attempt.refresh_from_db()
    client = Client()
    client.force_login(user)
    return client, attempts


def test_two_attempts_of_the_same_minute_are_told_apart():
    client, (first, second) = logged_in_with_attempts("eva@example.org", 2)
    skipped = list(Answer.objects.filter(assessment=first).values_list("pk", flat=True)[:3])
    Answer.objects.filter(pk__in=skipped).update(option=None)
    html = client.get(reverse("my-results")).content.decode()
    rows = html.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert [row.split("</th>")[0].rsplit(">", 1)[1] for row in rows] == ["2", "1"]  # numbered, newest first
    total = len(first.item_ids)
    assert f"<td>{total}</td>" in rows[0] and f"<td>{total - 3}</td>" in rows[1]  # questions answered
    for row, attempt in zip(rows, (second, first), strict=True):
        moment = timezone.localtime(attempt.finished_at)
        assert f'<time datetime="{moment:%Y-%m-%dT%H:%M:%S%z}">{moment:%d.%m.%Y %H:%M}</time>' in row
    assert 'aria-label="früher: Durchgang 1, abgeschlossen am ' in rows[1]


def test_the_page_asks_the_database_as_often_for_five_attempts_as_for_one():
    def queries_with(attempts: int) -> int:
        client, _ = logged_in_with_attempts(f"person{attempts}@example.org", attempts)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("my-results")).status_code == 200
        return len(queries)

    assert queries_with(1) == queries_with(5)
