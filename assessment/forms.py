from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from assessment.models import Item, Option


class AnswerForm(forms.Form):
    """One question: choose an option, or skip. `item` guards against answers meant for another
    question (a stale tab, a tampered form)."""

    ANSWER = "answer"
    SKIP = "skip"
    ANSWER_TO_OPEN = "answer-open"  # save, then on to the adaptive test's open question (from a page gone back to)

    item = forms.CharField(widget=forms.HiddenInput)
    option = forms.ChoiceField(
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": _("This answer does not belong to this question.")},
    )
    action = forms.ChoiceField(
        choices=[(ANSWER, ANSWER), (SKIP, SKIP), (ANSWER_TO_OPEN, ANSWER_TO_OPEN)],
        required=False,
        error_messages={"invalid_choice": _("Please answer or skip the question with the buttons shown.")},
    )

    def __init__(self, *args, item: Item, **kwargs) -> None:
        # Ids of each question's own: after htmx swapped in the next question, it put focus back on the element with
        # the id the pressed option had ("id_option_3"), now an option of the new question, and Tab from the heading
        # then went to that option instead of the first (a review, by keyboard in Chromium).
        kwargs.setdefault("auto_id", f"id_{item.slug}_%s")
        super().__init__(*args, **kwargs)
        self.item_obj = item
        cast(forms.ChoiceField, self.fields["option"]).choices = [(o.value, o.label) for o in item.options.all()]
        self.fields["option"].label = item.text
        self.fields["item"].initial = item.slug
        # Sent for another question (a stale tab) or for none: refused, and shown again as the question it shows,
        # with its own earlier answer chosen if it has one (`item_to_answer` with the attempt; the skip button then
        # says it removes it), else nothing. Kept as sent, the form carried the other question's slug into every
        # retry (each refused again) and showed the other question's choice as chosen here.
        self.meant_for_another = self.is_bound and self.data.get("item") != item.slug
        if self.meant_for_another:
            earlier = next((o.value for o in item.options.all() if getattr(o, "chosen_earlier", False)), None)
            self.data = {"item": item.slug} | ({"option": earlier} if earlier else {})
            self.initial["option"] = earlier

    def clean(self) -> dict[str, Any]:
        if self.meant_for_another:
            raise forms.ValidationError(
                # a person who answered exactly the question shown was told the answer was meant for another: the
                # question had changed because an earlier answer was changed in a second window (a review)
                _(
                    "The question at this place has changed since the page was loaded (an earlier answer was changed, "
                    "perhaps in another window), so your answer was not saved. Please answer the question shown."
                ),
                code="wrong_item",
            )
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("action") != self.SKIP and not cleaned.get("option") and "option" not in self.errors:
            self.add_error("option", _("Please choose an answer, or skip the question."))
        return cleaned

    @property
    def skipped(self) -> bool:
        return self.cleaned_data.get("action") == self.SKIP

    @property
    def to_open_question(self) -> bool:
        return self.cleaned_data.get("action") == self.ANSWER_TO_OPEN

    def chosen_option(self) -> Option | None:
        if self.skipped:
            return None
        value = self.cleaned_data["option"]
        return next(o for o in self.item_obj.options.all() if o.value == value)
