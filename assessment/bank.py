"""Read the question bank from the database as plain data for scoring and export."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Prefetch

from assessment.measurement import ItemSpec, OptionSpec
from assessment.models import Answer, Competency, Item, Option
from core.rows import columns, fetch, quote, table


def items_with_options(ids: Iterable[int] | None = None) -> list[Item]:
    """Items (active ones, or exactly those ids in that order) with options and competency: two queries."""
    queryset = Item.objects.select_related("competency").prefetch_related(
        Prefetch("options", queryset=Option.objects.order_by("order", "value"))
    )
    if ids is None:
        return list(queryset.active().in_questionnaire_order())
    ids = list(ids)
    found = queryset.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def item_to_answer(pk: int, assessment_id: int | None = None) -> Item | None:
    """One item with its competency and options, as `items_with_options` gives it, in one query (a question
    page's). With `assessment_id`, each option's `chosen_earlier` says whether that attempt chose it already."""
    rows = fetch(_question_sql(connection.vendor), [assessment_id, pk], (Item, Competency, Option))
    if not rows:
        return None
    item, competency = rows[0][0], rows[0][1]
    item.competency = competency
    options = []
    for _item, _competency, option, answer in rows:
        if option is not None:  # None: an item without options (only half set up in the admin)
            option.item = item
            option.chosen_earlier = answer is not None
            options.append(option)
    # What prefetch_related("options") leaves on the item, so that item.options.all() asks nothing more.
    cached = item.options.all()
    cached._result_cache, cached._prefetch_done = options, True
    item._prefetched_objects_cache = {"options": cached}
    return item


@functools.cache
def _question_sql(vendor: str) -> str:
    """The SQL behind `item_to_answer` (written once per process: compiled anew on every question page, the ORM
    query cost more than the rest of the page's database work)."""
    q = quote
    return (
        f"SELECT {columns(Item, 'i')}, {columns(Competency, 'c')}, {columns(Option, 'o')}, a.{q('id')} "
        f"FROM {table(Item)} i "
        f"LEFT JOIN {table(Competency)} c ON c.{q('id')} = i.{q('competency_id')} "
        f"LEFT JOIN {table(Option)} o ON o.{q('item_id')} = i.{q('id')} "
        f"LEFT JOIN {table(Answer)} a ON a.{q('assessment_id')} = %s AND a.{q('item_id')} = i.{q('id')} "
        f"AND a.{q('option_id')} = o.{q('id')} "
        f"WHERE i.{q('id')} = %s ORDER BY o.{q('order')}, o.{q('value')}"
    )


def item_spec(item: Item) -> ItemSpec:
    return ItemSpec(
        slug=item.slug,
        kind=item.kind,
        competency=item.competency.slug if item.competency else None,
        difficulty=item.difficulty,
        location=item.location,
        discrimination=item.discrimination,
        location_sd=item.location_sd,  # set by an active item calibration; None: the labels' uncertainty
        rating_noise=item.rating_noise,  # self-ratings: set by an active item calibration
        rating_bias=item.rating_bias,
        rating_bias_sd=item.rating_bias_sd,
        options=tuple(
            OptionSpec(value=o.value, level=o.level, correct=o.correct, style=o.style) for o in item.options.all()
        ),
    )


def competency_slugs() -> list[str]:
    return list(Competency.objects.order_by("section__order", "order", "slug").values_list("slug", flat=True))


def export_questionnaire(language: str = "de") -> dict[str, Any]:
    """The active item bank in the shape of the questionnaire contract."""
    suffix = "en" if language == "en" else "de"
    competencies = [
        {
            "slug": c.slug,
            "section": c.section.slug,
            "name": getattr(c, f"name_{suffix}") or c.name_de,
        }
        for c in Competency.objects.select_related("section").order_by("section__order", "order")
    ]
    items = []
    for item in items_with_options():
        entry: dict[str, Any] = {
            "slug": item.slug,
            "kind": item.kind,
            "competency": item.competency.slug if item.competency else None,
            "text": getattr(item, f"text_{suffix}") or item.text_de,
        }
        if item.kind == Item.Kind.KNOWLEDGE:
            entry["difficulty"] = item.difficulty
        options = []
        for option in item.options.all():
            row: dict[str, Any] = {
                "value": option.value,
                "label": getattr(option, f"label_{suffix}") or option.label_de,
            }
            if item.kind == Item.Kind.SELF_RATING:
                row["level"] = option.level
            elif item.kind == Item.Kind.KNOWLEDGE:
                row["correct"] = option.correct
            else:
                row["style"] = option.style
            options.append(row)
        entry["options"] = options
        items.append(entry)
    bank = {"competencies": competencies, "items": items}
    digest = hashlib.sha256(json.dumps(bank, sort_keys=True).encode()).hexdigest()[:12]
    return {"version": digest, **bank}
