"""The nightly clean-up keeps the retention periods the privacy notice states without an operator's cron: the worker
runs it at 3:00 and each run queues the next. What it deletes, and what it keeps."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from axes.models import AccessLog
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from assessment.models import Assessment
from assessment.services import start_assessment
from core import housekeeping
from tests.conftest import run_queued_tasks

pytestmark = pytest.mark.django_db
User = get_user_model()
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 12, 4, 2, 59, tzinfo=BERLIN), datetime(2026, 12, 4, 3, 0, tzinfo=BERLIN)),
        (datetime(2026, 12, 4, 3, 0, tzinfo=BERLIN), datetime(2026, 12, 5, 3, 0, tzinfo=BERLIN)),
        (datetime(2026, 12, 4, 23, 30, tzinfo=BERLIN), datetime(2026, 12, 5, 3, 0, tzinfo=BERLIN)),
        # the nights the clocks change: still 3 o'clock, 23 or 25 hours later
        (datetime(2027, 3, 27, 3, 0, tzinfo=BERLIN), datetime(2027, 3, 28, 3, 0, tzinfo=BERLIN)),
        (datetime(2026, 10, 24, 3, 0, tzinfo=BERLIN), datetime(2026, 10, 25, 3, 0, tzinfo=BERLIN)),
    ],
)
def test_the_next_run_is_the_next_three_o_clock_local_time(now, expected):
    when = housekeeping.next_run(now.astimezone(ZoneInfo("UTC")))
    assert when == expected and when > now
    assert timezone.localtime(when).hour == 3 and timezone.localtime(when).utcoffset() == expected.utcoffset()


def test_the_nights_the_clocks_change_are_23_and_25_hours_after_the_run_before():
    utc = ZoneInfo("UTC")
    for before, hours in (
        (datetime(2027, 3, 27, 3, 0, tzinfo=BERLIN), 23),
        (datetime(2026, 10, 24, 3, 0, tzinfo=BERLIN), 25),
    ):
        after = housekeeping.next_run(before)
        assert after.astimezone(utc) - before.astimezone(utc) == timedelta(hours=hours)


def days_ago(days: float) -> datetime:
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def data_past_and_within_retention(settings):
    """One record of each kind just past its retention period and one just within it."""
    settings.ASSESSMENT_RETENTION_DAYS = settings.LOGIN_RECORD_RETENTION_DAYS = 30
    made = {}
    for age, label in ((31, "old"), (29, "recent")):
        attempt = start_assessment()
        Assessment.objects.filter(pk=attempt.pk).update(updated_at=days_ago(age))
        made[f"{label} attempt"] = (Assessment, attempt.pk)
        log = AccessLog.objects.create(username="m@example.org", ip_address="203.0.113.1", user_agent="Firefox")
        AccessLog.objects.filter(pk=log.pk).update(attempt_time=days_ago(age))
        made[f"{label} login record"] = (AccessLog, log.pk)
    for age, label in ((3.1, "old"), (2.9, "recent")):
        pending = User(username=f"{label}@example.org", email=f"{label}@example.org", is_active=False)
        pending.set_unusable_password()
        pending.save()
        User.objects.filter(pk=pending.pk).update(date_joined=days_ago(age))
        made[f"{label} sign-up"] = (User, pending.pk)
    for age, label in ((1, "old"), (-1, "recent")):
        session = Session.objects.create(
            session_key=f"{label}-session-key-{'x' * 20}", session_data="", expire_date=days_ago(age)
        )
        made[f"{label} session"] = (Session, session.pk)
    return made


def exists(made: dict, label: str) -> bool:
    model, pk = made[label]
    return model.objects.filter(pk=pk).exists()


def test_clean_up_deletes_what_is_past_its_retention_period_and_keeps_the_rest(data_past_and_within_retention):
    out = io.StringIO()
    call_command("clean_up", stdout=out)
    made = data_past_and_within_retention
    assert [label for label in made if not exists(made, label)] == [label for label in made if label.startswith("old")]
    report = out.getvalue()
    assert "Deleted 1 unfinished assessments" in report and "Deleted 1 sign-ups" in report
    assert "Deleted 1 login records" in report and "clearsessions: done." in report


def test_a_finished_task_result_goes_after_30_days_and_a_queued_run_stays():
    finished = housekeeping.daily_clean_up.enqueue()
    DBTaskResult.objects.filter(pk=finished.id).update(
        status=TaskResultStatus.SUCCESSFUL, finished_at=days_ago(housekeeping.TASK_RESULT_DAYS + 1)
    )
    _, _, _ = housekeeping.schedule()
    housekeeping.clean_up()
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == [TaskResultStatus.READY]


def test_a_confirmed_account_and_an_account_an_admin_deactivated_are_never_purged():
    confirmed = User.objects.create_user("eva@example.org", "eva@example.org", "Zollverein-2026!")
    deactivated = User.objects.create_user("ben@example.org", "ben@example.org", "Zollverein-2026!", is_active=False)
    # deactivated with its password made unusable, as a pending signup's is: it logged in once, so it was confirmed
    locked = User.objects.create_user("ada@example.org", "ada@example.org", None, is_active=False)
    User.objects.update(date_joined=days_ago(400))
    User.objects.filter(pk=locked.pk).update(last_login=days_ago(300))
    call_command("purge_signups", stdout=io.StringIO())
    assert set(User.objects.values_list("pk", flat=True)) == {confirmed.pk, deactivated.pk, locked.pk}


def test_signing_up_again_keeps_the_pending_account_until_the_new_link_expires(client):
    client.post(reverse("signup"), {"email": "kim@example.org"})
    User.objects.update(date_joined=days_ago(5))  # the first link expired two days ago
    Client().post(reverse("signup"), {"email": "kim@example.org"})  # a new link, good for three days
    out = io.StringIO()
    call_command("purge_signups", stdout=out)
    assert "Deleted 0 sign-ups" in out.getvalue()
    assert User.objects.filter(username="kim@example.org", is_active=False).exists()


def test_a_failing_part_does_not_keep_the_others_from_running_and_the_run_is_a_failed_one(
    data_past_and_within_retention, monkeypatch, admin_client, client
):
    monkeypatch.setattr(housekeeping, "COMMANDS", [("purge_login_records", "--days=0"), *housekeeping.COMMANDS])
    housekeeping.schedule()
    DBTaskResult.objects.update(run_after=days_ago(0.01))
    run_queued_tasks()
    assert not exists(data_past_and_within_retention, "old attempt")  # the parts after it ran
    failed = DBTaskResult.objects.get(status=TaskResultStatus.FAILED)  # not "successful" with a line saying otherwise
    assert "purge_login_records: failed: CommandError;" in failed.traceback
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()  # and the next night is queued
    assert "fehlgeschlagen" in operations_row(admin_client)
    assert client.get("/healthz").json()["clean_up"] == "failed"


def test_the_command_reports_every_part_and_exits_non_zero_when_one_failed(data_past_and_within_retention, monkeypatch):
    monkeypatch.setattr(housekeeping, "COMMANDS", [("purge_login_records", "--days=0"), *housekeeping.COMMANDS])
    out = io.StringIO()
    with pytest.raises(CommandError, match="Some parts of the clean-up failed"):
        call_command("clean_up", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "purge_login_records: failed: CommandError"  # the type only: an error's text may quote a row
    assert lines[1].startswith("purge_assessments: Deleted 1 ")


def test_a_finished_attempt_reopened_to_sharpen_and_left_is_kept(settings):
    settings.ASSESSMENT_RETENTION_DAYS = 30
    reopened = start_assessment()
    Assessment.objects.filter(pk=reopened.pk).update(sharpen_until=20, updated_at=days_ago(400))
    call_command("clean_up", stdout=io.StringIO())
    assert Assessment.objects.filter(pk=reopened.pk).exists()  # finished once: kept until its person deletes it


def test_an_admin_account_is_never_purged_as_a_sign_up():
    for flags in ({"is_staff": True}, {"is_superuser": True}):
        account = User(username=f"{sorted(flags)[0]}@example.org", is_active=False, **flags)
        account.set_unusable_password()
        account.save()
    User.objects.update(date_joined=days_ago(400))
    call_command("purge_signups", stdout=io.StringIO())
    assert User.objects.count() == 2


def test_schedule_queues_one_run_at_three_however_often_it_is_called():
    out = io.StringIO()
    call_command("clean_up", "--schedule", stdout=out)
    call_command("clean_up", "--schedule", stdout=out)
    queued = DBTaskResult.objects.get(task_path=housekeeping.daily_clean_up.module_path)
    assert queued.status == TaskResultStatus.READY
    assert queued.run_after == housekeeping.next_run(timezone.now())
    first, again = out.getvalue().splitlines()
    assert first.startswith("Queued: the nightly clean-up, next at ") and again.startswith("Already queued")


def test_the_worker_runs_a_due_run_which_cleans_up_and_queues_the_next_night(data_past_and_within_retention):
    housekeeping.schedule()
    DBTaskResult.objects.update(run_after=days_ago(0.01))  # the night has come
    run_queued_tasks()
    done = DBTaskResult.objects.get(status=TaskResultStatus.SUCCESSFUL)
    assert any(line.startswith("purge_assessments: Deleted 1 ") for line in done.return_value)
    assert not exists(data_past_and_within_retention, "old attempt")
    following = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert following.run_after == housekeeping.next_run(timezone.now()) and following.run_after > timezone.now()


def test_a_run_not_yet_due_is_left_for_its_night(data_past_and_within_retention):
    housekeeping.schedule()
    run_queued_tasks()
    assert DBTaskResult.objects.get().status == TaskResultStatus.READY
    assert exists(data_past_and_within_retention, "old attempt")


@pytest.mark.parametrize("target", ["run", "serve"])
def test_make_run_and_make_serve_queue_the_nightly_run_before_the_worker_starts(target, settings):
    recipe = subprocess.run(
        ["make", "-n", target], cwd=settings.BASE_DIR, capture_output=True, text=True, check=True
    ).stdout
    assert "manage.py clean_up --schedule" in recipe
    assert recipe.index("manage.py clean_up --schedule") < recipe.index("manage.py db_worker")


def operations_row(client) -> str:
    page = client.get(reverse("admin:index")).content.decode()
    row = re.search(r'<div class="module" id="operations">.*?</div>', page, re.S)
    return " ".join(row.group(0).split()) if row else ""


def test_the_admin_start_page_says_when_nothing_is_scheduled(admin_client):
    assert "Nicht geplant" in operations_row(admin_client)
    assert "<code>manage.py clean_up --schedule</code>" in operations_row(admin_client)


def test_the_admin_start_page_says_when_the_next_run_is_and_how_the_last_one_went(admin_client):
    last = housekeeping.daily_clean_up.enqueue()
    DBTaskResult.objects.filter(pk=last.id).update(
        status=TaskResultStatus.FAILED, finished_at=datetime(2026, 12, 3, 3, 0, 4, tzinfo=BERLIN)
    )
    _, when, _ = housekeeping.schedule()
    row = operations_row(admin_client)
    assert f'Nächster Lauf <time datetime="{timezone.localtime(when).isoformat()}">' in row
    assert 'Letzter Lauf <time datetime="2026-12-03T03:00:04+01:00">3. Dezember 2026 03:00</time> fehlgeschlagen' in row


def test_the_admin_start_page_asks_whether_a_worker_runs_when_the_run_is_overdue(admin_client):
    housekeeping.schedule()
    DBTaskResult.objects.update(run_after=days_ago(0.5))
    assert "Läuft ein Worker (<code>manage.py db_worker</code>)?" in operations_row(admin_client)
    assert "Bisher ist keiner gelaufen." in operations_row(admin_client)


def test_staff_who_may_not_see_the_tasks_do_not_see_the_row(client, django_user_model):
    editor = django_user_model.objects.create_user("editor@example.org", password="Zollverein-2026!", is_staff=True)
    client.force_login(editor)
    assert client.get(reverse("admin:index")).status_code == 200
    assert operations_row(client) == ""


def test_a_sharpening_left_untouched_is_ended_with_the_answers_given_and_its_result_and_link_work_again(
    client, settings
):
    """ "Ergebnis schärfen" left after one round kept the result's page, its downloads and its share link from view
    for good: the link said it works again once the sharpening is finished, which nobody would do (a review)."""
    from assessment.services import reopen_to_sharpen
    from tests.assessment.test_adaptive_flow import run_to_the_end

    settings.SHARPEN_IDLE_DAYS = 2
    attempts = []
    for _ in range(2):
        Client().post(reverse("assessment:start"))  # the adaptive test, as the start page begins it
        attempts.append(Assessment.objects.latest("pk"))
        run_to_the_end(client, attempts[-1])
        attempts[-1].refresh_from_db()
    left, fresh = attempts
    for attempt in (left, fresh):
        share = attempt.share()
        attempt.save(update_fields=["share_token"])
        assert reopen_to_sharpen(attempt)
        gone = client.get(reverse("shared-results", args=[share]))
        assert gone.status_code == 409
        assert (
            "endet es von selbst spätestens 3 Tage nach ihrer letzten Antwort oder dem Beginn" in gone.content.decode()
        )
    Assessment.objects.filter(pk=left.pk).update(updated_at=days_ago(3))
    Assessment.objects.filter(pk=fresh.pk).update(updated_at=days_ago(1))
    lines = housekeeping.clean_up()
    assert "end_sharpenings: Ended 1 sharpening untouched for more than 2 days, with the answers given." in lines
    left.refresh_from_db()
    fresh.refresh_from_db()
    assert left.is_finished and not fresh.is_finished
    assert client.get(reverse("shared-results", args=[left.share_token])).status_code == 200
    assert client.get(reverse("results", args=[left.token])).status_code == 200
