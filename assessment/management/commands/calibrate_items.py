"""`manage.py calibrate_items`: learn the knowledge checks' locations and discriminations, and the
self-rating noise, from the answers of finished assessments (assessment/calibration.py explains how).

Every run that has answers to learn from stores a new calibration version. The items switch to its
values only when every active knowledge check has at least --min-answers answers and the fit
converged; otherwise the version is stored inactive and the items keep their values. The admin
lists the versions and can activate an older one or go back to the shipped values.

Exit status: 0 when the run did what it says (including "nothing to calibrate or learn from yet" and
"stored inactive"), 1 on an error (the message says what to do), 2 on a bad option.
"""

from __future__ import annotations

import argparse
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count

from assessment.models import Answer, CalibrationVersion, Item, ItemCalibration, shipped_parameters

DEFAULT_MIN_ANSWERS = 500


def at_least_one(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError("--min-answers must be at least 1")
    return number


def knowledge_checks() -> list[Item]:
    """The active knowledge checks with a competency and a labelled difficulty: what is calibrated."""
    return list(
        Item.objects.active()
        .filter(kind=Item.Kind.KNOWLEDGE, competency__isnull=False, difficulty__isnull=False)
        .select_related("competency")
        .annotate(option_count=Count("options"))
        .order_by("competency__section__order", "competency__order", "order", "slug")
    )


def finished_answers(items: list[Item]):
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


def _number(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


class Command(BaseCommand):
    help = (
        "Learn each knowledge check's location and discrimination, and how far self-ratings scatter, from the "
        "answers of finished assessments. Stores a new calibration version and switches the items to it when "
        "every active knowledge check has at least --min-answers answers."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--min-answers",
            type=at_least_one,
            default=DEFAULT_MIN_ANSWERS,
            help=f"answers every item needs before the learned values are used (default {DEFAULT_MIN_ANSWERS})",
        )
        parser.add_argument("--dry-run", action="store_true", help="fit and report, but store and change nothing")

    def handle(self, *args, **options) -> None:
        min_answers: int = options["min_answers"]
        items = knowledge_checks()
        if not items:
            self.stdout.write(
                "There are no active knowledge checks to calibrate (load the question bank first). Nothing was stored."
            )
            return
        respondents, assessments = finished_answers(items)
        if not respondents:
            self.stdout.write(
                "No answers to learn from yet: no finished assessment has an answered knowledge check. "
                "Nothing was stored; the items keep their values."
            )
            return

        from assessment.calibration import CalibrationError, CalibrationItem, calibrate

        start_values = [
            CalibrationItem(
                slug=item.slug,
                competency=item.competency.slug,
                options=item.option_count,
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
            inactive = Item.objects.filter(
                kind=Item.Kind.KNOWLEDGE,
                anchor=True,
                active=False,
                competency__in=Item.objects.unanchored_competencies(),
            ).order_by("slug")
            hint = f" (inactive anchors there: {', '.join(i.slug for i in inactive)})" if inactive else ""
            raise CommandError(f"Cannot calibrate: {error}{hint}.") from error
        seconds = time.monotonic() - started
        by_slug = {item.slug: item for item in items}
        self._report(result, by_slug, min_answers, assessments, seconds)

        short = [fit for fit in result.items if fit.answers < min_answers]
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was stored and the items keep their values.")
            return
        version = self._store(result, by_slug, min_answers, assessments, seconds, short)
        if short:
            fewest = min(short, key=lambda fit: fit.answers)
            self.stdout.write(
                self.style.WARNING(
                    f"Stored calibration {version.pk} inactive: {len(short)} of {len(result.items)} items have fewer "
                    f"than {min_answers} answers (fewest: {fewest.slug} with {fewest.answers}). "
                    "The items keep their values."
                )
            )
        elif not result.converged:
            self.stdout.write(
                self.style.WARNING(
                    f"Stored calibration {version.pk} inactive: the fit did not converge "
                    f"(iterations per competency: {result.iterations}). The items keep their values."
                )
            )
        else:
            changed = version.activate()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Calibration {version.pk} is active: {changed} items now use the learned values. "
                    "The admin (item calibrations) can switch back."
                )
            )

    def _report(self, result, by_slug: dict[str, Item], min_answers: int, assessments: int, seconds: float) -> None:
        self.stdout.write(
            f"Calibrated {len(result.items)} knowledge checks from {result.answers} answers in {assessments} finished "
            f"assessments ({seconds:.1f} s)."
        )
        header = (
            f"{'item':<14} {'answers':>7}  {'location old -> new (se)':<28} {'discrimination old -> new':<26} flags"
        )
        self.stdout.write(header)
        for fit in result.items:
            item = by_slug[fit.slug]
            location = f"{_number(item.location)} -> {_number(fit.location)} ({_number(fit.location_se)})"
            if fit.anchor:
                location = f"{_number(item.location)} (anchor)"
            discrimination = f"{_number(item.discrimination)} -> {_number(fit.discrimination)}"
            marks = ", ".join(fit.flags)
            if fit.answers < min_answers:
                marks = ", ".join(filter(None, [marks, f"fewer than {min_answers} answers"]))
            self.stdout.write(f"{fit.slug:<14} {fit.answers:>7}  {location:<28} {discrimination:<26} {marks}")
        flagged = [fit for fit in result.items if fit.flags]
        self.stdout.write(
            f"Items that do not fit: {len(flagged)}" + (f" ({', '.join(f.slug for f in flagged)})" if flagged else "")
        )
        ratings = result.self_ratings
        if ratings is None:
            self.stdout.write("Self-ratings: not estimated (too few people rated themselves).")
        else:
            self.stdout.write(
                f"Self-ratings, on the measurement's six steps: noise {ratings.noise_on_steps:.2f} levels, "
                f"bias {ratings.bias_mean_on_steps:+.2f} on average (spread {ratings.bias_sd_on_steps:.2f}); "
                f"on the continuous scale: noise {ratings.noise:.2f} ± {_number(ratings.noise_se)}, "
                f"bias {ratings.bias_mean:+.2f} (spread {ratings.bias_sd:.2f}); "
                f"from {ratings.ratings} self-ratings of {ratings.people} people."
            )
        if not result.converged:
            self.stdout.write(self.style.WARNING(f"The fit did not converge: {result.iterations}"))

    @transaction.atomic
    def _store(self, result, by_slug, min_answers: int, assessments: int, seconds: float, short) -> CalibrationVersion:
        ratings = result.self_ratings
        notes = []
        if short:
            notes.append(f"{len(short)} items with fewer than {min_answers} answers")
        if not result.converged:
            notes.append("the fit did not converge")
        version = CalibrationVersion.objects.create(
            assessments=assessments,
            answers=result.answers,
            min_answers=min_answers,
            self_rating_noise=None if ratings is None else ratings.noise_on_steps,
            self_rating_bias=None if ratings is None else ratings.bias_mean_on_steps,
            self_rating_bias_sd=None if ratings is None else ratings.bias_sd_on_steps,
            converged=result.converged,
            notes="; ".join(notes),
            details={
                "seconds": round(seconds, 2),
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
