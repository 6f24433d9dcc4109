"""`manage.py import_catalogue FILE`: read a catalogue file (the export's format), all or nothing."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from core.management.database import bring_up_to_date
from recommendations.catalogue_file import CatalogueFileError, import_catalogue
from recommendations.management.json_input import read_json


class Command(BaseCommand):
    help = (
        "Import a course catalogue in the format export_catalogue prints (FILE, or - for standard input). "
        "Courses and providers are matched by slug: created when new, updated when they differ; others stay. "
        "All or nothing: any problem is listed with its row on stderr and nothing is written (exit status 1)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="a catalogue JSON file, or - for standard input")

    def handle(self, *args, **options) -> None:
        bring_up_to_date(self.stderr)
        data = read_json(options["file"])
        try:
            counts = import_catalogue(data)
        except CatalogueFileError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(
                f"{options['file']}: nothing imported, {len(exc.errors)} problem(s) listed above"
            ) from None
        for kind in ("providers", "courses"):
            self.stdout.write(
                f"{kind}: {counts.created[kind]} created, {counts.updated[kind]} updated, "
                f"{counts.unchanged[kind]} unchanged"
            )
        self.stdout.write(self.style.SUCCESS("import_catalogue: done"))
