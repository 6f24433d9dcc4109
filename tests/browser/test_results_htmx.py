"""The results page with JavaScript on: what htmx swaps in keeps the page around it right (the path in brief at the
top follows the learning path shown)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from assessment.services import start_assessment
from tests.browser.test_assessment_flow import press_tab_until
from tests.conftest import answer_all, at_level_one

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("shipped_content")]


def open_results(page):
    """The results page of a person with a learning path of several courses towards every role."""
    person = answer_all(start_assessment(), at_level_one)
    page.goto(reverse("results", args=[person.token]))
    page.evaluate("window.notReloaded = true")
    return person


def show_path_towards_another_role(page) -> str:
    """Choose another target role and press "Lernpfad anzeigen", by keyboard; the chosen role's name."""
    page.locator("#target-role").focus()
    page.keyboard.press("End")  # the last role in the list
    chosen = page.locator("#target-role").input_value()
    name = page.locator("#target-role option:checked").inner_text().split(" (")[0]
    press_tab_until(page, "el.type === 'submit' && el.closest('form').classList.contains('role-picker')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(f"role={chosen}"))
    page.locator("#path-heading", has_text=name).wait_for()
    return name


def mark_done_by_keyboard(page, button_id: str) -> None:
    page.locator("#path-heading").focus()
    press_tab_until(page, f"el.id === {button_id!r}", limit=80)
    with page.expect_response(re.compile(r"/erledigt/$")) as toggled:
        page.keyboard.press("Enter")
    assert toggled.value.ok
    page.locator(f"#{button_id}").wait_for(state="detached")  # the new path is in


def test_the_path_in_brief_at_the_top_follows_the_role_and_the_courses_marked_done(page):
    open_results(page)
    before = page.locator("#path-summary").inner_text()
    name = show_path_towards_another_role(page)
    summary = page.locator("#path-summary").inner_text()
    assert name in summary and summary != before
    assert page.locator(".path-totals").inner_text() in summary  # the steps, hours and costs of the path shown
    page.locator(".path-step .done-form button").first.evaluate("button => button.id = 'first-done'")
    mark_done_by_keyboard(page, "first-done")
    after = page.locator("#path-summary").inner_text()
    assert name in after and after != summary
    assert page.locator(".path-totals").inner_text() in after
    assert page.locator("#path-summary").count() == 1
    assert page.evaluate("window.notReloaded") is True
