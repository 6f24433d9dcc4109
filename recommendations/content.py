"""Load the shipped roles and course catalogue (recommendations/content/*.json).

Like the question bank (see assessment/content.py, whose rules and helpers this uses): missing rows are
created, shipped rows no admin has changed are updated to the shipped values, an admin's edit is left
alone, and every shipped row gets a history baseline an admin's "revert" can reach. A role and its
required levels are one unit, and so are a course, its competencies and its prerequisites. The catalogue
sync also deactivates, never deletes, every course of an example provider and every untouched course
that is no longer shipped. Run by `manage.py load_content`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from assessment.content import LoadReport, baseline_ids, edited_ids, save_shipped, sync_parts, sync_row
from core.history import into_one_record
from core.strict_json import load_file
from recommendations import course_fields

CONTENT_DIR = Path(__file__).resolve().parent / "content"
# The reason of the record that deactivates a course of an example provider that an admin has edited: not
# `SHIPPED`, so the course stays the admin's and no later load overwrites it.
WITHDRAWN = "withdrawn from the shipped content"


def read(name: str) -> dict[str, Any]:
    return load_file(CONTENT_DIR / name)


@transaction.atomic
def sync_roles(report: LoadReport | None = None) -> LoadReport:
    """Bring the target roles and their required levels in line with the shipped ones."""
    from assessment.models import Competency
    from recommendations.models import Role, RoleRequirement

    report = report or LoadReport()
    competencies = {c.slug: c.pk for c in Competency.objects.all()}
    edited = edited_ids(Role) | edited_ids(RoleRequirement, "role_id", Role)
    roles_baselined = baseline_ids(Role)
    requirements_baselined = baseline_ids(RoleRequirement)
    existing = {r.slug: r for r in Role.objects.all()}
    requirements: dict[int, dict[int, Any]] = {}
    for requirement in RoleRequirement.objects.all():
        requirements.setdefault(requirement.role_id, {})[requirement.competency_id] = requirement
    for order, data in enumerate(read("roles.json")["roles"], start=1):
        row = existing.get(data["slug"])
        if row is not None and row.pk in edited:
            report.add("roles", "left_alone")
            continue
        values = {
            "name_de": data["name_de"],
            "name_en": data["name_en"],
            "description_de": data["description_de"],
            "description_en": data["description_en"],
            "aliases": ", ".join(data.get("aliases", [])),
            "employers_de": data.get("employers_de", ""),
            "employers_en": data.get("employers_en", ""),
            "pay_de": data.get("pay_de", ""),
            "pay_en": data.get("pay_en", ""),
            "salary_min_eur": data.get("salary_min_eur"),
            "salary_max_eur": data.get("salary_max_eur"),
            "ecf_profile": data.get("ecf_profile", ""),
            "esco_uri": data.get("esco_uri", ""),
            "work_style": data["work_style"],
            "order": order,
        }
        row, outcome = sync_row(Role, row, {"slug": data["slug"]}, values, roles_baselined)
        shipped = {
            competencies[slug]: {"level": level} for slug, level in data["requirements"].items() if slug in competencies
        }
        parts_changed = sync_parts(
            RoleRequirement,
            requirements.get(row.pk, {}),
            shipped,
            {"role_id": row.pk},
            "competency_id",
            requirements_baselined,
            delete_dropped=True,
        )
        report.add("roles", "updated" if outcome == "unchanged" and parts_changed else outcome)
    return report


# The course fields the shipped catalogue sets (besides slug, provider, competencies and both kinds of prerequisites).
COURSE_FIELDS = course_fields.COURSE_FIELDS
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


def provider_values(entry: dict[str, Any]) -> dict[str, Any]:
    return {name: entry.get(name, "" if name in ("url", "note_de", "note_en") else False) for name in PROVIDER_FIELDS}


def set_prerequisites(course: Any, prerequisites: set[int], admission: set[int]) -> None:
    """Set a course's prerequisites and admission requirements (wrapped in `core.history.into_one_record`)."""
    course.prerequisites.set(prerequisites)
    course.admission_prerequisites.set(admission)  # a subset of them


@transaction.atomic
def sync_catalogue(apps: Any = None, report: LoadReport | None = None) -> dict[str, int]:
    """Bring the database in line with the shipped catalogue without undoing an admin's work.

    Returns counts of the courses created, updated, unchanged, deactivated and left alone; `report`,
    when given, also gets the providers'.
    """
    from assessment.models import Competency
    from recommendations.models import Course, CourseCompetency, Provider

    report = report or LoadReport()
    competencies = {c.slug: c.pk for c in Competency.objects.all()}
    data = read("catalogue.json")
    counts = {"created": 0, "updated": 0, "unchanged": 0, "deactivated": 0, "left_alone": 0}

    edited_providers = edited_ids(Provider)
    providers_baselined = baseline_ids(Provider)
    providers = {p.slug: p for p in Provider.objects.all()}
    for entry in data["providers"]:
        provider = providers.get(entry["slug"])
        if provider is not None and provider.pk in edited_providers:
            report.add("providers", "left_alone")
            continue
        providers[entry["slug"]], outcome = sync_row(
            Provider, provider, {"slug": entry["slug"]}, provider_values(entry), providers_baselined
        )
        report.add("providers", outcome)

    edited = edited_ids(Course) | edited_ids(CourseCompetency, "course_id", Course)
    courses_baselined = baseline_ids(Course)
    links_baselined = baseline_ids(CourseCompetency)
    existing = {c.slug: c for c in Course.objects.all()}
    links: dict[int, dict[int, Any]] = {}
    for link in CourseCompetency.objects.all():
        links.setdefault(link.course_id, {})[link.competency_id] = link
    synced: list[tuple[Any, dict[str, Any], str]] = []
    since = timezone.now()  # a course's record of this load is written after this moment
    for entry in data["courses"]:
        row = existing.get(entry["slug"])
        if row is not None and row.pk in edited:
            counts["left_alone"] += 1
            continue
        values = {**_course_values(entry), "provider_id": providers[entry["provider"]].pk}
        row, outcome = sync_row(Course, row, {"slug": entry["slug"]}, values, courses_baselined)
        existing[entry["slug"]] = row
        shipped = {
            competencies[link["competency"]]: {
                "weight": link["weight"],
                "from_level": link["from_level"],
                "to_level": link["to_level"],
            }
            for link in entry["competencies"]
        }
        if (
            sync_parts(
                CourseCompetency,
                links.get(row.pk, {}),
                shipped,
                {"course_id": row.pk},
                "competency_id",
                links_baselined,
                delete_dropped=True,
            )
            and outcome == "unchanged"
        ):
            outcome = "updated"
        synced.append((row, entry, outcome))

    for row, entry, outcome in synced:  # prerequisites once every course exists, in the course's one record
        prerequisites = {existing[slug].pk for slug in entry.get("prerequisites", []) if slug in existing}
        admission = {existing[slug].pk for slug in entry.get("admission_prerequisites", []) if slug in existing}
        if set(row.prerequisites.values_list("pk", flat=True)) != prerequisites or admission != set(
            row.admission_prerequisites.values_list("pk", flat=True)
        ):
            if not row.history.filter(history_date__gte=since).exists():  # the lists are all that changes
                save_shipped(row)
            # django-simple-history wrote one more record per list that changed: states nobody shipped
            into_one_record(row, since, partial(set_prerequisites, row, prerequisites, admission))
            outcome = "updated" if outcome == "unchanged" else outcome
        counts[outcome] += 1

    shipped_slugs = {entry["slug"] for entry in data["courses"]}
    for course in Course.objects.filter(active=True).select_related("provider"):
        made_up = course.provider.is_example
        dropped = course.slug not in shipped_slugs and course.pk not in edited
        if made_up or dropped:
            if course.pk in edited:  # an admin's course of an example provider: withdrawn, still the admin's
                course.active = False
                course._change_reason = WITHDRAWN  # type: ignore[attr-defined]  # django-simple-history reads it
                course.save()
            else:
                save_shipped(course, {"active": False})
            counts["deactivated"] += 1
    for outcome, number in counts.items():
        report.add("courses", outcome if outcome in LoadReport.OUTCOMES else "updated", number)
    return counts


def load_content() -> LoadReport:
    """The whole shipped content: question bank, roles, catalogue (what `manage.py load_content` runs)."""
    from assessment.content import sync_question_bank

    with transaction.atomic():
        report = sync_question_bank()
        sync_roles(report)
        sync_catalogue(report=report)
    return report
