"""An admin logs in, edits a course and sees the change saved (in the real browser, with the CSP on)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from recommendations.models import Course
from tests.browser.conftest import log_in_to_admin

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("shipped_content")]
PASSWORD = "ein-langes-testpasswort-7"


def test_an_admin_logs_in_and_edits_the_hours_of_a_course(page):
    User.objects.create_superuser("redaktion", "redaktion@example.org", PASSWORD)
    course = Course.objects.order_by("slug").first()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    log_in_to_admin(page, "redaktion", PASSWORD)

    page.goto("/admin/recommendations/course/")
    page.locator("#result_list").get_by_role("link", name=course.title_de, exact=True).click()
    page.wait_for_url(re.compile(rf"/admin/recommendations/course/{course.pk}/change/$"))
    hours = page.get_by_label("Stunden")
    hours.fill("37,5")  # the German admin takes and shows a decimal comma
    page.get_by_role("button", name="Sichern", exact=True).click()

    page.wait_for_url(re.compile(r"/admin/recommendations/course/$"))
    assert "wurde erfolgreich geändert" in page.locator(".messagelist").inner_text()
    assert Course.objects.get(pk=course.pk).hours == Decimal("37.5")
    page.locator("#result_list").get_by_role("link", name=course.title_de, exact=True).click()
    assert page.get_by_label("Stunden").input_value() == "37,5"
    assert not [e for e in errors if "Content Security Policy" in e]
