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


def test_a_plan_computed_while_another_tab_finishes_is_not_stored_on_the_finished_attempt(monkeypatch):
    """The plan is computed outside the row's lock; when another tab finished the attempt meanwhile, it was stored
    anyway: a finished attempt with an open question in its list and a plan that was not done, which the results
    page then never judged."""
    from assessment import services
    from assessment.services import plan_after_answer

    assessment = start_assessment(adaptive=True)
    assert assessment.adaptive
    item = Item.objects.get(pk=assessment.asked_ids[-1])
    record_answer(assessment, item, item.options.first())
    real = services._choose_next

    def finished_meanwhile(target, given, skipped):
        decision = real(target, given, skipped)
        finish_assessment(Assessment.objects.get(pk=assessment.pk))  # the other tab, while this one planned
        return decision

    monkeypatch.setattr(services, "_choose_next", finished_meanwhile)
    before = Assessment.objects.get(pk=assessment.pk)
    assert plan_after_answer(assessment) is None
    after = Assessment.objects.get(pk=assessment.pk)
    assert after.finished_at is not None and assessment.finished_at == after.finished_at
    assert after.asked_ids == before.asked_ids and after.plan == before.plan


@pytest.mark.parametrize("adaptive", [True, False])
def test_the_finished_page_names_the_one_way_to_add_answers_where_there_is_one(client, adaptive):
    """ "Its answers can no longer be changed" left out "Ergebnis schärfen", which adds answers to an adaptive one."""
    assessment = start_assessment(adaptive=adaptive)
    finish_assessment(assessment)
    text = client.get(assessment.step_url(1)).content.decode()
    assert "nicht mehr ändern" in text
    assert ("„Ergebnis schärfen“" in text) == adaptive
