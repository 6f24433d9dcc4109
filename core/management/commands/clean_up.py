from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core import housekeeping


class Command(BaseCommand):
    help = (
        "Delete what the retention periods say must go (unfinished anonymous attempts, unconfirmed sign-ups, login "
        "records, expired sessions, old task results), now. With --schedule: queue the nightly run instead, unless it "
        "is queued; the worker (manage.py db_worker) then runs it every night at 3:00 and queues the next itself."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--schedule", action="store_true", help="queue the nightly run for the worker")

    def handle(self, *args, **options) -> None:
        if options["schedule"]:
            _, when, new = housekeeping.schedule()
            at = timezone.localtime(when).isoformat(timespec="minutes")
            self.stdout.write(f"{'Queued' if new else 'Already queued'}: the nightly clean-up, next at {at}.")
            return
        try:
            lines = housekeeping.clean_up()
        except housekeeping.CleanUpFailed as failed:
            for line in failed.lines:
                self.stdout.write(line)
            raise CommandError("Some parts of the clean-up failed (see above and the log); the others ran.") from None
        for line in lines:
            self.stdout.write(line)
