from __future__ import annotations

from collections import Counter

import pytest
from django.apps import apps as django_apps

from assessment.content import load_question_bank
from assessment.models import Competency, Item, LevelDescriptor

pytestmark = pytest.mark.django_db

FRAMEWORK_SLUGS = {
    "service_management",
    "security_compliance",
    "agile",
    "automation",
    "it_architecture",
    "process_design",
    "project_management",
    "troubleshooting",
    "communication",
    "change_resilience",
}


def test_the_ten_competencies_of_the_framework_are_shipped():
    assert set(Competency.objects.values_list("slug", flat=True)) == FRAMEWORK_SLUGS


def test_every_competency_has_a_self_rating_and_knowledge_checks_over_all_difficulties():
    for competency in Competency.objects.all():
        items = list(competency.items.prefetch_related("options"))
        self_ratings = [i for i in items if i.kind == Item.Kind.SELF_RATING]
        knowledge = [i for i in items if i.kind == Item.Kind.KNOWLEDGE]
        assert self_ratings, competency.slug
        assert sorted(o.level for o in self_ratings[0].options.all()) == [0, 1, 2, 3, 4, 5]
        assert len(knowledge) >= 4, competency.slug
        assert {i.difficulty for i in knowledge} >= {1, 2, 3, 4, 5} - {None} or len(
            {i.difficulty for i in knowledge}
        ) >= 4


def test_every_knowledge_check_has_exactly_one_right_answer_and_teaches_something():
    for item in Item.objects.filter(kind=Item.Kind.KNOWLEDGE).prefetch_related("options"):
        assert sum(o.correct for o in item.options.all()) == 1, item.slug
        assert item.feedback_de and item.feedback_en, item.slug
        assert 1 <= item.difficulty <= 5


def test_there_are_at_least_eight_work_style_scenarios_spanning_the_axis():
    scenarios = Item.objects.filter(kind=Item.Kind.SCENARIO).prefetch_related("options")
    assert scenarios.count() >= 8
    for item in scenarios:
        styles = [o.style for o in item.options.all()]
        assert all(-1 <= s <= 1 for s in styles), item.slug
        assert min(styles) < 0 < max(styles), item.slug


def test_every_text_exists_in_german_and_english():
    for item in Item.objects.prefetch_related("options"):
        assert item.text_de.strip() and item.text_en.strip(), item.slug
        for option in item.options.all():
            assert option.label_de.strip() and option.label_en.strip(), f"{item.slug}:{option.value}"
    assert LevelDescriptor.objects.count() == 60


def test_loading_the_content_again_creates_nothing_and_keeps_an_admins_edit():
    item = Item.objects.get(slug="svc-k1")
    item.text_de = "Von der Redaktion geändert"
    item.save()
    assert load_question_bank(django_apps) == 0
    item.refresh_from_db()
    assert item.text_de == "Von der Redaktion geändert"
    counts = Counter(Item.objects.values_list("slug", flat=True))
    assert max(counts.values()) == 1


def test_a_deleted_item_is_restored_by_loading_again():
    Item.objects.filter(slug="svc-k1").delete()
    assert load_question_bank(django_apps) == 1
    assert Item.objects.filter(slug="svc-k1").exists()
