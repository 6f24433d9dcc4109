"""Load the shipped question bank (assessment/content/*.json) into the database, the way an admin can trust.

`manage.py load_content` (recommendations) runs this and the roles and catalogue loaders:

* what is missing is created;
* a shipped row that no admin has changed since it was shipped is updated to the shipped values, so content
  fixes in a release reach existing installations;
* a row an admin changed is left alone.

"Changed by an admin" is told by django-simple-history: the loader writes its own history records with the
change reason `SHIPPED`; a row whose newest record is another (the admin, an import, a revert to an own version)
is someone's edit. A revert to the shipped version (the unit's newest `SHIPPED` record) makes the row shipped
content again, so the next release's fixes reach it as they reach a row nobody touched. A row without any
history (made by the data migrations of earlier releases) is untouched. Every shipped row gets a history
record with its shipped values, the baseline an admin's "revert" can go back to.

A row and its parts are one unit: an item with its options, a competency with its level descriptors. An edit
of a part (even deleting it) keeps the whole unit as the admin left it.
"""

from __future__ import annotations

import bisect
from collections import Counter
from pathlib import Path
from typing import Any, TypeVar

from django.db import models, transaction

from core.history import reverted_to
from core.strict_json import load_file

CONTENT_DIR = Path(__file__).resolve().parent / "content"
QUESTION_FILES: tuple[str, ...] = ("questions_a.json", "questions_b.json")
SHIPPED = "shipped content"  # history_change_reason of the loader's own records

ModelT = TypeVar("ModelT", bound=models.Model)


class LoadReport:
    """What a load did, per kind of row: created, updated, unchanged, left alone (an admin's edit)."""

    OUTCOMES = ("created", "updated", "unchanged", "left_alone")

    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = {}

    def add(self, kind: str, outcome: str, number: int = 1) -> None:
        self.counts.setdefault(kind, Counter())[outcome] += number

    def total(self, outcome: str) -> int:
        return sum(c[outcome] for c in self.counts.values())

    def lines(self) -> list[str]:
        return [
            f"{kind}: " + ", ".join(f"{counts[o]} {o.replace('_', ' ')}" for o in self.OUTCOMES if counts[o])
            for kind, counts in self.counts.items()
        ]


def edited_ids(model: type[models.Model], field: str = "id", unit: type[models.Model] | None = None) -> set[Any]:
    """Ids (or the `field` of) rows whose newest history record is someone's edit: not the loader's, nor a revert
    to the shipped version (the unit's newest shipped version when the revert was made: a later release that
    ships the unit anew but leaves this row as it is keeps it shipped). A part's (`field` naming its `unit`, e.g. a
    role's required level and "role_id") is reverted with its unit, to the moment of the unit's version."""
    shipped = _shipped_moments(unit or model)
    newest: dict[Any, tuple[Any, str | None, Any]] = {}
    history = model.history.model  # type: ignore[attr-defined]
    for row, key, reason, moment in history.objects.order_by("history_date", "history_id").values_list(
        "id", field, "history_change_reason", "history_date"
    ):
        newest[row] = (key, reason, moment)
    return {
        key
        for key, reason, moment in newest.values()
        if reason != SHIPPED and not _reverted_to_shipped(reason, moment, shipped.get(key, []))
    }


def _shipped_moments(model: type[models.Model]) -> dict[Any, list[Any]]:
    """The moments of each row's shipped versions (`SHIPPED` records), in order."""
    history = model.history.model  # type: ignore[attr-defined]
    moments: dict[Any, list[Any]] = {}
    for row, moment in (
        history.objects.filter(history_change_reason=SHIPPED).order_by("history_date").values_list("id", "history_date")
    ):
        moments.setdefault(row, []).append(moment)
    return moments


def _reverted_to_shipped(reason: str | None, moment: Any, shipped: list[Any]) -> bool:
    """Whether a record written at `moment` with `reason` reverted to the newest of the `shipped` versions then."""
    before = shipped[: bisect.bisect_left(shipped, moment)]
    return bool(before) and reverted_to(reason) == before[-1]


def baseline_ids(model: type[models.Model]) -> set[int]:
    """Ids of rows with a shipped baseline in their history."""
    history = model.history.model  # type: ignore[attr-defined]
    return set(history.objects.filter(history_change_reason=SHIPPED).values_list("id", flat=True))


def save_shipped(row: models.Model, values: dict[str, Any] | None = None) -> None:
    """Set `values` and save, recording the history entry as the shipped baseline."""
    for name, value in (values or {}).items():
        setattr(row, name, value)
    row._change_reason = SHIPPED  # type: ignore[attr-defined]
    row.save()


def differs(row: models.Model, values: dict[str, Any]) -> bool:
    return any(getattr(row, name) != value for name, value in values.items())


def sync_row(
    model: type[ModelT], row: ModelT | None, lookup: dict[str, Any], values: dict[str, Any], baselined: set
) -> tuple[ModelT, str]:
    """Create `row` when missing, bring an untouched one to `values`, and make sure it has a baseline.
    The caller has already decided that no admin edited it."""
    if row is None:
        row = model(**lookup)
        save_shipped(row, values)
        return row, "created"
    if differs(row, values):
        save_shipped(row, values)
        return row, "updated"
    if row.pk not in baselined:
        save_shipped(row)  # no change, only the baseline an admin's revert can reach
    return row, "unchanged"


def sync_parts(
    model: type[ModelT],
    existing: dict[Any, ModelT],
    shipped: dict[Any, dict[str, Any]],
    lookup: dict[str, Any],
    key_field: str,
    baselined: set,
    delete_dropped: bool,
) -> bool:
    """Bring the parts of one untouched unit (options, required levels ...) in line; True when any changed."""
    changed = False
    for key, values in shipped.items():
        _row, outcome = sync_row(model, existing.get(key), {**lookup, key_field: key}, values, baselined)
        changed |= outcome != "unchanged"
    if delete_dropped:
        for key, row in existing.items():
            if key not in shipped:
                row._change_reason = SHIPPED  # type: ignore[attr-defined]
                row.delete()
                changed = True
    return changed


def read_content() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The shipped sections/competencies and the items in questionnaire order."""
    framework = load_file(CONTENT_DIR / "competencies.json")
    items: list[dict[str, Any]] = []
    for name in QUESTION_FILES:
        items += load_file(CONTENT_DIR / name)["items"]
    return framework, order_items(framework, items)


def order_items(framework: dict[str, Any], items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Competency by competency (self-rating, then knowledge checks from easy to hard), with the
    work-style scenarios spread between the sections so the questionnaire keeps changing pace."""
    by_competency: dict[str, list[dict[str, Any]]] = {}
    scenarios = []
    for item in items:
        if item["kind"] == "scenario":
            scenarios.append(item)
        else:
            by_competency.setdefault(item["competency"], []).append(item)
    sections = [s["slug"] for s in sorted(framework["sections"], key=lambda s: s["order"])]
    per_section = -(-len(scenarios) // len(sections))  # ceiling division
    ordered = []
    for index, section in enumerate(sections):
        for competency in framework["competencies"]:
            if competency["section"] != section:
                continue
            group = by_competency.get(competency["slug"], [])
            ordered += sorted(group, key=lambda i: (i["kind"] != "self_rating", i.get("difficulty") or 0))
        ordered += scenarios[index * per_section : (index + 1) * per_section]
    return ordered


def item_parameters(row: Any, difficulty: int | None) -> dict[str, Any]:
    """The item model's seed for a knowledge check of `difficulty` (location d - offset, the default
    discrimination) when the stored values are still a seed; learned values stay."""
    from assessment.measurement import DEFAULT_DISCRIMINATION, DIFFICULTY_OFFSET

    if difficulty is None:
        return {}
    if row is None:
        return {"location": difficulty - DIFFICULTY_OFFSET, "discrimination": DEFAULT_DISCRIMINATION}
    values: dict[str, Any] = {}
    seeded = row.location is None or (
        row.difficulty is not None and abs(row.location - (row.difficulty - DIFFICULTY_OFFSET)) < 1e-9
    )
    if seeded:
        values["location"] = difficulty - DIFFICULTY_OFFSET
    if row.discrimination is None:
        values["discrimination"] = DEFAULT_DISCRIMINATION
    return values


@transaction.atomic
def sync_question_bank(report: LoadReport | None = None) -> LoadReport:
    """Bring the question bank in line with the shipped content without undoing an admin's work."""
    from assessment.models import Competency, Item, LevelDescriptor, Option, Section

    report = report or LoadReport()
    framework, items = read_content()
    anchors = any(f.name == "anchor" for f in Item._meta.get_fields())  # item calibration's anchors, when present

    edited_sections = edited_ids(Section)
    sections_baselined = baseline_ids(Section)
    sections = {s.slug: s for s in Section.objects.all()}
    for data in framework["sections"]:
        row = sections.get(data["slug"])
        if row is not None and row.pk in edited_sections:
            report.add("sections", "left_alone")
            continue
        values = {"name_de": data["name_de"], "name_en": data["name_en"], "order": data["order"]}
        sections[data["slug"]], outcome = sync_row(Section, row, {"slug": data["slug"]}, values, sections_baselined)
        report.add("sections", outcome)

    edited = edited_ids(Competency) | edited_ids(LevelDescriptor, "competency_id", Competency)
    competencies_baselined = baseline_ids(Competency)
    levels_baselined = baseline_ids(LevelDescriptor)
    competencies = {c.slug: c for c in Competency.objects.all()}
    levels: dict[int, dict[int, Any]] = {}
    for level in LevelDescriptor.objects.all():
        levels.setdefault(level.competency_id, {})[level.level] = level
    self_ratings = {i["competency"]: i for i in items if i["kind"] == "self_rating"}
    for order, data in enumerate(framework["competencies"], start=1):
        competency = competencies.get(data["slug"])
        if competency is not None and competency.pk in edited:
            report.add("competencies", "left_alone")
            continue
        values = {
            "section_id": sections[data["section"]].pk,
            "name_de": data["name_de"],
            "name_en": data["name_en"],
            "description_de": data["description_de"],
            "description_en": data["description_en"],
            "order": order,
        }
        competency, outcome = sync_row(Competency, competency, {"slug": data["slug"]}, values, competencies_baselined)
        competencies[data["slug"]] = competency
        rating = self_ratings.get(data["slug"])
        shipped_levels = {
            o["level"]: {"text_de": o["label_de"], "text_en": o["label_en"]} for o in (rating or {}).get("options", [])
        }
        parts_changed = sync_parts(
            LevelDescriptor,
            levels.get(competency.pk, {}),
            shipped_levels,
            {"competency_id": competency.pk},
            "level",
            levels_baselined,
            delete_dropped=False,
        )
        report.add("competencies", "updated" if outcome == "unchanged" and parts_changed else outcome)

    edited = edited_ids(Item) | edited_ids(Option, "item_id", Item)
    items_baselined = baseline_ids(Item)
    options_baselined = baseline_ids(Option)
    existing = {i.slug: i for i in Item.objects.all()}
    options: dict[int, dict[str, Any]] = {}
    for option in Option.objects.all():
        options.setdefault(option.item_id, {})[option.value] = option
    for position, data in enumerate(items, start=1):
        item = existing.get(data["slug"])
        if item is not None and item.pk in edited:
            report.add("items", "left_alone")
            continue
        competency = competencies.get(data.get("competency") or "")
        values = {
            "kind": data["kind"],
            "competency_id": competency.pk if competency else None,
            "difficulty": data.get("difficulty"),
            "text_de": data["text_de"],
            "text_en": data["text_en"],
            "feedback_de": data.get("feedback_de", ""),
            "feedback_en": data.get("feedback_en", ""),
            "order": position * 10,
            **({"anchor": bool(data.get("anchor", False))} if anchors else {}),
            **item_parameters(item, data.get("difficulty") if data["kind"] == "knowledge" else None),
        }
        item, outcome = sync_row(Item, item, {"slug": data["slug"]}, values, items_baselined)
        shipped_options = {
            option["value"]: {
                "label_de": option["label_de"],
                "label_en": option["label_en"],
                "level": option.get("level"),
                "correct": bool(option.get("correct", False)),
                "style": option.get("style"),
                "order": index,
            }
            for index, option in enumerate(data["options"])
        }
        # Options are never deleted: answers refer to them.
        parts_changed = sync_parts(
            Option,
            options.get(item.pk, {}),
            shipped_options,
            {"item_id": item.pk},
            "value",
            options_baselined,
            delete_dropped=False,
        )
        report.add("items", "updated" if outcome == "unchanged" and parts_changed else outcome)
    return report
