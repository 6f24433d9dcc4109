"""`hyphenate`: a name with soft hyphens in its long words, in the active language, for text a narrow box shows;
`join_hyphenated`: names joined, each so.

Not for attributes, <option>s or SVG text (a soft hyphen there helps nothing and gets in the way of what reads
or compares them); the PDF leaves hyphenation to WeasyPrint (see recommendations.documents.render_pdf).
"""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from core.hyphenation import hyphenate as hyphenated

register = template.Library()


@register.filter(needs_autoescape=True)
def hyphenate(value: object, autoescape: bool = True) -> str:
    """`value`, escaped, with soft hyphens in its long words for the active language; markup passes unchanged."""
    if isinstance(value, SafeString):  # markup already: its tags and attributes are no place for soft hyphens
        return value
    text = hyphenated(str(value), get_language() or "")
    # Escaped here, and only then marked safe (escape() does both): the soft hyphens are the filter's own.
    return escape(text) if autoescape else text


@register.filter(needs_autoescape=True)
def join_hyphenated(values: object, separator: str, autoescape: bool = True) -> str:
    """Names joined by `separator`, each escaped and with soft hyphens (`join` then `hyphenate` would leave the
    joined names alone: `join` marks its result safe)."""
    separator = conditional_escape(separator) if autoescape else separator  # as `join` does
    joined = separator.join(hyphenate(str(value), autoescape) for value in values)  # type: ignore[attr-defined]
    return SafeString(joined) if autoescape else joined
