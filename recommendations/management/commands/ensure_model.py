from __future__ import annotations

from django.core.management.base import BaseCommand

from recommendations.models import ModelVersion
from recommendations.services import ensure_model


class Command(BaseCommand):
    help = "Make sure a usable model is active: train one if there is none or it cannot be loaded here."

    def handle(self, *args, **options) -> None:
        before = ModelVersion.objects.filter(active=True).values_list("version", flat=True).first()
        version = ensure_model()
        state = "kept" if version.version == before else "trained"
        self.stdout.write(f"Model {version.version} {state}: {version.metrics}")
