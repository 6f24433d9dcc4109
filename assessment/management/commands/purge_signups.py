from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.management.base import BaseCommand
from django.utils import timezone


class Command(BaseCommand):
    help = (
        "Delete sign-ups nobody confirmed (an e-mail address and nothing else) once their confirmation link has "
        "expired (PASSWORD_RESET_TIMEOUT, 3 days). Run it daily, e.g. from cron, beside purge_assessments."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="only count what would be deleted")

    def handle(self, *args, **options) -> None:
        cutoff = timezone.now() - timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
        # What `assessment.accounts.is_pending_signup` tells apart, as a query: inactive, never logged in, no
        # password. Staff accounts are the admins' to keep or delete.
        pending = get_user_model().objects.filter(
            is_active=False,
            is_staff=False,
            last_login__isnull=True,
            password__startswith=UNUSABLE_PASSWORD_PREFIX,
            date_joined__lt=cutoff,
        )
        count = pending.count()
        if not options["dry_run"]:
            pending.delete()
        verb = "Would delete" if options["dry_run"] else "Deleted"
        self.stdout.write(f"{verb} {count} sign-ups not confirmed within the link's validity.")
