"""'My results' tells the attempts kept in an account apart, also two finished in the same minute: each has its
number, its finish time (for people in the text, for programs in <time datetime>), how many questions it answered and
the role its result page puts first (both when the page calls two about level, none when it gives no ranking)."""

from __future__ import annotations

import random
import re
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
from recommendations.results import result_for
from tests.conftest import answer_all, keep_in, strongest, weakest

pytestmark = pytest.mark.django_db
User = get_user_model()


def logged_in_with_attempts(email: str, count: int, choose=None) -> tuple[Client, list[Assessment]]:
    """A person logged in with `count` attempts kept in their account, all finished in the same minute, each with
    the result its page stored (an attempt is kept from its result page)."""
    user = User.objects.create_user(email, email, "Zollverein-2026!")
    moment = timezone.now().replace(second=0, microsecond=0) - timedelta(days=1)
    attempts = [answer_all(start_assessment(), choose or (strongest if n % 2 else weakest)) for n in range(count)]
    for n, attempt in enumerate(attempts):
        keep_in(user, attempt)
        Assessment.objects.filter(pk=attempt.pk).update(finished_at=moment + timedelta(seconds=n))
        attempt.refresh_from_db()
        result_for(attempt)
    client = Client()
    client.force_login(user)
    return client, attempts


def table_rows(html: str) -> list[str]:
    return html.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]


def first_role_cell(row: str) -> str:
    """The text cell after "Open" (and the two choices to compare, with two attempts or more): the role the attempt
    puts first."""
    return re.findall(r'<td class="text">(.*?)</td>', row, re.S)[1].replace("\u00ad", "")


def test_two_attempts_of_the_same_minute_are_told_apart():
    client, (first, second) = logged_in_with_attempts("eva@example.org", 2)
    skipped = list(Answer.objects.filter(assessment=first).values_list("pk", flat=True)[:3])
    Answer.objects.filter(pk__in=skipped).update(option=None)
    html = client.get(reverse("my-results")).content.decode()
    rows = table_rows(html)
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


def test_each_attempt_names_the_role_its_result_page_puts_first(client):
    client, attempts = logged_in_with_attempts("kai@example.org", 2)
    rows = table_rows(client.get(reverse("my-results")).content.decode())
    for row, attempt in zip(rows, reversed(attempts), strict=True):
        page = client.get(reverse("results", args=[attempt.token])).content.decode()
        first_on_page = re.search(r'<li class="role-card">\s*<h3>([^<]+)</h3>', page)
        assert first_on_page is not None
        assert first_role_cell(row) == first_on_page.group(1).replace("\u00ad", "")


def test_two_roles_about_level_are_both_named_and_an_unreliable_result_none():
    client, (attempt,) = logged_in_with_attempts("ole@example.org", 1)
    Assessment.objects.filter(pk=attempt.pk).update(
        adaptive=True, plan={"done": True, "settled": True, "tied_roles": ["security_officer", "it_service_manager"]}
    )
    html = client.get(reverse("my-results")).content.decode()
    page = client.get(reverse("results", args=[attempt.token])).content.decode()
    cell = first_role_cell(table_rows(html)[0])
    tie = re.search(r'<p class="tie">[^<]*: ([^<]+) und ([^<]+)\. ', page)
    assert tie is not None, "the result page calls the two about level"
    assert cell == f"{tie.group(1)} und {tie.group(2)}, etwa gleichauf".replace("\u00ad", "")

    rng = random.Random(5)  # a random clicker: the page gives no ranking, nor does the list
    client, (clicked,) = logged_in_with_attempts("marcel@example.org", 1, lambda item, options: rng.choice(options))
    page = client.get(reverse("results", args=[clicked.token])).content.decode()
    assert "Wir können Ihnen noch kein verlässliches Ergebnis geben" in page
    html = client.get(reverse("my-results")).content.decode()
    assert first_role_cell(table_rows(html)[0]) == "keine: noch kein verlässliches Ergebnis"


def test_with_one_attempt_left_there_is_nothing_to_compare_and_no_choice_to_make():
    """After a deletion left one attempt, the columns to choose the two to compare stayed, without a button."""
    client, _attempts = logged_in_with_attempts("uwe@example.org", 1)
    html = client.get(reverse("my-results")).content.decode()
    assert 'type="radio"' not in html and "Vergleichen" not in html
    client, _attempts = logged_in_with_attempts("ida@example.org", 2)
    html = client.get(reverse("my-results")).content.decode()
    assert html.count('type="radio"') == 4 and "Vergleichen</button>" in html
