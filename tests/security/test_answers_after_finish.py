"""An answer never lands after the assessment was finished, even when another tab finishes it mid-request."""

from __future__ import annotations

import pytest

from assessment.forms import AnswerForm
from assessment.models import Answer, Assessment, Item
from assessment.services import AssessmentFinished, finish_assessment, record_answer, start_assessment

pytestmark = pytest.mark.django_db


def test_an_answer_to_an_assessment_finished_elsewhere_is_refused():
    assessment = start_assessment()
    item = Item.objects.get(pk=assessment.item_ids[0])
    finish_assessment(Assessment.objects.get(pk=assessment.pk))  # another tab; this copy still looks open
    with pytest.raises(AssessmentFinished):
        record_answer(assessment, item, item.options.first())
    assert not Answer.objects.filter(assessment=assessment).exists()


def test_an_answer_posted_while_another_tab_finishes_gets_409_and_is_not_stored(client, monkeypatch):
    assessment = start_assessment()
    item = Item.objects.get(pk=assessment.item_ids[0])
    option = item.options.first()
    real_is_valid = AnswerForm.is_valid

    def finished_meanwhile(form):  # the other tab finishes between this request's check and its save
        finish_assessment(Assessment.objects.get(pk=assessment.pk))
        return real_is_valid(form)

    monkeypatch.setattr(AnswerForm, "is_valid", finished_meanwhile)
    response = client.post(assessment.step_url(1), {"item": item.slug, "option": option.value, "action": "answer"})
    assert response.status_code == 409
    assert not Answer.objects.filter(assessment=assessment).exists()
