from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from recommendations.lifecycle import train_and_activate


class Command(BaseCommand):
    help = "Train the role-fit model on the current roles and confirmed outcomes, activate it, print its metrics."

    def handle(self, *args, **options) -> None:
        version = train_and_activate()
        self.stdout.write(f"Activated model version {version.version} ({version.training_size} training profiles)")
        self.stdout.write(json.dumps(version.metrics, indent=2))
