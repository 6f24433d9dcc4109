"""The admin's start page: how the background work that keeps the retention periods is doing."""

from __future__ import annotations

from django import template

from core import housekeeping

register = template.Library()


@register.simple_tag
def clean_up_status() -> housekeeping.Status:
    return housekeeping.status()
