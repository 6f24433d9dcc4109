from __future__ import annotations

import pytest

from assessment.models import Assessment, Item
from assessment.services import finish_assessment, record_answer, start_assessment

TEST_PROFILES_PER_ROLE = 120  # a smaller training set keeps the suite quick; accuracy is tested at full size


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database has the shipped content (data migrations) and one trained model."""
    from recommendations.services import train_and_activate

    with django_db_blocker.unblock():
        train_and_activate(per_role=TEST_PROFILES_PER_ROLE)


def answer_all(assessment: Assessment, choose) -> Assessment:
    """Answer every item of an assessment through the service the views use.
    `choose(item, options)` returns the option to pick, or None to skip."""
    items = Item.objects.prefetch_related("options").in_bulk(assessment.item_ids)
    for item_id in assessment.item_ids:
        item = items[item_id]
        record_answer(assessment, item, choose(item, list(item.options.all())))
    finish_assessment(assessment)
    return assessment


def strongest(item: Item, options):
    """The best answer: top self-rating, the right knowledge option, the most architect-like style."""
    if item.kind == Item.Kind.SELF_RATING:
        return max(options, key=lambda o: o.level)
    if item.kind == Item.Kind.KNOWLEDGE:
        return next(o for o in options if o.correct)
    return max(options, key=lambda o: o.style)


def weakest(item: Item, options):
    if item.kind == Item.Kind.SELF_RATING:
        return min(options, key=lambda o: o.level)
    if item.kind == Item.Kind.KNOWLEDGE:
        return next(o for o in options if not o.correct)
    return min(options, key=lambda o: o.style)


@pytest.fixture
def assessment(db) -> Assessment:
    return start_assessment()


@pytest.fixture
def finished_assessment(db) -> Assessment:
    return answer_all(start_assessment(), strongest)
