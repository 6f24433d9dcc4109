"""What the flow does to an assessment: start it, record answers, finish it, score it."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from assessment.bank import competency_slugs, item_spec, items_with_options
from assessment.measurement import Profile, score_profile
from assessment.models import Answer, Assessment, Item, Option


def start_assessment(language: str = "de") -> Assessment:
    """A new anonymous assessment over the items that are active now, in questionnaire order."""
    ids = list(Item.objects.active().in_questionnaire_order().values_list("id", flat=True))
    return Assessment.objects.create(item_ids=ids, language=language)


def record_answer(assessment: Assessment, item: Item, option: Option | None) -> Answer:
    """Save (or change) the answer to one item; `option=None` records a skip.

    Safe against double submits and two open tabs: the last answer given wins, and the unique
    constraint on (assessment, item) means there is never more than one."""
    try:
        with transaction.atomic():
            answer, created = Answer.objects.get_or_create(
                assessment=assessment, item=item, defaults={"option": option}
            )
    except IntegrityError:  # the other tab created it between our read and our insert
        answer, created = Answer.objects.get(assessment=assessment, item=item), False
    if not created and answer.option_id != (option.pk if option else None):
        answer.option = option
        answer.save(update_fields=["option", "answered_at"])
    Assessment.objects.filter(pk=assessment.pk).update(updated_at=timezone.now())
    return answer


def finish_assessment(assessment: Assessment) -> None:
    """Mark the assessment finished (once; later calls change nothing)."""
    now = timezone.now()
    Assessment.objects.filter(pk=assessment.pk, finished_at__isnull=True).update(finished_at=now)
    assessment.refresh_from_db(fields=["finished_at"])


def answered_item_ids(assessment: Assessment) -> dict[int, int | None]:
    """item id -> chosen option id (None for a skip)."""
    return dict(assessment.answers.values_list("item_id", "option_id"))


def first_open_step(assessment: Assessment) -> int:
    """The first step not yet answered or skipped (1-based), or the last step when all are done."""
    done = answered_item_ids(assessment)
    for step, item_id in enumerate(assessment.item_ids, start=1):
        if item_id not in done:
            return step
    return max(1, assessment.total_steps)


def answers_by_slug(assessment: Assessment) -> dict[str, str | None]:
    rows = assessment.answers.values_list("item__slug", "option__value")
    return {slug: value for slug, value in rows}


def profile_for(assessment: Assessment) -> Profile:
    """Score an assessment's answers over the items it was started with."""
    items = items_with_options(assessment.item_ids)
    return score_profile(competency_slugs(), [item_spec(i) for i in items], answers_by_slug(assessment))
