"""An attempt started while logged in is the account's from its first question: numbered there once finished, found
on "My results" also while unfinished, deleted with the account. Logged out, the self-assessment stays anonymous
(no personal data is needed to take it), its result page keeps the button that puts it into an account, and logging
out forgets its link in that browser, as it did (a shared computer)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessment.models import Assessment, Item
from assessment.services import record_answer
from tests.conftest import answer_all, strongest

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "Zollverein-2026!"
START = reverse("assessment:start")
HOME = reverse("assessment:home")
HINT = "Sie sind angemeldet, daher wird die Selbsteinschätzung, die Sie jetzt beginnen, in Ihrem Konto aufbewahrt"
CONTINUE_HERE = "Angefangene Selbsteinschätzung fortsetzen"
KEEP_BUTTON = "Diesen Durchgang in meinem Konto aufbewahren"


def logged_in(email: str = "eva@example.org") -> tuple[Client, object]:
    user = User.objects.create_user(email, email, PASSWORD)
    client = Client()
    assert client.post(reverse("login"), {"username": email, "password": PASSWORD}).status_code == 302
    return client, user


def started(client: Client) -> Assessment:
    assert client.post(START).status_code == 302
    return Assessment.objects.latest("created_at")


def answer_first(attempt: Assessment) -> None:
    item = Item.objects.prefetch_related("options").get(pk=attempt.steps[0])
    record_answer(attempt, item, item.options.first())


def test_an_attempt_started_logged_in_is_in_the_account_from_its_first_question():
    client, user = logged_in()
    assert HINT in client.get(HOME).content.decode()  # said before it starts, with the way to take it anonymously
    attempt = started(client)
    assert attempt.user == user and attempt.number is None  # the account's, numbered once it has a result
    question = client.get(attempt.step_url(1)).content.decode()
    assert "Dieser Durchgang wurde angemeldet begonnen und ist in diesem Konto aufbewahrt" in question

    answer_first(attempt)
    mine = client.get(reverse("my-results")).content.decode()  # unfinished: "My results" leads back to it
    assert "Noch nicht abgeschlossen" in mine and f'href="{attempt.resume_url()}"' in mine
    assert "wenn er 30 Tage lang nicht verändert wurde" in mine

    answer_all(attempt, strongest)  # finished through the service the question view calls
    attempt.refresh_from_db()
    assert attempt.number == 1
    results = client.get(reverse("results", args=[attempt.token])).content.decode()
    assert "Dieser Durchgang ist in Ihrem Konto als Durchgang 1 gespeichert." in results
    assert KEEP_BUTTON not in results  # nothing left to keep
    mine = client.get(reverse("my-results")).content.decode()
    assert "Noch nicht abgeschlossen" not in mine and f'href="{reverse("results", args=[attempt.token])}"' in mine


def test_the_english_pages_say_so_too():
    client, _user = logged_in()
    client.cookies["django_language"] = "en"
    assert "You are logged in, so the self-assessment you start now is kept in your account" in (
        client.get(HOME).content.decode()
    )
    attempt = started(client)
    assert "This attempt was started logged in and is kept in that account" in (
        client.get(attempt.step_url(1)).content.decode()
    )
    answer_first(attempt)
    assert "Not finished yet" in client.get(reverse("my-results")).content.decode()


def test_an_attempt_started_logged_out_stays_anonymous_and_its_result_page_keeps_the_button():
    client = Client()
    assert HINT not in client.get(HOME).content.decode()
    attempt = answer_all(started(client), strongest)
    assert attempt.user is None and attempt.number is None
    User.objects.create_user("eva@example.org", "eva@example.org", PASSWORD)
    assert client.post(reverse("login"), {"username": "eva@example.org", "password": PASSWORD}).status_code == 302
    attempt.refresh_from_db()
    assert attempt.user is None  # logging in puts nothing into the account unasked
    assert KEEP_BUTTON in client.get(reverse("results", args=[attempt.token])).content.decode()


def test_logging_out_forgets_the_link_of_the_attempt_in_this_browser_and_the_account_keeps_its_own():
    """Logging out on a shared computer leaves no way back to an attempt on the start page, anonymous or not; the
    account's attempt is found again after logging in."""
    anonymous = Client()
    open_attempt = started(anonymous)
    assert CONTINUE_HERE in anonymous.get(HOME).content.decode()
    User.objects.create_user("kai@example.org", "kai@example.org", PASSWORD)
    anonymous.post(reverse("login"), {"username": "kai@example.org", "password": PASSWORD})
    anonymous.post(reverse("logout"))
    assert CONTINUE_HERE not in anonymous.get(HOME).content.decode()
    open_attempt.refresh_from_db()
    assert open_attempt.user is None  # still anonymous: its link alone leads to it

    client, user = logged_in()
    in_account = started(client)
    assert CONTINUE_HERE in client.get(HOME).content.decode()
    client.post(reverse("logout"))
    assert CONTINUE_HERE not in client.get(HOME).content.decode()
    assert client.get(reverse("my-results")).status_code == 302  # to the login
    client.post(reverse("login"), {"username": user.get_username(), "password": PASSWORD})
    assert f'href="{in_account.resume_url()}"' in client.get(reverse("my-results")).content.decode()


def test_deleting_the_account_deletes_the_attempts_begun_in_it_finished_or_not():
    client, user = logged_in()
    finished = answer_all(started(client), strongest)
    unfinished = started(client)
    answer_first(unfinished)
    anonymous = answer_all(started(Client()), strongest)
    assert set(user.assessments.values_list("pk", flat=True)) == {finished.pk, unfinished.pk}
    page = client.get(reverse("delete-account")).content.decode()
    assert "mit den 2 darin aufbewahrten Durchgängen" in page
    assert client.post(reverse("delete-account"), {"password": PASSWORD}).status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    assert list(Assessment.objects.values_list("pk", flat=True)) == [anonymous.pk]


def test_an_unfinished_attempt_in_an_account_is_purged_as_any_other_and_a_finished_one_stays():
    client, _user = logged_in()
    left = started(client)
    finished = answer_all(started(client), strongest)
    fresh = started(client)
    Assessment.objects.filter(pk__in=[left.pk, finished.pk]).update(updated_at=timezone.now() - timedelta(days=31))
    out = StringIO()
    call_command("purge_assessments", stdout=out)
    assert "Deleted 1 " in out.getvalue()
    assert set(Assessment.objects.values_list("pk", flat=True)) == {finished.pk, fresh.pk}
