from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from assessment.models import Assessment
from core.validators import positive_days


class Command(BaseCommand):
    help = (
        "Delete unfinished assessments (and their answers), anonymous or begun in an account, not touched for "
        "longer than the retention period (ASSESSMENT_RETENTION_DAYS, default 30); never one that was finished and "
        "reopened to sharpen its result. The nightly clean-up (manage.py clean_up) runs it."
    )

    def add_arguments(self, parser) -> None:
        # a string: argparse checks a default with `type` only when it is one, and the setting must be checked
        parser.add_argument("--days", type=positive_days, default=str(settings.ASSESSMENT_RETENTION_DAYS))
        parser.add_argument("--dry-run", action="store_true", help="only count what would be deleted")

    def handle(self, *args, **options) -> None:
        cutoff = timezone.now() - timedelta(days=options["days"])
        # A finished attempt reopened by "Ergebnis schärfen" is unfinished again, but the privacy notice keeps finished
        # attempts until their person deletes them: one left half-sharpened stays. One begun logged in is in the
        # account from its first question; unfinished, it goes as any other does (the privacy notice says so).
        stale = Assessment.objects.filter(finished_at__isnull=True, sharpen_until__isnull=True, updated_at__lt=cutoff)
        count = stale.count()
        if not options["dry_run"]:
            stale.delete()
        verb = "Would delete" if options["dry_run"] else "Deleted"
        days = options["days"]
        self.stdout.write(
            f"{verb} {count} unfinished assessments untouched for more than {days} day{'s' if days != 1 else ''}."
        )
