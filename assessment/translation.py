"""German-first bilingual fields: `obj.text` gives `text_en` in English when it is filled, else `text_de`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language


def current_language() -> str:
    return "en" if (get_language() or "de").startswith("en") else "de"


class Translated:
    """A read-only attribute that picks the `<name>_de` or `<name>_en` field for the active language."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        if current_language() == "en":
            value = getattr(obj, f"{self.name}_en")
            if value:
                return value
        return getattr(obj, f"{self.name}_de")
