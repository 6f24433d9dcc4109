"""The course catalogue as a spreadsheet (CSV, XLSX) for django-import-export.

One row per course, keyed by its slug. The provider and the prerequisites are given by slug, and the
competencies a course develops as one column: `service_management:1.0:0:2;agile:0.5:1:3`
(competency:weight:from level:to level, separated by semicolons). Every row is validated like the
admin form validates a course; a row with an error stops the whole import. An unchanged row is
skipped, so importing an export unchanged writes nothing (and adds nothing to the history).

An empty cell in a column whose field has a default (the yes/no columns, language, last_checked) leaves the
course's value as it is; a new course gets the field's default there, except that it starts unverified:
nobody has checked the sources of a course that came in through a file. Rows are numbered as in the
spreadsheet (the first row names the columns, so the first course is row 2), and a CSV file may be separated
by commas, or by semicolons or tabs as Excel saves it in German.
"""

from __future__ import annotations

import csv
import datetime
import difflib
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

from diff_match_patch import diff_match_patch
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from import_export.formats.base_formats import CSV, XLSX
from import_export.resources import Diff
from import_export.results import Result

from assessment.models import Competency
from core.history import into_one_record
from core.meta import concrete_field
from core.numbers import is_plain_number
from recommendations.catalogue_file import IMPORTED
from recommendations.course_fields import COURSE_COLUMNS, COURSE_KEY
from recommendations.models import Course, CourseCompetency, Provider, shortest_cycle

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ENTRY_SEPARATOR = ";"
PART_SEPARATOR = ":"
MIN_WEIGHT, MAX_WEIGHT = 0.05, 1.0
HEADER_ROWS = 1  # a spreadsheet's first row names the columns: the first course is on row 2
CSV_SEPARATORS = (",", ";", "\t")  # the first is the export's; Excel in German saves with semicolons
SLUG_SEPARATOR = ","  # between the courses of the prerequisites and admission_prerequisites columns


def is_empty_cell(value) -> bool:
    """An empty spreadsheet cell: None from an XLSX file, "" (or only spaces) from a CSV file."""
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value) -> str:
    return "" if value is None else str(value).strip()


def split_slugs(value) -> list[str]:
    """The course slugs of a prerequisites cell."""
    return [slug.strip() for slug in cell_text(value).split(SLUG_SEPARATOR) if slug.strip()]


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
    """A foreign key given by slug; an unknown slug is a row error, worded for the model (`unknown`, with
    %(slug)s): German nouns have a gender, so "Es gibt kein(e) %(model)s" cannot be said well for every model."""

    def __init__(self, model, field: str, unknown: StrOrPromise, **kwargs) -> None:
        super().__init__(model, field=field, **kwargs)
        self.unknown = unknown

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(str(self.unknown) % {"slug": value}) from None


class DayWidget(widgets.DateWidget):
    """ISO dates, written so; read also as German spreadsheets write them back (31.01.2025); a spreadsheet's date
    cell (read as a datetime) is a date too."""

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()
        text = value.strip() if isinstance(value, str) else value
        if isinstance(text, str) and re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", text):
            try:
                return datetime.datetime.strptime(text, "%d.%m.%Y").date()
            except ValueError:
                pass  # 31.02.2025: said below
        try:
            return super().clean(text, row, **kwargs)
        except ValueError:
            raise ValueError(_("“%(value)s” is not a date like 2025-01-31 or 31.01.2025.") % {"value": value}) from None


class MachineDecimalWidget(widgets.DecimalWidget):
    """A decimal written with a point in every language ("16.0", not German "16,0"), like the weights in
    the competencies column: one number format per file. Reading still takes either."""

    def render(self, value, obj=None, **kwargs):
        if self.coerce_to_string and not kwargs.get("force_native_type"):
            return "" if value is None else str(value)
        return value

    def clean(self, value, row=None, **kwargs):
        try:
            if isinstance(value, str) and value.strip():
                return spreadsheet_decimal(value)
            return super().clean(value, row, **kwargs)
        except (ArithmeticError, ValueError, TypeError):  # decimal.InvalidOperation is an ArithmeticError
            raise ValueError(_("“%(value)s” is not a number like 12.5.") % {"value": value}) from None


def spreadsheet_decimal(text: str) -> Decimal:
    """A number as a person's spreadsheet writes it: "12.5", "12,5", and with thousands grouped by the other sign
    or a space, "1.290,00" (German Excel's currency format), "1,290.00", "1 290,5", "1.290.000". One sign alone is
    the decimal sign ("1.290" is 1.29, as the export writes it) unless it groups digits in threes more than once."""
    text = re.sub(r"[\s\u00a0\u202f]", "", text)  # a space only ever groups thousands
    points, commas = text.count("."), text.count(",")
    if points and commas:
        sign = "." if text.rfind(".") > text.rfind(",") else ","
        whole, _, fraction = text.rpartition(sign)
        group = "," if sign == "." else "."
        if not re.fullmatch(rf"[+-]?\d{{1,3}}(?:\{group}\d{{3}})*", whole):
            raise ValueError(text)
        text = f"{whole.replace(group, '')}.{fraction}"
    elif points > 1 or commas > 1:
        group = "." if points else ","
        if not re.fullmatch(rf"[+-]?\d{{1,3}}(?:\{group}\d{{3}})+", text):
            raise ValueError(text)
        text = text.replace(group, "")
    text = text.replace(",", ".")
    if not is_plain_number(text):  # "1e3" was imported as 1.000 hours, as the forms read it before (a code review)
        raise ValueError(text)
    return Decimal(text)


class YesNoWidget(widgets.BooleanWidget):
    """Yes or no in either language (1/0, ja/nein, yes/no, wahr/falsch, true/false, x for a tick); anything
    else is a row error naming the column and these words. django-import-export's own widget reads every word
    it does not know, "ja" too, as no. An empty cell keeps the course's value (CourseResource.import_field)."""

    YES = ("1", "ja", "yes", "wahr", "true", "x")
    NO = ("0", "nein", "no", "falsch", "false")

    def __init__(self, column: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.column = column

    def clean(self, value, row=None, **kwargs):
        if is_empty_cell(value):
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
            _(
                "“%(value)s” in the column “%(column)s” is neither yes nor no. Write yes as %(yes)s and no as "
                "%(no)s; an empty cell leaves the value as it is."
            )
            % {"value": value, "column": self.column, "yes": " / ".join(self.YES), "no": " / ".join(self.NO)}
        )


class CodeWidget(widgets.CharWidget):
    """A column that takes one of a field's codes ("online", "classroom", …); anything else is a row error
    that lists the codes with their meaning, since a spreadsheet shows only the code."""

    def __init__(self, choices: Iterable[tuple[str, StrOrPromise]], column: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.choices = list(choices)
        self.column = column

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if text in dict(self.choices):
            return text
        names = {
            "value": value,
            "column": self.column,
            "codes": "; ".join(f"{c} = {label}" for c, label in self.choices),
        }
        if not text:
            raise ValueError(
                _("The column “%(column)s” must not be empty. Write one of these codes: %(codes)s.") % names
            )
        raise ValueError(
            _("“%(value)s” is not a valid value in the column “%(column)s”. Write one of these codes: %(codes)s.")
            % names
        )


class UnknownCourses(ValueError):
    """Prerequisites that name courses which do not exist (yet)."""

    def __init__(self, slugs: list[str]) -> None:
        super().__init__(
            _("Unknown course: %(slugs)s. A prerequisite must already exist or come earlier in the file.")
            % {"slugs": ", ".join(slugs)}
        )
        self.slugs = slugs


class SlugsWidget(widgets.ManyToManyWidget):
    """Courses given by slug, comma separated; unlike the stock widget an unknown slug is an error."""

    def clean(self, value, row=None, **kwargs):
        slugs = split_slugs(value)
        found = self.model.objects.filter(**{f"{self.field}__in": slugs})
        missing = sorted(set(slugs) - set(found.values_list(self.field, flat=True)))
        if missing:
            raise UnknownCourses(missing)
        return found


class SpreadsheetRowsResult(Result):
    """Rows numbered as the spreadsheet numbers them: the first row names the columns, the first course is row 2
    (django-import-export counts the courses from 1)."""

    def append_invalid_row(self, number, row, validation_error):
        super().append_invalid_row(number + HEADER_ROWS, row, validation_error)

    def append_error_row(self, number, row, errors):
        super().append_error_row(number + HEADER_ROWS, row, errors)

    def row_errors(self):
        return [(error_row.number, error_row.errors) for error_row in self.error_rows]


# A cell that starts with one of these is a formula to a spreadsheet ("=HYPERLINK(...)", "@SUM(...)"):
# exported text that starts so gets a leading apostrophe, which spreadsheets show as plain text (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse_formula(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def restore_formula(value):
    """The text `defuse_formula` exported, read back: an export imported unchanged leaves every text as it was
    ("- nur online" came back as "'- nur online")."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


class CourseDiff(Diff):
    """The preview's cells before and after a row: django-import-export reads each column with its widget, which
    gives nothing for the competencies (a column of no field), so a row that changed only them was marked
    "changed" with no cell showing what."""

    def __init__(self, resource, instance, new) -> None:
        super().__init__(resource, instance, new)
        self.left = self.cells(resource, instance)

    def compare_with(self, resource, instance) -> None:
        self.right = self.cells(resource, instance)

    def as_html(self) -> list[SafeString]:
        """Each cell as text struck out where it goes and underlined where it comes, without django-import-export's
        inline colours (the site's CSP refuses inline styles; admin_extra/import.css colours them)."""
        matcher = diff_match_patch()
        tags = {matcher.DIFF_DELETE: "del", matcher.DIFF_INSERT: "ins", matcher.DIFF_EQUAL: "span"}
        cells = []
        for before, after in zip(self.left, self.right, strict=True):
            before, after = force_str(before), force_str(after)
            parts = matcher.diff_main("" if self.new and before != after else before, after)
            matcher.diff_cleanupSemantic(parts)
            cells.append(
                format_html_join(
                    "",
                    "<{0}>{1}</{0}>",
                    ((tags[op], mark_safe(escape(text).replace("\n", "&para;<br>"))) for op, text in parts if text),
                )
            )
        return cells

    @staticmethod
    def cells(resource, instance) -> list[str]:
        # Diff calls Diff._read_field_values by its class name, so overriding that would change nothing.
        return [resource.preview_cell(field, instance) for field in resource.get_import_fields()]


class CourseResource(resources.ModelResource):
    def get_diff_class(self):
        return CourseDiff

    def preview_cell(self, field: fields.Field, course: Course | None) -> str:
        """A column of a course as the import preview compares it: as the export writes it; the competencies as
        the row sets them (read before they are saved, the course's prefetched rows would still be the old ones)."""
        if course is None:
            return ""
        if field.column_name == "competencies":
            imported = getattr(course, "_imported_develops", None)
            return format_develops(imported if imported is not None else develops_of(course))
        if field.column_name in ("prerequisites", "admission_prerequisites"):
            return SLUG_SEPARATOR.join(sorted(split_slugs(field.export(course))))
        return field.export(course)

    def export_field(self, field, instance, **kwargs):
        """Every exported text cell is defused, in CSV and XLSX; numbers stay numbers."""
        return defuse_formula(super().export_field(field, instance, **kwargs))

    provider = fields.Field(
        attribute="provider",
        column_name="provider",
        widget=SlugForeignKeyWidget(
            Provider, field="slug", unknown=gettext_lazy("There is no provider with the slug “%(slug)s”.")
        ),
    )
    last_checked = fields.Field(attribute="last_checked", column_name="last_checked", widget=DayWidget())
    exam_retired_on = fields.Field(attribute="exam_retired_on", column_name="exam_retired_on", widget=DayWidget())
    hours = fields.Field(attribute="hours", column_name="hours", widget=MachineDecimalWidget())
    price_eur = fields.Field(attribute="price_eur", column_name="price_eur", widget=MachineDecimalWidget())
    # Named apart from its column: the export form has a field "format" of its own (the file format).
    course_format = fields.Field(
        attribute="format", column_name="format", widget=CodeWidget(Course.Format.choices, column="format")
    )
    prerequisites = fields.Field(
        attribute="prerequisites",
        column_name="prerequisites",
        widget=SlugsWidget(Course, separator=SLUG_SEPARATOR, field="slug"),
    )
    # A subset of the prerequisites column (checked in import_instance), so its courses exist once those do.
    admission_prerequisites = fields.Field(
        attribute="admission_prerequisites",
        column_name="admission_prerequisites",
        widget=SlugsWidget(Course, separator=SLUG_SEPARATOR, field="slug"),
    )
    # No attribute: the rows live in CourseCompetency and are written in after_save_instance.
    competencies = fields.Field(column_name="competencies")
    # What the export page calls a column of no model field (the others: their field's label, admin.column_label).
    column_labels = {"competencies": CourseCompetency._meta.verbose_name_plural}

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
        if f.choices:
            return CodeWidget
        return super().widget_from_django_field(f, default)

    @classmethod
    def widget_kwargs_for_field(cls, field_name, django_field):
        kwargs = super().widget_kwargs_for_field(field_name, django_field)
        if isinstance(django_field, models.CharField | models.TextField) and not django_field.null:
            kwargs["allow_blank"] = True  # an empty cell is an empty text ("" is what the admin saves, too)
        if isinstance(django_field, models.BooleanField):
            kwargs["column"] = field_name
        elif django_field.choices:
            kwargs.update(choices=django_field.choices, column=field_name)
        return kwargs

    @classmethod
    def get_result_class(cls):
        return SpreadsheetRowsResult

    def init_instance(self, row=None) -> Course:
        """A course new from a file starts unverified, unless the file says it is verified: nobody has checked
        its sources yet (as a course added in the admin form starts unverified)."""
        return Course(verified=False)

    @classmethod
    def get_display_name(cls) -> str:
        return _("Course catalogue")

    def get_queryset(self):
        return (
            Course.objects.select_related("provider")
            .prefetch_related(
                "prerequisites",
                "admission_prerequisites",
                Prefetch("competencies", queryset=CourseCompetency.objects.select_related("competency")),
            )
            .order_by("slug")
        )

    @staticmethod
    def keeps_value_when_empty(field: fields.Field) -> bool:
        """Whether an empty cell of the column leaves the course's value alone: so it does where the model field
        has a default, which django-import-export would otherwise write over an existing course's value (an
        empty "active" cell would reactivate a course, an empty "last_checked" would date its check today)."""
        try:
            return bool(field.attribute) and concrete_field(Course, field.attribute).has_default()
        except FieldDoesNotExist:
            return False

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        """A value that cannot be read is a sentence naming the column, never the name of a Python error."""
        if "\x00" in str(row.get(field.column_name) or ""):  # PostgreSQL refuses it; SQLite would store it
            raise ValueError(
                _("The column “%(column)s” contains a NUL character, which no text may hold.")
                % {"column": field.column_name}
            )
        if field.column_name in row and is_empty_cell(row[field.column_name]) and self.keeps_value_when_empty(field):
            return  # the course's value stays: its own, or for a new course the field's default (init_instance)
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

    rows_in_file: Mapping[str, int] = {}  # course slug -> the spreadsheet row that first names it
    repeated: Mapping[str, list[int]] = {}  # course slug -> the rows, where the file names it more than once
    requires: Mapping[str, list[str]] = {}  # course slug -> its prerequisites once the file is imported

    def before_import_row(self, row, **kwargs) -> None:
        for column, value in row.items():
            row[column] = restore_formula(value)

    def before_import(self, dataset, **kwargs) -> None:
        """Read where each course is in the file and what every course will require once the file is imported
        (the file's prerequisites for its courses, the database's for the others), to name a prerequisite
        further down the file, or courses that would require each other, even when they are all new."""
        super().before_import(dataset, **kwargs)
        requires: dict[str, list[str]] = {}
        for course, required in Course.prerequisites.through.objects.values_list(
            "from_course__slug", "to_course__slug"
        ):
            requires.setdefault(course, []).append(required)
        rows: dict[str, int] = {}
        every_row: dict[str, list[int]] = {}
        if dataset.headers and COURSE_KEY in dataset.headers:
            for number, values in enumerate(dataset.dict, start=1 + HEADER_ROWS):
                slug = cell_text(values.get(COURSE_KEY))
                if not slug:
                    continue
                rows.setdefault(slug, number)
                every_row.setdefault(slug, []).append(number)
                if "prerequisites" in values:
                    requires[slug] = split_slugs(values["prerequisites"])  # the last row of a course wins
        self.rows_in_file = rows
        self.repeated = {slug: numbers for slug, numbers in every_row.items() if len(numbers) > 1}
        self.requires = requires

    def missing_prerequisites_message(self, slugs: list[str], row_number: int | None) -> str:
        """Why prerequisites are not there: further down the file, in an earlier row that failed, or unknown."""
        here = None if row_number is None else row_number + HEADER_ROWS
        sentences, unknown = [], []
        for slug in slugs:
            there = self.rows_in_file.get(slug)
            if there is None or here is None:
                unknown.append(slug)
            elif there > here:
                sentences.append(
                    _(
                        "“%(slug)s” comes further down in the file (row %(row)s), but a prerequisite must already "
                        "exist or come earlier in the file: move its row above this one."
                    )
                    % {"slug": slug, "row": there}
                )
            else:
                sentences.append(
                    _(
                        "“%(slug)s” (row %(row)s) could not be imported because that row has errors: "
                        "please correct it first."
                    )
                    % {"slug": slug, "row": there}
                )
        if unknown:
            sentences.insert(0, str(UnknownCourses(unknown)))
        return " ".join(sentences)

    def import_instance(self, instance: Course, row, **kwargs) -> None:
        """Set the course's fields from the row and check the two columns that are not plain fields."""
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        slug = cell_text(row.get(COURSE_KEY))
        if slug in self.repeated:  # which row should win is the admin's call, not the last row's
            errors[COURSE_KEY] = ValidationError(
                _("“%(slug)s” is in more than one row of the file (rows %(rows)s): keep one row per course.")
                % {"slug": slug, "rows": ", ".join(map(str, self.repeated[slug]))},
                code="repeated",
            )
        if "competencies" in row:
            try:
                # read back when the row is saved (the links are not fields of the course)
                develops = parse_develops(row["competencies"], set(self.known_competencies))
                instance._imported_develops = develops  # type: ignore[attr-defined]
            except ValueError as exc:
                errors["competencies"] = ValidationError(str(exc), code="invalid")
        if "prerequisites" in row:
            # Checked against the whole file, not the rows imported so far: new courses that require each other
            # are a cycle, not a prerequisite that "must come earlier".
            cycle = shortest_cycle(cell_text(row.get(COURSE_KEY)), self.requires)
            if cycle:
                errors["prerequisites"] = ValidationError(describe_cycle(cycle), code="cycle")
            else:
                try:
                    self.fields["prerequisites"].clean(row)
                except UnknownCourses as exc:
                    message = self.missing_prerequisites_message(exc.slugs, kwargs.get("row_number"))
                    errors["prerequisites"] = ValidationError(message, code="invalid")
        if "admission_prerequisites" in row:
            required = set(self.requires.get(slug, ()))  # the course's prerequisites once the file is imported
            if stray := [s for s in split_slugs(row["admission_prerequisites"]) if s not in required]:
                errors["admission_prerequisites"] = ValidationError(
                    _(
                        "Not a prerequisite of this course: %(slugs)s. A course whose certificate is required for "
                        "admission must be a prerequisite, too: add it to the column “prerequisites”."
                    )
                    % {"slugs": ", ".join(stray)},
                    code="invalid",
                )
        if errors:
            raise ValidationError(errors)

    def save_m2m(self, instance: Course, row, **kwargs) -> None:
        """After the prerequisites a file sets, the admission requirements that are no longer prerequisites go (a
        file without the admission_prerequisites column keeps the others). Both lists as saved are kept in the
        record the row's own save wrote: django-simple-history wrote one more record per list that changed, states
        of the course nobody imported, as the edit page's save once did."""

        def save_both() -> None:
            super(CourseResource, self).save_m2m(instance, row, **kwargs)
            if instance.pk is not None:
                stray = instance.admission_prerequisites.exclude(pk__in=instance.prerequisites.values("pk"))
                if stray.exists():
                    instance.admission_prerequisites.remove(*stray)

        since = getattr(instance, "_saved_since", None)
        if since is None:  # the row was not saved (skipped, or a dry run's error): nothing of its own to add to
            save_both()
            return
        into_one_record(instance, since, save_both)

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

    def before_save_instance(self, instance: Course, row, **kwargs) -> None:
        super().before_save_instance(instance, row, **kwargs)
        # the history says "Katalogimport", as for `import_catalogue`'s file (it said "–", as for an edit by hand)
        instance._change_reason = IMPORTED  # type: ignore[attr-defined]  # django-simple-history reads it
        instance._saved_since = timezone.now()  # type: ignore[attr-defined]  # the record `save_m2m` writes into

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
                row_now = CourseCompetency(course=instance, competency=self.known_competencies[entry.competency])
            elif all(getattr(row_now, name) == value for name, value in values.items()):
                continue
            for name, value in values.items():
                setattr(row_now, name, value)
            row_now._change_reason = IMPORTED  # type: ignore[attr-defined]
            row_now.save()
        for stale in current.values():
            stale._change_reason = IMPORTED  # type: ignore[attr-defined]
            stale.delete()


def cycle_message(chain: list[int], label: str = "slug") -> str:
    """“a → b → a”: the courses that would require each other, named by `label`, for a validation message."""
    names = dict(Course.objects.filter(pk__in=chain).values_list("pk", label))
    return describe_cycle([names.get(pk, str(pk)) for pk in chain])


def describe_cycle(names: list[str]) -> str:
    """The validation message for courses (named in order, the first again at the end) that require each other."""
    return _(
        "These prerequisites would make the courses require each other: %(chain)s. "
        "A course cannot require itself, directly or through other courses."
    ) % {"chain": " → ".join(names)}


class UnreadableFile(ValueError):
    """A file the import cannot take, with a sentence for the admin that says why."""


def first_line(text: str) -> str:
    return text.partition("\n")[0].rstrip("\r")


def csv_separator(text: str) -> str:
    """The separator of a CSV file: the one that splits its first row into the most known column names (Excel
    in German separates with semicolons), or a comma when none does."""
    first_row = first_line(text)
    best, known = CSV_SEPARATORS[0], 0
    for separator in CSV_SEPARATORS:
        header = next(csv.reader([first_row], delimiter=separator), [])
        count = sum(cell.strip() in COURSE_COLUMNS for cell in header)
        if count > known:
            best, known = separator, count
    return best


def check_header(headers, first_row: str | None = None) -> None:
    """Raise UnreadableFile unless the first row names the slug column, saying what it names instead; for a CSV
    file (`first_row`, as written) whose first row names no known column, that the separator is the likely cause."""
    names = [name for name in (cell_text(header) for header in headers or ()) if name]
    twice = sorted({name for name in names if name in COURSE_COLUMNS and names.count(name) > 1})
    if twice:  # each row would keep only its last cell of the column, and drop the first without a word
        raise UnreadableFile(
            _(
                "The first row of the file names the column “%(column)s” twice. Each column may appear only once: "
                "otherwise only the last of its cells in a row would be imported."
            )
            % {"column": twice[0]}
        )
    if not names:
        return  # no first row at all: django-import-export says there is nothing to import
    if COURSE_KEY in names:
        unknown = [name for name in names if name not in COURSE_COLUMNS]
        if unknown:  # a renamed or misspelt column was left out without a word, and with it every change in it
            raise UnreadableFile(unknown_columns_message(unknown))
        return
    if first_row is not None and not set(names) & set(COURSE_COLUMNS):
        raise UnreadableFile(
            _(
                "The first row of the file names none of the columns (%(columns)s, …). The columns must be "
                "separated by commas, semicolons or tabs; the first row reads: “%(row)s”."
            )
            % {"columns": ", ".join(COURSE_COLUMNS[:3]), "row": first_row[:200]}
        )
    raise UnreadableFile(
        _(
            "The column “%(column)s” is missing from the first row of the file: it identifies each course. "
            "The first row names: %(names)s."
        )
        % {"column": COURSE_KEY, "names": ", ".join(names)}
    )


def unknown_columns_message(unknown: list[str]) -> str:
    """Name the columns the catalogue does not know, each with the known column it most resembles."""
    named = []
    for name in unknown[:5]:
        close = difflib.get_close_matches(name.casefold(), COURSE_COLUMNS, n=1, cutoff=0.6)
        if close:
            named.append(_("“%(column)s” (meant: “%(known)s”?)") % {"column": name, "known": close[0]})
        else:
            named.append(_("“%(column)s”") % {"column": name})
    if len(unknown) > 5:
        named.append("…")
    return _(
        "The first row of the file names columns the catalogue does not know: %(columns)s. Rename or delete "
        "them: a column the catalogue does not know would be left out, and every change in it lost. The "
        "columns it knows: %(known)s."
    ) % {"columns": ", ".join(named), "known": ", ".join(COURSE_COLUMNS)}


def trimmed_headers(dataset):
    """The dataset with its column names taken without the spaces around them (" slug" is the slug column)."""
    if dataset.headers:
        dataset.headers = [cell_text(name) for name in dataset.headers]
    return dataset


def decoded(data: bytes) -> str:
    """A CSV file's text: UTF-8 (with or without a byte order mark), else Windows-1252, which German Excel
    writes as its plain "CSV (Trennzeichen-getrennt)"; the header check then finds a wrong guess. A euro sign
    where Windows-1252 has "¤" (and none where it has its own) is ISO-8859-15's: a file saved so read
    "1.299 ¤" and was imported as such (an admin review)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if b"\x00" in data[:4096]:  # UTF-16 ("Unicode-Text"): not a Windows-1252 text either
            raise
        if b"\xa4" in data and b"\x80" not in data:
            return data.decode("iso8859_15", errors="replace")
        return data.decode("cp1252", errors="replace")


class CourseCSV(CSV):
    """A course file in CSV, separated by commas, semicolons or tabs, in UTF-8 or German Excel's Windows-1252
    (read as bytes, so that the admin's import does not decode it as UTF-8 first)."""

    def is_binary(self) -> bool:
        return True

    def get_read_mode(self) -> str:
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        text = decoded(in_stream) if isinstance(in_stream, bytes) else in_stream
        text = text.removeprefix("\ufeff")
        separator = kwargs.setdefault("delimiter", csv_separator(text))
        # The first row before the rest: with the wrong separator the rest may not even split into equal rows.
        check_header(next(csv.reader([first_line(text)], delimiter=separator), []), first_row=first_line(text))
        return trimmed_headers(super().create_dataset(text, **kwargs))


class CourseXLSX(XLSX):
    """A course file in XLSX (its first sheet)."""

    def create_dataset(self, in_stream):
        dataset = super().create_dataset(in_stream)
        check_header(dataset.headers)
        return trimmed_headers(dataset)


# Large imports run in the background worker (recommendations.tasks.import_courses), with the same preview,
# all-or-nothing and per-row errors as the admin's own import; this is what the task does.
MAX_REPORTED_ROWS = 100  # rows with errors listed on the status page; the rest are counted


def count_rows(data: bytes, format_name: str) -> int:
    """About how many rows below the header a file has, without reading its cells: enough to decide whether the
    worker imports it (a 3 MB XLSX file that unpacks to 46 MB took 23 s to read in the request, just to count).
    A CSV cell with a line break counts a row more; an XLSX file without its size in its header is read row by
    row, values only."""
    if format_name != "xlsx":
        return max(0, sum(1 for line in data.splitlines() if line.strip()) - 1)
    from openpyxl import load_workbook

    try:
        sheet: Any = load_workbook(io.BytesIO(data), read_only=True).active
        rows = sheet.max_row or len(list(sheet.iter_rows(values_only=True)))
    except Exception as exc:  # any parser error: the normal import path explains it in a sentence
        raise ValueError(type(exc).__name__) from exc
    return max(0, rows - 1)


def read_dataset(data: bytes, format_name: str):
    """The rows of an uploaded file (CSV in UTF-8 or Windows-1252, or XLSX) as a tablib Dataset; ValueError if
    unreadable (UnreadableFile with a sentence for the admin when the columns are not the catalogue's)."""
    try:
        if format_name == "xlsx":
            return CourseXLSX().create_dataset(data)
        return CourseCSV().create_dataset(data)
    except UnreadableFile:
        raise
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
    inactive: list[list[int]] = []
    if not dry_run and not failed:
        # what the admin's own import warns of (`CourseAdmin.process_result`), for the status page to say
        touched = [row.object_id for row in result.rows if row.object_id is not None]
        through = Course.prerequisites.through
        inactive = [
            [course, prerequisite]
            for course, prerequisite in through.objects.filter(
                from_course__in=Course.objects.active().touched_by(touched), to_course__active=False
            )
            .order_by("from_course__title_de", "to_course__title_de")
            .values_list("from_course_id", "to_course_id")
        ]
    return {
        "dry_run": dry_run,
        "rows": len(dataset),
        "totals": {key: int(value) for key, value in result.totals.items()},
        "failed": failed,
        "written": not dry_run and not failed,
        "error_rows": len(errors),
        "errors": errors[:MAX_REPORTED_ROWS],
        "inactive_prerequisites": inactive,  # [course id, id of an inactive course it requires]
    }
