"""Anonymous aggregates for steering the catalogue: how many people finish, which roles fit them, which
courses their learning paths start with, and which gaps no active course can close.

Nothing here identifies a person: only counts over finished assessments leave this module.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncWeek
from django.utils import timezone

from assessment.bank import competency_slugs, item_spec, items_with_options
from assessment.measurement import Profile, Reliability, score_profile
from assessment.models import Answer, Assessment
from recommendations.models import (
    ConfirmedOutcome,
    Course,
    CourseCompetency,
    ModelVersion,
    RoleRequirement,
    StoredResult,
)
from recommendations.paths import completes_step
from recommendations.recommender import JUDGE_FROM_OUTCOMES
from recommendations.services import recommend

WEEKS = 12
LATEST_ASSESSMENTS = 500  # the role and path figures use the latest ones, so the page stays fast
TOP = 10


@dataclass(frozen=True)
class WeekCount:
    start: datetime.date  # the Monday
    finished: int


@dataclass(frozen=True)
class Bar:
    """One bar of the weekly chart, in SVG user units (computed here so the template stays plain)."""

    week: WeekCount
    x: float
    y: float
    width: float
    height: float
    label_x: float
    value_y: float  # where the count stands, just above the bar


@dataclass(frozen=True)
class Steering:
    assessments: int  # how many finished assessments the figures are computed from (reliable results only)
    top_roles: list[tuple[str, int]]  # role slug, how often it fits best
    first_courses: list[tuple[str, int]]  # course slug, how often a learning path starts with it
    courses_in_paths: list[tuple[str, int]]  # course slug, in how many learning paths it is
    open_gaps: list[tuple[str, int]]  # competency slug, in how many paths no course in the catalogue closes the gap
    model_version: str
    unreliable: int = 0  # latest finished assessments left out: their people were told the result is not reliable


@dataclass(frozen=True)
class Uncovered:
    """A required level that no active course brings a learner to from the level below."""

    competency: str
    level: int
    roles: tuple[str, ...]


def finished_per_week(weeks: int = WEEKS, today: datetime.date | None = None) -> list[WeekCount]:
    """Finished assessments per calendar week (Monday first), the oldest week first, empty weeks as 0."""
    today = today or timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    first = monday - datetime.timedelta(weeks=weeks - 1)
    since = datetime.datetime.combine(first, datetime.time.min, tzinfo=timezone.get_current_timezone())
    rows = (
        Assessment.objects.filter(finished_at__gte=since)
        .annotate(week=TruncWeek("finished_at"))
        .values("week")
        .annotate(finished=Count("id"))
        .order_by("week")
    )
    counts = {timezone.localtime(row["week"]).date(): row["finished"] for row in rows}
    starts = [first + datetime.timedelta(weeks=i) for i in range(weeks)]
    return [WeekCount(start, counts.get(start, 0)) for start in starts]


def bars(weeks: list[WeekCount], width: float = 600, height: float = 160, gap: float = 8) -> list[Bar]:
    """Bars scaled to the busiest week; an empty week still gets a hairline so the axis reads."""
    peak = max((w.finished for w in weeks), default=0) or 1
    slot = width / max(len(weeks), 1)
    result = []
    for i, week in enumerate(weeks):
        bar_height = max(round(height * week.finished / peak, 1), 1.0)
        x = round(i * slot + gap / 2, 1)
        result.append(
            Bar(
                week=week,
                x=x,
                y=round(height - bar_height, 1),
                width=round(slot - gap, 1),
                height=bar_height,
                label_x=round(x + (slot - gap) / 2, 1),
                value_y=round(height - bar_height - 4, 1),
            )
        )
    return result


def profiles_for(assessments: list[Assessment]) -> list[Profile]:
    """The profiles `assessment.services.profile_for` gives, for many assessments in a fixed number of queries."""
    if not assessments:
        return []
    items = {item.pk: item_spec(item) for item in items_with_options({pk for a in assessments for pk in a.item_ids})}
    answers: dict[int, dict[str, str | None]] = defaultdict(dict)
    rows = Answer.objects.filter(assessment_id__in=[a.pk for a in assessments]).values_list(
        "assessment_id", "item__slug", "option__value"
    )
    for assessment_id, slug, value in rows:
        answers[assessment_id][slug] = value
    slugs = competency_slugs()
    return [score_profile(slugs, [items[pk] for pk in a.item_ids if pk in items], answers[a.pk]) for a in assessments]


def stored_reliability(assessments: list[Assessment]) -> dict[int, str]:
    """The reliability each stored result told its person (by assessment id); results never shown are absent."""
    rows = StoredResult.objects.filter(assessment_id__in=[a.pk for a in assessments]).values_list(
        "assessment_id", "document__profile__reliability"
    )
    return {pk: reliability for pk, reliability in rows if reliability is not None}


def steering(limit: int = LATEST_ASSESSMENTS) -> Steering:
    """Best-fitting roles and learning paths over the latest finished assessments with a reliable result, as counts."""
    latest = list(
        Assessment.objects.filter(finished_at__isnull=False).order_by("-finished_at").only("pk", "item_ids")[:limit]
    )
    # A result its person was told is not reliable showed them no ranking: it says nothing about the catalogue.
    told = stored_reliability(latest)
    profiles = [
        profile
        for assessment, profile in zip(latest, profiles_for(latest), strict=True)
        if told.get(assessment.pk, profile.reliability) == Reliability.OK
    ]
    results = recommend(profiles) if profiles else []
    top_roles: Counter[str] = Counter()
    first_courses: Counter[str] = Counter()
    in_paths: Counter[str] = Counter()
    open_gaps: Counter[str] = Counter()
    for result in results:
        if result.roles:
            top_roles[result.roles[0].slug] += 1
        steps = result.path.steps
        if steps:
            first_courses[steps[0].course.slug] += 1
        in_paths.update({step.course.slug for step in steps})
        assert result.path.unreachable is not None, "learning_path_for always works it out"
        open_gaps.update(set(result.path.unreachable))  # not those the 12 courses of a path leave for later
    return Steering(
        assessments=len(profiles),
        top_roles=top_roles.most_common(),
        first_courses=first_courses.most_common(TOP),
        courses_in_paths=in_paths.most_common(TOP),
        open_gaps=open_gaps.most_common(),
        model_version=results[0].model_version if results else "",
        unreliable=len(latest) - len(profiles),
    )


def uncovered_requirements() -> list[Uncovered]:
    """Required levels of active roles whose last step no active course completes (`paths.completes_step`: one that
    teaches it only part of the way narrows it; counted as closing, a level the paths could not reach went
    unwarned, a review): the catalogue cannot close that last step."""
    courses: dict[str, list[tuple[int, int, float]]] = defaultdict(list)
    for slug, start, end, weight in CourseCompetency.objects.filter(course__active=True).values_list(
        "competency__slug", "from_level", "to_level", "weight"
    ):
        courses[slug].append((start, end, float(weight)))
    needed: dict[tuple[str, int], list[str]] = defaultdict(list)
    requirements = (
        RoleRequirement.objects.filter(role__active=True, level__gte=1)
        .order_by("competency__section__order", "competency__order", "level", "role__order", "role__slug")
        .values_list("competency__slug", "level", "role__slug")
    )
    for competency, level, role in requirements:
        needed[(competency, level)].append(role)
    return [
        Uncovered(competency, level, tuple(roles))
        for (competency, level), roles in needed.items()
        if not any(completes_step(start, end, weight, level) for start, end, weight in courses[competency])
    ]


def fit_feedback() -> list[tuple[str, int]]:
    """How people answered "do the best roles fit?" (those who answered), in the order of the answers."""
    counts = dict(
        ConfirmedOutcome.objects.exclude(top_role_fits="")
        .values_list("top_role_fits")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [(value, counts.get(value, 0)) for value in ConfirmedOutcome.Fits.values]


@dataclass(frozen=True)
class ModelJudgement:
    """What the active ranking model learned from, and how it did against the transparent ranking."""

    version: str
    real_outcomes: int
    usable_outcomes: int  # confirmed outcomes that training would use now
    judged: bool  # enough outcomes to hold some back and compare
    outcomes_held_out: int = 0
    model_top1: float | None = None
    transparent_top1: float | None = None
    ranks: bool = True


def model_judgement() -> ModelJudgement | None:
    version = ModelVersion.objects.filter(active=True).only("version", "metrics").first()
    if version is None:
        return None
    metrics = version.metrics or {}
    held = metrics.get("held_out") or {}
    return ModelJudgement(
        version=version.version,
        real_outcomes=int(metrics.get("real_outcomes", 0)),
        usable_outcomes=ConfirmedOutcome.objects.for_training().count(),
        judged=bool(held) and int(metrics.get("real_outcomes", 0)) >= JUDGE_FROM_OUTCOMES,
        outcomes_held_out=int(held.get("outcomes", 0)),
        model_top1=held.get("model_top1"),
        transparent_top1=held.get("transparent_top1"),
        ranks=bool(metrics.get("ranks", True)),
    )


STALE_AFTER_DAYS = 365  # a course entry whose source was not checked for a year needs a look


def courses_not_checked(today: datetime.date | None = None) -> list[Course]:
    """Active courses whose source was last checked more than a year ago, the oldest check first."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=STALE_AFTER_DAYS)
    return list(
        Course.objects.active().not_checked_since(since).select_related("provider").order_by("last_checked", "slug")
    )


def courses_with_retired_exam(today: datetime.date | None = None) -> list[Course]:
    """Courses whose exam the awarding body has retired, active ones (which should not be) first."""
    today = today or timezone.localdate()
    retired = Course.objects.exam_retired(today).select_related("provider")
    return list(retired.order_by("-active", "exam_retired_on", "slug"))
