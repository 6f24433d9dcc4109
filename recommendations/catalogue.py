"""Read roles and courses from the database as plain specs, cached per process until they change."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.db.models import Count, Max

from assessment.models import Competency
from recommendations.models import Course, CourseCompetency, Role, RoleRequirement
from recommendations.paths import Catalogue, CourseSpec
from recommendations.recommender import RoleSpec

_lock = threading.Lock()
_cached: dict[str, object] = {}


@dataclass(frozen=True)
class Snapshot:
    """Everything a recommendation needs from the database, as plain data."""

    competencies: tuple[str, ...]
    roles: tuple[RoleSpec, ...]
    catalogue: Catalogue


def _stamp() -> tuple:
    """Changes whenever a course, role, requirement or competency changes (one query)."""
    course = Course.objects.aggregate(n=Count("id"), t=Max("updated_at"))
    role = Role.objects.aggregate(n=Count("id"), t=Max("updated_at"))
    links = CourseCompetency.objects.aggregate(n=Count("id"), m=Max("id"))
    reqs = RoleRequirement.objects.aggregate(n=Count("id"), m=Max("id"))
    return (course["n"], course["t"], role["n"], role["t"], links["n"], links["m"], reqs["n"], reqs["m"])


def load_snapshot() -> Snapshot:
    competencies = tuple(
        Competency.objects.order_by("section__order", "order", "slug").values_list("slug", flat=True)
    )
    requirements: dict[int, dict[str, int]] = {}
    for role_id, slug, level in RoleRequirement.objects.values_list("role_id", "competency__slug", "level"):
        requirements.setdefault(role_id, {})[slug] = level
    roles = tuple(
        RoleSpec(
            slug=slug,
            requirements=tuple(float(requirements.get(pk, {}).get(c, 0)) for c in competencies),
            work_style=style,
        )
        for pk, slug, style in Role.objects.active().order_by("order", "slug").values_list("pk", "slug", "work_style")
    )
    develops: dict[int, list[tuple[str, float, int, int]]] = {}
    for course_id, slug, weight, start, end in CourseCompetency.objects.values_list(
        "course_id", "competency__slug", "weight", "from_level", "to_level"
    ):
        develops.setdefault(course_id, []).append((slug, weight, start, end))
    prerequisites: dict[int, list[str]] = {}
    through = Course.prerequisites.through
    for from_id, slug in through.objects.values_list("from_course_id", "to_course__slug"):
        prerequisites.setdefault(from_id, []).append(slug)
    courses = [
        CourseSpec(
            slug=slug,
            title=title_de,
            title_en=title_en,
            hours=float(hours),
            price_eur=None if price is None else float(price),
            develops=tuple(develops.get(pk, ())),
            prerequisites=tuple(sorted(prerequisites.get(pk, ()))),
            active=active,
            format=fmt,
            certificate=certificate,
            provider=provider,
            url=url,
        )
        for pk, slug, title_de, title_en, hours, price, active, fmt, certificate, provider, url in (
            Course.objects.values_list(
                "pk", "slug", "title_de", "title_en", "hours", "price_eur", "active", "format", "certificate",
                "provider__name", "url",
            )
        )
    ]
    return Snapshot(competencies=competencies, roles=roles, catalogue=Catalogue(courses))


def snapshot() -> Snapshot:
    """The current roles and catalogue; reloaded only when the stamp says something changed."""
    stamp = _stamp()
    with _lock:
        if _cached.get("stamp") != stamp:
            _cached["snapshot"] = load_snapshot()
            _cached["stamp"] = stamp
        return _cached["snapshot"]  # type: ignore[return-value]
