from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.urls import reverse

from assessment.services import start_assessment
from tests.conftest import answer_all, strongest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("shipped_content")]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"


def violations(page) -> list[str]:
    return [v["id"] for v in Axe().run(page).response["violations"]]


def test_the_results_page_is_readable_on_a_375_pixel_phone(browser, live_server):
    assessment = answer_all(start_assessment(), strongest)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 812}, locale="de-DE")
    page = context.new_page()
    page.goto(reverse("results", args=[assessment.token]))
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "results-375.png"), full_page=True)
    # Nothing wider than the screen: no sideways scrolling, charts scale down.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    radar = page.locator(".radar-chart svg").bounding_box()
    assert 250 <= radar["width"] <= 375
    font_size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.reasons li')).fontSize)")
    assert font_size >= 14
    context.close()


def test_axe_finds_no_violations_on_the_account_pages(page):
    found = {}
    for name in ("login", "signup"):
        page.goto(reverse(name))
        found[name] = violations(page)
    user = get_user_model().objects.create_user("eva@example.org", "eva@example.org", "Zollverein-2026!")
    assessment = answer_all(start_assessment(), strongest)
    assessment.user = user
    assessment.save()
    page.goto(reverse("login"))
    page.get_by_label("E-Mail-Adresse").fill("eva@example.org")
    page.get_by_label("Passwort").fill("Zollverein-2026!")
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"**{reverse('my-results')}")
    found["my-results"] = violations(page)
    page.goto(reverse("delete-results", args=[assessment.token]))
    found["delete"] = violations(page)
    assert not {name: ids for name, ids in found.items() if ids}


def test_picking_a_target_role_updates_the_path_in_place_by_keyboard(page):
    assessment = answer_all(start_assessment(), strongest)
    page.goto(reverse("results", args=[assessment.token]))
    page.evaluate("window.notReloaded = true")
    page.locator("#target-role").focus()
    page.keyboard.press("End")  # the last role in the list
    chosen = page.locator("#target-role").input_value()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**role={chosen}")
    assert page.evaluate("window.notReloaded") is True
    assert page.locator("#target-role").input_value() == chosen
