"""Admin for the catalogue: providers, courses, target roles, model versions and confirmed outcomes.

Courses import and export as CSV/XLSX (see `resources.py`); every catalogue and role change is kept in
the history with revert; the model is retrained from the model version list.
"""

from __future__ import annotations

import datetime
import logging
import os
import zipfile
from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypedDict

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import display_for_value
from django.contrib.admin.views.main import ERROR_FLAG
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Max, Prefetch, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ImportForm, SelectableFieldsExportForm
from import_export.tmp_storages import TempFolderStorage

from assessment.admin import (
    SIDE_BY_SIDE_TEXT,
    CheckedIdsMixin,
    CheckedIdsModelMultipleChoiceField,
    CompetencyRowsMixin,
    FieldOptions,
    LabelledCellsMixin,
    LabelledFieldsMixin,
    LocalizedNumbersMixin,
    NamedRowsFormSet,
    StableSlugMixin,
    activate_selected,
    deactivate_selected,
    field_label,
    grouped,
    grouped_field,
)
from assessment.models import Competency, Level
from core import tasks as core_tasks
from core.history import InlineHistoryAdmin, RowChange
from core.numbers import number_text, with_percent_sign
from core.ordering import GermanOrderMixin, GermanRelatedFieldListFilter
from core.rounding import half_up_int
from core.task_pages import register_task_page
from recommendations import content, lifecycle, recommender, tasks
from recommendations.course_fields import COURSE_FORM_FIELDS
from recommendations.models import (
    ConfirmedOutcome,
    Course,
    CourseCompetency,
    ModelVersion,
    Provider,
    Role,
    RoleRequirement,
    StoredResult,
)
from recommendations.resources import (
    CourseCSV,
    CourseResource,
    CourseXLSX,
    UnreadableFile,
    count_rows,
    cycle_message,
)
from recommendations.results import path_courses, path_shown

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _CourseCount(TypedDict):
    course_count: int


class _RequirementCount(TypedDict):
    requirement_count: int


log = logging.getLogger(__name__)
# Links without a scheme are taken as https (Django 6's default; says so now, without a warning).
HTTPS_URLS: FieldOptions = {models.URLField: {"assume_scheme": "https"}}
# A retraining still queued after this long suggests that no worker (`manage.py db_worker`) is running.
WORKER_HINT_AFTER_SECONDS = 15


def _expected_training_seconds(active: ModelVersion | None) -> int:
    """How long a training takes, as the active version's took (10 seconds before there is one)."""
    return half_up_int((active.metrics.get("train_seconds") if active else None) or 10)


@admin.register(Provider)
class ProviderAdmin(
    GermanOrderMixin, CheckedIdsMixin, LocalizedNumbersMixin, StableSlugMixin, LabelledFieldsMixin, InlineHistoryAdmin
):
    formfield_overrides = {**SIDE_BY_SIDE_TEXT, **HTTPS_URLS}
    slug_source = "name"
    list_display = ("name", "slug", "course_count", "in_house", "is_example", "url")
    list_filter = ("in_house", "is_example")
    search_fields = ("slug", "name")
    ordering = ("name",)
    fields = ("slug", "name", "url", ("in_house", "is_example"), ("note_de", "note_en"))

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(course_count=Count("courses"))

    @admin.display(description=_("courses"), ordering="course_count")
    def course_count(self, provider: WithAnnotations[Provider, _CourseCount]) -> str | None:
        return grouped(provider.course_count)


class OfferedChoiceFilter(admin.SimpleListFilter):
    """A filter that applies only the choices it offers: a value typed into the address (an edited link, an old
    bookmark) is refused as Django refuses one for its own filters, with the list again and "?e=1", not a 500 from
    the database (a text for a level) or a silently empty list (an unknown competency)."""

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value not in {str(choice) for choice, _label in self.lookup_choices}:
            raise IncorrectLookupParameters(f"{self.parameter_name}={value!r} is not offered")
        return self.filtered(request, queryset, value)

    def filtered(self, request, queryset, value: str):
        raise NotImplementedError


class CompetencyFilter(OfferedChoiceFilter):
    title = _("competency developed")
    parameter_name = "competency"

    def lookups(self, request, model_admin):
        return [(c.slug, c.name) for c in Competency.objects.order_by("section__order", "order", "slug")]

    def filtered(self, request, queryset, value):
        return queryset.filter(competencies__competency__slug=value)


class LevelFilter(OfferedChoiceFilter):
    """A level of the competencies a course develops; with a competency chosen, of that competency."""

    field = ""

    def lookups(self, request, model_admin):
        return [(str(value), label) for value, label in Level.choices]

    def filtered(self, request, queryset, value):
        lookup = {f"competencies__{self.field}": value}
        competency = request.GET.get(CompetencyFilter.parameter_name)
        if competency:  # the same CourseCompetency row, not any row of the course
            lookup["competencies__competency__slug"] = competency
        return queryset.filter(**lookup).distinct()


class FromLevelFilter(LevelFilter):
    title = _("starts at level")
    parameter_name = "from_level"
    field = "from_level"


class ToLevelFilter(LevelFilter):
    title = _("leads to level")
    parameter_name = "to_level"
    field = "to_level"


class LastCheckedFilter(OfferedChoiceFilter):
    title = _("last checked")
    parameter_name = "checked"

    def lookups(self, request, model_admin):
        return [
            ("recent", _("in the last 6 months")),
            ("due", _("6 to 12 months ago")),
            ("overdue", _("more than a year ago")),
        ]

    def filtered(self, request, queryset, value):
        today = timezone.localdate()
        half_year, year = today - datetime.timedelta(days=182), today - datetime.timedelta(days=365)
        if value == "recent":
            return queryset.filter(last_checked__gte=half_year)
        if value == "due":
            return queryset.filter(last_checked__lt=half_year, last_checked__gte=year)
        return queryset.filter(last_checked__lt=year)


class CourseCompetencyFormSet(NamedRowsFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        if not any(f.cleaned_data and not f.cleaned_data.get("DELETE") for f in self.forms):
            raise ValidationError(
                _("A course must develop at least one competency: add it below with its levels."), code="empty"
            )


class CourseCompetencyInline(
    CompetencyRowsMixin, LocalizedNumbersMixin, LabelledFieldsMixin, LabelledCellsMixin, admin.TabularInline
):
    model = CourseCompetency
    formset = CourseCompetencyFormSet
    fields = ("competency", "from_level", "to_level", "weight")
    extra = 1  # a blank row, new course or not: without JavaScript no other row can be added; left blank, not saved


class CourseAdminForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = COURSE_FORM_FIELDS  # the admin narrows these to its fieldsets

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("prerequisites", "admission_prerequisites"):
            field = self.fields.get(name)
            # a course cannot require itself: it is not offered
            if isinstance(field, forms.ModelMultipleChoiceField) and field.queryset is not None and self.instance.pk:
                field.queryset = field.queryset.exclude(pk=self.instance.pk)

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        prerequisites = cleaned.get("prerequisites")
        if prerequisites is not None:
            cycle = Course.objects.prerequisite_cycle(self.instance.pk, [c.pk for c in prerequisites])
            if cycle:
                self.add_error("prerequisites", cycle_message(cycle, label="title_de"))
        admission = cleaned.get("admission_prerequisites")
        if admission is not None and prerequisites is not None:
            if stray := [str(course) for course in admission if course not in prerequisites]:
                self.add_error(
                    "admission_prerequisites",
                    gettext(
                        "Not a prerequisite of this course: %(courses)s. A course whose certificate is required for "
                        "admission must be chosen as a prerequisite, too."
                    )
                    % {"courses": ", ".join(stray)},
                )
        return cleaned


class PrerequisiteField(CheckedIdsModelMultipleChoiceField):
    """The courses to choose prerequisites from: the inactive ones (last) say so."""

    def label_from_instance(self, course: Course) -> str:
        return str(course) if course.active else gettext("%(course)s (inactive)") % {"course": course}


def tell_of_stored_paths(modeladmin, request: HttpRequest, courses) -> None:
    """Say how many stored results show a deactivated course in their learning path: the admin was told only that
    the change was saved (a review), while those people's pages now mark it as no longer offered. Counted where the
    page shows the path (`results.path_shown`), found by the slug in the stored text first."""
    slugs = set(Course.objects.filter(pk__in=[c.pk for c in courses]).values_list("slug", flat=True))
    if not slugs:
        return
    mentioning = Q()
    for slug in slugs:
        mentioning |= Q(document__path__steps__icontains=f'"{slug}"')
    rows = StoredResult.objects.filter(mentioning).values_list(
        "document__path__steps", "document__profile__reliability", "document__chosen_role"
    )
    roles = set(Role.objects.active().values_list("slug", flat=True))
    count = sum(
        1
        for steps, reliability, chosen in rows.iterator()
        if path_shown(str(reliability), str(chosen or ""), roles) and path_courses(steps) & slugs
    )
    if count:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)s stored result shows a deactivated course in its learning path: its page marks it as no "
                "longer offered and offers to compute the result again.",
                "%(count)s stored results show a deactivated course in their learning paths: their pages mark it as "
                "no longer offered and offer to compute the result again.",
                count,
            )
            % {"count": number_text(count, 0)},
            messages.INFO,
        )


def warn_of_uncovered_levels(modeladmin, request: HttpRequest, courses) -> None:
    """Say which required levels no active course leads to any more, in the competencies the deactivated
    `courses` develop: learning paths leave those gaps open (the dashboard lists them too)."""
    from recommendations.dashboard import uncovered_requirements

    developed = set(CourseCompetency.objects.filter(course__in=courses).values_list("competency__slug", flat=True))
    uncovered = [u for u in uncovered_requirements() if u.competency in developed]
    if not uncovered:
        return
    names = {competency.slug: competency.name for competency in Competency.objects.filter(slug__in=developed)}
    levels = "; ".join(
        ngettext(
            "%(competency)s, level %(level)s (%(count)d role)",
            "%(competency)s, level %(level)s (%(count)d roles)",
            len(u.roles),
        )
        % {"competency": names.get(u.competency, u.competency), "level": u.level, "count": len(u.roles)}
        for u in uncovered
    )
    modeladmin.message_user(
        request,
        gettext("No active course leads any more to: %(levels)s. Learning paths leave these gaps open.")
        % {"levels": levels},
        messages.WARNING,
    )


def inactive_prerequisites_text(pairs: list[tuple[Course, Course]]) -> str:
    """The warning for active courses (each with an inactive course it requires)."""
    return gettext(
        "Inactive prerequisites: %(pairs)s. Learning paths leave them out and tell people they are no "
        "longer offered; activate them again, or remove them from the courses that require them."
    ) % {
        "pairs": "; ".join(
            gettext("“%(course)s” requires “%(prerequisite)s”") % {"course": c, "prerequisite": p} for c, p in pairs
        )
    }


def warn_of_inactive_prerequisites(modeladmin, request: HttpRequest, courses: list[Course]) -> None:
    """Say which active courses require an inactive one: learning paths leave it out, and tell people it
    is no longer offered."""
    pairs = [
        (course, prerequisite)
        for course in courses
        if course.active
        for prerequisite in course.prerequisites.filter(active=False).order_by("title_de")
    ]
    if pairs:
        modeladmin.message_user(request, inactive_prerequisites_text(pairs), messages.WARNING)


def still_inactive_prerequisites(ids: list[list[int]]) -> list[tuple[Course, Course]]:
    """Of the (course, prerequisite) ids an import left requiring an inactive course, those that still do."""
    through = Course.prerequisites.through
    holding = set(
        through.objects.filter(from_course__active=True, to_course__active=False).values_list(
            "from_course_id", "to_course_id"
        )
    )
    pairs = [(course, prerequisite) for course, prerequisite in ids if (course, prerequisite) in holding]
    courses = Course.objects.in_bulk({pk for pair in pairs for pk in pair})
    return [(courses[course], courses[prerequisite]) for course, prerequisite in pairs]


def check_import_file(upload) -> None:
    """Refuse an upload over settings.IMPORT_MAX_UPLOAD_BYTES, and an XLSX (a zip archive) that would unpack
    to more than settings.IMPORT_MAX_UNPACKED_BYTES, before anything reads it into memory."""
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(
            gettext(
                "The file is %(size)s MB; at most %(limit)s MB can be imported. Please split it into smaller files."
            )
            % {"size": _megabytes(upload.size), "limit": _megabytes(limit)},
            code="too_large",
        )
    upload.seek(0)
    if upload.read(4) == b"PK\x03\x04":  # a zip archive, as every XLSX file is
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as archive:
                unpacked = sum(member.file_size for member in archive.infolist())
        except zipfile.BadZipFile:
            unpacked = 0  # not readable as XLSX: reading it says so in a sentence
        unpacked_limit = settings.IMPORT_MAX_UNPACKED_BYTES
        if unpacked > unpacked_limit:
            raise ValidationError(
                gettext(
                    "Unpacked, this spreadsheet would take %(size)s MB; at most %(limit)s MB can be imported. "
                    "Please check the file or split it into smaller files."
                )
                % {"size": _megabytes(unpacked), "limit": _megabytes(unpacked_limit)},
                code="too_large_unpacked",
            )
    upload.seek(0)


def _megabytes(size: int) -> str:
    return number_text(size / 1_000_000, 1)


class CourseImportForm(ImportForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["import_file"].help_text = _(
            "Yes/no columns take ja, yes, x or 1 for yes and nein, no or 0 for no. An empty cell leaves the "
            "course's value as it is: to untick, write nein or 0."
        )

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        check_import_file(upload)
        return upload


def column_label(resource_class, name: str) -> str:
    """What the export page calls a resource's column: the label the admin's forms give its model field ("Titel
    (Deutsch)"), or the resource's own for a column of no field. The column's name in the file stays as it is."""
    field = resource_class.fields[name]
    label = getattr(resource_class, "column_labels", {}).get(name)
    if label is None and field.attribute:
        model = resource_class._meta.model
        label = field_label(model, field.attribute) or model._meta.get_field(field.attribute).verbose_name
    return capfirst(label) if label else field.column_name


class LabelledExportForm(SelectableFieldsExportForm):
    """The export page's column checkboxes under the columns' labels in the admin's language: django-import-export
    labels them with the field's name in title case ("Title De", "Price Eur")."""

    def __init__(self, formats, resources, **kwargs) -> None:
        super().__init__(formats, resources, **kwargs)
        for resource in resources:
            for name in resource().get_export_order():
                self.fields[self.create_boolean_field_name(resource, name)].label = column_label(resource, name)


SHIPPED_FILES = {"course": ("catalogue.json", "courses"), "role": ("roles.json", "roles")}


@admin.action(description=_("Delete selected %(verbose_name_plural)s"), permissions=["delete"])
def delete_selected(modeladmin, request: HttpRequest, queryset):
    """Django's bulk delete, whose confirmation page also says when shipped content is among the selection
    (the next deploy creates it again), as the single delete page does."""
    response = django_delete_selected(modeladmin, request, queryset)
    if isinstance(response, TemplateResponse) and response.context_data is not None:
        file, key = SHIPPED_FILES[modeladmin.opts.model_name]
        shipped = {entry["slug"] for entry in content.read(file)[key]}
        response.context_data["shipped"] = queryset.filter(slug__in=shipped).exists()
    return response


def _confirm_import(stored_name: str, format_name: str, user_pk: int | None) -> str | None:
    """Queue the import a checked file's preview confirms, once: a second click, the page's button sent again from
    another tab or later, or a second admin leads to the run queued first (a second run failed on the file the
    first had removed, and said the import failed when it had worked). A run that failed wrote nothing and left
    the file where it was, so confirming again queues a new one: the failed run's page says "try again", and
    following it sent the admin back to the failed run. The id of the run to follow; None when no run is left to
    follow and the file is gone (expired, or imported by a run since removed), so nothing can be imported."""
    with core_tasks.task_lock(tasks.import_courses):
        runs = (
            DBTaskResult.objects.filter(task_path=tasks.import_courses.module_path)
            .exclude(status=TaskResultStatus.FAILED)
            .order_by("enqueued_at")
        )
        for run_id, args_kwargs in runs.values_list("id", "args_kwargs"):
            args = args_kwargs.get("args", [])
            if args[:1] == [stored_name] and args[3:4] == [False]:
                return str(run_id)
        if not _import_file_kept(stored_name):
            return None
        confirmed = tasks.import_courses.enqueue(stored_name, format_name, user_pk, False)
    log.info("course import confirmed, queued as task %s", confirmed.id)
    return str(confirmed.id)


def _import_people(args: list) -> set:
    """Who may follow an import run: the admin who uploaded its file and whoever confirmed it, by the runs of the
    same file (a superuser who confirmed another admin's file left the uploader a 403 on the confirmed run)."""
    people = {args[2]} if len(args) > 2 else set()
    if not args:
        return people
    runs = DBTaskResult.objects.filter(task_path=tasks.import_courses.module_path, args_kwargs__args__0=args[0])
    for args_kwargs in runs.values_list("args_kwargs", flat=True):
        other = args_kwargs.get("args", [])
        if len(other) > 2:
            people.add(other[2])
    return people


def _import_file_kept(stored_name: str) -> bool:
    return os.path.exists(TempFolderStorage(name=stored_name).get_full_path())


def _failed_confirmation(result) -> tuple[str, str] | None:
    """(file, format) of a confirmed import that failed. It wrote nothing and removes its file only once imported, so
    while the file is there the admin can confirm it again instead of uploading the file again."""
    args = list(result.args)
    if result.status != TaskResultStatus.FAILED or args[3:4] != [False]:
        return None
    return args[0], args[1]


@admin.register(Course)
class CourseAdmin(
    GermanOrderMixin,
    CheckedIdsMixin,
    LocalizedNumbersMixin,
    StableSlugMixin,
    LabelledFieldsMixin,
    ImportExportModelAdmin,
    InlineHistoryAdmin,
):
    formfield_overrides = {**SIDE_BY_SIDE_TEXT, **HTTPS_URLS}
    form = CourseAdminForm
    resource_classes = [CourseResource]
    import_formats = [CourseCSV, CourseXLSX]  # CSV separated by commas, semicolons or tabs
    export_formats = [CSV, XLSX]
    import_error_display = ("message", "row")
    import_form_class = CourseImportForm
    import_template_name = "admin/recommendations/course/import.html"
    # With a byte order mark, Excel reads the file as UTF-8 (without, German Excel read „PrÃ¼fung“); the import
    # reads it either way.
    to_encoding = "utf-8-sig"
    export_form_class = LabelledExportForm
    slug_source = "title_de"
    list_display = (
        "title_de",
        "title_en",
        "provider",
        "format",
        "hours",
        "price",
        "develops",
        "fundable",
        "active",
        "verified",
        "last_checked",
    )
    list_filter = (
        "active",
        "verified",
        "fundable",
        "bildungsurlaub",
        "format",
        "language",
        CompetencyFilter,
        FromLevelFilter,
        ToLevelFilter,
        LastCheckedFilter,
        ("provider", GermanRelatedFieldListFilter),
    )
    list_select_related = ("provider",)
    date_hierarchy = "last_checked"
    search_fields = ("slug", "title_de", "title_en", "provider__name", "certificate", "awarding_body")
    ordering = ("title_de",)
    filter_horizontal = (
        "prerequisites",
        "admission_prerequisites",
    )  # its labels say which courses are inactive (the autocomplete's cannot)
    fieldsets = (
        (None, {"fields": ("slug", ("title_de", "title_en"), "provider", "url")}),
        (
            _("Offer"),
            {
                "fields": (
                    ("format", "language", "location"),
                    ("hours", "price_eur"),
                    ("certificate", "awarding_body"),
                    ("fundable", "bildungsurlaub"),
                )
            },
        ),
        (_("Status"), {"fields": (("active", "verified"), ("last_checked", "source"), "exam_retired_on")}),
        (_("Prerequisites"), {"fields": ("prerequisites", "admission_prerequisites")}),
        (_("Texts"), {"fields": (("description_de", "description_en"), ("note_de", "note_en"))}),
    )
    inlines = [CourseCompetencyInline]
    actions = [delete_selected, deactivate_selected, activate_selected, "mark_checked_today"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        # A course typed in by hand has not been checked against its source yet: people see it as
        # "unverified" until an admin ticks "verified".
        return {"verified": False, **super().get_changeform_initial_data(request)}

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("competencies", queryset=CourseCompetency.objects.select_related("competency")))
        )

    def get_export_filename(self, request: HttpRequest, queryset, file_format) -> str:
        """The file named in the admin's language and dated as today here: „Kurse-2026-12-05.csv“."""
        name = capfirst(self.opts.verbose_name_plural)
        return f"{name}-{timezone.localdate():%Y-%m-%d}.{file_format.get_extension()}"

    def get_export_queryset(self, request: HttpRequest):
        return super().get_export_queryset(request).prefetch_related("prerequisites", "admission_prerequisites")

    def export_action(self, request: HttpRequest) -> HttpResponse:
        """The export takes the list's filters from the address; one no filter offers leads back to the list with
        Django's "?e=1", as the list itself does, not to a 500."""
        try:
            return super().export_action(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(f"{reverse('admin:recommendations_course_changelist')}?{ERROR_FLAG}=1")

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "prerequisites":
            kwargs["form_class"] = PrerequisiteField
            kwargs["queryset"] = Course.objects.order_by("-active", "title_de")
            # the two lists' headings name the field: the model's field has no translated name ("Verfügbare
            # prerequisites" stood over the German list)
            kwargs["widget"] = FilteredSelectMultiple(_("prerequisites"), is_stacked=False)
        elif db_field.name == "admission_prerequisites":
            kwargs["form_class"] = PrerequisiteField
            kwargs["queryset"] = Course.objects.order_by("-active", "title_de")
            kwargs["widget"] = FilteredSelectMultiple(_("admission requirements"), is_stacked=False)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        warn_of_inactive_prerequisites(self, request, [form.instance])

    def save_model(self, request: HttpRequest, obj: Course, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "active" in form.changed_data and not obj.active:
            warn_of_inactive_prerequisites(self, request, list(obj.leads_to.filter(active=True)))
            warn_of_uncovered_levels(self, request, Course.objects.filter(pk=obj.pk))
            tell_of_stored_paths(self, request, [obj])

    def after_deactivating(self, request: HttpRequest, queryset) -> None:
        dependents = Course.objects.filter(active=True, prerequisites__in=queryset).distinct()
        warn_of_inactive_prerequisites(self, request, list(dependents))
        warn_of_uncovered_levels(self, request, queryset)
        tell_of_stored_paths(self, request, queryset)

    @admin.display(description=Course._meta.get_field("price_eur").verbose_name, ordering="price_eur")
    def price(self, course: Course) -> str:
        """The price as the list shows numbers; a course without one has no known price, as people are told
        (the list showed „-“, as for a value nobody entered)."""
        if course.price_eur is None:
            return gettext("not known")
        return grouped_field(Course._meta.get_field("price_eur"), course.price_eur) or ""

    @admin.display(description=_("develops"))
    def develops(self, course: Course) -> str:
        return ", ".join(f"{cc.competency.name} {cc.from_level}→{cc.to_level}" for cc in course.competencies.all())

    @admin.action(description=_("Mark selected courses as checked today"), permissions=["change"])
    def mark_checked_today(self, request: HttpRequest, queryset) -> None:
        today = timezone.localdate()
        courses = list(queryset.exclude(last_checked=today))
        for course in courses:  # one by one: each check is in the history
            course.last_checked = today
            course.save()
        text = ngettext(
            "%(count)d course marked as checked today.", "%(count)d courses marked as checked today.", len(courses)
        )
        self.message_user(request, text % {"count": len(courses)}, messages.SUCCESS)

    def get_deleted_objects(self, objs, request: HttpRequest):
        """A course that another course requires, or that stored results refer to, is not deleted:
        learning paths lead through it. Listing what depends on it as "protected" makes both the delete
        view and the bulk delete action refuse (Django never calls delete_model/delete_queryset then)
        and tell the admin why. The course's own links to its prerequisites go with it unnamed: Django lists them
        by their generated names ("From_course-to_course-Beziehung: Course_prerequisites object (315)")."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for links in (Course.prerequisites.through._meta, Course.admission_prerequisites.through._meta):
            deleted = _without_rows(deleted, f"{capfirst(links.verbose_name)}: ")
            counts = {name: count for name, count in counts.items() if name != links.verbose_name_plural}
        objs = list(objs)
        ids = {c.pk for c in objs}
        titles = {c.pk: str(c) for c in objs}
        for relation in stored_references(Course):
            rows = (
                relation.related_model._default_manager.filter(**{f"{relation.field.name}__in": ids})
                .values_list(relation.field.attname)
                .annotate(n=Count("pk"))
            )
            for course_id, count in rows:
                protected.append(
                    gettext("%(count)d × %(what)s refer to “%(course)s”")
                    % {
                        "count": count,
                        "what": relation.related_model._meta.verbose_name_plural,
                        "course": titles[course_id],
                    }
                )
        through = Course.prerequisites.through
        for link in (
            through.objects.filter(to_course_id__in=ids).exclude(from_course_id__in=ids).select_related("from_course")
        ):
            dependent = link.from_course
            url = reverse("admin:recommendations_course_change", args=[dependent.pk])
            protected.append(
                format_html(
                    gettext("“{course}” is a prerequisite of {dependent}"),
                    course=titles[link.to_course_id],
                    dependent=format_html('<a href="{}">{}</a>', url, dependent),
                )
            )
        return deleted, counts, perms_needed, protected

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None):
        shipped = _shipped(Course, object_id, "catalogue.json", "courses")
        extra_context = {**(extra_context or {}), "deactivate_ids": [object_id], "shipped": shipped}
        return super().delete_view(request, object_id, extra_context)

    def process_import(self, request: HttpRequest, **kwargs) -> HttpResponse:
        """The confirmed import. Its file is removed once imported: a confirmation sent again (a double click, the
        preview's tab used later) found none, and the admin got a 500."""
        try:
            return super().process_import(request, **kwargs)
        except FileNotFoundError:
            self.message_user(
                request,
                gettext("This import was confirmed already, or its file has expired: nothing more was imported."),
                messages.WARNING,
            )
            return HttpResponseRedirect(reverse("admin:recommendations_course_changelist"))

    def process_result(self, result, request: HttpRequest) -> HttpResponse:
        """The confirmed import: when a row fails now (the data changed since the preview), it was rolled
        back as a whole; say so instead of reporting success."""
        if result.has_errors() or result.has_validation_errors():
            self.message_user(
                request,
                gettext("Nothing was imported: some rows are not valid any more. Import the file again to see them."),
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:recommendations_course_import"))
        response = super().process_result(result, request)
        # as the form and the list's action do: a course the file deactivated that active ones still require
        # (or an active course whose prerequisite the file left inactive) is said, not only "3 updated"
        touched = [row.object_id for row in result.rows if row.object_id is not None]
        warn_of_inactive_prerequisites(self, request, list(Course.objects.active().touched_by(touched)))
        return response

    def get_urls(self):
        status = path(
            "import/<uuid:task_id>/",
            self.admin_site.admin_view(self.import_status_view),
            name="recommendations_course_import_status",
        )
        return [status, *super().get_urls()]

    def import_action(self, request: HttpRequest, **kwargs):
        """Files of more than settings.IMPORT_BACKGROUND_ROWS rows are checked and imported by the background
        worker (a server's timeout would cut the request off); smaller ones as django-import-export does."""
        if request.method == "POST" and self.has_import_permission(request):
            form = self.create_import_form(request)
            if form.is_valid():
                upload = form.cleaned_data["import_file"]
                data = b"".join(upload.chunks())
                chosen = self.get_import_formats()[int(form.cleaned_data["format"])]
                format_name = "xlsx" if issubclass(chosen, XLSX) else "csv"
                try:
                    rows = count_rows(data, format_name)
                except ValueError:
                    rows = 0  # unreadable: the normal path says so in a sentence
                if rows > settings.IMPORT_BACKGROUND_ROWS:
                    storage = TempFolderStorage(read_mode="rb")
                    storage.save(data)
                    result = tasks.import_courses.enqueue(storage.name, format_name, request.user.pk, True)
                    log.info("course import of %d rows queued as task %s", rows, result.id)
                    return HttpResponseRedirect(reverse("admin:recommendations_course_import_status", args=[result.id]))
                upload.seek(0)
        response = super().import_action(request, **kwargs)
        if (
            isinstance(response, TemplateResponse)
            and response.context_data is not None
            and not response.context_data.get("fields_list")
        ):
            # django-import-export lists the columns above the form only when it could read the file; an admin
            # who has to correct the file needs the list most.
            response.context_data["fields_list"] = self.import_fields_list(request)
        shown = response.context_data if isinstance(response, TemplateResponse) else None
        checked = (shown or {}).get("result")
        if checked is not None:  # the preview's columns as the export page names them, not "TITLE_DE"
            labels = {
                field.column_name: str(column_label(CourseResource, name))
                for name, field in CourseResource.fields.items()
            }
            checked.diff_headers = [labels.get(header, header) for header in checked.diff_headers]
        if checked is not None and (checked.has_errors() or checked.has_validation_errors()):
            response.status_code = 400  # a file with bad rows is refused input, as a form with errors
        return response

    def has_import_permission(self, request: HttpRequest) -> bool:
        """An import adds courses and changes them: it needs both permissions. django-import-export lets anyone
        into the admin import (a staff user allowed only to change courses created active ones with it)."""
        return request.user.has_perms([f"recommendations.{action}_course" for action in ("add", "change")])

    def import_fields_list(self, request: HttpRequest) -> list[tuple[str, list[str]]]:
        """The columns an import reads, by resource, as the import page lists them above the form."""
        resources = [
            resource_class(**self.get_import_resource_kwargs(request=request))
            for resource_class in self.get_import_resource_classes(request)
        ]
        return [
            (resource.get_display_name(), [field.column_name for field in resource.get_user_visible_fields()])
            for resource in resources
        ]

    def import_status_view(self, request: HttpRequest, task_id) -> HttpResponse:
        """A background import: its progress while it waits or runs (retrain.js fetches it in place), then its preview
        with per-row errors and a confirm button, or, after the confirmed import, what it wrote."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        result = core_tasks.result_or_404(tasks.import_courses, task_id, gettext("There is no such import."))
        if request.user.pk not in _import_people(result.args) and not request.user.is_superuser:
            raise PermissionDenied  # another admin's file, to confirm or not
        summary = result.return_value if result.status == TaskResultStatus.SUCCESSFUL else None
        failed = _failed_confirmation(result)
        if request.method == "POST":
            if summary and summary["dry_run"] and not summary["failed"]:
                stored_name, format_name = summary["stored_name"], summary["format_name"]
            elif failed:
                stored_name, format_name = failed
            else:
                raise PermissionDenied
            confirmed = _confirm_import(stored_name, format_name, request.user.pk)
            if confirmed is None:
                self.message_user(
                    request,
                    gettext("This import was confirmed already, or its file has expired: nothing more was imported."),
                    messages.WARNING,
                )
                return HttpResponseRedirect(reverse("admin:recommendations_course_changelist"))
            return HttpResponseRedirect(reverse("admin:recommendations_course_import_status", args=[confirmed]))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Importing courses"),
            "opts": self.opts,
            "status": result.status.value,
            "finished": result.is_finished,
            "progress": tasks.import_progress(str(task_id)),
            "summary": summary,
            "retry": failed is not None and _import_file_kept(failed[0]),
        }
        if summary and summary["written"]:
            # as the import in the request says it (`process_result`): what the import left requiring an inactive
            # course, while it still does
            pairs = still_inactive_prerequisites(summary.get("inactive_prerequisites", []))
            context["inactive_prerequisites"] = inactive_prerequisites_text(pairs) if pairs else ""
        if result.status == TaskResultStatus.FAILED:
            log.error("course import task %s failed: %s", task_id, core_tasks.task_error(result))
        return TemplateResponse(request, "admin/recommendations/course/import_status.html", context)

    def add_data_read_fail_error_to_form(self, form, e) -> None:
        """A file that cannot be read is explained in a sentence, not with the name of a Python exception."""
        log.info("course import: file not readable (%s)", type(e).__name__)
        if isinstance(e, UnreadableFile):  # already a sentence: which columns the first row names
            form.add_error("import_file", str(e))
            return
        form.add_error(
            "import_file",
            gettext(
                "The file could not be read. Please check that you chose the right format (CSV or XLSX), "
                "that a CSV file is saved as UTF-8, and that the first row names the columns."
            ),
        )

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True  # one invalid row and nothing is written
        return kwargs


def _without_rows(nested: list, prefix: str) -> list:
    """Django's nested list of what a delete takes along, without the rows whose entry starts with `prefix`."""
    kept: list = []
    for entry in nested:
        if isinstance(entry, list):
            kept.append(_without_rows(entry, prefix))
        elif not str(entry).startswith(prefix):
            kept.append(entry)
    return [entry for entry in kept if entry != []]


def stored_references(model: type[models.Model]) -> list:
    """Relations through which other rows would be deleted with a `model` row (CASCADE), apart from the
    model's own catalogue rows: for a course, e.g. the courses people marked as done."""
    own = {CourseCompetency}
    return [
        relation
        for relation in model._meta.related_objects
        if relation.one_to_many and relation.on_delete is models.CASCADE and relation.related_model not in own
    ]


class RoleRequirementFormSet(NamedRowsFormSet):
    def clean(self) -> None:
        """A role that requires nothing is met in full by everyone: it ranked first for a beginner, at 100 %,
        with no course needed. Rows left untouched are not saved, so the role needs one level chosen above 0."""
        super().clean()
        if any(self.errors):
            return
        kept = [f.cleaned_data for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not any((row.get("level") or 0) >= 1 for row in kept):
            raise ValidationError(
                _(
                    "A role needs at least one required level of 1 or more: without one, everyone meets it in "
                    "full, and it would come first for everyone."
                ),
                code="requires_nothing",
            )


class RoleRequirementInline(
    CompetencyRowsMixin, LocalizedNumbersMixin, LabelledFieldsMixin, LabelledCellsMixin, admin.TabularInline
):
    model = RoleRequirement
    formset = RoleRequirementFormSet
    fields = ("competency", "level")
    extra = 0

    def get_extra(self, request: HttpRequest, obj=None, **kwargs) -> int:
        # A new role starts with one row per competency: only the levels are left to choose. A saved one gets a
        # blank row, as without JavaScript no other row can be added; left blank, it is not saved.
        return Competency.objects.count() if obj is None else 1


# What the role-fit model learns from a role besides its required levels.
LEARNED_ROLE_FIELDS = {"work_style", "active"}


@admin.register(Role)
class RoleAdmin(
    GermanOrderMixin, CheckedIdsMixin, LocalizedNumbersMixin, StableSlugMixin, LabelledFieldsMixin, InlineHistoryAdmin
):
    formfield_overrides = {**SIDE_BY_SIDE_TEXT, **HTTPS_URLS}
    slug_source = "name_en"
    list_display = ("name_de", "name_en", "slug", "work_style", "salary_band", "requirement_count", "active", "order")
    list_filter = ("active",)
    search_fields = ("slug", "name_de", "name_en", "aliases", "ecf_profile")
    ordering = ("order", "slug")
    fieldsets = (
        (None, {"fields": ("slug", ("name_de", "name_en"), ("active", "order"), "work_style")}),
        (_("Description"), {"fields": (("description_de", "description_en"), "aliases")}),
        (
            _("Labour market"),
            {
                "fields": (
                    ("employers_de", "employers_en"),
                    ("pay_de", "pay_en"),
                    ("salary_min_eur", "salary_max_eur"),
                    ("ecf_profile", "esco_uri"),
                )
            },
        ),
    )
    inlines = [RoleRequirementInline]
    actions = [delete_selected, deactivate_selected, activate_selected]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(requirement_count=Count("requirements"))

    def get_formset_kwargs(self, request: HttpRequest, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, RoleRequirementInline) and obj.pk is None:
            competencies = Competency.objects.order_by("section__order", "order", "slug")
            kwargs["initial"] = [{"competency": pk} for pk in competencies.values_list("pk", flat=True)]
        return kwargs

    @admin.display(description=_("required levels"), ordering="requirement_count")
    def requirement_count(self, role: WithAnnotations[Role, _RequirementCount]) -> str | None:
        return grouped(role.requirement_count)

    @admin.display(description=_("monthly salary (EUR)"))
    def salary_band(self, role: Role) -> str:
        if role.salary_min_eur and role.salary_max_eur:
            return f"{grouped(role.salary_min_eur)}–{grouped(role.salary_max_eur)}"
        return grouped(role.salary_min_eur or role.salary_max_eur) or "–"

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if not change or LEARNED_ROLE_FIELDS & set(form.changed_data) or any(f.has_changed() for f in formsets):
            self.hint_retraining(request)

    def history_reverted(
        self, request: HttpRequest, before: models.Model | None, after: models.Model, rows: dict[type, list[RowChange]]
    ) -> None:
        learned = before is None or any(getattr(before, name) != getattr(after, name) for name in LEARNED_ROLE_FIELDS)
        if learned or rows.get(RoleRequirement):
            self.hint_retraining(request)

    def hint_retraining(self, request: HttpRequest) -> None:
        """What a change of the roles asks for next: retraining (a link only for an admin who may retrain; an editor
        was sent to a refusal, a review), and what stored results show meanwhile."""
        stored = gettext(
            "Stored results give the roles as they were until each person computes theirs again; their pages offer it."
        )
        if request.user.has_perm("recommendations.add_modelversion"):
            message = format_html(
                gettext("Role fit learns the roles when the model is trained: {link}.") + " {stored}",
                link=format_html(
                    '<a href="{}">{}</a>',
                    reverse("admin:recommendations_modelversion_retrain"),
                    gettext("retrain the model now"),
                ),
                stored=stored,
            )
        else:
            message = format_html(
                "{} {}",
                gettext(
                    "Role fit learns the roles when the model is trained: ask an administrator who may retrain the "
                    "model to do so."
                ),
                stored,
            )
        self.message_user(request, message, messages.WARNING)

    def get_deleted_objects(self, objs, request: HttpRequest):
        """Confirmed outcomes are real training labels, and a stored result's learning path leads to its role: a
        role that either names is deactivated, not deleted (deleted, the stored results lost the role their path
        leads to, and the page showed the path under "Choose a role")."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        for role in Role.objects.filter(pk__in=[r.pk for r in objs]).annotate(outcomes_count=Count("outcomes")):
            # annotated just above, but the stubs' RoleQuerySet does not carry annotations along
            count = role.outcomes_count  # type: ignore[attr-defined]
            if count:
                protected.append(
                    ngettext(
                        "%(count)d confirmed outcome names “%(role)s” as its role",
                        "%(count)d confirmed outcomes name “%(role)s” as their role",
                        count,
                    )
                    % {"count": count, "role": role}
                )
            paths = StoredResult.objects.filter(
                Q(document__path__target_role=role.slug) | Q(document__chosen_role=role.slug)
            ).count()
            if paths:
                protected.append(
                    ngettext(
                        "%(count)d stored result leads its learning path to “%(role)s”",
                        "%(count)d stored results lead their learning path to “%(role)s”",
                        paths,
                    )
                    % {"count": paths, "role": role}
                )
        return deleted, counts, perms_needed, protected

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None):
        shipped = _shipped(Role, object_id, "roles.json", "roles")
        extra_context = {**(extra_context or {}), "deactivate_ids": [object_id], "shipped": shipped}
        return super().delete_view(request, object_id, extra_context)


def _shipped(model, object_id: str, file: str, key: str) -> bool:
    """Whether the row is part of the shipped content, which `load_content` (every deploy) creates again
    when it is missing: its delete page says so and offers to deactivate it instead."""
    slug = model.objects.filter(pk=object_id).values_list("slug", flat=True).first() if object_id.isdigit() else None
    return slug is not None and slug in {entry["slug"] for entry in content.read(file)[key]}


def percent(value: float | None) -> str:
    return "–" if value is None else with_percent_sign(number_text(value * 100, 1))


def cv_percent(metrics: Mapping[str, Any], name: str) -> str:
    """A cross-validated accuracy with its 90 % range, „81,2 % (79,9–82,5 %)“, so that two versions' figures are
    compared with their uncertainty; a version trained before the folds were stored says it has none."""
    value = metrics.get(f"cv_{name}_accuracy")
    if value is None:
        return "–"
    bounds = recommender.cv_range(metrics, name)
    if bounds is None:
        return gettext("%(value)s (no range stored)") % {"value": percent(value)}
    low, high = (number_text(bound * 100, 1) for bound in bounds)
    return f"{percent(value)} ({with_percent_sign(f'{low}–{high}')})"


@admin.register(ModelVersion)
class ModelVersionAdmin(
    GermanOrderMixin, CheckedIdsMixin, LocalizedNumbersMixin, LabelledFieldsMixin, admin.ModelAdmin
):
    """Every trained version with its cross-validated metrics; read-only, retrained and activated by actions."""

    list_display = (
        "version",
        "created_at",
        "active",
        "top1",
        "top3",
        "brier",
        "training_size",
        "real_outcomes",
        "train_seconds",
        "role_count",
        "sklearn_version",
    )
    list_filter = ("active",)
    ordering = ("-created_at",)
    # Read-only: shown through the methods below, which label the fields the model leaves unnamed.
    fields = (
        "version",
        "created",
        "is_active",
        "top1",
        "top3",
        "brier",
        "log_loss",
        "people",
        "real_outcomes",
        "judgement",
        "train_seconds",
        "trained_roles",
        "sklearn",
        "stored_format",
        "data_hash",
    )
    readonly_fields = fields
    actions = ["activate_version"]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).defer("payload")  # megabytes per row, never shown

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # the versions are the record of what recommended what

    def has_retrain_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("recommendations.add_modelversion")

    def has_activate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("recommendations.change_modelversion")

    @admin.display(description=_("judged on real outcomes"))
    def judgement(self, version: ModelVersion) -> str:
        held = version.metrics.get("held_out")
        if not held:
            return gettext(
                "Not yet: fewer than 300 confirmed outcomes. The cross-validated (CV) figures only say how well "
                "the model recovers the generated people it learned from, not how well it ranks real people."
            )
        verdict = (
            gettext("so it ranks the roles")
            if version.metrics.get("ranks", True)
            else gettext("so the transparent match ranks the roles")
        )
        return gettext(
            "Top-1 on %(count)s held-out confirmed outcomes: model %(model)s, transparent match %(transparent)s; "
            "%(verdict)s."
        ) % {
            "count": held.get("outcomes", 0),
            "model": percent(held.get("model_top1")),
            "transparent": percent(held.get("transparent_top1")),
            "verdict": verdict,
        }

    @admin.display(description=_("top-1 (CV, 90-percent range)"))
    def top1(self, version: ModelVersion) -> str:
        return cv_percent(version.metrics, "top1")

    @admin.display(description=_("top-3 (CV, 90-percent range)"))
    def top3(self, version: ModelVersion) -> str:
        return cv_percent(version.metrics, "top3")

    @admin.display(description=_("Brier score (CV)"))
    def brier(self, version: ModelVersion) -> str:
        value = version.metrics.get("cv_brier")
        return "–" if value is None else number_text(value, 4)

    @admin.display(description=_("log loss (CV)"))
    def log_loss(self, version: ModelVersion) -> str:
        value = version.metrics.get("cv_log_loss")
        return "–" if value is None else number_text(value, 4)

    @admin.display(description=_("confirmed outcomes"))
    def real_outcomes(self, version: ModelVersion) -> str | None:
        return grouped(version.metrics.get("real_outcomes", 0))

    @admin.display(description=_("training time (s)"))
    def train_seconds(self, version: ModelVersion) -> str:
        value = version.metrics.get("train_seconds")
        return grouped(value, 1) or "–"

    @admin.display(description=_("roles"))
    def role_count(self, version: ModelVersion) -> str | None:
        return grouped(len(version.roles))

    @admin.display(description=_("created"))
    def created(self, version: ModelVersion) -> str:
        # a read-only method's value is shown as str() on the form: "2026-12-05 13:59:28.315000+00:00"
        return display_for_value(version.created_at, "–")

    @admin.display(description=_("active"), boolean=True)
    def is_active(self, version: ModelVersion) -> bool:
        return version.active

    @admin.display(description=_("training size"))
    def people(self, version: ModelVersion) -> str | None:
        return grouped(version.training_size)  # "3.300", as the list writes it ("3300" on this page)

    @admin.display(description=_("roles"))
    def trained_roles(self, version: ModelVersion) -> str:
        """The roles by name (a role deleted since by its slug): the page listed "it_coordinator, ..."."""
        names = {role.slug: role.name for role in Role.objects.filter(slug__in=version.roles)}
        return ", ".join(names.get(slug, slug) for slug in version.roles)

    @admin.display(description=_("scikit-learn version"))
    def sklearn(self, version: ModelVersion) -> str:
        return version.sklearn_version

    @admin.display(description=_("format version"))
    def stored_format(self, version: ModelVersion) -> int:
        return version.format_version

    @admin.display(description=_("training data hash"))
    def data_hash(self, version: ModelVersion) -> str:
        return version.training_data_hash

    def get_urls(self):
        retrain = [
            path(
                "retrain/", self.admin_site.admin_view(self.retrain_view), name="recommendations_modelversion_retrain"
            ),
            path(
                "retrain/<uuid:task_id>/",
                self.admin_site.admin_view(self.retrain_status_view),
                name="recommendations_modelversion_retrain_status",
            ),
        ]
        return [*retrain, *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_retrain": self.has_retrain_permission(request),
            "roles_changed": roles_changed_notice(roles_changed_since_training(), on_list=True),
        }
        return super().changelist_view(request, extra_context)

    def retrain_view(self, request: HttpRequest) -> HttpResponse:
        """GET: what training will use and how long it takes; POST: queue the training for the worker and
        show its progress. Training never runs in the request; if it fails, the active version stays active."""
        if not self.has_retrain_permission(request):
            raise PermissionDenied
        pending = core_tasks.pending(tasks.retrain)
        if request.method == "POST":
            # A second click, or a second admin, follows the training already queued.
            pending_id, queued = core_tasks.enqueue_once(tasks.retrain)
            if queued:
                log.info("retraining queued from the admin as task %s", pending_id)
            return HttpResponseRedirect(reverse("admin:recommendations_modelversion_retrain_status", args=[pending_id]))
        active = ModelVersion.objects.defer("payload").filter(active=True).first()
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Retrain the role-fit model"),
            "opts": self.opts,
            "active": active,
            "active_top1": cv_percent(active.metrics, "top1") if active else "",
            "expected_seconds": _expected_training_seconds(active),
            "roles": Role.objects.active().count(),
            "outcomes": ConfirmedOutcome.objects.for_training().count(),
            "roles_changed": roles_changed_notice(roles_changed_since_training(), on_list=False),
            "pending": pending,
        }
        return TemplateResponse(request, "admin/recommendations/modelversion/retrain.html", context)

    def retrain_status_view(self, request: HttpRequest, task_id) -> HttpResponse:
        """How a queued retraining is doing: a GET page, which retrain.js fetches in place while it waits or runs."""
        if not self.has_retrain_permission(request):
            raise PermissionDenied
        result = core_tasks.result_or_404(tasks.retrain, task_id, gettext("There is no such retraining."))
        active = ModelVersion.objects.defer("payload").filter(active=True).first()
        now = timezone.now()
        context = {
            **self.admin_site.each_context(request),
            "title": {
                TaskResultStatus.SUCCESSFUL: gettext("The role-fit model is retrained"),
                TaskResultStatus.FAILED: gettext("Retraining the role-fit model failed"),
            }.get(result.status, gettext("Retraining the role-fit model")),
            "opts": self.opts,
            "result": result,
            "status": result.status.value,
            "finished": result.is_finished,
            "active": active,
            "expected_seconds": _expected_training_seconds(active),
            "waiting_seconds": half_up_int((now - result.enqueued_at).total_seconds()) if result.enqueued_at else 0,
            "running_seconds": half_up_int((now - result.started_at).total_seconds()) if result.started_at else 0,
            "worker_hint_after": WORKER_HINT_AFTER_SECONDS,
        }
        if result.status == TaskResultStatus.SUCCESSFUL:
            version = ModelVersion.objects.defer("payload").filter(version=result.return_value).first()
            if version is not None:
                context["outcome"] = gettext(
                    "Model version %(version)s is trained and active: top-1 %(top1)s and top-3 %(top3)s "
                    "in cross-validation over %(size)s people."
                ) % {
                    "version": version.version,
                    "top1": cv_percent(version.metrics, "top1"),
                    "top3": cv_percent(version.metrics, "top3"),
                    "size": grouped(version.training_size),
                }
                context["version"] = version
        elif result.status == TaskResultStatus.FAILED:
            context["outcome"] = gettext(
                "Training failed (%(error)s); nothing changed, version %(version)s stays active."
            ) % {"error": core_tasks.task_error(result), "version": active.version if active else "–"}
        return TemplateResponse(request, "admin/recommendations/modelversion/retrain_status.html", context)

    @admin.action(description=_("Activate the selected model version"), permissions=["activate"])
    def activate_version(self, request: HttpRequest, queryset) -> None:
        if queryset.count() != 1:
            self.message_user(request, gettext("Select exactly one model version to activate."), messages.WARNING)
            return
        chosen = ModelVersion.objects.get(pk=queryset.get().pk)  # with its payload
        try:
            recommender.load(bytes(chosen.payload), chosen.training_data_hash, chosen.version)
        except recommender.IncompatibleModel as exc:
            self.message_user(
                request,
                gettext("Version %(version)s cannot be used here (%(error)s): retrain instead.")
                % {"version": chosen.version, "error": exc},
                messages.ERROR,
            )
            return
        lifecycle.activate(chosen)
        self.message_user(
            request, gettext("Model version %(version)s is active now.") % {"version": chosen.version}, messages.SUCCESS
        )
        if not recommender.trained_for(chosen.roles or [], current_role_slugs()):
            self.message_user(
                request,
                gettext(
                    "Version %(version)s was trained for other roles than the active ones, so role fit does not use "
                    "it: results are ranked by the transparent match until a version trained for the current roles "
                    "is active. Retrain the model for that."
                )
                % {"version": chosen.version},
                messages.WARNING,
            )


class RolesChanged(StrEnum):
    """What the admin is to be told about the active model and the roles (`roles_changed_since_training`)."""

    NONE_ACTIVE = "none active"  # no model: role fit ranks by the transparent match
    # the active model was trained for other roles than the active ones (a role added, deleted or deactivated, or
    # an older version switched back to): role fit ranks by the transparent match (`services._fits`) until a
    # version for these roles is trained
    OTHER_ROLES = "other roles"
    # a role (or its requirements, saved with it) changed after the model was trained: it ranks with them at once,
    # but learned from holders of the roles as they were
    REQUIREMENTS = "requirements"


def roles_changed_since_training() -> RolesChanged | None:
    """What changed about the roles since the active model was trained, if anything. (One notice for all three said
    the last after a role was deleted, while the results were ranked by the match; an admin review.)"""
    active = ModelVersion.objects.filter(active=True).values_list("created_at", "roles").first()
    if active is None:
        return RolesChanged.NONE_ACTIVE
    trained, trained_roles = active
    if not recommender.trained_for(trained_roles or [], current_role_slugs()):
        return RolesChanged.OTHER_ROLES
    changed = Role.objects.aggregate(t=Max("updated_at"))["t"]
    return RolesChanged.REQUIREMENTS if changed is not None and changed > trained else None


def roles_changed_notice(change: RolesChanged | None, *, on_list: bool) -> str:
    """The model pages' notice of `change`: the list of versions says what retraining would change, the retraining
    page (which says "no model version is active" beside what training uses) what it is for."""
    if change == RolesChanged.REQUIREMENTS:
        if on_list:
            return gettext(
                "Roles or their required levels changed after the active version was trained: retrain the model so "
                "that it learns from holders of the roles as they are now (until then it ranks with the current "
                "requirements, having learned from the earlier ones)."
            )
        return gettext("Roles or their required levels changed after the active version was trained.")
    if change == RolesChanged.OTHER_ROLES:
        return gettext(
            "The active version was trained for other roles than the active ones (a role was added, deleted or "
            "deactivated since): role fit does not use it, and results are ranked by the transparent match until the "
            "model is retrained."
        )
    if change == RolesChanged.NONE_ACTIVE and on_list:
        return gettext(
            "No model version is active: results are ranked by the transparent match until the model is trained."
        )
    return ""


def current_role_slugs() -> list[str]:
    """The active roles' slugs (a model serves them in any order: `recommender.trained_for`)."""
    return list(Role.objects.active().values_list("slug", flat=True))


@admin.register(ConfirmedOutcome)
class ConfirmedOutcomeAdmin(
    GermanOrderMixin, CheckedIdsMixin, LocalizedNumbersMixin, LabelledFieldsMixin, admin.ModelAdmin
):
    """Anonymous real labels for training; read-only, but an admin reviews them and excludes implausible
    ones from training (or includes them again); a wrong one may be deleted."""

    list_display = (
        "role",
        "relation",
        "top_role",
        "top_role_fits",
        "created_at",
        "work_style",
        "reliable",
        "excluded",
        "levels_short",
    )
    list_filter = ("excluded", "reliable", "top_role_fits", "relation", ("role", GermanRelatedFieldListFilter))
    list_select_related = ("role",)
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    # read-only; the methods below label the fields the model leaves unnamed (a read-only field is labelled by the
    # model, not by FIELD_LABELS: the German detail page said "Relation:", "Top role:" and "Top role fits:")
    fields = (
        "target_role",
        "relation_shown",
        "top_role_shown",
        "fits_shown",
        "created",
        "style",
        "levels_summary",
        "reliable",
        "excluded",
    )
    readonly_fields = fields
    actions = ["exclude_from_training", "include_in_training"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("recommendations.change_confirmedoutcome")

    @admin.action(description=_("Exclude the selected outcomes from training"), permissions=["review"])
    def exclude_from_training(self, request: HttpRequest, queryset) -> None:
        count = queryset.update(excluded=True)
        self.message_user(
            request,
            ngettext(
                "%(count)d outcome is excluded from training; the next retraining leaves it out.",
                "%(count)d outcomes are excluded from training; the next retraining leaves them out.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Include the selected outcomes in training again"), permissions=["review"])
    def include_in_training(self, request: HttpRequest, queryset) -> None:
        count = queryset.update(excluded=False)
        self.message_user(
            request,
            ngettext(
                "%(count)d outcome is included in training again.",
                "%(count)d outcomes are included in training again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.display(description=_("target role"))
    def target_role(self, outcome: ConfirmedOutcome):
        return outcome.role

    @admin.display(description=_("relation to the role"))
    def relation_shown(self, outcome: ConfirmedOutcome) -> str:
        return outcome.get_relation_display() or "–"

    @admin.display(description=_("top role"))
    def top_role_shown(self, outcome: ConfirmedOutcome) -> str:
        """By its name, as the target role beside it (a role deleted since: its slug)."""
        role = Role.objects.filter(slug=outcome.top_role).first() if outcome.top_role else None
        return str(role.name) if role is not None else outcome.top_role or "–"

    @admin.display(description=_("top roles fit"))
    def fits_shown(self, outcome: ConfirmedOutcome) -> str:
        return outcome.get_top_role_fits_display() or "–"

    @admin.display(description=_("created"))
    def created(self, outcome: ConfirmedOutcome) -> str:
        return display_for_value(outcome.created_at, "–")  # in local time and the admin's format, as the list

    @admin.display(description=_("work style"))
    def style(self, outcome: ConfirmedOutcome) -> str:
        return number_text(outcome.work_style, 2)  # "−0,65" in German, not "-0.648"

    @admin.display(description=_("levels"))
    def levels_summary(self, outcome: ConfirmedOutcome) -> str:
        """Each competency by its name with its level as the pages write it ("Agile Methoden 0,8")."""
        names = {c.slug: str(c.name) for c in Competency.objects.filter(slug__in=outcome.levels)}
        return self._levels(outcome, names)

    @admin.display(description=_("levels"))
    def levels_short(self, outcome: ConfirmedOutcome) -> str:
        """In the list, by the competencies' short slugs (no query per row), the levels as the pages write them."""
        return self._levels(outcome, {})

    @staticmethod
    def _levels(outcome: ConfirmedOutcome, names: Mapping[str, str]) -> str:
        return ", ".join(
            f"{names.get(slug, slug)} {number_text(float(level), 1)}" for slug, level in sorted(outcome.levels.items())
        )


def _may_follow_import(request: HttpRequest, task) -> bool:
    """As `CourseAdmin.import_status_view` lets in: an admin who may import, and who uploaded or confirmed the file
    (or a superuser)."""
    if not request.user.has_perms(["recommendations.add_course", "recommendations.change_course"]):
        return False
    args = (task.args_kwargs or {}).get("args", [])
    return request.user.is_superuser or request.user.pk in _import_people(list(args))


register_task_page(
    "recommendations.tasks.retrain",
    _("Retraining of the role model"),
    "admin:recommendations_modelversion_retrain_status",
    lambda request, task: request.user.has_perm("recommendations.add_modelversion"),
)
register_task_page(
    "recommendations.tasks.import_courses",
    _("Import of courses"),
    "admin:recommendations_course_import_status",
    _may_follow_import,
)
