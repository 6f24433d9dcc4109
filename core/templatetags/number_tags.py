"""`minus`: a formatted number in text with a real minus sign (see core.numbers); not for attributes."""

from __future__ import annotations

from django import template

from core.numbers import with_minus

register = template.Library()


@register.filter(is_safe=True)
def minus(value: object) -> str:
    """`value` (already formatted, e.g. by floatformat) with a leading hyphen-minus as U+2212."""
    return with_minus(str(value))
