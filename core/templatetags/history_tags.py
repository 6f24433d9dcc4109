"""`change_reason`: a history record's reason as the admin reads it (the apps register their own reasons)."""

from __future__ import annotations

from django import template

from core.history import change_reason_label

register = template.Library()


@register.filter
def change_reason(value: str | None) -> str:
    return change_reason_label(value)
