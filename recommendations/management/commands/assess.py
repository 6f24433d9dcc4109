from __future__ import annotations

import json
import math
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from assessment.bank import competency_slugs, item_spec, items_with_options
from assessment.measurement import score_profile
from core.management.database import bring_up_to_date
from recommendations.catalogue import snapshot
from recommendations.documents import result_document
from recommendations.management.json_input import read_json
from recommendations.results import path_shown
from recommendations.services import NoSuchRole, PathLimits, recommend


def _finite(number: int | float) -> bool:
    """A number the path can compare with hours and prices: an integer too large for a float is not one."""
    try:
        return math.isfinite(float(number))
    except OverflowError:
        return False


class Command(BaseCommand):
    help = (
        "Score answers and recommend roles and a learning path. FILE holds one answers object "
        '({"answers": {item: option}, "skipped": [item, ...], "target_role": optional, '
        '"constraints": {"max_hours": n, "max_price_eur": n} optional}) or a JSON array of them; '
        "- reads standard input. Prints the result (or an array of results) as JSON."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="a JSON file of answers, or - for standard input")
        parser.add_argument("--language", choices=["de", "en"], default="de")

    def handle(self, *args, **options) -> None:
        bring_up_to_date(self.stderr)
        data = read_json(options["file"])
        batch = isinstance(data, list)
        entries = data if batch else [data]
        items = {item.slug: item_spec(item) for item in items_with_options()}
        for index, entry in enumerate(entries):
            self._check(entry, index if batch else None, items)
        competencies = competency_slugs()
        profiles = [score_profile(competencies, items.values(), e["answers"]) for e in entries]
        try:
            results = recommend(
                profiles,
                [e.get("target_role") for e in entries],
                options["language"],
                limits=[PathLimits(**e.get("constraints", {})) for e in entries],
            )
        except NoSuchRole as exc:
            raise CommandError(f"unknown target_role {exc}: not an active role") from None
        current = snapshot()
        requirements = {role.slug: dict(zip(current.competencies, role.requirements)) for role in current.roles}
        roles = [role.slug for role in current.roles]
        documents = [
            result_document(
                profile,
                result,
                options["language"],
                requirements=requirements.get(result.path.target_role),
                # as the page: an unreliable result's path only towards a role picked, none on far too few answers
                path_given=path_shown(profile.reliability, entry.get("target_role") or "", roles),
                # every active role best fit first, as the contract asks, also of an unreliable result: its
                # "reliable": false says the order is not to be trusted (the download follows the page instead)
                offered=roles,
            )
            for profile, result, entry in zip(profiles, results, entries)
        ]
        self.stdout.write(json.dumps(documents if batch else documents[0], ensure_ascii=False))

    def _check(self, entry: Any, index: int | None, items: dict) -> None:
        where = "" if index is None else f"entry {index}: "
        if not isinstance(entry, dict) or not isinstance(entry.get("answers"), dict):
            raise CommandError(f'{where}expected an object with "answers": {{item slug: option value}}')
        target = entry.get("target_role")
        if target is not None and not isinstance(target, str):
            raise CommandError(f"{where}target_role must be a role slug (a string)")
        skipped = entry.get("skipped", [])
        if not isinstance(skipped, list) or not all(isinstance(slug, str) for slug in skipped):
            raise CommandError(f"{where}skipped must be a list of item slugs")
        for slug in skipped:
            if slug not in items:
                raise CommandError(f"{where}unknown skipped item {slug!r}")
            if slug in entry["answers"]:
                raise CommandError(f"{where}item {slug!r} is both answered and skipped")
        constraints = entry.get("constraints", {})
        if not isinstance(constraints, dict) or set(constraints) - {"max_hours", "max_price_eur"}:
            raise CommandError(f"{where}constraints may only give max_hours and max_price_eur")
        for name, limit in constraints.items():
            if isinstance(limit, bool) or not isinstance(limit, int | float) or not _finite(limit) or limit < 0:
                raise CommandError(f"{where}constraints.{name} must be a number of at least 0")
        for slug, value in entry["answers"].items():
            if slug not in items:
                raise CommandError(f"{where}unknown item {slug!r}")
            if not isinstance(value, str) or items[slug].option(value) is None:
                raise CommandError(f"{where}{value!r} is not an option of item {slug!r}")
