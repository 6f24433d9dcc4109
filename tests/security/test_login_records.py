"""django-axes' login records (e-mail, address, browser) are deleted after the retention period."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessLog
from django.core.management import CommandError, call_command
from django.utils import timezone

pytestmark = pytest.mark.django_db


def record(days_ago: int) -> AccessLog:
    log = AccessLog.objects.create(username="m@example.org", ip_address="203.0.113.1", user_agent="Firefox")
    AccessLog.objects.filter(pk=log.pk).update(attempt_time=timezone.now() - timedelta(days=days_ago))
    return log


def test_login_records_older_than_the_retention_are_deleted_and_newer_ones_kept(settings):
    settings.LOGIN_RECORD_RETENTION_DAYS = 30
    old, recent = record(31), record(29)
    attempt = AccessAttempt.objects.create(
        username="x", ip_address="203.0.113.2", user_agent="", failures_since_start=1
    )
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=timezone.now() - timedelta(days=40))
    out = io.StringIO()
    call_command("purge_login_records", stdout=out)
    assert not AccessLog.objects.filter(pk=old.pk).exists()
    assert AccessLog.objects.filter(pk=recent.pk).exists()
    assert not AccessAttempt.objects.exists()
    assert "Deleted 2 login records" in out.getvalue()


def test_purging_login_records_refuses_zero_days():
    record(1)
    with pytest.raises(CommandError):
        call_command("purge_login_records", "--days", "0")
    assert AccessLog.objects.count() == 1
