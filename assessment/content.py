"""Load the shipped question bank (assessment/content/*.json) into the database.

Only what is missing is created, matched by slug: running it again, or after an admin has
edited the bank, changes nothing that exists. Called from data migrations with the historical
app registry, so it never depends on the current model classes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CONTENT_DIR = Path(__file__).resolve().parent / "content"
QUESTION_FILES = ("questions_a.json", "questions_b.json")


def read_content() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The shipped sections/competencies and the items in questionnaire order."""
    framework = json.loads((CONTENT_DIR / "competencies.json").read_text(encoding="utf-8"))
    items: list[dict[str, Any]] = []
    for name in QUESTION_FILES:
        items += json.loads((CONTENT_DIR / name).read_text(encoding="utf-8"))["items"]
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


def load_question_bank(apps: Any) -> int:
    """Create the shipped sections, competencies, level descriptors, items and options that are
    missing. Returns the number of items created."""
    Section = apps.get_model("assessment", "Section")
    Competency = apps.get_model("assessment", "Competency")
    LevelDescriptor = apps.get_model("assessment", "LevelDescriptor")
    Item = apps.get_model("assessment", "Item")
    Option = apps.get_model("assessment", "Option")

    framework, items = read_content()
    sections = {}
    for data in framework["sections"]:
        sections[data["slug"]], _ = Section.objects.get_or_create(
            slug=data["slug"],
            defaults={"name_de": data["name_de"], "name_en": data["name_en"], "order": data["order"]},
        )
    competencies = {}
    for order, data in enumerate(framework["competencies"], start=1):
        competencies[data["slug"]], _ = Competency.objects.get_or_create(
            slug=data["slug"],
            defaults={
                "section": sections[data["section"]],
                "name_de": data["name_de"],
                "name_en": data["name_en"],
                "description_de": data["description_de"],
                "description_en": data["description_en"],
                "order": order,
            },
        )

    created = 0
    last_order = max(Item.objects.values_list("order", flat=True), default=0)
    for position, data in enumerate(items, start=1):
        competency = competencies.get(data.get("competency") or "")
        if data["kind"] == "self_rating" and competency is not None:
            for option in data["options"]:
                LevelDescriptor.objects.get_or_create(
                    competency=competency,
                    level=option["level"],
                    defaults={"text_de": option["label_de"], "text_en": option["label_en"]},
                )
        if Item.objects.filter(slug=data["slug"]).exists():
            continue
        item = Item.objects.create(
            slug=data["slug"],
            kind=data["kind"],
            competency=competency,
            difficulty=data.get("difficulty"),
            text_de=data["text_de"],
            text_en=data["text_en"],
            feedback_de=data.get("feedback_de", ""),
            feedback_en=data.get("feedback_en", ""),
            order=last_order + position * 10,
        )
        Option.objects.bulk_create(
            Option(
                item=item,
                value=option["value"],
                label_de=option["label_de"],
                label_en=option["label_en"],
                level=option.get("level"),
                correct=bool(option.get("correct", False)),
                style=option.get("style"),
                order=index,
            )
            for index, option in enumerate(data["options"])
        )
        created += 1
    return created
