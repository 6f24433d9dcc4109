"""An unreliable result in the browser: no path until the person picks a role, then the path in place (htmx)."""

from __future__ import annotations

import random
import re

import pytest
from django.urls import reverse

from assessment.services import start_assessment
from tests.conftest import answer_all

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("shipped_content")]


def test_an_unreliable_result_shows_a_path_once_a_role_is_picked_in_place(page):
    rng = random.Random(5)
    clicker = answer_all(start_assessment(), lambda item, options: rng.choice(options))
    page.goto(reverse("results", args=[clicker.token]))
    page.evaluate("window.notReloaded = true")
    assert page.locator("#target-role").input_value() == ""
    assert page.locator(".path-unsettled").is_visible()
    page.locator("#target-role").select_option("agile_coach")
    with page.expect_response(re.compile(r"/ergebnis/pfad/$")) as stored:
        page.get_by_role("button", name="Lernpfad anzeigen").click()
    assert stored.value.ok
    page.locator("#path-heading", has_text="Agile").wait_for()
    assert page.evaluate("window.notReloaded") is True
    assert page.locator("#target-role").input_value() == "agile_coach"
    assert page.locator(".path-unsettled").count() == 0
