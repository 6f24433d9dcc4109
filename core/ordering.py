"""Names and titles in the order a German reader looks them up: case and accents aside ("alfatraining" among
the A, not after "Z"; "Ämter" beside "Amt"), as DIN 5007-1 orders a dictionary. Both databases sort text by
its bytes otherwise (SQLite always; PostgreSQL in this project's C.UTF-8 cluster), so "COBIT" came before
"Camunda" and every name starting in lower case or with an umlaut came last.

PostgreSQL orders by an ICU German collation its migration creates (core 0002); SQLite by `german_key`, installed
as a collation of the same name on each new connection (`CoreConfig.ready`). Both put upper case first on a tie
of letters."""

from __future__ import annotations

import functools
import unicodedata

from django.contrib.admin import RelatedFieldListFilter
from django.contrib.admin.views.main import ChangeList
from django.db.models import CharField, F, TextField
from django.db.models.expressions import OrderBy
from django.db.models.functions import Collate

COLLATION = "revierpfad_de"


@functools.lru_cache(maxsize=4096)
def german_key(text: str) -> tuple[str, str]:
    """The key of `text` in German dictionary order: letters without case or accents first (ä as a, ß as ss),
    then the text itself, so that equal keys still come in one fixed order."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)), text


def german_collation(left: str, right: str) -> int:
    """SQLite's collation function: negative, zero or positive as `left` sorts before, with or after `right`."""
    a, b = german_key(left), german_key(right)
    return (a > b) - (a < b)


def install_german_collation(sender, connection, **kwargs) -> None:
    """A `connection_created` receiver: the German collation on SQLite (PostgreSQL has ICU's)."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(COLLATION, german_collation)


class GermanOrder(Collate):
    """A text expression collated for sorting in German dictionary order on either database."""

    def __init__(self, expression) -> None:
        super().__init__(expression, COLLATION)


def is_text(model, path: str) -> bool:
    """Whether `path` ("name", "section__name_de") leads from `model` to a text field."""
    try:
        *relations, last = path.split("__")
        for name in relations:
            model = model._meta.get_field(name).related_model
        return isinstance(model._meta.get_field(last), (CharField, TextField))
    except Exception:  # a path through something that is not a field (an annotation): left as it is
        return False


def in_german_order(model, ordering):
    """`ordering` (field paths, "-" for descending, or expressions) with each text field sorted as `GermanOrder`
    sorts; everything else as it was."""
    result = []
    for part in ordering:
        if isinstance(part, str) and is_text(model, part.removeprefix("-")):
            expression = GermanOrder(F(part.removeprefix("-")))
            part = OrderBy(expression, descending=part.startswith("-"))
        result.append(part)
    return result


class GermanOrderChangeList(ChangeList):
    """An admin list whose text columns sort in German dictionary order, by default and when clicked."""

    def get_ordering(self, request, queryset):
        return in_german_order(self.model, super().get_ordering(request, queryset))


class GermanOrderMixin:
    """A ModelAdmin whose lists, related choices (the selects of its forms) and autocomplete answers sort text in
    German dictionary order."""

    def get_changelist(self, request, **kwargs):
        return GermanOrderChangeList

    def get_queryset(self, request):
        queryset = super().get_queryset(request)  # type: ignore[misc]
        ordering = self.get_ordering(request)  # type: ignore[attr-defined]
        return queryset.order_by(*in_german_order(self.model, ordering)) if ordering else queryset  # type: ignore[attr-defined]

    def get_field_queryset(self, db, db_field, request):
        related = db_field.remote_field.model
        queryset = super().get_field_queryset(db, db_field, request)  # type: ignore[misc]
        ordering = queryset.query.order_by if queryset is not None else related._meta.ordering
        return related._default_manager.using(db).order_by(*in_german_order(related, ordering))


class GermanRelatedFieldListFilter(RelatedFieldListFilter):
    """The choices of a relation's list filter (the providers beside the course list) in German order."""

    def field_admin_ordering(self, field, request, model_admin):
        related = field.remote_field.model
        ordering = super().field_admin_ordering(field, request, model_admin) or related._meta.ordering
        return in_german_order(related, ordering)
