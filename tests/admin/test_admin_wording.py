"""The German admin's own words: Revierpfad's name in the header, headings that start with a capital, one term for
one thing (Fragen-Kalibrierung, KV)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from assessment.models import Item
from recommendations.models import ConfirmedOutcome, ModelVersion, Role

pytestmark = pytest.mark.django_db


def test_the_admin_is_headed_and_titled_revierpfad_not_django(admin_client, settings):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert re.search(r'<div id="site-name"><a href="/admin/">Revierpfad-Verwaltung</a></div>', page)
    assert "<title>Startseite | Revierpfad-Verwaltung</title>" in page
    assert "Django" not in re.sub(r"<script.*?</script>", "", page, flags=re.S)
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Revierpfad administration" in admin_client.get(reverse("admin:index")).content.decode()


def test_a_change_list_heading_starts_with_a_capital_letter(admin_client):
    role = Role.objects.first()
    ConfirmedOutcome.objects.create(role=role, levels={}, work_style=0.0, top_role=role.slug)
    page = admin_client.get(reverse("admin:recommendations_confirmedoutcome_changelist")).content.decode()
    assert "<h1>Bestätigtes Ergebnis zum Ansehen auswählen</h1>" in page
    assert "<title>Bestätigtes Ergebnis zum Ansehen auswählen |" in page


def test_the_model_version_pages_say_cross_validated_one_way(admin_client):
    version = ModelVersion.objects.get(active=True)
    pages = admin_client.get(reverse("admin:recommendations_modelversion_changelist")).content.decode()
    pages += admin_client.get(reverse("admin:recommendations_modelversion_change", args=[version.pk])).content.decode()
    assert "(KV)" in pages
    assert "(CV)" not in pages


def test_the_question_form_names_the_question_calibrations_as_the_admin_does(admin_client):
    page = admin_client.get(reverse("admin:assessment_item_change", args=[Item.objects.first().pk]))
    text = page.content.decode()
    assert "aktiven Fragen-Kalibrierung" in text
    assert "Item-Kalibrierung" not in text
