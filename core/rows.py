"""Model instances from SQL written once per process, for the few small queries a busy page runs on every request.

The ORM compiles a queryset into SQL anew each time it runs. For the question and the results pages, which run
the same handful of small queries on every request, that compiling cost more than the database itself (issue 10:
their throughput). Here the SQL is written once from the models' own metadata (tables and columns, quoted for the
database in use), and every row becomes instances the way the ORM makes them: the database's converters (SQLite's
0/1 into booleans, its text into datetimes, JSON into Python), then `Model.from_db`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Model
from django.db.models.expressions import Col


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model: type[Model]) -> str:
    """The model's table, quoted, for a FROM or JOIN."""
    return quote(model._meta.db_table)


def columns(model: type[Model], alias: str) -> str:
    """Every concrete column of `model` under the table alias `alias`, in the order `fetch` reads them."""
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


def fetch(sql: str, params: Sequence, models: Sequence[type[Model]]) -> list[tuple[Any, ...]]:
    """Run `sql`, which selects `columns(model, ...)` of each of `models` in turn (and may select more after them),
    and return per row one instance per model, None where an outer join found no row, then the further values."""
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself, not the proxy: read once per row and column
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    shapes = [
        (_field_names(m), len(m._meta.concrete_fields), _pk_position(m), _converters(db.ops, m), m.from_db)
        for m in models
    ]
    found = []
    for row in rows:
        start = 0
        instances: list[Model | None] = []
        for field_names, width, pk, converters, from_db in shapes:
            values = list(row[start : start + width])
            start += width
            if values[pk] is None:  # nothing joined
                instances.append(None)
                continue
            for position, convert, column in converters:
                for converter in convert:
                    values[position] = converter(values[position], column, db)
            instances.append(from_db(db.alias, field_names, values))
        found.append((*instances, *row[start:]))
    return found


@functools.cache
def _field_names(model: type[Model]) -> tuple[str, ...]:
    return tuple(field.attname for field in model._meta.concrete_fields)


@functools.cache
def _pk_position(model: type[Model]) -> int:
    return model._meta.concrete_fields.index(model._meta.pk)


@functools.lru_cache(maxsize=64)
def _converters(ops: BaseDatabaseOperations, model: type[Model]) -> list[tuple[int, list, Col]]:
    """What the ORM does to each column's raw value on this connection, as its compiler finds it."""
    found = []
    for position, field in enumerate(model._meta.concrete_fields):
        column = field.get_col(model._meta.db_table)
        convert = ops.get_db_converters(column) + column.get_db_converters(ops.connection)
        if convert:
            found.append((position, convert, column))
    return found
