"""Ship the content: `manage.py load_content` after every `migrate` (make run, make serve, deploys)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from recommendations.content import load_content


class Command(BaseCommand):
    help = (
        "Load the shipped question bank, roles and course catalogue: create what is missing, update shipped rows "
        "no admin has changed, leave an admin's edits alone, and record a history baseline for every shipped row."
    )

    def handle(self, *args, **options) -> None:
        report = load_content()
        if options["verbosity"] == 0:
            return
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                f"load_content: {report.total('created')} created, {report.total('updated')} updated, "
                f"{report.total('unchanged')} unchanged, {report.total('left_alone')} left alone (edited by an admin)"
            )
        )
