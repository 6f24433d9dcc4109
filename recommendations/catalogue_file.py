"""The course catalogue as one JSON document: `manage.py export_catalogue` and `manage.py import_catalogue`.

The format (tests/contracts/catalogue.schema.json) is the one the shipped catalogue is written in
(recommendations/content/catalogue.json): providers and courses, each named by its slug. An import is all or
nothing: every row is checked first and every problem is reported with the row it is in; only a file without
problems is written, in one transaction. Rows are matched by slug: a course in the file is created or updated,
a course not in the file is left as it is. What the import writes gets a history record like the admin's
edits, so `load_content` leaves it alone afterwards and the admin can revert it.

A value with a default that an entry leaves out (a course's yes/no fields and language, a provider's in_house)
keeps what the database has; a new row gets the field's default, except that a new course starts unverified:
nobody has checked its sources yet. (`load_content` is different: the shipped catalogue states what it knows.)
"""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any, TypeGuard

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils import timezone

from assessment.content import differs
from core.history import into_one_record
from core.meta import concrete_field
from recommendations.content import COURSE_DEFAULTS, COURSE_FIELDS, PROVIDER_FIELDS, set_prerequisites
from recommendations.models import MIN_COURSE_HOURS, Course, CourseCompetency, Provider

IMPORTED = "import_catalogue"  # history_change_reason of what an import writes
DATE_FIELDS = ("last_checked", "exam_retired_on")
TEXT_FIELDS = ("certificate", "awarding_body", "location", "description_de", "description_en", "note_de", "note_en")
BOOLEAN_FIELDS = ("fundable", "bildungsurlaub", "active", "verified")
# Optional values with a model default: left out of an entry, they keep what the database has.
KEPT_WHEN_LEFT_OUT = tuple(name for name in COURSE_DEFAULTS if concrete_field(Course, name).has_default())
# The keys of an entry, as export_catalogue writes them (and of a course's competency).
LINK_KEYS = ("competency", "weight", "from_level", "to_level")
FILE_KEYS = {
    "providers": ("slug", *PROVIDER_FIELDS),
    "courses": ("slug", "provider", *COURSE_FIELDS, "competencies", "prerequisites", "admission_prerequisites"),
}


class CatalogueFileError(Exception):
    """A catalogue file that cannot be imported; `errors` names each problem with its row."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(f"{len(errors)} problem(s)")
        self.errors = errors


@dataclass
class CheckedCourse:
    slug: str
    provider: str
    values: dict[str, Any]
    links: dict[str, dict[str, Any]]  # competency slug -> weight, from_level, to_level
    prerequisites: list[str]
    admission_prerequisites: list[str]  # a subset of the prerequisites


@dataclass
class CheckedCatalogue:
    providers: dict[str, dict[str, Any]]  # slug -> values
    courses: list[CheckedCourse]


@dataclass
class ImportCounts:
    created: dict[str, int] = field(default_factory=lambda: {"providers": 0, "courses": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"providers": 0, "courses": 0})
    unchanged: dict[str, int] = field(default_factory=lambda: {"providers": 0, "courses": 0})


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def export_catalogue() -> dict[str, Any]:
    """The catalogue in the database (active and inactive) as the catalogue file format."""
    providers = [
        {
            "slug": p.slug,
            **{name: getattr(p, name) for name in PROVIDER_FIELDS},
            "url": p.url or None,
        }
        for p in Provider.objects.order_by("slug")
    ]
    courses = []
    for course in (
        Course.objects.select_related("provider")
        .prefetch_related("prerequisites", "admission_prerequisites", "competencies__competency")
        .order_by("slug")
    ):
        entry: dict[str, Any] = {"slug": course.slug, "provider": course.provider.slug}
        for name in COURSE_FIELDS:
            entry[name] = getattr(course, name)
        entry["hours"] = _number(course.hours)
        entry["price_eur"] = _number(course.price_eur)
        entry["url"] = course.url or None
        for name in DATE_FIELDS:
            entry[name] = entry[name].isoformat() if entry[name] else None
        entry["competencies"] = [
            {
                "competency": link.competency.slug,
                "weight": link.weight,
                "from_level": link.from_level,
                "to_level": link.to_level,
            }
            for link in sorted(course.competencies.all(), key=lambda link: (-link.weight, link.competency.slug))
        ]
        entry["prerequisites"] = sorted(p.slug for p in course.prerequisites.all())
        entry["admission_prerequisites"] = sorted(p.slug for p in course.admission_prerequisites.all())
        courses.append(entry)
    return {"providers": providers, "courses": courses}


def _where(kind: str, index: int, entry: Any) -> str:
    slug = entry.get("slug") if isinstance(entry, dict) else None
    return f"{kind}[{index}]" + (f" (slug {slug!r})" if isinstance(slug, str) and slug else "")


def _unknown_keys(entry: dict[str, Any], known: tuple[str, ...]) -> list[str]:
    """A problem for each key the format does not have, with the known one it most resembles: a misspelt key was
    read as left out, so its value was lost and the field kept or took its default without a word."""
    problems = []
    for key in entry:
        if key not in known:
            close = difflib.get_close_matches(str(key).casefold(), known, n=1, cutoff=0.6)
            meant = f" (meant {close[0]!r}?)" if close else ""
            problems.append(f"{key!r} is not a field of the format{meant}")
    return problems


def _check_slugs(kind: str, rows: list[Any], errors: list[str]) -> dict[str, int]:
    """Each row's slug must be a slug and named once, and each key one of the format's; returns slug -> first
    row."""
    first: dict[str, int] = {}
    for index, entry in enumerate(rows):
        where = _where(kind, index, entry)
        if not isinstance(entry, dict):
            errors.append(f"{where}: expected an object")
            continue
        errors += [f"{where}: {problem}" for problem in _unknown_keys(entry, FILE_KEYS[kind])]
        slug = entry.get("slug")
        try:
            if not isinstance(slug, str):
                raise ValidationError("missing")
            validate_slug(slug)
        except ValidationError:
            errors.append(f"{where}: slug: expected letters, digits, hyphens or underscores")
            continue
        if slug in first:
            errors.append(f"{where}: slug {slug!r} is named twice in the file (first in {kind}[{first[slug]}])")
        else:
            first[slug] = index
    return first


def _https_or_empty(value: Any, name: str) -> tuple[str, str | None]:
    if value is None or value == "":
        return "", None
    if not isinstance(value, str) or not value.startswith("https://") or len(value) <= len("https://"):
        return "", f"{name}: expected an https:// address or null"
    return value, None


def _provider_values(entry: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    problems = []
    values: dict[str, Any] = {}
    for name in PROVIDER_FIELDS:
        value = entry.get(name)
        if name == "url":
            values["url"], problem = _https_or_empty(value, "url")
            if problem:
                problems.append(problem)
        elif name in ("is_example", "in_house"):
            if name == "in_house" and name not in entry:
                continue  # kept as it is (a new provider: not in-house)
            if name == "is_example" and name not in entry:
                problems.append("is_example: required (true or false)")
            elif value is not None and not isinstance(value, bool):
                problems.append(f"{name}: expected true or false")
            values[name] = bool(value)
        elif name == "name":
            if not isinstance(value, str) or not value.strip():
                problems.append("name: required")
            values[name] = value if isinstance(value, str) else ""
        else:
            if value is not None and not isinstance(value, str):
                problems.append(f"{name}: expected text")
            values[name] = value if isinstance(value, str) else ""
    return values, problems


def _course_values(entry: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    problems = []
    values: dict[str, Any] = {}
    for name in COURSE_FIELDS:
        if name in KEPT_WHEN_LEFT_OUT and name not in entry:
            continue  # kept as it is; a new course gets the model's default (and starts unverified)
        value = entry.get(name, COURSE_DEFAULTS.get(name))
        choices = concrete_field(Course, name).choices
        if choices and (not isinstance(value, str) or value not in dict(choices)):
            problems.append(f"{name}: expected one of {', '.join(code for code, _label in choices)}, not {value!r}")
            continue
        if name in ("hours", "price_eur"):
            if value is None and name == "price_eur":
                values[name] = None
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                unknown = " or null (no price known)" if name == "price_eur" else ""
                problems.append(f"{name}: expected a number{unknown}")
                continue
            try:
                number = Decimal(str(value))
            except InvalidOperation:
                problems.append(f"{name}: expected a number")
                continue
            least = MIN_COURSE_HOURS if name == "hours" else 0
            if not number.is_finite() or number < least:
                problems.append(f"{name}: expected a number of at least {least}")
                continue
            values[name] = number
        elif name in DATE_FIELDS:
            if value is None and name == "exam_retired_on":
                values[name] = None
                continue
            try:
                values[name] = datetime.date.fromisoformat(value) if isinstance(value, str) else None
            except ValueError:
                values[name] = None
            if values[name] is None:
                problems.append(f"{name}: expected a date like 2026-12-01")
        elif name == "url":
            values["url"], problem = _https_or_empty(value, "url")
            if problem:
                problems.append(problem)
        elif name in BOOLEAN_FIELDS:
            if not isinstance(value, bool):
                problems.append(f"{name}: expected true or false")
            values[name] = bool(value)
        elif name in TEXT_FIELDS:
            if value is not None and not isinstance(value, str):
                problems.append(f"{name}: expected text")
            values[name] = value if isinstance(value, str) else ""
        else:
            if not isinstance(value, str):
                problems.append(f"{name}: required text")
            values[name] = value if isinstance(value, str) else ""
    return values, problems


def _is_level(value: Any) -> TypeGuard[int]:
    """A whole level from 0 to 5 (not a bool, which Python counts as an int)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 5


def _links(entry: dict[str, Any], competencies: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    raw = entry.get("competencies")
    if not isinstance(raw, list) or not raw:
        return {}, ["competencies: expected at least one {competency, from_level, to_level}"]
    problems = []
    links: dict[str, dict[str, Any]] = {}
    for number, link in enumerate(raw):
        where = f"competencies[{number}]"
        if not isinstance(link, dict):
            problems.append(f"{where}: expected an object")
            continue
        if unknown := _unknown_keys(link, LINK_KEYS):  # "wieght": 0.3 was read as a weight of 1
            problems += [f"{where}: {problem}" for problem in unknown]
            continue
        slug = link.get("competency")
        if slug not in competencies:
            problems.append(f"{where}: {slug!r} is not a competency")
            continue
        if slug in links:
            problems.append(f"{where}: {slug!r} is named twice")
            continue
        start, end, weight = link.get("from_level"), link.get("to_level"), link.get("weight", 1.0)
        if not (_is_level(start) and _is_level(end)):
            problems.append(f"{where}: from_level and to_level must be whole numbers from 0 to 5")
            continue
        if end <= start:
            problems.append(f"{where}: to_level must be above from_level")
            continue
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0.05 <= weight <= 1:
            problems.append(f"{where}: weight must be a number from 0.05 to 1")
            continue
        links[slug] = {"weight": float(weight), "from_level": start, "to_level": end}
    return links, problems


def _cycle(requires: dict[str, list[str]]) -> list[str]:
    """A chain of course slugs that require each other (first == last), or []."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    for start in sorted(requires):
        if state.get(start):
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        path = [start]
        state[start] = 1
        while stack:
            node, index = stack.pop()
            nexts = requires.get(node, [])
            if index < len(nexts):
                stack.append((node, index + 1))
                child = nexts[index]
                if state.get(child) == 1:
                    return path[path.index(child) :] + [child]
                if not state.get(child):
                    state[child] = 1
                    path.append(child)
                    stack.append((child, 0))
            else:
                state[node] = 2
                path.pop()
    return []


def _nul_characters(data: Any, where: str = "") -> list[str]:
    """Where the file's texts hold a NUL character, which no database column should (PostgreSQL refuses it: the
    import stopped with a traceback; SQLite stored it)."""
    if isinstance(data, str):
        return [f"{where}: contains a NUL character (\\u0000)"] if "\x00" in data else []
    if isinstance(data, dict):
        found = [f"{where}: a key contains a NUL character" for key in data if isinstance(key, str) and "\x00" in key]
        return found + [problem for key, value in data.items() for problem in _nul_characters(value, f"{where}.{key}")]
    if isinstance(data, list):
        return [problem for i, value in enumerate(data) for problem in _nul_characters(value, f"{where}[{i}]")]
    return []


def _admission_marks() -> dict[str, list[str]]:
    """Course slug -> the slugs of its admission requirements, as stored now."""
    marks: dict[str, list[str]] = {}
    through = Course.admission_prerequisites.through
    for course, required in through.objects.values_list("from_course__slug", "to_course__slug"):
        marks.setdefault(course, []).append(required)
    return marks


def check_catalogue(data: Any) -> CheckedCatalogue:
    """The checked rows to write; every problem of the file is raised at once as a CatalogueFileError."""
    if nul := _nul_characters(data, "file"):
        raise CatalogueFileError([problem.removeprefix("file.") for problem in nul])
    from assessment.models import Competency

    if (
        not isinstance(data, dict)
        or not isinstance(data.get("providers"), list)
        or not isinstance(data.get("courses"), list)
    ):
        raise CatalogueFileError(['the file must be a JSON object with the lists "providers" and "courses"'])
    errors: list[str] = []
    provider_rows = _check_slugs("providers", data["providers"], errors)
    course_rows = _check_slugs("courses", data["courses"], errors)
    competencies = {c.slug: c.pk for c in Competency.objects.all()}
    known_providers = set(Provider.objects.values_list("slug", flat=True)) | set(provider_rows)
    stored_courses = {course.slug: course for course in Course.objects.all()}
    marks: dict[str, list[str]] | None = None  # the admission requirements stored now, read once if a row needs them
    known_courses = set(stored_courses) | set(course_rows)
    checked = CheckedCatalogue(providers={}, courses=[])

    # each provider as it will be after the import: (is an example, is in-house)
    kinds = {
        slug: (example, in_house)
        for slug, example, in_house in Provider.objects.values_list("slug", "is_example", "in_house")
    }
    for slug, index in provider_rows.items():
        entry = data["providers"][index]
        values, problems = _provider_values(entry)
        example, in_house = kinds.get(slug, (False, False))
        example, in_house = values.get("is_example", example), values.get("in_house", in_house)
        kinds[slug] = (example, in_house)
        if not values.get("url") and not in_house and not problems:
            problems.append("url: required (an https address); null only for in-house formats")
        if not problems:  # each field as the admin's form checks it (the rules across rows are the file's own, above)
            provider_row = Provider.objects.filter(slug=slug).first() or Provider(slug=slug)
            for name, value in values.items():
                setattr(provider_row, name, value)
            try:
                provider_row.clean_fields()
            except ValidationError as exc:
                problems += [f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()]
        errors += [f"{_where('providers', index, entry)}: {p}" for p in problems]
        checked.providers[slug] = values

    requires: dict[str, list[str]] = {}
    for course_slug, prerequisite_slug in Course.prerequisites.through.objects.values_list(
        "from_course__slug", "to_course__slug"
    ):
        requires.setdefault(course_slug, []).append(prerequisite_slug)
    for slug, index in course_rows.items():
        entry = data["courses"][index]
        where = _where("courses", index, entry)
        values, problems = _course_values(entry)
        provider = entry.get("provider")
        if not isinstance(provider, str) or provider not in known_providers:
            problems.append(f"provider: {provider!r} is neither in the file nor in the database")
            provider = provider if isinstance(provider, str) else ""  # a list or an object: no key to look up
        links, link_problems = _links(entry, competencies)
        problems += link_problems
        prerequisites = entry.get("prerequisites", [])
        if not isinstance(prerequisites, list) or not all(isinstance(p, str) for p in prerequisites):
            problems.append("prerequisites: expected a list of course slugs")
            prerequisites = []
        for required in prerequisites:
            if required == slug:
                problems.append("prerequisites: a course cannot require itself")
            elif required not in known_courses:
                problems.append(f"prerequisites: {required!r} is neither in the file nor in the database")
        requires[slug] = [p for p in prerequisites if p != slug]
        if "admission_prerequisites" in entry:
            admission = entry["admission_prerequisites"]
        else:  # a file written before the field came: the marks stay where their prerequisite does, as in a sheet
            if marks is None:
                marks = _admission_marks()
            admission = [p for p in marks.get(slug, []) if p in prerequisites]
        if not isinstance(admission, list) or not all(isinstance(p, str) for p in admission):
            problems.append("admission_prerequisites: expected a list of course slugs")
            admission = []
        for required in admission:
            if required not in known_courses:
                problems.append(f"admission_prerequisites: {required!r} is neither in the file nor in the database")
            elif required not in prerequisites:
                problems.append(
                    f"admission_prerequisites: {required!r} is not among the course's prerequisites "
                    "(a course whose certificate is required for admission must be a prerequisite, too)"
                )
        before = stored_courses.get(slug) or new_course(slug)
        active = values.get("active", before.active)
        example, in_house = kinds.get(provider, (False, False))
        if active and example:
            problems.append(f"active: {provider!r} is an example provider, whose courses cannot be active")
        url = values.get("url", before.url)
        url_refused = any(problem.startswith("url:") for problem in problems)
        if active and not url and not in_house and provider in kinds and not url_refused:
            problems.append("url: required for an active course (an https address); null only for in-house formats")
        if not problems:
            course = stored_courses.get(slug) or new_course(slug)  # what the course will be after the import
            for name, value in values.items():
                setattr(course, name, value)
            try:
                course.full_clean(
                    exclude=["provider", "prerequisites", "admission_prerequisites"], validate_unique=False
                )
            except ValidationError as exc:
                problems += [f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()]
        errors += [f"{where}: {p}" for p in problems]
        checked.courses.append(CheckedCourse(slug, provider, values, links, requires[slug], admission))

    # the courses the file leaves as they are: a provider it changes must still fit them
    for course_slug, provider, url in (
        Course.objects.filter(active=True).exclude(slug__in=course_rows).values_list("slug", "provider__slug", "url")
    ):
        if provider not in provider_rows:
            continue
        example, in_house = kinds[provider]
        where = _where("providers", provider_rows[provider], data["providers"][provider_rows[provider]])
        if example:
            errors.append(f"{where}: is_example: its course {course_slug!r} is active (deactivate it in the file)")
        elif not url and not in_house:
            errors.append(f"{where}: in_house: its course {course_slug!r} is active without a page (give it its url)")

    cycle = _cycle(requires)
    if cycle:
        errors.append(
            f"courses[{course_rows.get(cycle[0], '?')}] (slug {cycle[0]!r}): prerequisites: the courses would "
            f"require each other: {' → '.join(cycle)}"
        )
    if errors:
        raise CatalogueFileError(errors)
    return checked


def new_course(slug: str) -> Course:
    """A course new from a file: unverified, whatever the model's default, until the file says otherwise."""
    return Course(slug=slug, verified=False)


@transaction.atomic
def import_catalogue(data: Any) -> ImportCounts:
    """Write a checked catalogue file, all or nothing (raises CatalogueFileError, writing nothing)."""
    checked = check_catalogue(data)
    counts = ImportCounts()

    saved: dict[str, datetime.datetime] = {}  # course slug -> when this import wrote its record

    def save(row: Any, values: dict[str, Any]) -> None:
        for name, value in values.items():
            setattr(row, name, value)
        row._change_reason = IMPORTED
        if isinstance(row, Course):
            saved.setdefault(row.slug, timezone.now())
        row.save()

    providers = {p.slug: p for p in Provider.objects.all()}
    for slug, values in checked.providers.items():
        row = providers.get(slug)
        if row is None:
            providers[slug] = row = Provider(slug=slug)
            save(row, values)
            counts.created["providers"] += 1
        elif differs(row, values):
            save(row, values)
            counts.updated["providers"] += 1
        else:
            counts.unchanged["providers"] += 1

    from assessment.models import Competency

    competencies = {c.slug: c.pk for c in Competency.objects.all()}
    courses = {c.slug: c for c in Course.objects.all()}
    outcome: dict[str, str] = {}
    for entry in checked.courses:
        values = {**entry.values, "provider_id": providers[entry.provider].pk}
        course = courses.get(entry.slug)
        if course is None:
            courses[entry.slug] = course = new_course(entry.slug)
            save(course, values)
            outcome[course.slug] = "created"
        elif differs(course, values):
            save(course, values)
            outcome[course.slug] = "updated"
        else:
            outcome[course.slug] = "unchanged"
        current = {link.competency_id: link for link in CourseCompetency.objects.filter(course=course)}
        for slug, link_values in entry.links.items():
            link = current.pop(competencies[slug], None)
            if link is None:
                save(CourseCompetency(course=course, competency_id=competencies[slug]), link_values)
            elif differs(link, link_values):
                save(link, link_values)
            else:
                continue
            outcome[course.slug] = outcome[course.slug].replace("unchanged", "updated")
        for stale in current.values():
            stale._change_reason = IMPORTED  # type: ignore[attr-defined]  # django-simple-history reads it
            stale.delete()
            outcome[course.slug] = outcome[course.slug].replace("unchanged", "updated")

    # Both prerequisite lists once every course exists (a list may name a course later in the file), kept in the
    # course's one record of this import: django-simple-history wrote one more record for each list that changed,
    # states of the course nobody imported (as the spreadsheet import and the edit page once did).
    for entry in checked.courses:
        course = courses[entry.slug]
        prerequisites = {courses[slug].pk for slug in entry.prerequisites}
        admission = {courses[slug].pk for slug in entry.admission_prerequisites}
        if set(course.prerequisites.values_list("pk", flat=True)) == prerequisites and admission == set(
            course.admission_prerequisites.values_list("pk", flat=True)
        ):
            continue
        if course.slug not in saved:  # the lists are all that changes: they make the course's version
            save(course, {})
        outcome[course.slug] = outcome[course.slug].replace("unchanged", "updated")
        into_one_record(course, saved[course.slug], partial(set_prerequisites, course, prerequisites, admission))
    for result in outcome.values():
        getattr(counts, result)["courses"] += 1
    return counts
