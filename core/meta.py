"""Model metadata as the apps use it, typed: Django's `_meta.get_field` may also return a reverse relation or a
generic foreign key, and a relation's `related_model` may still be "self" or None before the apps are loaded."""

from __future__ import annotations

from django.db import models


def concrete_field(model: type[models.Model], name: str) -> models.Field:
    """The model's field `name` where it must be a field of the model itself (not a reverse relation)."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field), f"{model.__name__}.{name} is not a field of the model"
    return field


def target_model(field: models.Field) -> type[models.Model]:
    """The model a relation points to (always a model class once the apps are loaded)."""
    model = field.related_model
    assert isinstance(model, type) and issubclass(model, models.Model), f"{field} is not a resolved relation"
    return model
