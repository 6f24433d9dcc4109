"""Numbers in text, for people: a negative number with a real minus sign (U+2212), as typesetting and screen
readers expect ("−0,4", read "minus"), where a hyphen-minus ("-0,4") may break a line after it or be read as a
dash; and a percent sign bound to its number by a no-break space ("92 %" never breaks before the "%"). Attributes
keep machine numbers (`value="-0.4"`); this is only for text."""

from __future__ import annotations

import re

MINUS = "\u2212"
NO_BREAK_SPACE = "\u00a0"
_BREAKABLE_PERCENT = re.compile(r"(\d)[ \t]+%")


def with_minus(text: str) -> str:
    """A formatted number (`number_format`, `floatformat`) with its leading hyphen-minus as a minus sign; a number
    that rounds to zero keeps no sign (`number_format(-0.04, 1)` is "-0,0", which would read "minus zero")."""
    if not text.startswith("-"):
        return text
    return text[1:] if not any(digit in text for digit in "123456789") else MINUS + text[1:]


def bind_percent(text: str) -> str:
    """`text` with every percent sign bound to the number before it by a no-break space ("65 %" never breaks
    after the 65): for free text such as a course's description, which admins write."""
    return _BREAKABLE_PERCENT.sub(rf"\1{NO_BREAK_SPACE}%", text) if "%" in text else text
