"""Limits on numbers whose messages write the limit as people write numbers in the page's language: "kleiner
oder gleich 1,0", "größer oder gleich −1,0" and "mehr als 100.000 EUR", not Django's "1.0", "-1.0" and "100000"
in a German sentence."""

from __future__ import annotations

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
