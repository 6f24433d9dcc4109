"""Load the shipped roles and course catalogue (recommendations/content/*.json).

Like the question bank: only what is missing is created (matched by slug), so a later run never
overwrites what an admin changed. Called from data migrations with the historical app registry.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

CONTENT_DIR = Path(__file__).resolve().parent / "content"


def read(name: str) -> dict[str, Any]:
    return json.loads((CONTENT_DIR / name).read_text(encoding="utf-8"))


def load_roles(apps: Any) -> int:
    Role = apps.get_model("recommendations", "Role")
    RoleRequirement = apps.get_model("recommendations", "RoleRequirement")
    Competency = apps.get_model("assessment", "Competency")
    competencies = {c.slug: c for c in Competency.objects.all()}
    created = 0
    for order, data in enumerate(read("roles.json")["roles"], start=1):
        if Role.objects.filter(slug=data["slug"]).exists():
            continue
        role = Role.objects.create(
            slug=data["slug"],
            name_de=data["name_de"],
            name_en=data["name_en"],
            description_de=data["description_de"],
            description_en=data["description_en"],
            aliases=", ".join(data.get("aliases", [])),
            employers_de=data.get("employers_de", ""),
            employers_en=data.get("employers_en", ""),
            pay_de=data.get("pay_de", ""),
            pay_en=data.get("pay_en", ""),
            salary_min_eur=data.get("salary_min_eur"),
            salary_max_eur=data.get("salary_max_eur"),
            ecf_profile=data.get("ecf_profile", ""),
            esco_uri=data.get("esco_uri", ""),
            work_style=data["work_style"],
            order=order,
        )
        RoleRequirement.objects.bulk_create(
            RoleRequirement(role=role, competency=competencies[slug], level=level)
            for slug, level in data["requirements"].items()
            if slug in competencies
        )
        created += 1
    return created


def load_catalogue(apps: Any) -> int:
    Provider = apps.get_model("recommendations", "Provider")
    Course = apps.get_model("recommendations", "Course")
    CourseCompetency = apps.get_model("recommendations", "CourseCompetency")
    Competency = apps.get_model("assessment", "Competency")
    competencies = {c.slug: c for c in Competency.objects.all()}
    data = read("catalogue.json")
    providers = {}
    for entry in data["providers"]:
        providers[entry["slug"]], _ = Provider.objects.get_or_create(
            slug=entry["slug"],
            defaults={
                "name": entry["name"],
                "url": entry.get("url", ""),
                "is_example": entry.get("is_example", False),
                "note_de": entry.get("note_de", ""),
                "note_en": entry.get("note_en", ""),
            },
        )
    created = []
    for entry in data["courses"]:
        if Course.objects.filter(slug=entry["slug"]).exists():
            continue
        course = Course.objects.create(
            slug=entry["slug"],
            title_de=entry["title_de"],
            title_en=entry["title_en"],
            provider=providers[entry["provider"]],
            certificate=entry.get("certificate", ""),
            awarding_body=entry.get("awarding_body", ""),
            format=entry["format"],
            location=entry.get("location", ""),
            language=entry.get("language", "de"),
            hours=Decimal(str(entry["hours"])),
            price_eur=Decimal(str(entry["price_eur"])),
            fundable=entry.get("fundable", False),
            bildungsurlaub=entry.get("bildungsurlaub", False),
            url=entry.get("url", ""),
            active=entry.get("active", True),
            last_checked=datetime.date.fromisoformat(entry["last_checked"]),
            description_de=entry.get("description_de", ""),
            description_en=entry.get("description_en", ""),
            note_de=entry.get("note_de", ""),
            note_en=entry.get("note_en", ""),
        )
        CourseCompetency.objects.bulk_create(
            CourseCompetency(
                course=course,
                competency=competencies[link["competency"]],
                weight=link["weight"],
                from_level=link["from_level"],
                to_level=link["to_level"],
            )
            for link in entry["competencies"]
        )
        created.append((course, entry.get("prerequisites", [])))
    by_slug = {c.slug: c for c in Course.objects.all()}
    for course, prerequisites in created:
        course.prerequisites.set([by_slug[s] for s in prerequisites if s in by_slug])
    return len(created)
