"""Admin lists, selects and filters sort names and titles as a German reader looks them up: "alfatraining" among
the A (it came after "Z"), "Camunda" before "COBIT", "Ämter" beside "Amt", on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.db.models import F
from django.urls import reverse

from core.ordering import GermanOrder, german_key
from recommendations.models import Course, Provider

pytestmark = pytest.mark.django_db

NAMES = ["Zentrum Ost", "COBIT-Akademie", "alfatraining", "Ämterschule", "Amt für Bildung", "Camunda Akademie"]
IN_ORDER = ["alfatraining", "Amt für Bildung", "Ämterschule", "Camunda Akademie", "COBIT-Akademie", "Zentrum Ost"]


def test_the_key_ignores_case_and_accents_and_keeps_one_order_for_equal_letters():
    assert sorted(NAMES, key=german_key) == IN_ORDER
    assert sorted(["Muße", "Masse", "Mass"], key=german_key) == ["Mass", "Masse", "Muße"]
    assert german_key("abc") != german_key("ABC")  # equal letters, still one fixed order


@pytest.fixture
def providers():
    for index, name in enumerate(NAMES):
        Provider.objects.create(slug=f"ordnung-{index}", name=name, url=f"https://p{index}.example.org/")


def test_the_provider_list_is_in_german_order_by_default_and_when_sorted_by_name(admin_client, providers):
    url = reverse("admin:recommendations_provider_changelist")
    assert [p.name for p in admin_client.get(url, {"q": "ordnung"}).context["cl"].result_list] == IN_ORDER
    descending = admin_client.get(url, {"q": "ordnung", "o": "-1"}).context["cl"]
    assert [p.name for p in descending.result_list] == IN_ORDER[::-1]
    assert descending.get_ordering_field_columns() == {1: "desc"}


def test_the_course_forms_provider_select_and_the_provider_filter_are_in_german_order(admin_client, providers):
    form = admin_client.get(reverse("admin:recommendations_course_add")).context["adminform"].form
    assert [name for _value, name in form.fields["provider"].choices if name in NAMES] == IN_ORDER
    changelist = admin_client.get(reverse("admin:recommendations_course_changelist")).context["cl"]
    (provider_filter,) = [f for f in changelist.filter_specs if getattr(f, "field_path", "") == "provider"]
    assert provider_filter.title == "Anbieter"  # the admin's label, as every filter is titled ("Nach provider")
    assert [name for _pk, name in provider_filter.lookup_choices if name in NAMES] == IN_ORDER


def test_the_course_list_sorts_titles_in_german_order(admin_client, providers):
    provider = Provider.objects.get(slug="ordnung-0")
    for index, title in enumerate(NAMES):
        Course.objects.create(
            slug=f"c{index}", title_de=title, title_en=title, provider=provider, hours=8, url="https://example.org/"
        )
    url = reverse("admin:recommendations_course_changelist")
    titles = [c.title_de for c in admin_client.get(url, {"provider__id__exact": provider.pk}).context["cl"].result_list]
    assert titles == IN_ORDER


def test_the_relation_filters_in_german_order_keep_the_admins_titles(admin_client):
    changelist = admin_client.get(reverse("admin:recommendations_confirmedoutcome_changelist")).context["cl"]
    (role_filter,) = [f for f in changelist.filter_specs if getattr(f, "field_path", "") == "role"]
    assert role_filter.title == "Zielrolle"


def test_a_tie_of_letters_puts_upper_case_first_on_either_database():
    """SQLite's collation and PostgreSQL's (created by core's migration) agree where only the case differs."""
    for index, name in enumerate(["ordnung egov", "Ordnung eGov", "Ordnung EGov", "Ordnung Ärzte", "Ordnung Arzte"]):
        Provider.objects.create(slug=f"fall-{index}", name=name, url=f"https://f{index}.example.org/")
    ordered = Provider.objects.filter(slug__startswith="fall-").order_by(GermanOrder(F("name")))
    assert [p.name for p in ordered] == [
        "Ordnung Arzte",
        "Ordnung Ärzte",
        "Ordnung EGov",
        "Ordnung eGov",
        "ordnung egov",
    ]
    assert sorted((p.name for p in ordered), key=german_key) == [p.name for p in ordered]
