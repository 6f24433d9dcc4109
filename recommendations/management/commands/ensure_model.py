from __future__ import annotations

from django.core.management.base import BaseCommand

from recommendations.lifecycle import ensure_model
from recommendations.models import ModelVersion


class Command(BaseCommand):
    help = (
        "Make sure a usable model is active: keep the active one, else fall back to an earlier usable one, "
        "else train one (here, synchronously: a command is not a web request)."
    )

    def handle(self, *args, **options) -> None:
        before = ModelVersion.objects.filter(active=True).values_list("version", flat=True).first()
        known = set(ModelVersion.objects.values_list("version", flat=True))
        version = ensure_model()
        if version.version == before:
            state = "kept"
        elif version.version in known:
            state = "reactivated (an earlier version)"
        else:
            state = "trained"
        self.stdout.write(f"Model {version.version} {state}: {version.metrics}")
