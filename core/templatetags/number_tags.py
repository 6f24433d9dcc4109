"""Numbers in text (see core.numbers), never for attributes: `minus`, a formatted number with a real minus sign;
`percent`, a share in whole percent that says 100 only for all and 0 only for nothing; `hours`, a number of hours
with its noun ("1 Stunde", "2,5 Stunden"); `span`, two numbers with one decimal as a range ("1,0–1,4"), or one
number where they are equal ("4,7", never "4,7–4,7"); `percent_range`, two shares as a range of whole percent;
`match_share`, a role's match with its range as every page words it.

A range is one unit for the reader: it comes in `<span class="range">` (static/css/app.css keeps it on one line),
since a browser may break a line after the dash ("0,7–" at the end of one line, "3,5" on the next);
`ranges_together` does the same for the ranges in a text written by people (a role's pay: "3.000–3.800 €")."""

from __future__ import annotations

import re

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from core.numbers import hours_text, whole_percent, with_minus, with_percent_sign

register = template.Library()


@register.filter(is_safe=True)
def minus(value: object) -> str:
    """`value` (already formatted, e.g. by floatformat) with a leading hyphen-minus as U+2212."""
    return with_minus(str(value))


@register.filter(is_safe=True)
def percent(value: object) -> str:
    """A share in percent (a number 0-100) as a whole number for the text beside a "%" (`whole_percent`); empty
    for anything that is not a number."""
    try:
        return str(whole_percent(float(value)))  # type: ignore[arg-type]
    except (TypeError, ValueError, ArithmeticError):  # ArithmeticError: infinity or NaN, no share
        return ""


@register.filter
def percent_sign(number: object) -> str:
    """`number` (a `percent` or a `percent_range`) with the percent sign as the page's language writes it
    (`with_percent_sign`): "92 %" in German, "92%" in English; a range's markup kept."""
    return mark_safe(with_percent_sign(str(conditional_escape(number if isinstance(number, str) else str(number)))))  # noqa: S308  (escaped; our own sign)


@register.filter
def hours(value: object) -> str:
    """A number of hours with its noun in the page's language (`hours_text`); empty for anything not a number."""
    try:
        return hours_text(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError, ArithmeticError):
        return ""


def _range(low: str, high: str) -> SafeString:
    return format_html('<span class="range">{}\u2013{}</span>', low, high)


@register.filter
def span(low: object, high: object) -> str:
    """`low`–`high` with one decimal in the page's format, or the one number when both show alike; empty for
    anything not a number."""
    try:
        numbers = [float(value) for value in (low, high)]  # type: ignore[arg-type]
    except (TypeError, ValueError, ArithmeticError):
        return ""
    shown = [str(floatformat(number, 1)) for number in numbers]  # rounded and written as the page writes levels
    return shown[0] if shown[0] == shown[1] else _range(*shown)


@register.filter
def percent_range(low: object, high: object) -> str:
    """Two shares in whole percent (`percent`) as a range kept on one line, for the text before a "%"."""
    return _range(percent(low), percent(high))


@register.filter
def match_share(match: object) -> str:
    """A role's match (anything with `value`, `low` and `high` in percent) for the words around it: "92 %" where its
    90 % range rounds to that one number, else "etwa 92 % (82–100 %)", the range in its span (`striptags` for an
    <option>); empty unless all three are numbers (a match without its range is not said as one). One wording for
    the sentences of the cards, the role chooser, the roles in detail, the notice of a first role computed anew and
    the PDF: it was spelt out in nine places. (The comparison's table writes its cells, without "etwa", itself.)"""
    value, low, high = (percent(getattr(match, name, None)) for name in ("value", "low", "high"))
    if not (value and low and high):
        return ""
    if low == high:
        text = conditional_escape(gettext("%(match)s%%")) % {"match": value}
    else:
        text = conditional_escape(gettext("about %(match)s%% (%(range)s%%)")) % {
            "match": value,
            "range": percent_range(low, high),
        }
    return mark_safe(text)  # noqa: S308  (the wording escaped; whole numbers and the range's own markup)


# a number, or a pay grade ("E9a"), to another: "3.000–3.800", "8–12", "E9b–E11"
_NUMBER = r"[A-Z]?\d(?:[\d.,]*\d)?[a-z]?"
NUMBER_RANGE = re.compile(rf"(?<![\w.,]){_NUMBER}\u2013{_NUMBER}(?![\w])")


@register.filter(is_safe=True)
def ranges_together(text: object) -> SafeString:
    """`text`, escaped, with each range of numbers in it kept on one line ("3.000–3.800")."""
    escaped = str(conditional_escape(text if isinstance(text, str) else str(text)))  # a SafeString stays as it is
    return mark_safe(NUMBER_RANGE.sub(lambda found: f'<span class="range">{found[0]}</span>', escaped))  # noqa: S308
