"""Running an item calibration: read the answers of finished assessments, fit the knowledge checks
(assessment/calibration.py), store the fit as a new calibration version, and use it when every item has
enough answers and the fit converged. `manage.py calibrate_items` and the worker (a calibration an admin
starts) both run it here."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count

from assessment.models import Answer, CalibrationVersion, Item, ItemCalibration, shipped_parameters

if TYPE_CHECKING:  # the fit imports scipy: only where a calibration runs
    from assessment.calibration import Calibration, ItemFit, Respondent

DEFAULT_MIN_ANSWERS = 500
# A fit in which more of the checks than this do not fit is stored but not used: the model explains the answers
# badly (a review's calibration from ten people, with "answers needed" set to 1, flagged 56 of 61 checks and then
# told every new person that their answers looked random).
MAX_MISFIT_SHARE = 0.2


class CalibrationFailed(Exception):
    """The question bank cannot be calibrated as it is (the message says why and what to do); `unanchored`: the
    slugs of the competencies without an active anchor, the one reason the bank itself gives."""

    def __init__(self, message: str, unanchored: list[str] | None = None) -> None:
        super().__init__(message)
        self.unanchored = unanchored or []


@dataclass
class CalibrationRun:
    """What a run did. `outcome`: no_items, no_answers, dry_run, short (stored, not used: too few answers),
    not_converged (stored, not used), misfits (stored, not used: too many checks do not fit) or activated."""

    outcome: str
    min_answers: int
    result: Calibration | None = None
    items: dict[str, Item] = field(default_factory=dict)
    assessments: int = 0
    seconds: float = 0.0
    version: CalibrationVersion | None = None
    changed: int = 0
    short: list[ItemFit] = field(default_factory=list)  # the fits of items with fewer answers than needed

    def summary(self) -> dict:
        """Plain data for a task's result."""
        fewest = min(self.short, key=lambda fit: fit.answers) if self.short else None
        return {
            "outcome": self.outcome,
            "min_answers": self.min_answers,
            "version": self.version.pk if self.version else None,
            "items": len(self.result.items) if self.result else 0,
            "answers": self.result.answers if self.result else 0,
            "assessments": self.assessments,
            "changed": self.changed,
            "short": len(self.short),
            "fewest": [fewest.slug, fewest.answers] if fewest else None,
            "misfits": sum(1 for fit in self.result.items if fit.flags) if self.result else 0,
        }


def knowledge_checks() -> list[Item]:
    """The active knowledge checks with a competency and a labelled difficulty: what is calibrated."""
    return list(
        Item.objects.active()
        .filter(kind=Item.Kind.KNOWLEDGE, competency__isnull=False, difficulty__isnull=False)
        .select_related("competency")
        .annotate(option_count=Count("options"))
        .order_by("competency__section__order", "competency__order", "order", "slug")
    )


def finished_answers(items: list[Item]) -> tuple[list[Respondent], int]:
    """The answers of finished assessments, as calibration respondents, and how many assessments gave them.

    Knowledge checks: right or wrong; self-ratings: the level said, by competency. Skipped questions
    (and questions an adaptive assessment never asked) are simply absent."""
    from assessment.calibration import Respondent

    slugs = {item.pk: item.slug for item in items}
    checks: dict[int, dict[str, bool]] = {}
    ratings: dict[int, dict[str, int]] = {}
    rows = (
        Answer.objects.filter(assessment__finished_at__isnull=False, option__isnull=False)
        .filter(item__kind__in=[Item.Kind.KNOWLEDGE, Item.Kind.SELF_RATING])
        .values_list(
            "assessment_id", "item_id", "item__kind", "item__competency__slug", "option__correct", "option__level"
        )
        .order_by("assessment_id")
    )
    for assessment_id, item_id, kind, competency, correct, level in rows.iterator(chunk_size=5000):
        if kind == Item.Kind.KNOWLEDGE:
            if item_id in slugs:
                checks.setdefault(assessment_id, {})[slugs[item_id]] = bool(correct)
        elif competency is not None and level is not None:
            ratings.setdefault(assessment_id, {})[competency] = int(level)
    respondents = [Respondent(checks=answered, self_ratings=ratings.get(pk, {})) for pk, answered in checks.items()]
    return respondents, len(checks)


def run(min_answers: int = DEFAULT_MIN_ANSWERS, dry_run: bool = False) -> CalibrationRun:
    """Calibrate the active knowledge checks from the stored answers; store and (when usable) use the result."""
    items = knowledge_checks()
    if not items:
        return CalibrationRun("no_items", min_answers)
    respondents, assessments = finished_answers(items)
    if not respondents:
        return CalibrationRun("no_answers", min_answers)

    from assessment.calibration import CalibrationError, CalibrationItem, calibrate

    start_values = [
        CalibrationItem(
            slug=item.slug,
            competency=item.competency.slug,  # type: ignore[union-attr]  # knowledge_checks: competency not null
            options=item.option_count,  # type: ignore[attr-defined]  # knowledge_checks annotates it
            location=shipped_parameters(item)[0],
            discrimination=shipped_parameters(item)[1],
            anchor=item.anchor,
        )
        for item in items
    ]
    started = time.monotonic()
    try:
        result = calibrate(start_values, respondents)
    except CalibrationError as error:
        unanchored = Item.objects.unanchored_competencies()
        inactive = Item.objects.filter(
            kind=Item.Kind.KNOWLEDGE, anchor=True, active=False, competency__in=unanchored
        ).order_by("slug")
        hint = f" (inactive anchors there: {', '.join(i.slug for i in inactive)})" if inactive else ""
        raise CalibrationFailed(f"{error}{hint}", [c.slug for c in unanchored]) from error
    by_slug = {item.slug: item for item in items}
    run = CalibrationRun(
        "dry_run",
        min_answers,
        result=result,
        items=by_slug,
        assessments=assessments,
        seconds=time.monotonic() - started,
        short=[fit for fit in result.items if fit.answers < min_answers],
    )
    if dry_run:
        return run
    run.version = _store(run)
    if run.short:
        run.outcome = "short"
    elif not result.converged:
        run.outcome = "not_converged"
    elif sum(1 for fit in result.items if fit.flags) > MAX_MISFIT_SHARE * len(result.items):
        run.outcome = "misfits"
    else:
        run.changed = run.version.activate()
        run.outcome = "activated"
    return run


@transaction.atomic
def _store(run: CalibrationRun) -> CalibrationVersion:
    result, by_slug, min_answers, short = run.result, run.items, run.min_answers, run.short
    assert result is not None, "only a run with a fit is stored"
    ratings = result.self_ratings
    notes = []
    if short:
        notes.append(f"{len(short)} items with fewer than {min_answers} answers")
    if not result.converged:
        notes.append("the fit did not converge")
    misfits = sum(1 for fit in result.items if fit.flags)
    if misfits > MAX_MISFIT_SHARE * len(result.items):
        notes.append(f"{misfits} of {len(result.items)} items do not fit")
    version = CalibrationVersion.objects.create(
        assessments=run.assessments,
        answers=result.answers,
        min_answers=min_answers,
        self_rating_noise=None if ratings is None else ratings.noise_on_steps,
        self_rating_bias=None if ratings is None else ratings.bias_mean_on_steps,
        self_rating_bias_sd=None if ratings is None else ratings.bias_sd_on_steps,
        converged=result.converged,
        notes="; ".join(notes),
        details={
            "seconds": round(run.seconds, 2),
            "iterations": result.iterations,
            "log_likelihood": result.log_likelihood,
            "respondents": result.respondents,
            "self_ratings": None
            if ratings is None
            else {
                "noise_on_steps": ratings.noise_on_steps,
                "noise_continuous": ratings.noise,
                "noise_continuous_se": ratings.noise_se,
                "bias_mean_on_steps": ratings.bias_mean_on_steps,
                "bias_sd_on_steps": ratings.bias_sd_on_steps,
                "bias_mean_continuous": ratings.bias_mean,
                "bias_sd_continuous": ratings.bias_sd,
                "ratings": ratings.ratings,
                "people": ratings.people,
            },
            "latent": result.latent,
        },
    )
    ItemCalibration.objects.bulk_create(
        ItemCalibration(
            version=version,
            item=by_slug[fit.slug],
            location=fit.location,
            discrimination=fit.discrimination,
            location_se=fit.location_se,
            previous_location=by_slug[fit.slug].location,
            previous_discrimination=by_slug[fit.slug].discrimination,
            anchor=fit.anchor,
            answers=fit.answers,
            fits=fit.fits,
            flags=",".join(fit.flags),
            rmsd=fit.rmsd,
        )
        for fit in result.items
    )
    return version
