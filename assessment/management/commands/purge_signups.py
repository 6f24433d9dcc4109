from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from assessment.accounts import pending_signups


class Command(BaseCommand):
    help = (
        "Delete sign-ups nobody confirmed (an e-mail address and nothing else) once their confirmation link has "
        "expired (PASSWORD_RESET_TIMEOUT, 3 days). The nightly clean-up (manage.py clean_up) runs it."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="only count what would be deleted")

    def handle(self, *args, **options) -> None:
        cutoff = timezone.now() - timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
        pending = pending_signups(joined_before=cutoff)  # admins' accounts are the admins' to keep or delete
        count = pending.count()
        if not options["dry_run"]:
            pending.delete()
        verb = "Would delete" if options["dry_run"] else "Deleted"
        self.stdout.write(f"{verb} {count} sign-ups not confirmed within the link's validity.")
