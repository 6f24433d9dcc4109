"""Admin for the question bank: sections, competencies with their level descriptors, items with their options.

German and English fields stand side by side; slugs are fixed once an entry exists (the CLI, the
answers contract and the model refer to them); every change is kept in the history (with revert).
"""

from __future__ import annotations

import logging
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, TypedDict

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import model_ngettext
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import number_format
from django.utils.text import capfirst, get_text_list
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_tasks.base import TaskResultStatus
from simple_history.models import to_historic

from assessment import calibration_runs, tasks
from assessment.models import (
    ITEM_MODEL_FIELDS,
    Answer,
    CalibrationVersion,
    Competency,
    Item,
    ItemCalibration,
    Level,
    LevelDescriptor,
    Option,
    Section,
)
from core import tasks as core_tasks
from core.history import InlineHistoryAdmin, RowChange
from core.meta import target_model
from core.numbers import is_plain_number, number_text, typed_number, with_minus
from core.ordering import GermanOrderMixin
from core.rounding import half_up
from core.task_pages import register_task_page
from core.templatetags.selection_tags import selection_digest

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _CompetencyCount(TypedDict):
    competency_count: int


class _OptionCount(TypedDict):
    option_count: int


class _MisfitCount(TypedDict):
    misfit_count: int


FieldOptions = dict[type[models.Field], dict[str, Any]]  # formfield_overrides

log = logging.getLogger(__name__)

SHORT_TEXT: FieldOptions = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 36})}}
# Narrower than the admin's default text boxes, so the German and the English text fit side by side.
SIDE_BY_SIDE_TEXT: FieldOptions = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 5, "cols": 40})}}

# Model fields without a verbose name would show their English field name in the German admin
# ("hours", "active"); until the models name them, the admin labels them here.
FIELD_LABELS = {
    "active": _("active"),
    "awarding_body": _("awarding body"),
    "certificate": _("certificate"),
    "correct": _("correct"),
    "created_at": _("created"),
    "difficulty": _("difficulty"),
    "format": _("format"),
    "format_version": _("format version"),
    "from_level": _("starting level"),
    "hours": _("hours"),
    "kind": _("kind"),
    "language": _("language"),
    "level": _("level"),
    "levels": _("levels"),
    "location": _("location"),
    "name": _("name"),
    "order": _("order"),
    "prerequisites": _("prerequisites"),
    "relation": _("relation to the role"),
    "roles": _("roles"),
    "sklearn_version": _("scikit-learn version"),
    "style": _("style"),
    "to_level": _("target level"),
    "top_role": _("top role"),
    "top_role_fits": _("top roles fit"),
    "training_data_hash": _("training data hash"),
    "training_size": _("training size"),
    "url": _("web address"),
    "value": _("value"),
    "version": _("version"),
    "weight": _("weight"),
    "work_style": _("work style"),
}


def field_label(model: type[models.Model], name: str):
    """The admin's label for a field the model leaves unnamed (a relation: its model's name), else None."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if getattr(field, "verbose_name", None) != name.replace("_", " "):
        return None  # named by the model
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    if isinstance(field, models.Field) and field.is_relation and field.many_to_one:
        return target_model(field)._meta.verbose_name
    return None


NUMBER_FIELDS = (models.IntegerField, models.DecimalField, models.FloatField)


def is_number_field(field: object) -> bool:
    """A field whose values a list shows as numbers (not a choice among numbers, as a level is)."""
    return isinstance(field, NUMBER_FIELDS) and not field.choices and not field.primary_key


def grouped(value: int | float | Decimal | None, decimal_pos: int | None = None) -> str | None:
    """A number as a list column shows it to people: its thousands grouped as the admin's language writes them
    ("5.300", "1.290,50"; "5,300" in English). Only for text: form inputs and attributes keep their numbers
    ungrouped (the site leaves USE_THOUSAND_SEPARATOR off for them). A negative number has a real minus, and a zero
    never a sign (a role's work style of -0.4 reads "−0,4"). None stays None (the list's empty value)."""
    if value is None:
        return None
    if decimal_pos is not None and not isinstance(value, Decimal):  # `number_format` cuts digits off: 12.96 -> "12,9"
        value = half_up(value, decimal_pos)
    return with_minus(number_format(value, decimal_pos, force_grouping=True))


def grouped_field(field: models.Field, value) -> str | None:
    """A number field's value, grouped, with the decimal places Django's list gives it (a price's cents)."""
    return grouped(value, field.decimal_places if isinstance(field, models.DecimalField) else None)


# A list column is made once per model and field: Django tells a sortable column by the identity of the callable in
# `list_display` against the one in `sortable_by` (both from `get_list_display`, called twice per page), so a new
# callable per call made the column unsortable (the courses' "Aktiv" and "Anbieter").
_COLUMNS: dict[tuple[type[models.Model], str], Any] = {}


def labelled_column(model: type[models.Model], name: str, label):
    if (model, name) not in _COLUMNS:
        _COLUMNS[model, name] = _labelled_column(model, name, label)
    return _COLUMNS[model, name]


def _labelled_column(model: type[models.Model], name: str, label):
    field = model._meta.get_field(name)
    choices = isinstance(field, models.Field) and field.choices

    def column(obj):
        if is_number_field(field):
            return grouped_field(field, getattr(obj, name))  # type: ignore[arg-type]
        return getattr(obj, f"get_{name}_display")() if choices else getattr(obj, name)

    column.__name__ = name
    return admin.display(description=label, ordering=name, boolean=isinstance(field, models.BooleanField))(column)


def titled_filter(title, filter_class=None):
    """The filter Django would choose for a field (or `filter_class`), under the admin's title for it."""

    class TitledFilter(admin.FieldListFilter):
        def __new__(cls, field, request, params, model, model_admin, field_path):
            if filter_class is None:
                spec = admin.FieldListFilter.create(field, request, params, model, model_admin, field_path)
            else:
                spec = filter_class(field, request, params, model, model_admin, field_path)
            spec.title = title
            return spec

    return TitledFilter


class LabelledFieldsMixin:
    """Labels from FIELD_LABELS in forms (inlines too), list columns and filters."""

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        label = field_label(self.model, db_field.name)  # type: ignore[attr-defined]
        if formfield is not None and label is not None:
            formfield.label = capfirst(label)
        return formfield

    def get_list_display(self, request: HttpRequest):
        columns = []
        for name in super().get_list_display(request):  # type: ignore[misc]
            label = field_label(self.model, name) if isinstance(name, str) else None  # type: ignore[attr-defined]
            columns.append(labelled_column(self.model, name, label) if label else name)  # type: ignore[attr-defined]
        return columns

    def get_list_filter(self, request: HttpRequest):
        filters = []
        for entry in super().get_list_filter(request):  # type: ignore[misc]
            # a field with a filter class of its own, ("provider", GermanRelatedFieldListFilter), is titled alike: it
            # was headed "Nach provider" (a code review)
            name, filter_class = entry if isinstance(entry, tuple) else (entry, None)
            label = field_label(self.model, name) if isinstance(name, str) else None  # type: ignore[attr-defined]
            filters.append((name, titled_filter(label, filter_class)) if label else entry)
        return filters


class LabelledCellsMixin:
    """A tabular inline's boxes and lists named as their column headings name them: Django shows a field's label in a
    tabular inline only as its column's heading, so a screen reader announced each box in the rows, and each
    „Löschen?“ tick box, without a name (axe: label, select-name)."""

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)  # type: ignore[misc]
        for field in formset.form.base_fields.values():
            named = getattr(field.widget, "widget", field.widget)  # inside the admin's related-object wrapper
            if field.label and not named.is_hidden:
                named.attrs["aria-label"] = capfirst(field.label)
        formset.deletion_widget = forms.CheckboxInput(attrs={"aria-label": gettext("Delete")})
        return formset


class _LocalizedNumber:
    """A number form field that reads and shows the admin's language's separators, in a text box (a browser's
    number box may take the German decimal comma for a thousands separator and save 16,5 as 165)."""

    def __init__(self, **kwargs) -> None:
        kwargs["localize"] = True
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = typed_number(value, get_language() or "")
            if value and not is_plain_number(value):  # "1e3", "Infinity": no number an admin means
                raise ValidationError(self.error_messages["invalid"], code="invalid")  # type: ignore[attr-defined]
        return super().to_python(value)  # type: ignore[misc]

    def widget_attrs(self, widget) -> dict:
        return {**super().widget_attrs(widget), "inputmode": "decimal"}  # type: ignore[misc]

    def run_validators(self, value) -> None:
        """The limits a refused number is told are written as the admin's language writes numbers: Django's own
        validators wrote them as a machine would ("kleiner oder gleich 1000000"; an admin review)."""
        try:
            super().run_validators(value)  # type: ignore[misc]
        except ValidationError as refused:
            raise ValidationError([_with_localized_numbers(error) for error in refused.error_list]) from None


def _with_localized_numbers(error: ValidationError) -> ValidationError:
    """`error` with the limit of a bound validator (`limit_value`: min, max, step) written for people; the other
    numbers stay as they are (a plural message such as "no more than %(max)s digits" chooses its form by them)."""
    params = dict(getattr(error, "params", None) or {})
    limit = params.get("limit_value")
    if isinstance(limit, (int, float, Decimal)) and not isinstance(limit, bool):
        params["limit_value"] = grouped(limit)
    return ValidationError(error.message, code=error.code, params=params or None)


class LocalizedDecimalField(_LocalizedNumber, forms.DecimalField):
    pass


class LocalizedFloatField(_LocalizedNumber, forms.FloatField):
    pass


class LocalizedIntegerField(_LocalizedNumber, forms.IntegerField):
    """A whole number as the admin's language writes it: "1.000" is a thousand in German (Django's own field took
    the ".000" for decimals and saved 1), and a number with decimals is refused rather than cut to its whole part."""

    default_error_messages = {"not_whole": _("Enter a whole number, without decimals.")}

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            if isinstance(value, str) and self._has_decimals(value):
                raise ValidationError(self.error_messages["not_whole"], code="not_whole") from None
            raise

    @staticmethod
    def _has_decimals(text: str) -> bool:
        plain = typed_number(text, get_language() or "")
        try:
            number = Decimal(plain)
        except InvalidOperation:
            return False
        return number.is_finite() and number != number.to_integral_value()

    def widget_attrs(self, widget) -> dict:
        return {**super().widget_attrs(widget), "inputmode": "numeric"}


LOCALIZED_NUMBERS: dict[type[models.Field], type[forms.Field]] = {
    models.DecimalField: LocalizedDecimalField,
    models.FloatField: LocalizedFloatField,
    models.IntegerField: LocalizedIntegerField,  # and its kinds: positive, small, big
}


def number_column(model: type[models.Model], name: str):
    """A list column for a number field: grouped as the admin's language writes it, ordered and named as the field."""
    if (model, name) not in _COLUMNS:
        _COLUMNS[model, name] = _number_column(model, name)
    return _COLUMNS[model, name]


def _number_column(model: type[models.Model], name: str):
    field = model._meta.get_field(name)

    def column(obj):
        return grouped_field(field, getattr(obj, name))  # type: ignore[arg-type]

    column.__name__ = name
    return admin.display(description=capfirst(field.verbose_name), ordering=name)(column)  # type: ignore[union-attr]


class FieldErrorsFirst:
    """A model form whose field refused what was typed says only that of the field: the model's own checks saw the
    value from before and added their message too ("2,5" as a knowledge check's difficulty was told "whole number"
    and "needs a difficulty from 1 to 5"; an admin review)."""

    def _post_clean(self) -> None:
        first = {name: list(errors.data) for name, errors in self._errors.items() if name != NON_FIELD_ERRORS}  # type: ignore[attr-defined]
        super()._post_clean()  # type: ignore[misc]
        for name, data in first.items():
            self._errors[name].data[:] = data  # type: ignore[attr-defined]


def field_errors_first(form_class):
    """`form_class` with `FieldErrorsFirst`, its fields as they are (a subclass of a model form gets its fields
    anew from the model: the labels and widgets set on them since would be lost)."""
    wrapped = type(form_class.__name__, (FieldErrorsFirst, form_class), {})
    wrapped.base_fields = form_class.base_fields  # type: ignore[attr-defined]
    return wrapped


class LocalizedNumbersMixin:
    """Numbers in admin forms and inlines as in the admin's language: "1290,50" and "1.000" in German,
    "1290.50" and "1,000" in English, both when shown and when typed; in the change lists, which only show them,
    with their thousands grouped ("5.300" in German, "5,300" in English). A field that refuses a number says only
    that (`FieldErrorsFirst`)."""

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        return field_errors_first(super().get_form(request, obj, change, **kwargs))  # type: ignore[misc]

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)  # type: ignore[misc]
        formset.form = field_errors_first(formset.form)
        return formset

    def get_list_display(self, request: HttpRequest):
        columns = []
        for entry in super().get_list_display(request):  # type: ignore[misc]
            try:
                field = self.model._meta.get_field(entry) if isinstance(entry, str) else None  # type: ignore[attr-defined]
            except FieldDoesNotExist:
                field = None
            editable = entry in (self.list_editable or ()) or entry in (self.list_display_links or ())  # type: ignore[attr-defined]
            numbered = field is not None and is_number_field(field) and not editable
            columns.append(number_column(self.model, entry) if numbered else entry)  # type: ignore[attr-defined]
        return columns

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs):
        for model_field, form_field in LOCALIZED_NUMBERS.items():
            if isinstance(db_field, model_field) and not db_field.choices:
                kwargs["form_class"] = form_field
                if form_field is LocalizedIntegerField:
                    # a text box, not the admin's number box: a browser sends "1.000" typed there as it is, a
                    # number box may read it as 1.0
                    kwargs["widget"] = forms.TextInput(attrs={"class": "vIntegerField"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]


class CompetencyRowsMixin:
    """An inline whose rows each name a competency (a role's requirements, what a course teaches): the competency
    list is queried once for the page, not once per row's select, and each row's competency is fetched with it
    (a row is shown by its name)."""

    def get_queryset(self, request: HttpRequest):
        parent = next(
            f.name
            for f in self.model._meta.get_fields()  # type: ignore[attr-defined]
            if f.many_to_one and f.related_model is self.parent_model  # type: ignore[attr-defined]
        )
        return super().get_queryset(request).select_related("competency", parent)  # type: ignore[misc]

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        if db_field.name == "competency" and formfield is not None:
            formfield.choices = list(formfield.choices)  # the rows' copies share the evaluated list
        return formfield


# The largest id a database row can have (a 64-bit integer on SQLite and PostgreSQL): a larger one typed into a
# tampered form made the database driver raise instead of the form saying "not a valid choice".
LARGEST_ID = 2**63 - 1


def valid_id(value: object) -> bool:
    text = str(value).strip()
    return text.isascii() and text.isdigit() and int(text) <= LARGEST_ID


class CheckedIdsModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A many-to-many choice whose values must be ids a row can have, before the database is asked."""

    def _check_values(self, value):
        if not isinstance(value, str) and self.to_field_name is None:
            try:
                values = list(value)
            except TypeError:
                values = []
            for pk in values:
                if not valid_id(pk):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return super()._check_values(value)  # type: ignore[misc]  # Django's own step, not in the stubs


class CheckedIdsMixin:
    """Ids sent to the admin are checked before the database sees them: a changelist action on a selection that
    holds anything but row ids ("abc", a 24-digit number) is refused with a message, and a many-to-many field
    (a course's prerequisites) says such a value is not a valid choice. Both were a 500 for a tampered request."""

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        kwargs.setdefault("form_class", CheckedIdsModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]

    def response_action(self, request: HttpRequest, queryset):
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        if not all(valid_id(pk) for pk in selected):
            self.message_user(  # type: ignore[attr-defined]
                request, gettext("The selection was not understood: choose the rows again."), messages.WARNING
            )
            return None  # the changelist is shown again, nothing done
        confirmed = request.POST.get("selection")  # "all N matching", as the confirmation page listed them
        if request.POST.get("select_across") == "1" and confirmed is not None:
            if confirmed != selection_digest(queryset):
                self.message_user(  # type: ignore[attr-defined]
                    request,
                    gettext(
                        "The rows matching the list have changed since the confirmation page was shown: nothing was "
                        "done. Choose the rows again."
                    ),
                    messages.WARNING,
                )
                return None
        return super().response_action(request, queryset)  # type: ignore[misc]


class StableSlugMixin:
    """The slug is typed (or prepopulated) once, when the entry is added, and read-only afterwards."""

    slug_source: str | None = None

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        return fields + ("slug",) if obj is not None else fields

    def get_prepopulated_fields(self, request: HttpRequest, obj=None):
        if obj is None and self.slug_source:
            return {"slug": (self.slug_source,)}
        return {}


def _save_each(modeladmin, request: HttpRequest, queryset, active: bool) -> None:
    """Save one by one rather than `update()`: so each change is in the history and moves `updated_at`,
    which tells the recommendation cache that the catalogue changed."""
    changed, refused = 0, []
    for obj in queryset.filter(active=not active):
        obj.active = active
        if active:  # what the change form refuses to make active (a course whose exam is retired), this does too
            try:
                obj.clean()
            except ValidationError as error:
                refused.append(f"{obj}: {' '.join(error.messages)}")
                continue
        obj.save()
        changed += 1
    if refused:
        modeladmin.message_user(request, _("Not activated: %(items)s") % {"items": "; ".join(refused)}, messages.ERROR)
    name = model_ngettext(modeladmin.opts, changed)
    if active:
        text = ngettext("%(count)d %(name)s activated.", "%(count)d %(name)s activated.", changed)
    else:
        text = ngettext("%(count)d %(name)s deactivated.", "%(count)d %(name)s deactivated.", changed)
    modeladmin.message_user(request, text % {"count": changed, "name": name}, messages.SUCCESS)


@admin.action(description=_("Deactivate selected %(verbose_name_plural)s"), permissions=["change"])
def deactivate_selected(modeladmin, request, queryset) -> None:
    _save_each(modeladmin, request, queryset, active=False)
    if hasattr(modeladmin, "after_deactivating"):  # what the admin should know of what the rows leave behind
        modeladmin.after_deactivating(request, queryset)


def warn_of_unanchored_competencies(modeladmin, request: HttpRequest) -> None:
    """Say where no active anchor is left among a competency's knowledge checks."""
    names = [str(c) for c in Item.objects.unanchored_competencies()]
    if names:
        modeladmin.message_user(
            request,
            gettext(
                "No active anchor among the knowledge checks of: %(competencies)s. The item calibration cannot "
                "tie their scale to the levels: mark an active check (better two of different difficulty) as "
                "an anchor."
            )
            % {"competencies": ", ".join(names)},
            messages.WARNING,
        )


@admin.action(description=_("Activate selected %(verbose_name_plural)s"), permissions=["change"])
def activate_selected(modeladmin, request, queryset) -> None:
    _save_each(modeladmin, request, queryset, active=True)
    if hasattr(modeladmin, "after_activating"):
        modeladmin.after_activating(request, queryset)


@admin.register(Section)
class SectionAdmin(
    GermanOrderMixin, CheckedIdsMixin, LocalizedNumbersMixin, StableSlugMixin, LabelledFieldsMixin, InlineHistoryAdmin
):
    slug_source = "name_en"
    list_display = ("name_de", "name_en", "slug", "order", "competency_count")
    search_fields = ("slug", "name_de", "name_en")
    ordering = ("order", "slug")
    fields = ("slug", ("name_de", "name_en"), "order")

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(competency_count=Count("competencies"))

    @admin.display(description=_("competencies"), ordering="competency_count")
    def competency_count(self, section: WithAnnotations[Section, _CompetencyCount]) -> str | None:
        return grouped(section.competency_count)


class LevelDescriptorInline(LocalizedNumbersMixin, LabelledFieldsMixin, LabelledCellsMixin, admin.TabularInline):
    model = LevelDescriptor
    fields = ("level", "text_de", "text_en")
    extra = 0
    max_num = len(Level.choices)
    formfield_overrides = SHORT_TEXT

    def get_extra(self, request: HttpRequest, obj=None, **kwargs) -> int:
        # Blank rows, as for an item's options: without JavaScript (only its "add another" adds rows) no level
        # could ever be described. A new competency gets one per level, a saved one one more (none once all six
        # are described: `max_num`). A row left blank is not saved.
        return len(Level.choices) if obj is None else 1


@admin.register(Competency)
class CompetencyAdmin(
    GermanOrderMixin, CheckedIdsMixin, LocalizedNumbersMixin, StableSlugMixin, LabelledFieldsMixin, InlineHistoryAdmin
):
    slug_source = "name_en"
    list_display = ("name_de", "name_en", "slug", "section", "order")
    list_filter = ("section",)
    list_select_related = ("section",)
    search_fields = ("slug", "name_de", "name_en")
    ordering = ("section__order", "order", "slug")
    fieldsets = (
        (None, {"fields": ("slug", ("section", "order"), ("name_de", "name_en"))}),
        (_("Description"), {"fields": (("description_de", "description_en"),)}),
    )
    inlines = [LevelDescriptorInline]
    formfield_overrides = SIDE_BY_SIDE_TEXT

    def save_model(self, request: HttpRequest, obj: Competency, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not Item.objects.active().filter(competency=obj).exists():
            self.message_user(
                request,
                gettext(
                    "No active question asks about “%(competency)s” yet: until one does, every result shows it as a "
                    "neutral placeholder, and the roles that require it count it so."
                )
                % {"competency": obj},
                messages.WARNING,
            )


class NamedRowsFormSet(BaseInlineFormSet):
    """An inline whose duplicate rows are named by the fields' labels: Django names the fields of the unique check
    as in the code („Bitte die doppelten Daten für competency korrigieren.“)."""

    def get_unique_error_message(self, unique_check) -> str:
        names = [  # as the admin labels them (`field_label`): an option's "value" was named in English in German
            str(field_label(self.model, name) or self.model._meta.get_field(name).verbose_name)
            for name in unique_check
            if name != self.fk.name
        ]
        if len(names) == 1:
            return gettext("Please correct the duplicate data for %(field)s.") % {"field": names[0]}
        return gettext("Please correct the duplicate data for %(field)s, which must be unique.") % {
            "field": get_text_list(names, gettext("and"))
        }


class OptionFormSet(NamedRowsFormSet):
    """Rules across the options of one item (the rules for a single option are in `Option.clean`)."""

    def clean(self) -> None:
        super().clean()
        # Checked before the other rules, so that rows refused for another reason are also marked for this one.
        duplicates = self.duplicate_labels()
        if duplicates:
            raise ValidationError(duplicates)
        if any(self.errors):
            return
        # BaseFormSet's own test for a form marked for deletion (private, so not in the stubs)
        removed = [f.instance.pk for f in self.forms if f.instance.pk and self._should_delete_form(f)]  # type: ignore[attr-defined]
        chosen = sorted(set(Answer.objects.filter(option_id__in=removed).values_list("option__value", flat=True)))
        if chosen:
            raise ValidationError(
                _(
                    "People chose these options, so deleting them would delete their answers: %(values)s. "
                    "Deactivate the item and add a new one instead."
                ),
                code="answered",
                params={"values": ", ".join(chosen)},
            )
        kept = [f for f in self.forms if f.cleaned_data and not self._should_delete_form(f)]  # type: ignore[attr-defined]
        if len(kept) < 2:
            raise ValidationError(_("An item needs at least two options to choose from."), code="too_few")
        if self.instance.kind == Item.Kind.KNOWLEDGE:
            correct = sum(1 for f in kept if f.cleaned_data.get("correct"))
            if correct != 1:
                raise ValidationError(
                    _("A knowledge check needs exactly one correct option; %(count)d are marked correct."),
                    code="correct_options",
                    params={"count": correct},
                )
        levels = [f.cleaned_data.get("level") for f in kept]
        if self.instance.kind == Item.Kind.SELF_RATING and len(set(levels)) < len(levels):
            raise ValidationError(
                _("Each option of a self-rating stands for its own level: two options give the same level."),
                code="same_level",
            )
        styles = {f.cleaned_data.get("style") for f in kept}
        if self.instance.kind == Item.Kind.SCENARIO and len(styles) < 2:
            raise ValidationError(
                _("The options of a work-style scenario need at least two different styles, or it says nothing."),
                code="one_style",
            )

    def duplicate_labels(self) -> list[ValidationError]:
        """Two options of one question with the same label (in either language, whatever the case and spacing)
        cannot be told apart by the person answering: each such row's label is marked, and the labels returned."""
        kept = [f for f in self.forms if getattr(f, "cleaned_data", None) and not self._should_delete_form(f)]  # type: ignore[attr-defined]
        duplicates = []
        for name, message in (
            ("label_de", _("Two options of this question have the same German label: “%(label)s”.")),
            ("label_en", _("Two options of this question have the same English label: “%(label)s”.")),
        ):
            seen: dict[str, list[forms.Form]] = {}
            for form in kept:
                label = form.cleaned_data.get(name) or ""
                if label.strip():
                    seen.setdefault(" ".join(label.split()).casefold(), []).append(form)
            for same in seen.values():
                if len(same) < 2:
                    continue
                label = " ".join(same[0].cleaned_data[name].split())
                duplicates.append(ValidationError(message, code="same_label", params={"label": label}))
                for form in same:
                    form.add_error(name, gettext("Each option needs its own label."))
        return duplicates


class OptionInline(LocalizedNumbersMixin, LabelledFieldsMixin, LabelledCellsMixin, admin.TabularInline):
    model = Option
    formset = OptionFormSet
    fields = ("value", "label_de", "label_en", "level", "correct", "style", "order")
    extra = 0
    formfield_overrides = {**SHORT_TEXT, models.SlugField: {"widget": forms.TextInput(attrs={"size": 8})}}

    def get_extra(self, request: HttpRequest, obj=None, **kwargs) -> int:
        # Blank rows, so that an item can be written without JavaScript (only its "add another" adds rows): a new
        # one gets as many as the longest item has (a self-rating's six levels), a saved one one more. A row left
        # blank is not saved.
        return len(Level.choices) if obj is None else 1


@admin.register(Item)
class ItemAdmin(
    GermanOrderMixin, CheckedIdsMixin, LocalizedNumbersMixin, StableSlugMixin, LabelledFieldsMixin, InlineHistoryAdmin
):
    list_display = (
        "slug",
        "kind",
        "competency",
        "difficulty",
        "anchor",
        "short_text",
        "option_count",
        "order",
        "active",
    )
    list_filter = ("kind", "active", "competency", "difficulty", "anchor")
    list_select_related = ("competency",)
    search_fields = ("slug", "text_de", "text_en")
    ordering = ("order", "slug")
    fieldsets = (
        (None, {"fields": ("slug", ("kind", "competency", "difficulty"), ("order", "active", "anchor"))}),
        (_("Question"), {"fields": (("text_de", "text_en"), ("feedback_de", "feedback_en"))}),
        # Set by the item calibrations (their admin switches between learned and shipped values).
        (
            _("Item model"),
            {
                "fields": (
                    ("location", "discrimination", "location_sd"),
                    ("rating_noise", "rating_bias", "rating_bias_sd"),
                )
            },
        ),
    )
    readonly_fields = ITEM_MODEL_FIELDS
    inlines = [OptionInline]
    formfield_overrides = SIDE_BY_SIDE_TEXT
    actions = [deactivate_selected, activate_selected]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(option_count=Count("options"))

    def save_model(self, request: HttpRequest, obj: Item, form, change: bool) -> None:
        current = Item.objects.get(pk=obj.pk) if change else None
        if current is not None and to_historic(obj) is not None:
            # A revert: the item model belongs to the calibrations (which write it without history), not to
            # the version, whose values may be from before the calibration in use.
            for name in ITEM_MODEL_FIELDS:
                setattr(obj, name, getattr(current, name))
        learned_kept = current is not None and not obj.follow_difficulty(current)
        super().save_model(request, obj, form, change)
        if learned_kept:
            self.message_user(
                request,
                gettext(
                    "The measurement keeps the location learned from answers (%(location)s); the new difficulty "
                    "takes effect when the item calibrations go back to the shipped values, or in the next "
                    "calibration."
                )
                % {"location": _levels(obj.location)},
                messages.WARNING,
            )
        warn_of_unanchored_competencies(self, request)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        moved = change and any("correct" in f.changed_data for f in formset.forms if f.has_changed())
        super().save_formset(request, form, formset, change)
        if moved:
            self.warn_of_rescoring(request, form.instance)

    def history_reverted(
        self, request: HttpRequest, before: models.Model | None, after: models.Model, rows: dict[type, list[RowChange]]
    ) -> None:
        assert isinstance(after, Item)  # this admin's model
        changes = rows.get(Option, [])
        if any(bool(c.before and c.before["correct"]) != bool(c.after and c.after["correct"]) for c in changes):
            self.warn_of_rescoring(request, after)

    def warn_of_rescoring(self, request: HttpRequest, item: Item) -> None:
        """After the correct option moved: how many answers are scored anew wherever results are computed again."""
        answered = Answer.objects.filter(item=item, option__isnull=False).count()
        if answered:
            self.message_user(
                request,
                ngettext(
                    "The correct option has changed: %(count)d answer to this question is scored by it wherever a "
                    "result is computed again (the dashboard, “Compute again”); the results people were shown "
                    "stay as they were.",
                    "The correct option has changed: %(count)d answers to this question are scored by it wherever "
                    "a result is computed again (the dashboard, “Compute again”); the results people were shown "
                    "stay as they were.",
                    answered,
                )
                % {"count": answered},
                messages.WARNING,
            )

    def after_deactivating(self, request: HttpRequest, queryset) -> None:
        warn_of_unanchored_competencies(self, request)

    def after_activating(self, request: HttpRequest, queryset) -> None:
        warn_of_unanchored_competencies(self, request)  # a check activated where no anchor is active

    @admin.display(description=_("question"))
    def short_text(self, item: Item) -> str:
        text = item.text_de
        return text if len(text) <= 80 else text[:79] + "…"

    @admin.display(description=_("options"), ordering="option_count")
    def option_count(self, item: WithAnnotations[Item, _OptionCount]) -> str | None:
        return grouped(item.option_count)

    def get_deleted_objects(self, objs, request: HttpRequest):
        """An item people have answered is deactivated, not deleted: deleting it would delete their answers."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        answered = Item.objects.filter(pk__in=[i.pk for i in objs]).annotate(answer_count=Count("answers"))
        for item in answered.filter(answer_count__gt=0):
            # annotated just above, but the stubs' ItemQuerySet does not carry annotations along
            count = item.answer_count  # type: ignore[attr-defined]
            protected.append(
                ngettext(
                    "“%(item)s” has %(count)d answer in assessments",
                    "“%(item)s” has %(count)d answers in assessments",
                    count,
                )
                % {"item": item, "count": count}
            )
        return deleted, counts, perms_needed, protected

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None):
        extra_context = {**(extra_context or {}), "deactivate_ids": [object_id]}
        return super().delete_view(request, object_id, extra_context)


def _levels(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "–"
    text = number_text(value, 2)
    return f"+{text}" if signed and round(float(value), 2) > 0 else text


class ItemCalibrationInline(LocalizedNumbersMixin, admin.TabularInline):
    """Each knowledge check's values in the version: before and learned, with how well it fits."""

    model = ItemCalibration
    fields = ("item", "anchor", "answers", "location_change", "location_error", "discrimination_change", "fit")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("item")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("location: before → learned"))
    def location_change(self, row: ItemCalibration) -> str:
        return f"{_levels(row.previous_location)} → {_levels(row.location)}"

    @admin.display(description=_("standard error"))
    def location_error(self, row: ItemCalibration) -> str:
        return _levels(row.location_se)

    @admin.display(description=_("discrimination: before → learned"))
    def discrimination_change(self, row: ItemCalibration) -> str:
        return f"{_levels(row.previous_discrimination)} → {_levels(row.discrimination)}"

    @admin.display(description=_("fit"))
    def fit(self, row: ItemCalibration) -> str:
        if row.fits:
            return gettext("fits")
        return gettext("does not fit: %(reasons)s") % {"reasons": "; ".join(row.flag_labels())}


class CalibrateForm(forms.Form):
    min_answers = LocalizedIntegerField(
        label=_("answers needed per item"),
        min_value=1,
        max_value=1_000_000,
        initial=calibration_runs.DEFAULT_MIN_ANSWERS,
        help_text=_("The learned values are used only when every knowledge check has at least this many answers."),
    )

    def clean(self):
        unanchored = [str(c) for c in Item.objects.unanchored_competencies()]
        if unanchored:
            raise ValidationError(
                _(
                    "No active anchor among the knowledge checks of: %(competencies)s. Mark one in each before "
                    "calibrating."
                ),
                code="unanchored",
                params={"competencies": ", ".join(unanchored)},
            )
        return super().clean()


def calibration_title(status: TaskResultStatus, summary: dict | None) -> str:
    """The heading of a calibration's status page: what happened, once it has finished."""
    if status == TaskResultStatus.FAILED or (summary and summary["outcome"] == "unanchored"):
        return gettext("Calibrating the knowledge checks failed")
    if status != TaskResultStatus.SUCCESSFUL:
        return gettext("Calibrating the knowledge checks")
    assert summary is not None, "a successful calibration task returns its summary"
    return {
        "activated": gettext("The knowledge checks are calibrated"),
        "short": gettext("Calibration stored, not in use"),
        "not_converged": gettext("Calibration stored, not in use"),
        "misfits": gettext("Calibration stored, not in use"),
    }.get(summary["outcome"], gettext("Nothing to calibrate"))


@admin.register(CalibrationVersion)
class CalibrationVersionAdmin(GermanOrderMixin, CheckedIdsMixin, LocalizedNumbersMixin, admin.ModelAdmin):
    """Item calibrations from `manage.py calibrate_items`, or started here (run by the worker): read-only,
    activated (or left) by actions."""

    list_display = (
        "__str__",
        "active",
        "assessments",
        "answers",
        "usable_now",
        "misfits",
        "noise",
        "bias",
    )
    list_filter = ("active",)
    ordering = ("-created_at", "-pk")
    fields = (
        "created_at",
        "active",
        "assessments",
        "answers",
        "min_answers",
        "usable_now",
        "noise",
        "bias",
        "bias_spread",
        "converged",
        "notes",
    )
    readonly_fields = fields
    inlines = [ItemCalibrationInline]
    actions = ["activate_calibration", "use_shipped_values"]

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .annotate(
                misfit_count=Count("parameters", filter=models.Q(parameters__fits=False)),
                short_count=Count("parameters", filter=models.Q(parameters__answers__lt=models.F("min_answers"))),
            )
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made by `manage.py calibrate_items`

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # the versions are the record of which values the measurement used

    def has_activate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("assessment.change_calibrationversion")

    def has_calibrate_permission(self, request: HttpRequest) -> bool:
        """Starting a calibration stores a version and may switch the items to it: as activating one."""
        return self.has_activate_permission(request)

    def get_urls(self):
        calibrate = [
            path(
                "calibrate/", self.admin_site.admin_view(self.calibrate_view), name="assessment_calibrationversion_run"
            ),
            path(
                "calibrate/<uuid:task_id>/",
                self.admin_site.admin_view(self.calibrate_status_view),
                name="assessment_calibrationversion_run_status",
            ),
        ]
        return [*calibrate, *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra_context = {**(extra_context or {}), "can_calibrate": self.has_calibrate_permission(request)}
        return super().changelist_view(request, extra_context)

    def calibrate_view(self, request: HttpRequest) -> HttpResponse:
        """GET: what a calibration uses and does; POST: queue it for the worker (as `manage.py calibrate_items`
        would run it) and show its progress. It never runs in the request."""
        if not self.has_calibrate_permission(request):
            raise PermissionDenied
        pending = core_tasks.pending(tasks.calibrate_items)
        form = CalibrateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            # A second click, or a second admin, follows the calibration already queued.
            pending_id, queued = core_tasks.enqueue_once(tasks.calibrate_items, form.cleaned_data["min_answers"])
            if queued:
                log.info("item calibration queued from the admin as task %s", pending_id)
            return HttpResponseRedirect(reverse("admin:assessment_calibrationversion_run_status", args=[pending_id]))
        checks = Item.objects.active().filter(kind=Item.Kind.KNOWLEDGE)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Calibrate the knowledge checks"),
            "opts": self.opts,
            "form": form,
            "checks": checks.count(),
            "answers": Answer.objects.filter(
                item__in=checks, option__isnull=False, assessment__finished_at__isnull=False
            ).count(),
            "unanchored": list(Item.objects.unanchored_competencies()),
            "active": CalibrationVersion.objects.active().first(),
            "pending": pending,
        }
        return TemplateResponse(
            request, "admin/assessment/calibrationversion/calibrate.html", context, status=400 if form.errors else 200
        )

    def calibrate_status_view(self, request: HttpRequest, task_id) -> HttpResponse:
        """How a queued calibration is doing: a GET page, which retrain.js fetches in place while it waits or runs."""
        if not self.has_calibrate_permission(request):
            raise PermissionDenied
        result = core_tasks.result_or_404(tasks.calibrate_items, task_id, gettext("There is no such calibration."))
        summary = result.return_value if result.status == TaskResultStatus.SUCCESSFUL else None
        version = CalibrationVersion.objects.filter(pk=summary.get("version")).first() if summary else None
        context = {
            **self.admin_site.each_context(request),
            "title": calibration_title(result.status, summary),
            "unanchored": list(Competency.objects.filter(slug__in=summary.get("competencies", []))) if summary else [],
            "opts": self.opts,
            "status": result.status.value,
            "finished": result.is_finished,
            "summary": summary,
            "version": version,
            "error": core_tasks.task_error(result) if result.status == TaskResultStatus.FAILED else "",
        }
        return TemplateResponse(request, "admin/assessment/calibrationversion/calibrate_status.html", context)

    @admin.display(description=_("enough answers"), boolean=True)
    def usable_now(self, version: CalibrationVersion) -> bool:
        short = getattr(version, "short_count", None)
        if short is None:
            return version.usable
        return version.converged and short == 0

    @admin.display(description=_("items that do not fit"), ordering="misfit_count")
    def misfits(self, version: WithAnnotations[CalibrationVersion, _MisfitCount]) -> str | None:
        return grouped(version.misfit_count)

    @admin.display(description=_("self-rating noise"))
    def noise(self, version: CalibrationVersion) -> str:
        return _levels(version.self_rating_noise)

    @admin.display(description=_("self-rating bias"))
    def bias(self, version: CalibrationVersion) -> str:
        return _levels(version.self_rating_bias, signed=True)

    @admin.display(description=_("spread of the self-rating bias"))
    def bias_spread(self, version: CalibrationVersion) -> str:
        return _levels(version.self_rating_bias_sd)

    @admin.action(description=_("Use the selected calibration for the items"), permissions=["activate"])
    def activate_calibration(self, request: HttpRequest, queryset) -> None:
        if queryset.count() != 1:
            self.message_user(request, gettext("Select exactly one calibration to use."), messages.WARNING)
            return
        version = CalibrationVersion.objects.get(pk=queryset.get().pk)
        if not version.usable:
            if not version.converged:  # the reason that applies, not both
                reason = gettext("%(version)s cannot be used: its fit did not converge.") % {"version": version}
            elif not version.parameters.filter(answers__lt=version.min_answers).exists():
                reason = gettext(
                    "%(version)s cannot be used: more than a fifth of the knowledge checks do not fit its values."
                ) % {"version": version}
            else:
                reason = ngettext(
                    "%(version)s cannot be used: every item needs at least %(count)d answer.",
                    "%(version)s cannot be used: every item needs at least %(count)d answers.",
                    version.min_answers,
                ) % {"version": version, "count": version.min_answers}
            self.message_user(request, reason, messages.ERROR)
            return
        changed = version.activate()
        self.message_user(
            request,
            ngettext(
                "%(version)s is in use now; %(count)d item changed.",
                "%(version)s is in use now; %(count)d items changed.",
                changed,
            )
            % {"version": version, "count": changed},
            messages.SUCCESS,
        )

    @admin.action(description=_("Go back to the shipped item values (whatever is selected)"), permissions=["activate"])
    def use_shipped_values(self, request: HttpRequest, queryset) -> None:
        changed = CalibrationVersion.use_shipped_values()
        self.message_user(
            request,
            ngettext(
                "The items use their shipped values again; %(count)d item changed.",
                "The items use their shipped values again; %(count)d items changed.",
                changed,
            )
            % {"count": changed},
            messages.SUCCESS,
        )


register_task_page(
    "assessment.tasks.calibrate_items",
    _("Calibration of the knowledge checks"),
    "admin:assessment_calibrationversion_run_status",
    lambda request, task: request.user.has_perm("assessment.change_calibrationversion"),
)
