"""Deleting one's account in the browser with the keyboard only: from 'My results' to the confirmation page, a wrong
password first (its message at the field), then the right one, and out to the start page, logged out."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.urls import reverse

from assessment.models import Assessment
from assessment.services import start_assessment
from tests.browser.test_assessment_flow import press_tab_until
from tests.conftest import answer_all, keep_in, strongest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("shipped_content")]
PASSWORD = "Zollverein-2026!"


def violations(page) -> list[str]:
    return [v["id"] for v in Axe().run(page).response["violations"]]


def log_in_by_keyboard(page, email: str, password: str) -> None:
    page.goto(reverse("login"))
    press_tab_until(page, "el.id === 'id_username'")
    page.keyboard.type(email)
    page.keyboard.press("Tab")  # to the password
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('my-results')}")


def test_a_person_deletes_their_account_with_the_keyboard(page):
    eva = get_user_model().objects.create_user("eva@example.org", "eva@example.org", PASSWORD)
    kept = answer_all(start_assessment(), strongest)
    keep_in(eva, kept)
    begun = start_assessment(user=eva)  # begun logged in and not finished: listed apart, and deleted too
    found = {}
    log_in_by_keyboard(page, "eva@example.org", PASSWORD)
    assert page.get_by_role("heading", name="Noch nicht abgeschlossen").is_visible()
    found["my-results"] = violations(page)

    press_tab_until(page, f"el.tagName === 'A' && el.getAttribute('href') === '{reverse('delete-account')}'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{reverse('delete-account')}")
    assert page.get_by_role("heading", name="Ihr Konto löschen?").is_visible()
    found["confirmation"] = violations(page)

    press_tab_until(page, "el.id === 'id_password'")
    page.keyboard.type("Zollverein-2025!")
    page.keyboard.press("Enter")  # submits the form
    page.wait_for_selector("[role=alert]")
    assert page.evaluate("document.activeElement.getAttribute('role')") == "alert"  # focus starts at the error
    found["wrong-password"] = violations(page)
    password = page.get_by_label("Ihr Passwort")
    assert password.get_attribute("aria-invalid") == "true"
    described_by = page.locator(f"#{password.get_attribute('aria-describedby')}")
    assert "nicht das Passwort Ihres Kontos" in described_by.inner_text()  # read out with the field
    assert password.input_value() == ""  # never written back
    assert get_user_model().objects.filter(pk=eva.pk).exists()

    press_tab_until(page, "el.id === 'id_password'")
    page.keyboard.type(PASSWORD)
    press_tab_until(page, "el.type === 'submit' && el.closest('form').action.endsWith('/konto/loeschen/')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"://[^/]+/$"))  # the start page
    assert page.get_by_text("Ihr Konto und alle darin aufbewahrten Ergebnisse sind gelöscht.").is_visible()
    assert page.locator(".account-nav").get_by_role("link", name="Anmelden").is_visible()  # logged out
    found["start-page"] = violations(page)
    assert not get_user_model().objects.filter(pk=eva.pk).exists()
    assert not Assessment.objects.filter(pk__in=[kept.pk, begun.pk]).exists()
    assert not {name: ids for name, ids in found.items() if ids}
