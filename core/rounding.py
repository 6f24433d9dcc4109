"""The one rounding for numbers people read: halves up, on the number as it is written.

Python's `round` works on the binary float and rounds exact halves to even: `round(0.35, 1)` is 0.3 (the float is
0.34999...), `round(2.25, 1)` is 2.2 and `round(12.5)` is 12. Django's `floatformat` rounds the number's shortest
decimal text half up: 0,4, 2,3 and 13. A level stored to two decimals (a result read back) and written once by a
sentence and once by a table read "0,3" in one and "0,4" in the other. Every number a page, PDF, admin text or
stored result rounds for people is rounded here, so the text, the tables (`floatformat`) and every comparison of
a written number agree (`tests/core/test_numbers.py` holds the code to that). Pure: no Django, so the measurement
may use it too."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import lru_cache


def half_up(value: float, digits: int = 0) -> float:
    """`value` to `digits` decimals, halves up (away from zero) on its shortest decimal text, as `floatformat` does:
    0.35 -> 0.4, 2.25 -> 2.3, 12.5 -> 13.0, -0.35 -> -0.4. Not a finite number: returned as it is."""
    number = float(value)
    if not math.isfinite(number):
        return number
    return float(Decimal(repr(number)).quantize(_step(digits), context=_EXACT))


def half_up_int(value: float) -> int:
    """`value` to a whole number, halves up: 12.5 -> 13 (a count of minutes, seconds or percent for people)."""
    return int(half_up(value))


# Enough digits for any float to the decimals asked (the default 28 refused 1e27 to one decimal).
_EXACT = Context(prec=400, rounding=ROUND_HALF_UP)


@lru_cache(maxsize=8)
def _step(digits: int) -> Decimal:
    return Decimal(1).scaleb(-digits)
