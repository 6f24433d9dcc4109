"""Numbers in text, for people: a negative number with a real minus sign (U+2212), as typesetting and screen
readers expect ("−0,4", read "minus"), where a hyphen-minus ("-0,4") may break a line after it or be read as a
dash. Attributes keep machine numbers (`value="-0.4"`); this is only for text."""

from __future__ import annotations

MINUS = "\u2212"


def with_minus(text: str) -> str:
    """A formatted number (`number_format`, `floatformat`) with its leading hyphen-minus as a minus sign."""
    return MINUS + text[1:] if text.startswith("-") else text
