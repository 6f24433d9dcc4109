from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from assessment.bank import export_questionnaire
from core.management.database import bring_up_to_date


class Command(BaseCommand):
    help = "Print the active item bank as JSON (the questionnaire contract) on standard output."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--language", choices=["de", "en"], default="de")

    def handle(self, *args, **options) -> None:
        bring_up_to_date(self.stderr)
        bank = export_questionnaire(options["language"])
        self.stdout.write(json.dumps(bank, ensure_ascii=False, indent=2))
