"""The admin's search (and every `icontains`) finds a word whatever the case of its umlauts, on SQLite as on
PostgreSQL: "tüv" finds "TÜV"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessment.models import Item
from core.sqlite import unicode_like
from recommendations.models import Provider

pytestmark = pytest.mark.django_db


def test_a_search_finds_umlauts_in_either_case(admin_client):
    provider = Provider.objects.order_by("slug").first()
    Provider.objects.filter(pk=provider.pk).update(name="TÜV Rheinland Akademie")
    assert Provider.objects.filter(name__icontains="tüv").exists()
    response = admin_client.get(reverse("admin:recommendations_provider_changelist"), {"q": "tüv rheinland"})
    assert provider in response.context["cl"].result_list
    item = Item.objects.filter(text_de__icontains="Störung").first()
    if item is not None:  # the shipped bank has such a question
        assert Item.objects.filter(text_de__icontains="STÖRUNG", pk=item.pk).exists()


def test_like_keeps_its_wildcards_and_escapes():
    assert unicode_like("%ÄRGER%", "kein ärger hier") == 1
    assert unicode_like("a_c", "abc") == 1 and unicode_like("a_c", "abbc") == 0
    assert unicode_like(r"100\%", "100%", "\\") == 1 and unicode_like(r"100\%", "1000", "\\") == 0
    assert unicode_like("%x%", None) is None and unicode_like(None, "x") is None
