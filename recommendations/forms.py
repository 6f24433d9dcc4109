from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.utils.translation import gettext_lazy as _

from recommendations.models import ConfirmedOutcome, Role


class OutcomeForm(forms.Form):
    """Feedback on a result: do the best roles fit, and (optionally) which role the person holds or aims at."""

    fits = forms.ChoiceField(
        label=_("Do the roles at the top fit you?"),
        choices=ConfirmedOutcome.Fits.choices,
        widget=forms.RadioSelect,
    )
    role = forms.ChoiceField(label=_("The role I hold or aim at (optional)"), required=False)
    relation = forms.ChoiceField(
        label=_("This role is"),
        choices=ConfirmedOutcome.Relation.choices,
        widget=forms.RadioSelect,
        required=False,
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
        self.fields["role"].choices = [("", "—")] + [(r.slug, r.name) for r in roles]

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("role") and not cleaned.get("relation"):
            self.add_error("relation", _("Say whether you work in this role or aim at it."))
        return cleaned
