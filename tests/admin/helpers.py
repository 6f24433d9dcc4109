"""Build admin POSTs the way a browser sends them: from the rendered form, then change what the test is about."""

from __future__ import annotations

from django import forms
from django.urls import reverse


def admin_url(obj_or_model, view: str = "change", *args) -> str:
    opts = obj_or_model._meta
    if view in {"change", "delete", "history"} and not args:
        args = (obj_or_model.pk,)
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def _add_form(data: dict, form: forms.BaseForm) -> None:
    for name, field in form.fields.items():
        bound = form[name]
        value = bound.value()
        if isinstance(field.widget, forms.CheckboxInput):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
            data[bound.html_name] = [str(v) for v in value or []]  # nothing selected: nothing sent
        elif value is None:
            data[bound.html_name] = ""
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        else:
            data[bound.html_name] = str(value)


def form_data(response) -> dict:
    """The data an admin add/change page posts when saved unchanged: the main form, every inline's
    management form and forms (extra forms included, as the browser sends them)."""
    data: dict = {}
    _add_form(data, response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):  # the revert page has none
        _add_form(data, inline.formset.management_form)
        for form in inline.formset.forms:
            _add_form(data, form)
    return data


def inline_prefix(response, model) -> str:
    """The form prefix of the inline for `model` on a rendered add/change page."""
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model is model:
            return inline.formset.prefix
    raise LookupError(model)


def set_inline_row(data: dict, prefix: str, index: int, **values) -> None:
    """Fill inline row `index`, adding it (and raising TOTAL_FORMS) when it is past the last row."""
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    if index >= total:
        data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    for name, value in values.items():
        key = f"{prefix}-{index}-{name}"
        if isinstance(value, bool):
            if value:
                data[key] = "on"
            else:
                data.pop(key, None)
        else:
            data[key] = str(value)


def inline_rows(data: dict, prefix: str) -> list[int]:
    return list(range(int(data[f"{prefix}-TOTAL_FORMS"])))


def errors_of(response) -> list[str]:
    """Every error message on a re-rendered admin form: fields, the form, inline rows and inline formsets."""
    found: list[str] = []
    form = response.context["adminform"].form
    for messages in form.errors.values():
        found.extend(messages)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        found.extend(formset.non_form_errors())
        for row in formset.errors:
            for messages in row.values():
                found.extend(messages)
    return found


def messages_shown(response) -> str:
    """The admin's messages on a followed response, in one string."""
    from django.contrib.messages import get_messages

    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def move_the_correct_option(data: dict, prefix: str) -> None:
    """Mark the next option of a knowledge check correct instead of the one that is."""
    rows = inline_rows(data, prefix)
    correct = next(r for r in rows if data.get(f"{prefix}-{r}-correct") == "on")
    set_inline_row(data, prefix, correct, correct=False)
    set_inline_row(data, prefix, next(r for r in rows if r != correct), correct=True)


def calibration_with_one_item():
    """A stored item calibration with the values of one knowledge check (its read-only inline has a row)."""
    from assessment.models import CalibrationVersion, Item, ItemCalibration

    version = CalibrationVersion.objects.create(assessments=120, answers=900, min_answers=80, converged=True)
    item = Item.objects.filter(kind=Item.Kind.KNOWLEDGE).order_by("pk")[0]
    ItemCalibration.objects.create(version=version, item=item, location=0.4, discrimination=1.1, answers=90)
    return version
