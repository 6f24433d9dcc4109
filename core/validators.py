"""Limits on numbers whose messages write the limit as people write numbers in the page's language: "kleiner
oder gleich 1,0", "größer oder gleich −1,0" and "mehr als 100.000 EUR", not Django's "1.0", "-1.0" and "100000"
in a German sentence."""

from __future__ import annotations

import argparse

from django.core import validators
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.formats import number_format

from core.numbers import with_minus


class _Localized:
    def __call__(self, value) -> None:
        cleaned = self.clean(value)  # type: ignore[attr-defined]
        limit = self.limit_value() if callable(self.limit_value) else self.limit_value  # type: ignore[attr-defined]
        if self.compare(cleaned, limit):  # type: ignore[attr-defined]
            raise ValidationError(
                self.message,  # type: ignore[attr-defined]
                code=self.code,  # type: ignore[attr-defined]
                params={
                    "limit_value": with_minus(number_format(limit, force_grouping=True)),
                    "show_value": cleaned,
                    "value": value,
                },
            )


@deconstructible(path="core.validators.MinValue")
class MinValue(_Localized, validators.MinValueValidator):
    pass


@deconstructible(path="core.validators.MaxValue")
class MaxValue(_Localized, validators.MaxValueValidator):
    pass


MOST_DAYS = 36_500  # a hundred years: more keeps everything, and a date that far back cannot be computed


def positive_days(value: str) -> int:
    """A number of days from 1 to `MOST_DAYS`: 0 or a negative number would delete every record it keeps for a time
    (an assessment in progress, a recent login record)."""
    days = whole_number(value, "whole number of days")
    if days < 1:
        raise argparse.ArgumentTypeError("--days must be at least 1 (0 or less would delete what is still kept)")
    if days > MOST_DAYS:
        raise argparse.ArgumentTypeError(f"--days must be at most {MOST_DAYS} (a hundred years)")
    return days


def whole_number(value: str, what: str = "whole number") -> int:
    """A command-line argument read as an int, refused with a sentence (argparse's own message names a Python
    type)."""
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a {what}") from None
