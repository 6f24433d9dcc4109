"""Read roles and courses from the database as plain specs, cached per process until they change."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import connection

from assessment.models import Competency, Section
from recommendations.models import Course, CourseCompetency, ModelVersion, Provider, Role, RoleRequirement
from recommendations.paths import Catalogue, CourseSpec
from recommendations.recommender import RoleSpec

log = logging.getLogger(__name__)
_lock = threading.Lock()
_cached: dict[str, object] = {}


@dataclass(frozen=True)
class Snapshot:
    """Everything a recommendation needs from the database, as plain data."""

    competencies: tuple[str, ...]
    roles: tuple[RoleSpec, ...]
    catalogue: Catalogue
    names: Mapping[str, Mapping[str, str]] = dataclasses.field(default_factory=dict)  # language -> slug -> name
    # (the active model version, the newest version's id) when the snapshot was taken: lets
    # `lifecycle.active_model` skip its own query
    model_state: tuple[str | None, int | None] | None = None

    def requirements(self, role: str) -> dict[str, float]:
        """A role's required level per competency ({} for a role not offered)."""
        spec = next((r for r in self.roles if r.slug == role), None)
        return dict(zip(self.competencies, spec.requirements)) if spec else {}

    def goal(self, chosen: str | None, ranked: Iterable[str]) -> str:
        """The learning path's target role: the chosen one while it is offered, else the best-ranked role
        still offered ("" when none is)."""
        offered = {r.slug for r in self.roles}
        if chosen and chosen in offered:
            return chosen
        return next((slug for slug in ranked if slug in offered), "")


def _stamp_sql() -> str:
    """What the snapshot's stamp reads. A `QuerySet.update()` of courses or roles skips `auto_now` and writes no
    history row, so no process would see it: every bulk update of them (a data migration, a fix in the shell) sets
    `updated_at=timezone.now()` too, as the admin's actions save row by row (`_save_each`)."""
    q = connection.ops.quote_name

    def table(model) -> str:
        return q(model._meta.db_table)

    counted = [
        (table(Course), "updated_at"),
        (table(Role), "updated_at"),
        (table(CourseCompetency), "id"),
        (table(RoleRequirement), "id"),
        (table(Course.prerequisites.through), "id"),
        (table(Course.admission_prerequisites.through), "id"),
        (table(Competency.history.model), "history_id"),  # any change to a competency's names or order
        (table(Section.history.model), "history_id"),
    ]
    parts = [f"(SELECT COUNT(*) FROM {name}), (SELECT MAX({q(column)}) FROM {name})" for name, column in counted]
    # An edit in place of a course's link to a competency (its levels, its weight), of a role's requirement or of a
    # provider's name changes neither the rows' count nor their highest id, and leaves the course and the role as
    # they were; every save and delete of one writes a history row (the admin's, `import_catalogue`'s and
    # `load_content`'s alike), so the newest history row's id says it.
    for model in (CourseCompetency, RoleRequirement, Provider):
        parts.append(f"(SELECT MAX({q('history_id')}) FROM {table(model.history.model)})")
    versions = table(ModelVersion)
    parts.append(f"(SELECT {q('version')} FROM {versions} WHERE {q('active')} = %s)")
    parts.append(f"(SELECT MAX({q('id')}) FROM {versions})")
    return "SELECT " + ", ".join(parts)


def _stamp() -> tuple[tuple, tuple[str | None, int | None]]:
    """In one query: what changes whenever a course, role, requirement or competency changes, and the
    state of the model versions."""
    with connection.cursor() as cursor:
        cursor.execute(_stamp_sql(), [True])
        row = tuple(cursor.fetchone())
    return tuple(str(v) for v in row[:-2]), (row[-2], row[-1])


def load_snapshot() -> Snapshot:
    competencies = tuple(Competency.objects.order_by("section__order", "order", "slug").values_list("slug", flat=True))
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
    # in the competencies' order, so that a step lists what it closes in the same order on every database
    for course_id, slug, weight, start, end in CourseCompetency.objects.order_by(
        "course_id", "competency__section__order", "competency__order", "competency__slug"
    ).values_list("course_id", "competency__slug", "weight", "from_level", "to_level"):
        develops.setdefault(course_id, []).append((slug, weight, start, end))
    prerequisites: dict[int, list[str]] = {}
    through = Course.prerequisites.through
    for from_id, slug in through.objects.values_list("from_course_id", "to_course__slug"):
        prerequisites.setdefault(from_id, []).append(slug)
    admission: dict[int, set[str]] = {}
    for from_id, slug in Course.admission_prerequisites.through.objects.values_list(
        "from_course_id", "to_course__slug"
    ):
        admission.setdefault(from_id, set()).add(slug)
    courses = [
        CourseSpec(
            slug=slug,
            title=title_de,
            title_en=title_en,
            hours=float(hours),
            price_eur=None if price is None else float(price),
            develops=tuple(develops.get(pk, ())),
            prerequisites=tuple(sorted(prerequisites.get(pk, ()))),
            # only what is a prerequisite, too (the admin's form and the imports keep it so)
            admission=tuple(sorted(admission.get(pk, set()) & set(prerequisites.get(pk, ())))),
            active=active,
            format=fmt,
            certificate=certificate,
            provider=provider,
            url=url,
            funded=funded,
            in_house=in_house,
        )
        for pk, slug, title_de, title_en, hours, price, active, fmt, certificate, provider, url, funded, in_house in (
            Course.objects.values_list(
                "pk",
                "slug",
                "title_de",
                "title_en",
                "hours",
                "price_eur",
                "active",
                "format",
                "certificate",
                "provider__name",
                "url",
                "fundable",
                "provider__in_house",
            )
        )
    ]
    names: dict[str, dict[str, str]] = {"de": {}, "en": {}}
    for slug, name_de, name_en in Competency.objects.values_list("slug", "name_de", "name_en"):
        names["de"][slug] = name_de
        names["en"][slug] = name_en
    return Snapshot(competencies=competencies, roles=roles, catalogue=Catalogue(courses), names=names)


# The stamp sees a change when it commits, except where two changes commit in the other order than they took their
# times and ids (two admins saving at once on PostgreSQL: the later `updated_at` or history id is read first, and the
# earlier one adds nothing to the maximum), or a bulk update forgot `updated_at`. A process reads the catalogue
# again after this many seconds without a change of the stamp, so what the stamp missed is seen by then.
RECHECK_SECONDS = 300.0


def _same_content(one: Snapshot, other: Snapshot) -> bool:
    return (one.competencies, one.roles, one.names, one.catalogue.every) == (
        other.competencies,
        other.roles,
        other.names,
        other.catalogue.every,
    )


def snapshot() -> Snapshot:
    """The current roles, catalogue and competency names (reloaded when the stamp says something changed, and
    checked again every `RECHECK_SECONDS`), with the model versions' state: one query while nothing changed."""
    stamp, model_state = _stamp()
    now = time.monotonic()
    with _lock:
        if _cached.get("stamp") != stamp:
            _cached["snapshot"] = load_snapshot()
            _cached["stamp"], _cached["checked_at"] = stamp, now
        elif now - _cached["checked_at"] > RECHECK_SECONDS:  # type: ignore[operator]
            fresh = load_snapshot()
            if not _same_content(fresh, _cached["snapshot"]):  # type: ignore[arg-type]
                log.warning("the catalogue changed without its stamp moving; read again after the recheck interval")
                _cached["snapshot"] = fresh
            _cached["checked_at"] = now  # an unchanged catalogue keeps its object, and what is cached with it
        cached: Snapshot = _cached["snapshot"]  # type: ignore[assignment]
        if cached.model_state != model_state:
            cached = _cached["snapshot"] = dataclasses.replace(cached, model_state=model_state)
        return cached
