"""German-first bilingual fields: `obj.text` gives `text_en` in English when it is filled, else `text_de`, with its
percent signs bound to their numbers (`core.numbers.bind_percent`: the content is free text admins write)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language

from core.numbers import bind_percent


def current_language() -> str:
    return "en" if (get_language() or "de").startswith("en") else "de"


class Translated:
    """A read-only attribute that picks the `<name>_de` or `<name>_en` field for the active language."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        value = getattr(obj, f"{self.name}_en") if current_language() == "en" else None
        if not value:
            value = getattr(obj, f"{self.name}_de")
        return bind_percent(value) if isinstance(value, str) else value
