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

from django.core.management.base import BaseCommand, CommandError

from assessment.calibration_runs import DEFAULT_MIN_ANSWERS, CalibrationFailed, CalibrationRun, run
from core.validators import whole_number


def at_least_one(value: str) -> int:
    number = whole_number(value)
    if number < 1:
        raise argparse.ArgumentTypeError("--min-answers must be at least 1")
    return number


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
        try:
            done = run(min_answers, dry_run=options["dry_run"])
        except CalibrationFailed as error:
            raise CommandError(f"Cannot calibrate: {error}.") from error
        if done.outcome == "no_items":
            self.stdout.write(
                "There are no active knowledge checks to calibrate (load the question bank first). Nothing was stored."
            )
            return
        if done.outcome == "no_answers":
            self.stdout.write(
                "No answers to learn from yet: no finished assessment has an answered knowledge check. "
                "Nothing was stored; the items keep their values."
            )
            return
        self._report(done)
        version, result = done.version, done.result
        assert result is not None, "every outcome but no_items and no_answers has a fit"
        if done.outcome == "dry_run":
            self.stdout.write("Dry run: nothing was stored and the items keep their values.")
        elif done.outcome == "short":
            assert version is not None
            fewest = min(done.short, key=lambda fit: fit.answers)
            self.stdout.write(
                self.style.WARNING(
                    f"Stored calibration {version.pk} inactive: {len(done.short)} of {len(result.items)} items have "
                    f"fewer than {min_answers} answers (fewest: {fewest.slug} with {fewest.answers}). "
                    "The items keep their values."
                )
            )
        elif done.outcome == "not_converged":
            assert version is not None
            self.stdout.write(
                self.style.WARNING(
                    f"Stored calibration {version.pk} inactive: the fit did not converge "
                    f"(iterations per competency: {result.iterations}). The items keep their values."
                )
            )
        elif done.outcome == "misfits":
            assert version is not None
            self.stdout.write(
                self.style.WARNING(
                    f"Stored calibration {version.pk} inactive: {done.summary()['misfits']} of {len(result.items)} "
                    "items do not fit (more than a fifth). The items keep their values."
                )
            )
        else:
            assert version is not None
            self.stdout.write(
                self.style.SUCCESS(
                    f"Calibration {version.pk} is active: {done.changed} items now use the learned values. "
                    "The admin (item calibrations) can switch back."
                )
            )

    def _report(self, done: CalibrationRun) -> None:
        result, by_slug, min_answers = done.result, done.items, done.min_answers
        assert result is not None
        self.stdout.write(
            f"Calibrated {len(result.items)} knowledge checks from {result.answers} answers in "
            f"{done.assessments} finished assessments ({done.seconds:.1f} s)."
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
