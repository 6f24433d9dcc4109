"""`selection_digest`: which rows an admin confirms when the changelist sent "all N matching" (select_across),
so that the confirmed action applies to exactly those: Django rebuilds the selection from the list's filters when
the confirmation arrives, and a row that came to match in between would have been deleted unseen."""

from __future__ import annotations

import hashlib

from django import template

register = template.Library()


@register.filter
def selection_digest(queryset) -> str:
    """A digest of the rows' primary keys, the same for the same rows in any order."""
    keys = ",".join(str(pk) for pk in sorted(queryset.values_list("pk", flat=True)))
    return hashlib.sha256(keys.encode()).hexdigest()
