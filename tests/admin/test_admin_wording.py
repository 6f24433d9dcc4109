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


def test_a_confirmed_outcome_reads_in_german_with_names_local_numbers_and_the_local_day(admin_client):
    """An admin review: the detail page said "Relation:", "Top role: it_coordinator", "Arbeitsstil: -0.648" and
    "agile 0.811", and its title named the UTC day ("2026-12-06" for an entry of 7 December, 00:13 in Dortmund)."""
    import datetime
    from zoneinfo import ZoneInfo

    from assessment.models import Competency

    role, top = Role.objects.order_by("order")[:2]
    agile = Competency.objects.get(slug="agile")
    created = datetime.datetime(2026, 12, 6, 23, 13, tzinfo=datetime.UTC)  # 7 December, 00:13 in Dortmund
    outcome = ConfirmedOutcome.objects.create(
        role=role,
        relation=ConfirmedOutcome.Relation.HOLDS,
        top_role=top.slug,
        top_role_fits=ConfirmedOutcome.Fits.PARTLY,
        levels={"agile": 0.811},
        work_style=-0.648,
        created_at=created,
    )
    assert created.astimezone(ZoneInfo("Europe/Berlin")).day == 7 and str(outcome).endswith("2026-12-07")
    page = admin_client.get(reverse("admin:recommendations_confirmedoutcome_change", args=[outcome.pk]))
    text = " ".join(re.sub(r"<[^>]+>", " ", page.content.decode()).split())
    for english in ("Relation", "Top role", "it_coordinator", "-0.648", "0.811"):
        assert english not in text
    assert "Bezug zur Rolle: Ich arbeite in dieser Rolle" in text.replace(" :", ":")
    assert f"Erste Rolle: {top.name_de}" in text.replace(" :", ":")
    assert "−0,65" in text and f"{agile.name_de} 0,8" in text


def test_the_task_queues_pages_are_german_in_the_german_admin(admin_client):
    """Its column headings, filters and states were English ("ENQUEUED AT", "Successful"; an admin review)."""
    from django_tasks_db.models import DBTaskResult

    from recommendations import tasks

    tasks.retrain.enqueue()
    page = admin_client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist")).content.decode()
    assert "Eingereiht am" in page and "Warteschlange" in page and "Bereit" in page
    assert "Enqueued at" not in page and "Queue name" not in page
    # each task by what it does, linked to the page that follows it, not "TASK NAME" over "retrain" (a review)
    queued = DBTaskResult.objects.get()
    status_page = reverse("admin:recommendations_modelversion_retrain_status", args=[queued.pk])
    assert "Neutraining des Rollenmodells</a>" in page and f'<a href="{status_page}">öffnen</a>' in page
    assert "task name" not in page.lower()
    detail = admin_client.get(reverse("admin:django_tasks_database_dbtaskresult_change", args=[queued.pk]))
    text = detail.content.decode()
    assert "Rückgabewert" in text and "nicht vor" in text.lower() and "run after" not in text.lower()
    assert "<title>Neutraining des Rollenmodells" in text  # its heading too, not "DBTaskResult object (…)"
    crumbs = re.search(r'<div class="breadcrumbs">(.*?)</div>', text, re.S).group(1)
    assert crumbs.rstrip().endswith("&rsaquo; Neutraining des Rollenmodells") and "object" not in crumbs
    # and its history page, linked from it (a code review)
    history = admin_client.get(reverse("admin:django_tasks_database_dbtaskresult_history", args=[queued.pk]))
    text = history.content.decode()
    assert history.status_code == 200 and "DBTaskResult" not in text
    assert "Änderungsgeschichte: Neutraining des Rollenmodells" in text
