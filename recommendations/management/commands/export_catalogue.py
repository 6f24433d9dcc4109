"""`manage.py export_catalogue`: the course catalogue as JSON on stdout (tests/contracts/catalogue.schema.json)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from core.management.database import bring_up_to_date
from recommendations.catalogue_file import export_catalogue


class Command(BaseCommand):
    help = (
        "Print the course catalogue in the database (providers and courses, active and inactive) as JSON; "
        "import_catalogue reads the same format."
    )

    def handle(self, *args, **options) -> None:
        bring_up_to_date(self.stderr)
        self.stdout.write(json.dumps(export_catalogue(), ensure_ascii=False, indent=1))
