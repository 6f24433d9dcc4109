"""History with revert in the admin for an entry together with its inline rows (a role's required levels, an
item's options ...), where each inline row has its own django-simple-history.

django-simple-history keeps one history per model and reverts one row. Here the parent's record is the
version: the admin saves the parent first and its inline rows after it, so the rows of a version are the rows
as they were just before the parent's next record (for the newest one: as their history has them last). Reverting
to a version also sets its rows back, in the same transaction: changed rows take their values then, rows added
since are removed, rows removed since come back. Every step is saved with its own history record, so that a
revert can be reverted in turn. What cannot come back (a competency deleted since, answers that would go with
a removed option) is refused with the reason, and nothing changes. The history list names the rows' changes
next to the parent's ("Störungsbehebung: 2 → 5"), and the revert page shows the version's rows.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.contrib.admin.utils import display_for_value, flatten_fieldsets, model_ngettext, unquote
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, models, router, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.http import Http404, HttpRequest, HttpResponse
from django.template.defaultfilters import yesno
from django.utils import formats, timezone
from django.utils.html import conditional_escape
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject, ModelChange, ModelDelta, to_historic
from simple_history.template_utils import HistoricalRecordContextHelper
from simple_history.utils import get_m2m_reverse_field_name

from core.meta import concrete_field, target_model

Values = dict[str, Any]  # a row's fields by attname, without its id

# The reasons the apps write into history records themselves (content loader, catalogue import), with the
# words the admin's history list shows for them; any other reason is shown as it was typed.
_CHANGE_REASONS: dict[str, object] = {}


def register_change_reason(reason: str, label) -> None:
    _CHANGE_REASONS[reason] = label


# The reason of the records a revert writes: this prefix, then the moment of the version reverted to (ISO 8601), which
# the history list shows in the admin's language and time zone.
REVERTED = "reverted to "


def revert_reason(version) -> str:
    """The change reason of the records that reverting to the history record `version` writes."""
    return f"{REVERTED}{version.history_date.isoformat()}"


def reverted_to(reason: str | None) -> datetime.datetime | None:
    """The moment of the version a revert's record went back to (`revert_reason`), None for any other record."""
    if not reason or not reason.startswith(REVERTED):
        return None
    try:
        return datetime.datetime.fromisoformat(reason.removeprefix(REVERTED))
    except ValueError:
        return None


def change_reason_label(reason: str | None) -> str:
    if not reason:
        return "–"
    if (reverted := reverted_to(reason)) is not None:
        moment = timezone.localtime(reverted)
        return gettext("Reverted to the version of %(date)s, %(time)s") % {
            "date": formats.date_format(moment, "DATE_FORMAT"),
            "time": formats.time_format(moment, "TIME_FORMAT"),
        }
    return str(_CHANGE_REASONS.get(reason, reason))


class RevertRefused(Exception):
    """A version that cannot be restored as it was; the reasons are sentences for the admin."""

    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = [reason.rstrip(".") for reason in reasons]  # joined into one sentence
        super().__init__("; ".join(self.reasons))


@dataclass(frozen=True)
class RowChange:
    """One row between two states: `before` None means added, `after` None means removed."""

    pk: Any  # the row's id: the one that is changed or removed, or the one that comes back
    before: Values | None
    after: Values | None

    @property
    def latest(self) -> Values:
        """The row as the change leaves it, or as it was for a removed row."""
        values = self.after or self.before
        assert values is not None, "a change has a row before or after it"
        return values


def compare_rows(before: Mapping[Any, Values], after: Mapping[Any, Values], key: Sequence[str]) -> list[RowChange]:
    """What turns the rows `before` into the rows `after`: rows are matched by id, then a removed and an added
    row with the same `key` (e.g. the same competency of a role) count as one row changed."""
    changes = [RowChange(pk, before[pk], after[pk]) for pk in before.keys() & after.keys() if before[pk] != after[pk]]
    removed = {pk: before[pk] for pk in before.keys() - after.keys()}
    added = {pk: after[pk] for pk in after.keys() - before.keys()}
    if key:
        removed_by_key = {tuple(values[k] for k in key): pk for pk, values in removed.items()}
        for pk, values in list(added.items()):
            old = removed_by_key.pop(tuple(values[k] for k in key), None)
            if old is not None:
                del added[pk]
                old_values = removed.pop(old)
                if old_values != values:
                    changes.append(RowChange(old, old_values, values))
    changes += [RowChange(pk, values, None) for pk, values in removed.items()]
    changes += [RowChange(pk, None, values) for pk, values in added.items()]
    return changes


def history_of(model: type[models.Model]):
    """The model's history manager, or None for a model without django-simple-history."""
    name = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, name) if name else None


def tracked_many_to_many(instance: models.Model) -> list:
    """The many-to-many fields whose choices the instance's history records keep (none for most models)."""
    history_model = getattr(history_of(type(instance)), "model", None)
    return list(getattr(history_model, "_history_m2m_fields", None) or ())


def into_one_record(instance: models.Model, since: datetime.datetime, save_m2m: Callable[[], None]) -> None:
    """Run `save_m2m` (which sets the instance's many-to-many fields) without the record django-simple-history
    writes for every such field that changes, and keep the fields as saved in the record the instance's own save
    wrote since `since` instead. Without such a record the fields' own records are the only ones."""
    m2m_fields = tracked_many_to_many(instance)
    record = instance.history.filter(history_date__gte=since).order_by("history_date").last() if m2m_fields else None  # type: ignore[attr-defined]
    if record is None:
        save_m2m()
        return
    instance.skip_history_when_saving = True  # type: ignore[attr-defined]  # what simple-history's handlers look for
    try:
        save_m2m()
    finally:
        del instance.skip_history_when_saving  # type: ignore[attr-defined]
    for field in m2m_fields:
        rows = getattr(record, field.name)  # the record's copy of the field's rows
        rows.all().delete()
        through = field.remote_field.through
        names = [through_field.name for through_field in through._meta.fields]
        saved = through.objects.filter(**{field.m2m_field_name(): instance})
        rows.model.objects.bulk_create(
            [rows.model(history=record, **{name: getattr(row, name) for name in names}) for row in saved]
        )


def many_to_many_in_one_record(form) -> None:
    """Makes `form.save_m2m` (an admin form saved with commit=False) write its many-to-many fields into the history
    record the instance's own save has just written. django-simple-history writes one more record for every such
    field that changes: one admin save that changed a course's prerequisites and its admission requirements made
    three versions, two of them states nobody saved (a review). A form without tracked many-to-many fields is left
    as it is."""
    instance = form.instance
    if not tracked_many_to_many(instance) or not hasattr(form, "save_m2m"):
        return
    save_m2m = form.save_m2m
    since = timezone.now()
    form.save_m2m = lambda: into_one_record(instance, since, save_m2m)


def deleted_name(model: type[models.Model], pk: Any) -> str:
    """How an entry that no longer exists was named, from its history where it has one."""
    history = history_of(model)
    record = history.filter(**{model._meta.pk.attname: pk}).order_by("-history_date").first() if history else None
    return str(record.instance) if record is not None else f"#{pk}"


def deleted_since(model: type[models.Model], pk: Any) -> str:
    return gettext("%(what)s “%(name)s” has been deleted since") % {
        "what": capfirst(model._meta.verbose_name),
        "name": deleted_name(model, pk),
    }


def display_value(field: models.Field, value: Any, related: Mapping[Any, Any] | None = None) -> str:
    """A field's value as the admin reads it: names of related entries, levels as numbers, numbers in the
    active language ("0,5" in German), yes/no."""
    if value is None or value == "":
        return "–"
    if field.is_relation:
        target = (related or {}).get(value)
        return str(target) if target is not None else deleted_name(target_model(field), value)
    if isinstance(value, bool):
        return str(yesno(value))
    if field.choices and not isinstance(value, int):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, float | Decimal):
        return formats.localize(value)
    if isinstance(value, str):
        return Truncator(value).chars(60)
    return str(value)


class InlineRows:
    """The rows of one inline model that belong to one parent, now and in the parent's history."""

    def __init__(self, inline, fk: models.ForeignKey, parent_pk: Any, labels: Mapping[str, str]) -> None:
        self.inline = inline
        self.model: type[models.Model] = inline.model
        self.history = history_of(self.model)
        self.fk = fk
        self.parent_pk = parent_pk
        self.labels = labels  # column label by field name, as the inline's form names them
        self._related: dict[str, dict[Any, Any]] = {}
        self._positions: dict[str, dict[Any, int]] = {}

    @cached_property
    def fields(self) -> list[models.Field]:
        """The fields a version restores: every field the history keeps but the id and the parent."""
        return [f for f in self.history.model.tracked_fields if not f.primary_key and f.name != self.fk.name]

    @cached_property
    def by_attname(self) -> dict[str, models.Field]:
        return {f.attname: f for f in self.fields}

    @cached_property
    def shown(self) -> list[models.Field]:
        """The fields the inline shows, in its order."""
        tracked = {f.name: f for f in self.fields}
        return [tracked[name] for name in self.labels if name in tracked]

    @cached_property
    def key(self) -> list[str]:
        """What names a row within its parent: the other fields of a unique constraint with the parent."""
        for fields in [
            *(c.fields for c in self.model._meta.constraints if isinstance(c, models.UniqueConstraint)),
            *self.model._meta.unique_together,
        ]:
            if self.fk.name in fields and len(fields) > 1:
                return [concrete_field(self.model, name).attname for name in fields if name != self.fk.name]
        return []

    def _values(self, source: Any) -> Values:
        return {f.attname: getattr(source, f.attname) for f in self.fields}

    def current(self) -> dict[Any, Values]:
        rows = self.model._default_manager.filter(**{self.fk.attname: self.parent_pk})
        return {row.pk: self._values(row) for row in rows}

    def records_before(self, moment: datetime.datetime | None) -> dict[Any, Any]:
        """Each row's last history record before `moment` (deletions included), by row id."""
        records = self.history.filter(**{self.fk.attname: self.parent_pk})
        if moment is not None:
            records = records.filter(history_date__lt=moment)
        pk = self.model._meta.pk.attname
        return {getattr(record, pk): record for record in records.latest_of_each()}

    @staticmethod
    def alive(records: Mapping[Any, Any]) -> dict[Any, Any]:
        """The records of rows that existed then: not a deletion."""
        return {pk: record for pk, record in records.items() if record.history_type != "-"}

    def state_before(self, moment: datetime.datetime | None) -> dict[Any, Values]:
        """The rows as they were just before `moment` (None: as the history has them last)."""
        return {pk: self._values(record) for pk, record in self.alive(self.records_before(moment)).items()}

    def states_before(self, moments: Iterable[datetime.datetime | None]) -> dict[Any, dict[Any, Values]]:
        """`state_before` of every moment, from one query: the history list's versions asked for one each."""
        pk = self.model._meta.pk.attname
        # of two records at one moment the first written counts, as `records_before` (`latest_of_each`) takes it
        records = list(self.history.filter(**{self.fk.attname: self.parent_pk}).order_by("history_date", "-history_id"))
        states: dict[Any, dict[Any, Values]] = {}
        last: dict[Any, Any] = {}
        position = 0
        for moment in sorted(set(moments), key=lambda moment: (moment is None, moment)):
            while position < len(records) and (moment is None or records[position].history_date < moment):
                last[getattr(records[position], pk)] = records[position]
                position += 1
            states[moment] = {row: self._values(record) for row, record in self.alive(last).items()}
        return states

    def revert_changes(self, moment: datetime.datetime | None) -> list[RowChange]:
        """What sets the rows now back to the rows just before `moment`. A row now that the history does not
        show as added later (or removed then) is older than its history and stays."""
        records = self.records_before(moment)
        version = {pk: self._values(record) for pk, record in self.alive(records).items()}
        changes = compare_rows(self.current(), version, self.key)
        removed = [c.pk for c in changes if c.after is None]
        if not removed:
            return changes
        known = {row for row, record in records.items() if record.history_type == "-"}
        if moment is not None:
            id_field = self.model._meta.pk.attname
            added_later = self.history.filter(
                **{f"{id_field}__in": removed, "history_type": "+", "history_date__gte": moment}
            )
            known |= set(added_later.values_list(id_field, flat=True))
        return [c for c in changes if c.after is not None or c.pk in known]

    def related(self, field: models.Field, ids: set[Any]) -> dict[Any, Any]:
        """The entries `ids` of a relation, fetched once (absent: deleted since)."""
        cache = self._related.setdefault(field.attname, {})
        missing = {pk for pk in ids if pk is not None and pk not in cache}
        if missing:
            found = target_model(field)._default_manager.in_bulk(missing)
            cache.update({pk: found.get(pk) for pk in missing})
        return cache

    def show(self, field: models.Field, value: Any) -> str:
        related = self.related(field, {value}) if field.is_relation else None
        return display_value(field, value, related)

    def label(self, values: Values) -> str:
        """A row's name: its competency (in the active language) or, say, "Stufenbeschreibung 3"."""
        if not self.key:
            return str(capfirst(self.model._meta.verbose_name))
        name = ", ".join(self.show(self.by_attname[a], values[a]) for a in self.key)
        if all(self.by_attname[a].is_relation for a in self.key):
            return name
        return f"{capfirst(self.model._meta.verbose_name)} {name}"

    def title(self, pk: Any, values: Values) -> str:
        """A row named in a sentence: 'required level “Troubleshooting”', 'option “b”'."""
        name = ", ".join(self.show(self.by_attname[a], values[a]) for a in self.key) if self.key else f"#{pk}"
        return gettext("%(what)s “%(name)s”") % {"what": self.model._meta.verbose_name, "name": name}

    def summary(self, values: Values) -> str:
        details = [f for f in self.shown if f.attname not in self.key]
        if len(details) == 1:
            return self.show(details[0], values[details[0].attname])
        return ", ".join(f"{self.labels[f.name]} {self.show(f, values[f.attname])}" for f in details)

    def describe(self, changes: Sequence[RowChange]) -> list[dict[str, str]]:
        """The changes as the history list shows a field's change: {"field", "old", "new"}."""
        described = []
        for change in sorted(changes, key=lambda c: self.sort_key(c.latest)):
            if change.before is None or change.after is None:
                label = self.label(change.latest)
                old = self.summary(change.before) if change.before is not None else "–"
                new = self.summary(change.after) if change.after is not None else "–"
                described.append({"field": label, "old": old, "new": new})
                continue
            label = self.label(change.after)
            details = [f for f in self.shown if f.attname not in self.key]
            for field in self.shown:
                old, new = change.before[field.attname], change.after[field.attname]
                if old == new:
                    continue
                if field.attname in self.key:
                    described.append(
                        {
                            "field": f"{label} – {self.labels[field.name]}",
                            "old": self.label(change.before),
                            "new": label,
                        }
                    )
                elif len(details) == 1:
                    described.append({"field": label, "old": self.show(field, old), "new": self.show(field, new)})
                else:
                    described.append(
                        {
                            "field": f"{label} – {self.labels[field.name]}",
                            "old": self.show(field, old),
                            "new": self.show(field, new),
                        }
                    )
        return described

    def sort_key(self, values: Values) -> tuple:
        """Rows in the order the model lists them: a related entry by its own order, other fields by value."""
        key: list = []
        for entry in self.model._meta.ordering or ():
            if not isinstance(entry, str):
                continue
            name = entry.lstrip("-").split("__")[0]
            if name == self.fk.name:
                continue
            field = concrete_field(self.model, name)
            value = values.get(field.attname)
            if field.is_relation:
                position = self.positions(field).get(value, len(self.positions(field)))
                key.append(position)
            elif isinstance(value, int | float | Decimal):
                key.append(-value if entry.startswith("-") else value)
            else:
                key.append("" if value is None else str(value))
        return (*key, *(str(values.get(a)) for a in self.key))

    def positions(self, field: models.Field) -> dict[Any, int]:
        if field.attname not in self._positions:
            pks = target_model(field)._default_manager.values_list("pk", flat=True)
            self._positions[field.attname] = {pk: index for index, pk in enumerate(pks)}
        return self._positions[field.attname]

    def table(self, rows: Mapping[Any, Values]) -> list[list[str]]:
        ordered = sorted(rows.values(), key=self.sort_key)
        return [[self.show(field, values[field.attname]) for field in self.shown] for values in ordered]

    def refusals(self, changes: Sequence[RowChange], request: HttpRequest, parent: models.Model) -> list[str]:
        """Why these changes cannot be made: a related entry deleted since, entries that would be deleted
        with a removed row, or a permission the admin lacks."""
        reasons = []
        needed = {
            "add": any(c.before is None for c in changes),
            "change": any(c.before is not None and c.after is not None for c in changes),
            "delete": any(c.after is None for c in changes),
        }
        for action, need in needed.items():
            if need and not getattr(self.inline, f"has_{action}_permission")(request, parent):
                reasons.append(
                    gettext("you may not change the %(rows)s") % {"rows": self.model._meta.verbose_name_plural}
                )
                break
        for field in self.fields:
            if field.is_relation:
                ids = {c.after[field.attname] for c in changes if c.after is not None} - {None}
                related = self.related(field, ids)
                reasons += [deleted_since(target_model(field), pk) for pk in sorted(ids) if related.get(pk) is None]
        using = router.db_for_write(self.model)
        for change in changes:
            if change.after is not None:
                continue
            row = self.model._default_manager.get(pk=change.pk)
            name = self.title(change.pk, change.latest)
            collector = Collector(using=using)
            try:
                collector.collect([row])
            except (ProtectedError, RestrictedError) as error:
                blocking = getattr(error, "protected_objects", None) or getattr(error, "restricted_objects", ())
                reasons.append(
                    gettext("%(row)s cannot be removed: %(entries)s refer to it")
                    % {"row": name, "entries": counted(blocking)}
                )
                continue
            others: dict[Any, int] = {}  # counted, not loaded: an option may have thousands of answers
            for model, objs in collector.data.items():
                if model is not self.model:
                    others[model] = others.get(model, 0) + len(objs)
            for queryset in collector.fast_deletes:
                if count := queryset.count():
                    others[queryset.model] = others.get(queryset.model, 0) + count
            if others:
                reasons.append(
                    gettext("removing %(row)s would also delete %(entries)s")
                    % {"row": name, "entries": counted_by_model(others)}
                )
        return reasons

    def apply(self, changes: Sequence[RowChange], parent: models.Model, user, reason: str | None = None) -> None:
        """Make the changes, removals first (so that a row that comes back finds its place free), each with
        its history record (with `reason`). Raises RevertRefused when a row is not valid or not saved as it was."""
        order = {"removed": 0, "changed": 1, "added": 2}

        def kind(change: RowChange) -> str:
            return "removed" if change.after is None else "added" if change.before is None else "changed"

        for change in sorted(changes, key=lambda c: order[kind(c)]):
            name = self.title(change.pk, change.latest)
            try:
                with transaction.atomic(using=router.db_for_write(self.model)):
                    if change.after is None:
                        row = self.model._default_manager.get(pk=change.pk)
                        row._history_user = user  # type: ignore[attr-defined]  # django-simple-history reads it
                        row._change_reason = reason  # type: ignore[attr-defined]
                        row.delete()
                        continue
                    if change.before is None:
                        row = self.model(pk=change.pk, **{self.fk.attname: parent.pk})
                    else:
                        row = self.model._default_manager.get(pk=change.pk)
                    for attname, value in change.after.items():
                        setattr(row, attname, value)
                    row.full_clean()
                    row._history_user = user  # type: ignore[attr-defined]  # django-simple-history reads it
                    row._change_reason = reason  # type: ignore[attr-defined]
                    row.save(force_insert=change.before is None)
            except ValidationError as error:
                raise RevertRefused(
                    [
                        gettext("%(row)s cannot be set back: %(errors)s")
                        % {"row": name, "errors": " ".join(error.messages)}
                    ]
                ) from error
            except IntegrityError as error:
                raise RevertRefused(
                    [gettext("%(row)s cannot be set back in one step: please change it by hand") % {"row": name}]
                ) from error


def counted(objects) -> str:
    """ "3 answers, 1 completed course": what a list of entries holds, by kind."""
    by_model: dict[Any, int] = {}
    for obj in objects:
        by_model[type(obj)] = by_model.get(type(obj), 0) + 1
    return counted_by_model(by_model)


def counted_by_model(by_model: dict[Any, int]) -> str:
    return ", ".join(f"{count} {model_ngettext(model, count)}" for model, count in by_model.items())


def history_value(field: models.Field, value: Any) -> str:
    """A value of an entry's own field as its history list shows it: "ja"/"nein", a choice's label ("Deutsch und
    Englisch", not "de_en"), numbers and dates in the active language, the entries of a many-to-many field by name."""
    if isinstance(value, list):  # many-to-many: the entries chosen
        return ", ".join(str(entry) for entry in value) or "–"
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return str(yesno(value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, models.Model):
        return str(value)
    return str(display_for_value(value, "–"))


class LocalizedHistoryHelper(HistoricalRecordContextHelper):
    """The history list's changes of an entry's own fields in the admin's language: each field under its form's
    label ("Aktiv", "Webadresse"), each value as `history_value` shows it ("ja → nein", "0,4"). Django-simple-history
    showed the model's field name and the raw value ("Active: True → False", "Sprache: de → de_en")."""

    def __init__(self, model: type[models.Model], historical_record, labels: Mapping[str, str]) -> None:
        super().__init__(model, historical_record)
        self.labels = labels

    def format_delta_change(self, change):
        formatted = super().format_delta_change(change)
        label = self.labels.get(change.field)
        return dataclasses.replace(formatted, field=label) if label else formatted

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        return history_value(self.model._meta.get_field(change.field), value)

    def stringify_delta_change_values(self, change, old, new):
        if self.model._meta.get_field(change.field).many_to_many:
            return conditional_escape(old), conditional_escape(new)  # whole names: shortened, they read as others
        return super().stringify_delta_change_values(change, old, new)


def _through_value(row: Any, through: Any, name: str) -> Any:
    """A through row's related entry, or a `DeletedObject` for one deleted since (as django-simple-history's diff)."""
    try:
        value = getattr(row, name)
    except ObjectDoesNotExist:
        value = None
    if value is None:
        field = through.get_field(name)
        value = DeletedObject(field.related_model, getattr(row, field.attname))
    return value


class InlineHistoryAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose history list and revert include the inline rows that have their own history, and
    whose history list names every change in the admin's language (also for an entry without inlines)."""

    def history_reverted(
        self, request: HttpRequest, before: models.Model | None, after: models.Model, rows: dict[type, list[RowChange]]
    ) -> None:
        """Called in the revert's transaction, after the parent and its rows were set back: `before` is the
        parent as it was (None when it had been deleted), `rows` what changed per inline model. For hints."""

    def history_rows(self, request: HttpRequest, obj: models.Model) -> list[InlineRows]:
        """The inlines of `obj` whose rows have a history."""
        found = []
        for inline in self.get_inline_instances(request, obj):
            if history_of(inline.model) is None:
                continue
            formset = inline.get_formset(request, obj)
            form_fields = formset.form.base_fields
            names = flatten_fieldsets(inline.get_fieldsets(request, obj))
            labels = {
                name: str(form_fields[name].label)
                if name in form_fields
                else capfirst(str(inline.model._meta.get_field(name).verbose_name))
                for name in names
            }
            found.append(InlineRows(inline, formset.fk, obj.pk, labels))
        return found

    def get_historical_record_context_helper(self, request, historical_record):
        return LocalizedHistoryHelper(self.model, historical_record, self.history_labels(request))

    def history_labels(self, request: HttpRequest) -> dict[str, str]:
        """The label of each field as the admin's form names it, by field name (once per request: the list asks
        for each record)."""
        labels = request.__dict__.setdefault("_history_labels", {})
        if self.model not in labels:
            form = self.get_form(request)
            labels[self.model] = {name: str(field.label) for name, field in form.base_fields.items() if field.label}
        return labels[self.model]

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """Each version's changes against the one before it, as django-simple-history lists them, and next to
        them what changed in the entry's rows. A fixed number of queries however many versions the page lists:
        the many-to-many fields' rows of all of them in one query per field (django-simple-history read them
        twice per field and version) and the rows' states in one per inline."""
        records = list(historical_records)
        if not records:
            return
        m2m_fields = [field.name for field in records[0]._history_m2m_fields]
        m2m_rows = self._many_to_many_rows(records, m2m_fields, foreign_keys_are_objs)
        for newer_record, older in itertools.pairwise(records):
            delta = newer_record.diff_against(
                older, excluded_fields=m2m_fields, foreign_keys_are_objs=foreign_keys_are_objs
            )
            changes = [*delta.changes]
            for name in m2m_fields:
                old, new = m2m_rows[name].get(older.pk, []), m2m_rows[name].get(newer_record.pk, [])
                if old != new:
                    changes.append(ModelChange(name, old, new))
            changes.sort(key=lambda change: change.field)
            delta = ModelDelta(changes, [change.field for change in changes], older, newer_record)
            helper = self.get_historical_record_context_helper(request, newer_record)
            newer_record.history_delta_changes = helper.context_for_delta_changes(delta)
        newer = records[0].next_record
        ends = [newer.history_date if newer is not None else None] + [r.history_date for r in records[:-1]]
        for rows in self.history_rows(request, records[0].instance):
            states = rows.states_before([*ends, *(r.history_date for r in records)])
            for record, end in zip(records, ends, strict=True):
                if not hasattr(record, "history_delta_changes"):
                    continue  # the oldest record: nothing before it to compare with
                changes = compare_rows(states[record.history_date], states[end], rows.key)
                record.history_delta_changes = [*record.history_delta_changes, *rows.describe(changes)]

    @staticmethod
    def _many_to_many_rows(records: Sequence[Any], names: Sequence[str], objects: bool) -> dict[str, dict[Any, list]]:
        """Each many-to-many field's rows of each record (by history id), as django-simple-history's diff gives
        them: the through rows' fields, sorted by the related entry, related entries as objects when `objects`
        (a deleted one as its `DeletedObject`)."""
        found: dict[str, dict[Any, list]] = {}
        for name in names:
            rows = getattr(records[0], name)
            through = rows.model._meta
            reverse = get_m2m_reverse_field_name(records[0].instance_type._meta.get_field(name))
            fields = [
                f.name for f in through.fields if f.editable and f.name not in ("id", "m2m_history_id", "history")
            ]
            keys = [f for f in fields if isinstance(through.get_field(f), models.ForeignKey)] if objects else []
            query = rows.model._default_manager.filter(history__in=[r.pk for r in records]).order_by(reverse, "pk")
            by_record: dict[Any, list] = {}
            for row in query.select_related(*keys) if keys else query:
                by_record.setdefault(row.history_id, []).append(
                    {
                        f: _through_value(row, through, f) if f in keys else getattr(row, through.get_field(f).attname)
                        for f in fields
                    }
                )
            found[name] = by_record
        return found

    def _version(self, object_id: str, version_id: str):
        history = history_of(self.model)
        try:
            return history.get(**{self.model._meta.pk.attname: object_id, "history_id": version_id})
        except (history.model.DoesNotExist, ValueError, ValidationError):
            raise Http404(gettext("There is no such version.")) from None

    def _version_end(self, record) -> datetime.datetime | None:
        newer = record.next_record
        return newer.history_date if newer is not None else None

    def revert_plan(self, request: HttpRequest, record) -> tuple[list[tuple[InlineRows, list[RowChange]]], list[str]]:
        """What reverting to `record` changes in the rows, and the reasons it cannot be done (if any)."""
        obj = record.instance
        reasons = self._parent_refusals(record)
        plan = []
        end = self._version_end(record)
        for rows in self.history_rows(request, obj):
            changes = rows.revert_changes(end)
            reasons += rows.refusals(changes, request, obj)
            plan.append((rows, changes))
        return plan, reasons

    def _parent_refusals(self, record) -> list[str]:
        """A related entry of the version itself that no longer exists (its provider, a prerequisite)."""
        reasons = []
        for field in self.model._meta.concrete_fields:
            value = getattr(record, field.attname, None)
            if field.is_relation and value is not None:
                if not field.related_model._default_manager.filter(pk=value).exists():
                    reasons.append(deleted_since(field.related_model, value))
        for field in record._history_m2m_fields:
            ids = set(getattr(record, field.name).values_list(get_m2m_reverse_field_name(field), flat=True))
            existing = set(field.related_model._default_manager.filter(pk__in=ids).values_list("pk", flat=True))
            reasons += [deleted_since(field.related_model, pk) for pk in sorted(ids - existing)]
        return reasons

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        """A version's form shows the version's many-to-many choices (a course's prerequisites then), which
        django-simple-history keeps with the record but the form would read from the entry as it is now."""
        form = super().get_form(request, obj, change, **kwargs)
        record = to_historic(obj) if obj is not None else None
        if record is None or not record._history_m2m_fields:
            return form
        chosen = {
            field.name: list(getattr(record, field.name).values_list(get_m2m_reverse_field_name(field), flat=True))
            for field in record._history_m2m_fields
        }

        class VersionForm(form):  # type: ignore[valid-type,misc]  # the form class the admin built, whatever it is
            def __init__(self, *args, **kwargs):
                kwargs["initial"] = {**chosen, **(kwargs.get("initial") or {})}
                super().__init__(*args, **kwargs)

        VersionForm.__name__ = form.__name__
        return VersionForm

    def history_view(self, request: HttpRequest, object_id, extra_context=None) -> HttpResponse:
        """An address whose key is none of the model's ("abc", "1.5") is told as the change page tells it, with a
        message and the way back: django-simple-history read it with int() and answered a 500."""
        try:
            self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request: HttpRequest, object_id, version_id, extra_context=None) -> HttpResponse:
        record = self._version(object_id, version_id)
        obj = record.instance
        if request.method == "POST" and not self.has_change_history_permission(request, obj):
            raise PermissionDenied
        context = dict(extra_context or {})
        if self.has_view_history_or_change_history_permission(request, obj):
            plan, reasons = self.revert_plan(request, record)
            end = self._version_end(record)
            context["version_rows"] = [
                {
                    "title": capfirst(rows.model._meta.verbose_name_plural),
                    "columns": list(rows.labels.values()),
                    "rows": rows.table(rows.state_before(end)),
                    "changes": rows.describe(changes),
                }
                for rows, changes in plan
            ]
            if reasons and not self.revert_disabled(request, obj):
                context["revert_refused"] = reasons
                context["revert_disabled"] = True
        try:
            if request.method == "POST" and context.get("revert_refused"):
                raise RevertRefused(context["revert_refused"])  # before the form, which would fail on them less clearly
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super().history_form_view(request, object_id, version_id, context)
        except RevertRefused as refusal:
            # Refused input, as a change form's: the version's page again, with the reasons and without its revert
            # button, answering 400 (it redirected to the history list, a 302 that read as done).
            self.message_user(
                request,
                gettext("Nothing was reverted: %(reasons)s.") % {"reasons": "; ".join(refusal.reasons)},
                messages.ERROR,
            )
            context.pop("revert_refused", None)  # the message names them
            context["revert_disabled"] = True
            shown = copy.copy(request)
            shown.method = "GET"  # the version as its page shows it, not the form sent again
            response = super().history_form_view(shown, object_id, version_id, context)
            response.status_code = 400
            return response

    def render_history_view(self, request: HttpRequest, template, context, **kwargs) -> HttpResponse:
        """The version's form sent with errors (a revert to prerequisites that would require each other) answers
        400, as a change form does: django-simple-history renders it with 200, which the middleware that sets 400
        for Django's own views does not see (not a TemplateResponse)."""
        if request.method == "POST" and context.get("errors"):
            kwargs.setdefault("status", 400)
        return super().render_history_view(request, template, context, **kwargs)

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        many_to_many_in_one_record(form)  # one version per save, the edit page's and the revert page's
        record = to_historic(obj)
        if record is None:
            super().save_model(request, obj, form, change)
            return
        # The revert page saves the version: its rows go back with it, or nothing does.
        before = self.model._default_manager.filter(pk=obj.pk).first()
        plan, reasons = self.revert_plan(request, record)
        if reasons:
            raise RevertRefused(reasons)
        reason = revert_reason(record)  # the history list says it was a revert, and to which version
        obj._change_reason = reason
        super().save_model(request, obj, form, change)
        for rows, changes in plan:
            rows.apply(changes, obj, request.user, reason)
        self.history_reverted(request, before, obj, {rows.model: changes for rows, changes in plan if changes})
