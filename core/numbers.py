"""Numbers in text, for people: a negative number with a real minus sign (U+2212), as typesetting and screen
readers expect ("−0,4", read "minus"), where a hyphen-minus ("-0,4") may break a line after it or be read as a
dash; a percent sign bound to its number by a no-break space ("92 %" never breaks before the "%"); and a share in
whole percent that says "100" only for all and "0" only for nothing. Attributes keep machine numbers
(`value="-0.4"`); this is only for text."""

from __future__ import annotations

import re

from django.template.defaultfilters import floatformat
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

from core.rounding import half_up, half_up_int

MINUS = "\u2212"
NO_BREAK_SPACE = "\u00a0"
_BREAKABLE_PERCENT = re.compile(r"(\d)[ \t]+%")


def with_minus(text: str) -> str:
    """A formatted number (`number_format`, `floatformat`) with its leading hyphen-minus as a minus sign; a number
    that rounds to zero keeps no sign (`number_format(-0.04, 1)` is "-0,0", which would read "minus zero")."""
    if not text.startswith("-"):
        return text
    return text[1:] if not any(digit in text for digit in "123456789") else MINUS + text[1:]


def number_text(value: float, digits: int) -> str:
    """A number for people in text, to `digits` decimals as the active language writes them: rounded first
    (`number_format` alone cuts the digits off: 1.96 would read "1,9"), with a real minus, and never "-0,0" (a value
    that rounds to zero from below, or -0.0 itself, which `round` and numpy produce, e.g. by negating a 0). Every
    decimal a page, PDF or admin text writes goes through here; `number_format` stays only for thousands grouping
    (the admin lists' number columns, `assessment.admin.grouped`, with a real minus too; `tests/core/test_numbers.py`
    holds the code to that). Halves up, as `floatformat` rounds the tables (`core.rounding`)."""
    return with_minus(number_format(half_up(value, digits), digits))


def with_percent_sign(number: str) -> str:
    """`number` (already written for people) with its percent sign as the active language writes it: German binds
    it by a no-break space ("92 %", DIN 5008), English writes none ("92%")."""
    return gettext("%(number)s%%") % {"number": number}


def bind_percent(text: str) -> str:
    """`text` with every percent sign bound to the number before it by a no-break space ("65 %" never breaks
    after the 65): for free text such as a course's description, which admins write."""
    return _BREAKABLE_PERCENT.sub(rf"\1{NO_BREAK_SPACE}%", text) if "%" in text else text


_SPACED_PERCENT = re.compile(r"(\d)[ \t\u00a0\u202f]+%")


def english_percent(text: str) -> str:
    """`text` with every percent sign right after its number, as English writes it ("65%"): for free text such
    as a course's English description, which admins write (and the shipped content wrote "99.5 %")."""
    return _SPACED_PERCENT.sub(r"\1%", text) if "%" in text else text


def whole_percent(value: float) -> int:
    """A share in percent (0-100) as a whole number for people: halves up, as `floatformat` rounds, except that
    100 stands only for all of it and 0 only for none. A role match of 99.6 % beside a requirement it still
    misses reads 99 %, not "100 %"; a 0.3 % match reads 1 %, not "nothing"."""
    shown = half_up_int(value)
    if shown >= 100 and value < 100:
        return 99
    if shown <= 0 and value > 0:
        return 1
    return shown


def one_decimal(level: float) -> float:
    """A level as the pages write it, to one decimal ("2,95" is written "3,0"): what every comparison of a level
    with a requirement that a page states must use, so that "3,0 von 3" is never listed as missed. Halves up, as the
    tables write it (`core.rounding`): 0.35 is "0,4" in both."""
    return half_up(level, 1)


def shown_gap(required: float, level: float) -> float:
    """What the level as written (`one_decimal`) leaves of a requirement, to one decimal: 0 where the page writes
    the level at or above it."""
    return half_up(max(0.0, float(required) - one_decimal(level)), 1)


# A level below its requirement by at most this (as written, to one decimal), with a 90 % range that reaches the
# requirement, is "possibly met" (the chart, its table and the role cards say so alike); a larger gap is below the
# requirement, however wide the range: beside "0,7 von 2" "possibly met" read as within reach.
CLEARLY_BELOW = 0.5


def possibly_met(required: float, level: float, high: float | None) -> bool:
    """A gap as written (`shown_gap`) of at most CLEARLY_BELOW that the level's 90 % range (top `high`) reaches: a
    level written "3,5" reads "about level 4" (halves up), so half a level below 4 is within reach, not below it
    (a review found "3,5" described as about level 4 and listed as below 4 by half a level or more)."""
    gap = shown_gap(required, level)
    return high is not None and 0 < gap <= CLEARLY_BELOW and float(high) >= float(required)


def plural_count(value: float) -> int:
    """The count that picks a noun's form for a number that may have decimals: a whole number is its own count,
    any other takes the plural ("1,5 Stunden", "0.5 hours"; gettext only takes whole counts)."""
    number = float(value)
    return int(number) if number.is_integer() else 2


def hours_text(hours: float) -> str:
    """A number of hours for the text, the noun agreeing with it: "1 Stunde", "1,5 Stunden", "1.200 Stunden"."""
    return ngettext("%(hours)s hour", "%(hours)s hours", plural_count(hours)) % {"hours": floatformat(hours, "-1g")}


_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")  # Latin digits: Decimal reads "١٢" too


def is_plain_number(text: str) -> bool:
    """Whether `text` (as `typed_number` gives it) is a number written with digits and one decimal point only:
    Python's Decimal also reads "1e3", "Infinity" and "1_000", which no person means as a limit or a price."""
    return _PLAIN_NUMBER.fullmatch(text) is not None


def typed_number(text: str, language: str) -> str:
    """A number as a person types it in `language`, in machine format: German groups thousands with a point ("1.000"
    is a thousand, "1.000,50"), English with a comma ("1,000", "1,000.50"); otherwise either sign is the decimal one
    ("12,5", "12.5"). A group of thousands never starts with 0: German "0.500" is a half, not 500. Anything else is
    left for the field to refuse. One reading for every form that takes a number: the results page's limits and
    the admin's number fields read "0.500" alike (the admin saved it as 500)."""
    text = re.sub(r"[\s\u00a0\u202f]", "", str(text)).replace(MINUS, "-")  # the minus the admin's lists write
    group, decimal = (".", ",") if language.lower().startswith("de") else (",", ".")
    if re.fullmatch(rf"[+-]?[1-9]\d{{0,2}}(?:\{group}\d{{3}})+(?:\{decimal}\d*)?", text):
        text = text.replace(group, "")
    return text.replace(",", ".")
