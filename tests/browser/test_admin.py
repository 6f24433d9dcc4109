"""An admin logs in, edits a course and sees the change saved (in the real browser, with the CSP on)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from recommendations.models import Course

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("shipped_content")]
PASSWORD = "ein-langes-testpasswort-7"


def test_an_admin_logs_in_and_edits_the_hours_of_a_course(page):
    User.objects.create_superuser("redaktion", "redaktion@example.org", PASSWORD)
    course = Course.objects.order_by("slug").first()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto("/admin/login/")
    page.get_by_label("Benutzername").fill("redaktion")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/admin/$"))

    page.goto("/admin/recommendations/course/")
    page.locator("#result_list").get_by_role("link", name=course.title_de, exact=True).click()
    page.wait_for_url(re.compile(rf"/admin/recommendations/course/{course.pk}/change/$"))
    hours = page.get_by_label("Stunden")
    hours.fill("37.5")
    page.get_by_role("button", name="Sichern", exact=True).click()

    page.wait_for_url(re.compile(r"/admin/recommendations/course/$"))
    assert "wurde erfolgreich geändert" in page.locator(".messagelist").inner_text()
    assert Course.objects.get(pk=course.pk).hours == Decimal("37.5")
    page.locator("#result_list").get_by_role("link", name=course.title_de, exact=True).click()
    assert page.get_by_label("Stunden").input_value() == "37.5"
    assert not [e for e in errors if "Content Security Policy" in e]


def test_retraining_from_the_admin_shows_progress_then_the_new_version(page):
    from recommendations.models import ModelVersion

    User.objects.create_superuser("redaktion", "redaktion@example.org", PASSWORD)
    before = ModelVersion.objects.get(active=True).version
    page.goto("/admin/login/")
    page.get_by_label("Benutzername").fill("redaktion")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/admin/$"))

    page.goto("/admin/recommendations/modelversion/retrain/")
    progress = page.locator("#retrain-progress")
    assert progress.is_hidden()
    # Hold the first submit in the page (a listener after ours cancels it) to look at the progress...
    page.evaluate("document.getElementById('retrain-form').addEventListener('submit', e => e.preventDefault())")
    page.locator("#retrain-form input[type=submit]").click()
    progress.wait_for(state="visible")
    assert page.locator("#retrain-form input[type=submit]").is_disabled()
    page.wait_for_timeout(1500)
    assert re.search(r"\d+ s / ~\d+ s", page.locator("#retrain-elapsed").inner_text())
    # ... then send the form for real and wait for the training to finish.
    page.evaluate("document.getElementById('retrain-form').submit()")
    page.wait_for_url(re.compile(r"/admin/recommendations/modelversion/$"), timeout=120_000)
    after = ModelVersion.objects.get(active=True).version
    assert after != before
    assert after in page.locator(".messagelist").inner_text()
