from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from assessment.adaptive import plan
from core.management.database import bring_up_to_date
from recommendations.asking import engine_inputs
from recommendations.management.json_input import read_json


class Command(BaseCommand):
    help = (
        "The adaptive assessment's next question for each of a batch of unfinished sessions. FILE holds a JSON "
        'array of answers objects ({"answers": {item: option}, "skipped": [item, ...]}); - reads standard input. '
        "Prints a JSON array, in the same order, of {next_item, done, reason, items_answered, expected_remaining}."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="a JSON file: an array of answers objects, or - for standard input")

    def handle(self, *args, **options) -> None:
        bring_up_to_date(self.stderr)
        data = read_json(options["file"])
        if not isinstance(data, list):
            raise CommandError("expected a JSON array of answers objects (one per session)")
        bank, roles, score_roles = engine_inputs()
        for index, entry in enumerate(data):
            self._check(entry, index, bank)
        out = []
        for entry in data:
            result = plan(bank, roles, entry["answers"], entry.get("skipped", []), score_roles=score_roles)
            out.append(
                {
                    "next_item": result.next_item,
                    "done": result.done,
                    "reason": result.reason,
                    "items_answered": result.items_answered,
                    "expected_remaining": result.expected_remaining,
                }
            )
        self.stdout.write(json.dumps(out, ensure_ascii=False))

    def _check(self, entry: Any, index: int, bank) -> None:
        where = f"entry {index}: "
        if not isinstance(entry, dict) or not isinstance(entry.get("answers"), dict):
            raise CommandError(f'{where}expected an object with "answers": {{item slug: option value}}')
        skipped = entry.get("skipped", [])
        if not isinstance(skipped, list) or not all(isinstance(slug, str) for slug in skipped):
            raise CommandError(f"{where}skipped must be a list of item slugs")
        for slug in skipped:
            if bank.item(slug) is None:
                raise CommandError(f"{where}unknown skipped item {slug!r}")
            if slug in entry["answers"]:
                raise CommandError(f"{where}item {slug!r} is both answered and skipped")
        for slug, value in entry["answers"].items():
            item = bank.item(slug)
            if item is None:
                raise CommandError(f"{where}unknown item {slug!r}")
            if not isinstance(value, str) or item.option(value) is None:
                raise CommandError(f"{where}{value!r} is not an option of item {slug!r}")
