from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from assessment.models import Assessment
from assessment.services import end_sharpening
from core.validators import positive_days


class Command(BaseCommand):
    help = (
        'End "Ergebnis schärfen" left untouched for longer than SHARPEN_IDLE_DAYS (default 2) with the answers given, '
        "as its 'back to the result without further questions' does: while it is open, the result's page, its "
        "downloads and its share link show no result. The nightly clean-up (manage.py clean_up) runs it."
    )

    def add_arguments(self, parser) -> None:
        # a string: argparse checks a default with `type` only when it is one, and the setting must be checked
        parser.add_argument("--days", type=positive_days, default=str(settings.SHARPEN_IDLE_DAYS))

    def handle(self, *args, **options) -> None:
        cutoff = timezone.now() - timedelta(days=options["days"])
        left = Assessment.objects.filter(finished_at__isnull=True, sharpen_until__isnull=False, updated_at__lt=cutoff)
        ended = sum(end_sharpening(assessment) for assessment in left.iterator())
        days = options["days"]
        self.stdout.write(
            f"Ended {ended} sharpening{'s' if ended != 1 else ''} untouched for more than "
            f"{days} day{'s' if days != 1 else ''}, "
            "with the answers given."
        )
