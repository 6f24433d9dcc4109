from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.numbers import is_plain_number, typed_number
from recommendations.models import ConfirmedOutcome, Role

# Django's own message repeats the refused value ("maybe ist keine gültige Auswahl."), a raw word from the request.
# Each names its question: the messages stand together above the form, and three times "Please choose one of the
# answers offered." named none (a review).
RELATION_REQUIRED = _("Say whether you work in this role or aim at it.")


class OutcomeForm(forms.Form):
    """Feedback on a result: do the best roles fit, and (optionally) which role the person holds or aims at."""

    fits = forms.ChoiceField(
        label=_("Do the roles at the top fit you?"),
        choices=ConfirmedOutcome.Fits.choices,
        widget=forms.RadioSelect,
        # the message stands alone above the form, so it names the question ("This field is required" did not)
        error_messages={
            "invalid_choice": _("Please choose one of the answers offered: do the roles at the top fit you?"),
            "required": _("Please answer: do the roles at the top fit you?"),
        },
    )
    role = forms.ChoiceField(
        label=_("The role I hold or aim at (optional)"),
        required=False,
        error_messages={"invalid_choice": _("Please choose one of the roles offered as the role you hold or aim at.")},
    )
    relation = forms.ChoiceField(
        label=_("This role is"),
        choices=ConfirmedOutcome.Relation.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": RELATION_REQUIRED},
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that this feedback is stored without my answers, my link or anything that identifies me, "
            "and used to improve the recommendations."
        ),
        required=True,
        error_messages={"required": _("Without your consent we store nothing.")},
    )

    def __init__(self, *args, roles: Iterable[Role], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = [("", "—")] + [(r.slug, r.name) for r in roles]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("role") and not cleaned.get("relation"):
            self.add_error("relation", RELATION_REQUIRED)
        return cleaned


def _no_larger_than(limit: int) -> str:
    """The message for a number above `limit`, the limit written for people in the page's language ("10.000"):
    Django's own message writes it as a machine would ("kleiner oder gleich 10000")."""
    return lazy(
        lambda: _("Enter a number no larger than %(limit)s.") % {"limit": number_format(limit, force_grouping=True)},
        str,
    )()


class LimitField(forms.DecimalField):
    """A limit as people write numbers (the form reads them through `typed_number`): digits and one decimal
    separator, at most two decimals. "1e3" was read as 1.000; "1,500" was told Django's "at most 2 decimal
    places", which does not say that German reads it as 1,5."""

    default_error_messages = {
        "invalid": _("Enter a number, e.g. 12.5 or 1,500."),
        "max_decimal_places": _("Enter at most two decimals (thousands as in 1,500)."),
    }

    def to_python(self, value):
        if isinstance(value, str) and value.strip() and not is_plain_number(value.strip()):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class PathLimitsForm(forms.Form):
    """Optional limits for the learning path (a GET form on the results page): at most N hours, at most B
    euros of known prices. Empty fields mean no limit."""

    max_hours = LimitField(
        label=_("Maximum hours"),
        required=False,
        min_value=0,
        max_value=10_000,
        decimal_places=2,  # a limit of 0.0000000001 hours was applied, and its field showed empty
        error_messages={"max_value": _no_larger_than(10_000)},
    )
    max_price_eur = LimitField(
        label=_("Maximum cost (EUR)"),
        required=False,
        min_value=0,
        max_value=1_000_000,
        decimal_places=2,
        error_messages={"max_value": _no_larger_than(1_000_000)},
    )

    def __init__(self, data=None, *args, **kwargs) -> None:
        self.typed = dict(data or {})  # as the person wrote them, shown again when refused
        if data is not None:
            language = get_language() or ""
            data = {k: (typed_number(v, language) if k in self.base_fields else v) for k, v in data.items()}
        super().__init__(data, *args, **kwargs)

    def _number_value(self, name: str) -> str:
        """A field's value as the person reads it: a valid number in the page's language ("12,5"), a refused one
        as typed, so that it can be corrected."""
        if self[name].errors:
            return str(self.typed.get(name, ""))[:40]
        value = self[name].value()
        if value in (None, ""):
            return ""
        try:
            number = Decimal(str(value))
        except ArithmeticError:
            return ""
        if not number.is_finite() or number.adjusted() > 9 or number.adjusted() < -9:  # no 1e999999999 written out
            return ""
        number = abs(number) if number == 0 else number  # "-0" is 0, written without a sign
        # grouped as people write it ("1.500"), which the form reads back as the same number
        return number_format(number.normalize() if number == number.to_integral() else number, force_grouping=True)

    @property
    def hours_value(self) -> str:
        return self._number_value("max_hours")

    @property
    def price_value(self) -> str:
        return self._number_value("max_price_eur")

    def limits(self) -> dict[str, float]:
        """The limits as `learning_path_for` takes them (only those given)."""
        return {name: float(value) for name, value in self.cleaned_data.items() if value is not None}


def path_limits(query) -> tuple[PathLimitsForm, dict[str, float] | None]:
    """The limits form from a query string, and the limits it asks for: None when the query does not set
    them (the stored ones stay) or when they are not valid (the form then carries the errors)."""
    if not any(name in query for name in PathLimitsForm.base_fields):
        return PathLimitsForm(), None
    form = PathLimitsForm({name: query.get(name, "") for name in PathLimitsForm.base_fields})
    return form, form.limits() if form.is_valid() else None
