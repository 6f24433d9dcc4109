"""German-first bilingual fields: `obj.text` gives `text_en` in English when it is filled, else `text_de`, with its
percent signs as the language writes them (`core.numbers.bind_percent`, `english_percent`: the content is free text
admins write).
`EnglishAlongsideGerman`: a model whose German texts may not stand without their English ones."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.numbers import bind_percent, english_percent


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
        if value and isinstance(value, str):
            return english_percent(value)
        value = getattr(obj, f"{self.name}_de")
        return bind_percent(value) if isinstance(value, str) else value


def missing_english(obj: models.Model) -> list[str]:
    """The `<name>_en` fields left empty beside a filled `<name>_de`, for each bilingual field of `obj`."""
    return [
        f"{name}_en"
        for klass in type(obj).__mro__
        for name, attribute in vars(klass).items()
        if isinstance(attribute, Translated)
        and str(getattr(obj, f"{name}_de") or "").strip()
        and not str(getattr(obj, f"{name}_en") or "").strip()
    ]


class EnglishAlongsideGerman(models.Model):
    """Validation (the admin's forms, the imports' full_clean): a German text needs its English one. Left empty, the
    English pages showed the German text, unmarked as German (no lang="de") for a screen reader."""

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None) -> None:
        errors: dict[str, list] = {}
        try:
            super().clean_fields(exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for name in missing_english(self):
            if not exclude or name not in exclude:
                # Instead of the field's "This field cannot be blank.": one empty cell, one message (an import's
                # row gave both).
                kept = [error for error in errors.get(name, []) if getattr(error, "code", None) != "blank"]
                errors[name] = [
                    *kept,
                    ValidationError(_("The English text is missing: English pages would show the German one.")),
                ]
        if errors:
            raise ValidationError(errors)
