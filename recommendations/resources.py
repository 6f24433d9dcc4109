"""The course catalogue as a spreadsheet (CSV, XLSX) for django-import-export.

One row per course, keyed by its slug. The provider and the prerequisites are given by slug, and the
competencies a course develops as one column: `service_management:1.0:0:2;agile:0.5:1:3`
(competency:weight:from level:to level, separated by semicolons). Every row is validated like the
admin form validates a course; a row with an error stops the whole import. An unchanged row is
skipped, so importing an export unchanged writes nothing (and adds nothing to the history).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from assessment.models import Competency
from recommendations.course_fields import COURSE_COLUMNS
from recommendations.models import Course, CourseCompetency, Provider

ENTRY_SEPARATOR = ";"
PART_SEPARATOR = ":"
MIN_WEIGHT, MAX_WEIGHT = 0.05, 1.0


@dataclass(frozen=True, order=True)
class Develops:
    """One competency a course develops, as written in the spreadsheet."""

    competency: str
    weight: float
    from_level: int
    to_level: int

    def __str__(self) -> str:
        return PART_SEPARATOR.join((self.competency, str(self.weight), str(self.from_level), str(self.to_level)))


def format_develops(entries: list[Develops]) -> str:
    """The competencies column of one course: the strongest first."""
    return ENTRY_SEPARATOR.join(str(e) for e in sorted(entries, key=lambda e: (-e.weight, e.competency)))


def _level(text: str) -> int:
    level = int(text)
    if not 0 <= level <= 5:
        raise ValueError(text)
    return level


def parse_develops(text: str, known: set[str]) -> list[Develops]:
    """Read the competencies column; raise ValueError naming every problem in it."""
    problems: list[str] = []
    entries: list[Develops] = []
    for raw in (part.strip() for part in (text or "").split(ENTRY_SEPARATOR)):
        if not raw:
            continue
        parts = [p.strip() for p in raw.split(PART_SEPARATOR)]
        if len(parts) != 4:
            problems.append(_("“%(entry)s” is not competency:weight:from level:to level.") % {"entry": raw})
            continue
        slug, weight_text, start_text, end_text = parts
        if slug not in known:
            names = {"slug": slug, "known": ", ".join(sorted(known))}
            problems.append(_("“%(slug)s” is not a competency (known: %(known)s).") % names)
            continue
        try:
            weight = float(weight_text.replace(",", "."))
            if not MIN_WEIGHT <= weight <= MAX_WEIGHT:
                raise ValueError(weight_text)
        except ValueError:
            problems.append(_("In “%(entry)s” the weight must be a number from 0.05 to 1.") % {"entry": raw})
            continue
        try:
            start, end = _level(start_text), _level(end_text)
        except ValueError:
            problems.append(_("In “%(entry)s” the levels must be whole numbers from 0 to 5.") % {"entry": raw})
            continue
        if end <= start:
            problems.append(_("In “%(entry)s” the target level must be above the starting level.") % {"entry": raw})
            continue
        if any(e.competency == slug for e in entries):
            problems.append(_("“%(slug)s” is listed twice.") % {"slug": slug})
            continue
        entries.append(Develops(slug, weight, start, end))
    if not entries and not problems:
        problems.append(_("A course must develop at least one competency."))
    if problems:
        raise ValueError(" ".join(problems))
    return entries


def develops_of(course: Course) -> list[Develops]:
    """What the course develops now, from the database (uses a prefetch of `competencies` when there is one)."""
    if course.pk is None:
        return []
    return sorted(
        Develops(cc.competency.slug, cc.weight, cc.from_level, cc.to_level) for cc in course.competencies.all()
    )


class SlugForeignKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key given by slug; an unknown slug is a clear row error."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(
                _("There is no %(model)s with the slug “%(slug)s”.")
                % {"model": self.model._meta.verbose_name, "slug": value}
            ) from None


class DayWidget(widgets.DateWidget):
    """ISO dates; a spreadsheet's date cell (read as a datetime) is a date too."""

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()
        try:
            return super().clean(value.strip() if isinstance(value, str) else value, row, **kwargs)
        except ValueError:
            raise ValueError(_("“%(value)s” is not a date like 2025-01-31.") % {"value": value}) from None


class MachineDecimalWidget(widgets.DecimalWidget):
    """A decimal written with a point in every language ("16.0", not German "16,0"), like the weights in
    the competencies column: one number format per file. Reading still takes either."""

    def render(self, value, obj=None, **kwargs):
        if self.coerce_to_string and not kwargs.get("force_native_type"):
            return "" if value is None else str(value)
        return value

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except (ArithmeticError, ValueError, TypeError):  # decimal.InvalidOperation is an ArithmeticError
            raise ValueError(_("“%(value)s” is not a number like 12.5.") % {"value": value}) from None


class YesNoWidget(widgets.BooleanWidget):
    """Yes or no in either language (1/0, ja/nein, yes/no, wahr/falsch, true/false); anything else is a row
    error. django-import-export's own widget reads every word it does not know, "ja" too, as no."""

    YES = frozenset({"1", "ja", "yes", "wahr", "true"})
    NO = frozenset({"0", "nein", "no", "falsch", "false"})

    def clean(self, value, row=None, **kwargs):
        if value in self.NULL_VALUES:
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if isinstance(value, int | float) and value in (0, 1):  # a spreadsheet's number cell
            text = str(int(value))
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(
            _("“%(value)s” is neither yes nor no: please write 1 or 0 (or ja/nein, yes/no, wahr/falsch).")
            % {"value": value}
        )


class SlugsWidget(widgets.ManyToManyWidget):
    """Courses given by slug, comma separated; unlike the stock widget an unknown slug is an error."""

    def clean(self, value, row=None, **kwargs):
        slugs = [s.strip() for s in str(value or "").split(self.separator) if s.strip()]
        found = self.model.objects.filter(**{f"{self.field}__in": slugs})
        missing = sorted(set(slugs) - set(found.values_list(self.field, flat=True)))
        if missing:
            raise ValueError(
                _("Unknown course: %(slugs)s. A prerequisite must already exist or come earlier in the file.")
                % {"slugs": ", ".join(missing)}
            )
        return found


# A cell that starts with one of these is a formula to a spreadsheet ("=HYPERLINK(...)", "@SUM(...)"):
# exported text that starts so gets a leading apostrophe, which spreadsheets show as plain text (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse_formula(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class CourseResource(resources.ModelResource):
    def export_field(self, field, instance, **kwargs):
        """Every exported text cell is defused, in CSV and XLSX; numbers stay numbers."""
        return defuse_formula(super().export_field(field, instance, **kwargs))

    provider = fields.Field(
        attribute="provider", column_name="provider", widget=SlugForeignKeyWidget(Provider, field="slug")
    )
    last_checked = fields.Field(attribute="last_checked", column_name="last_checked", widget=DayWidget())
    exam_retired_on = fields.Field(attribute="exam_retired_on", column_name="exam_retired_on", widget=DayWidget())
    hours = fields.Field(attribute="hours", column_name="hours", widget=MachineDecimalWidget())
    price_eur = fields.Field(attribute="price_eur", column_name="price_eur", widget=MachineDecimalWidget())
    # Named apart from its column: the export form has a field "format" of its own (the file format).
    course_format = fields.Field(attribute="format", column_name="format", widget=widgets.CharWidget())
    prerequisites = fields.Field(
        attribute="prerequisites", column_name="prerequisites", widget=SlugsWidget(Course, separator=",", field="slug")
    )
    # No attribute: the rows live in CourseCompetency and are written in after_save_instance.
    competencies = fields.Field(column_name="competencies")

    class Meta:
        model = Course
        # The shared column list; "format" is named apart (see course_format above).
        fields = tuple("course_format" if name == "format" else name for name in COURSE_COLUMNS)
        export_order = fields
        import_id_fields = ("slug",)
        skip_unchanged = True
        report_skipped = True
        skip_diff = False
        use_transactions = True
        clean_model_instances = True

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        # django-import-export reads a text column (TextField) with the plain Widget, which keeps an empty
        # spreadsheet cell as None: the database then refuses it ("NOT NULL constraint failed").
        if isinstance(f, models.TextField):
            return widgets.CharWidget
        if isinstance(f, models.BooleanField):
            return YesNoWidget
        return super().widget_from_django_field(f, default)

    @classmethod
    def widget_kwargs_for_field(cls, field_name, django_field):
        kwargs = super().widget_kwargs_for_field(field_name, django_field)
        if isinstance(django_field, models.CharField | models.TextField) and not django_field.null:
            kwargs["allow_blank"] = True  # an empty cell is an empty text ("" is what the admin saves, too)
        return kwargs

    @classmethod
    def get_display_name(cls) -> str:
        return _("Course catalogue")

    def get_queryset(self):
        return (
            Course.objects.select_related("provider")
            .prefetch_related(
                "prerequisites",
                Prefetch("competencies", queryset=CourseCompetency.objects.select_related("competency")),
            )
            .order_by("slug")
        )

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        """A value that cannot be read is a sentence naming the column, never the name of a Python error."""
        try:
            return super().import_field(field, instance, row, is_m2m, **kwargs)
        except (ValueError, ValidationError):
            raise  # already a sentence (ours, or Django's validation messages)
        except Exception as exc:
            raise ValueError(
                _("The column “%(column)s” could not be read from “%(value)s”.")
                % {"column": field.column_name, "value": row.get(field.column_name, "")}
            ) from exc

    @cached_property
    def known_competencies(self) -> dict[str, Competency]:
        return {c.slug: c for c in Competency.objects.all()}

    def dehydrate_competencies(self, course: Course) -> str:
        return format_develops(develops_of(course))

    def import_instance(self, instance: Course, row, **kwargs) -> None:
        """Set the course's fields from the row and check the two columns that are not plain fields."""
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if "competencies" in row:
            try:
                instance._imported_develops = parse_develops(row["competencies"], set(self.known_competencies))
            except ValueError as exc:
                errors["competencies"] = ValidationError(str(exc), code="invalid")
        if "prerequisites" in row:
            try:
                required = list(self.fields["prerequisites"].clean(row))
            except ValueError as exc:
                errors["prerequisites"] = ValidationError(str(exc), code="invalid")
            else:
                cycle = Course.objects.prerequisite_cycle(instance.pk, [c.pk for c in required])
                if cycle:
                    errors["prerequisites"] = ValidationError(cycle_message(cycle), code="cycle")
        if errors:
            raise ValidationError(errors)

    progress = None  # a callable (rows done, rows in all), set by a background import
    rows_total = 0
    _rows_done = 0

    def after_import_row(self, row, row_result, **kwargs) -> None:
        super().after_import_row(row, row_result, **kwargs)
        self._rows_done += 1
        if self.progress is not None and (self._rows_done % 100 == 0 or self._rows_done == self.rows_total):
            self.progress(self._rows_done, self.rows_total)

    def skip_row(self, instance: Course, original: Course, row, import_validation_errors=None) -> bool:
        if not super().skip_row(instance, original, row, import_validation_errors):
            return False
        imported = getattr(instance, "_imported_develops", None)
        return imported is None or sorted(imported) == develops_of(original)

    def after_save_instance(self, instance: Course, row, **kwargs) -> None:
        """Bring the course's competency rows in line with the column, touching only rows that differ
        (so the history shows exactly what the import changed)."""
        imported = getattr(instance, "_imported_develops", None)
        if imported is None:
            return
        current = {cc.competency.slug: cc for cc in instance.competencies.select_related("competency")}
        for entry in imported:
            row_now = current.pop(entry.competency, None)
            values = {"weight": entry.weight, "from_level": entry.from_level, "to_level": entry.to_level}
            if row_now is None:
                CourseCompetency.objects.create(
                    course=instance, competency=self.known_competencies[entry.competency], **values
                )
            elif any(getattr(row_now, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(row_now, name, value)
                row_now.save()
        for stale in current.values():
            stale.delete()


def cycle_message(chain: list[int], label: str = "slug") -> str:
    """“a → b → a”: the courses that would require each other, named by `label`, for a validation message."""
    names = dict(Course.objects.filter(pk__in=chain).values_list("pk", label))
    return _(
        "These prerequisites would make the courses require each other: %(chain)s. "
        "A course cannot require itself, directly or through other courses."
    ) % {"chain": " → ".join(names.get(pk, str(pk)) for pk in chain)}


# Large imports run in the background worker (recommendations.tasks.import_courses), with the same preview,
# all-or-nothing and per-row errors as the admin's own import; this is what the task does.
MAX_REPORTED_ROWS = 100  # rows with errors listed on the status page; the rest are counted


def read_dataset(data: bytes, format_name: str):
    """The rows of an uploaded file (CSV in UTF-8, or XLSX) as a tablib Dataset; ValueError if unreadable."""
    from import_export.formats.base_formats import CSV, XLSX

    try:
        if format_name == "xlsx":
            return XLSX().create_dataset(data)
        return CSV().create_dataset(data.decode("utf-8-sig"))
    except Exception as exc:  # any parser error: the caller explains it in a sentence
        raise ValueError(type(exc).__name__) from exc


def run_course_import(data: bytes, format_name: str, user_id: int | None, dry_run: bool, progress=None) -> dict:
    """Import (or with dry_run only check) a course file, all or nothing; a JSON-ready summary: row counts by
    outcome and, for rows with errors, their number and messages as sentences."""
    from django.contrib.auth import get_user_model

    dataset = read_dataset(data, format_name)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    resource = CourseResource()
    resource.progress = progress
    resource.rows_total = len(dataset)
    result = resource.import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
        user=user,
    )
    errors: list[dict] = []
    for number, row_errors in result.row_errors():
        errors.append({"row": number, "messages": [str(error.error) for error in row_errors]})
    for invalid in result.invalid_rows:
        messages = [
            message if field == "__all__" else f"{field}: {message}"
            for field, texts in invalid.error_dict.items()
            for message in texts
        ]
        errors.append({"row": invalid.number, "messages": messages})
    errors.sort(key=lambda e: e["row"])
    failed = bool(errors) or result.has_errors() or result.has_validation_errors()
    return {
        "dry_run": dry_run,
        "rows": len(dataset),
        "totals": {key: int(value) for key, value in result.totals.items()},
        "failed": failed,
        "written": not dry_run and not failed,
        "error_rows": len(errors),
        "errors": errors[:MAX_REPORTED_ROWS],
    }
