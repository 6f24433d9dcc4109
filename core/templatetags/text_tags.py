"""`shortened`: a text cut to at most a number of characters after a whole word, for a one-line summary."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def shortened(value: object, length: int) -> str:
    """`value` as it is when it fits in `length` characters, else cut at the last plain space within them, with "…".
    Only a plain space is a place to cut: a no-break space holds "99,5 %" together, and `truncatewords` (which splits
    at every kind of space and joins with plain ones) wrote "99,5 %" with a plain space, free to break (the
    typography test). `truncatechars` cut inside a word ("Host…", a review)."""
    text = str(value)
    if len(text) <= length:
        return text
    head = text[: length + 1]
    cut = head.rfind(" ")
    return (head[:cut] if cut > 0 else text[:length]).rstrip(" ,;:–-") + "…"
