from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from core.validators import positive_days


class Command(BaseCommand):
    help = (
        "Delete django-axes' records of logins (e-mail, address, browser) older than the retention period "
        "(LOGIN_RECORD_RETENTION_DAYS, default 30). The nightly clean-up (manage.py clean_up) runs it."
    )

    def add_arguments(self, parser) -> None:
        # a string: argparse checks a default with `type` only when it is one, and the setting must be checked
        parser.add_argument("--days", type=positive_days, default=str(settings.LOGIN_RECORD_RETENTION_DAYS))
        parser.add_argument("--dry-run", action="store_true", help="only count what would be deleted")

    def handle(self, *args, **options) -> None:
        cutoff = timezone.now() - timedelta(days=options["days"])
        # An attempt record is also what a lockout reads: only those far past the cool-off go.
        stale = [
            AccessLog.objects.filter(attempt_time__lt=cutoff),
            AccessFailureLog.objects.filter(attempt_time__lt=cutoff),
            AccessAttempt.objects.filter(attempt_time__lt=cutoff),
        ]
        count = sum(records.count() for records in stale)
        if not options["dry_run"]:
            for records in stale:
                records.delete()
        verb = "Would delete" if options["dry_run"] else "Deleted"
        days = options["days"]
        self.stdout.write(f"{verb} {count} login records older than {days} day{'s' if days != 1 else ''}.")
