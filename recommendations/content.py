"""Load the shipped roles and course catalogue (recommendations/content/*.json).

Roles, like the question bank: only what is missing is created (matched by slug). The catalogue:
`sync_catalogue` creates what is missing and updates shipped rows no admin has changed, so a later
run never overwrites what an admin changed. Called from data migrations with the historical app
registry.
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


# The course fields the shipped catalogue sets (besides slug, provider, competencies and prerequisites).
COURSE_FIELDS = (
    "title_de",
    "title_en",
    "certificate",
    "awarding_body",
    "format",
    "location",
    "language",
    "hours",
    "price_eur",
    "fundable",
    "bildungsurlaub",
    "url",
    "active",
    "last_checked",
    "source",
    "verified",
    "exam_retired_on",
    "description_de",
    "description_en",
    "note_de",
    "note_en",
)
PROVIDER_FIELDS = ("name", "url", "is_example", "in_house", "note_de", "note_en")
COURSE_DEFAULTS: dict[str, Any] = {
    "certificate": "",
    "awarding_body": "",
    "location": "",
    "language": "de",
    "price_eur": None,
    "fundable": False,
    "bildungsurlaub": False,
    "url": "",
    "active": True,
    "source": "",
    "verified": True,
    "exam_retired_on": None,
    "description_de": "",
    "description_en": "",
    "note_de": "",
    "note_en": "",
}


def _course_values(entry: dict[str, Any]) -> dict[str, Any]:
    values = {name: entry.get(name, COURSE_DEFAULTS.get(name)) for name in COURSE_FIELDS}
    values["hours"] = Decimal(str(entry["hours"]))
    if values["price_eur"] is not None:
        values["price_eur"] = Decimal(str(values["price_eur"]))
    values["last_checked"] = datetime.date.fromisoformat(entry["last_checked"])
    if values["exam_retired_on"]:
        values["exam_retired_on"] = datetime.date.fromisoformat(values["exam_retired_on"])
    return values


def load_catalogue(apps: Any) -> int:
    """Kept for migration 0002: the catalogue now needs fields that schema does not have yet, so there it
    creates nothing and migration 0007 (`sync_catalogue`) ships the catalogue instead."""
    Course = apps.get_model("recommendations", "Course")
    if not any(f.name == "source" for f in Course._meta.get_fields()):
        return 0
    return sync_catalogue(apps)["created"]


def sync_catalogue(apps: Any) -> dict[str, int]:
    """Bring the database in line with the shipped catalogue without undoing an admin's work.

    * missing providers and courses are created;
    * a shipped row no admin has touched (it has no history record: only the admin and the import write
      history, data migrations do not) is updated to the shipped values;
    * a row an admin changed is left alone;
    * a course of an example provider, and an untouched course that is no longer shipped, is deactivated,
      never deleted (results and learning paths may refer to it).
    Returns counts of what was created, updated, deactivated and left alone.
    """
    Provider = apps.get_model("recommendations", "Provider")
    Course = apps.get_model("recommendations", "Course")
    CourseCompetency = apps.get_model("recommendations", "CourseCompetency")
    Competency = apps.get_model("assessment", "Competency")
    edited_courses = set(apps.get_model("recommendations", "HistoricalCourse").objects.values_list("id", flat=True))
    edited_courses |= set(
        apps.get_model("recommendations", "HistoricalCourseCompetency").objects.values_list("course_id", flat=True)
    )
    edited_providers = set(apps.get_model("recommendations", "HistoricalProvider").objects.values_list("id", flat=True))
    competencies = {c.slug: c for c in Competency.objects.all()}
    data = read("catalogue.json")
    counts = {"created": 0, "updated": 0, "deactivated": 0, "left_alone": 0}

    providers = {}
    for entry in data["providers"]:
        values = {
            name: entry.get(name, "" if name in ("url", "note_de", "note_en") else False) for name in PROVIDER_FIELDS
        }
        provider, created = Provider.objects.get_or_create(slug=entry["slug"], defaults=values)
        if not created and provider.pk not in edited_providers:
            Provider.objects.filter(pk=provider.pk).update(**values)
        providers[entry["slug"]] = provider

    prerequisites: dict[str, list[str]] = {}
    for entry in data["courses"]:
        values = {**_course_values(entry), "provider": providers[entry["provider"]]}
        course = Course.objects.filter(slug=entry["slug"]).first()
        if course is None:
            course = Course.objects.create(slug=entry["slug"], **values)
            counts["created"] += 1
        elif course.pk in edited_courses:
            counts["left_alone"] += 1
            continue
        else:
            for name, value in values.items():
                setattr(course, name, value)
            course.save()
            CourseCompetency.objects.filter(course=course).delete()
            counts["updated"] += 1
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
        prerequisites[course.slug] = entry.get("prerequisites", [])

    by_slug = {c.slug: c for c in Course.objects.all()}
    for slug, required in prerequisites.items():
        by_slug[slug].prerequisites.set([by_slug[s] for s in required if s in by_slug])

    shipped = {entry["slug"] for entry in data["courses"]}
    for course in Course.objects.filter(active=True).select_related("provider"):
        made_up = course.provider.is_example
        dropped = course.slug not in shipped and course.pk not in edited_courses
        if made_up or dropped:
            Course.objects.filter(pk=course.pk).update(active=False)
            counts["deactivated"] += 1
    return counts
