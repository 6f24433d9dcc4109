"""Signing up from a result in the browser: the form (the address only), the "check your inbox" page, the link
from the mail (read from the live server's outbox: it runs in this process), choosing the password there (a
refused one first), and back to the kept result. Resetting a forgotten password the same way."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from assessment.services import start_assessment
from tests.conftest import answer_all, strongest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("shipped_content")]


def violations(page) -> list[str]:
    return [v["id"] for v in Axe().run(page).response["violations"]]


def test_an_account_made_from_a_result_is_confirmed_through_the_mail_and_keeps_the_result(page, live_server):
    assessment = answer_all(start_assessment(), strongest)
    result = reverse("results", args=[assessment.token])
    found = {}
    page.goto(result)
    page.locator(f"a[href*='keep={assessment.token}']").click()
    page.wait_for_url(re.compile(re.escape(reverse("signup"))))
    found["signup"] = violations(page)
    assert page.locator("main input[type=password]").count() == 0  # the password comes later
    page.locator("#id_email").fill("lena@example.org")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("text=lena@example.org")
    found["check-inbox"] = violations(page)
    assert not get_user_model().objects.get(email="lena@example.org").is_active

    (message,) = mail.outbox
    link = re.search(r"https?://\S+/konto/bestaetigen/\S+", message.body).group(0)
    assert link.startswith(live_server.url)
    page.goto(link)
    found["confirm"] = violations(page)
    assert not get_user_model().objects.get(email="lena@example.org").is_active  # opening is not confirming
    page.get_by_label("Passwort", exact=True).fill("Phoenix")
    page.get_by_label("Passwort bestätigen").fill("Phoenix")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("[role=alert]")
    found["refused-password"] = violations(page)
    assert page.url == link.split("?")[0]  # the same link (next and keep ride in the form), still usable
    assert not get_user_model().objects.get(email="lena@example.org").is_active
    page.get_by_label("Passwort", exact=True).fill("Phoenix-See-2026!")
    page.get_by_label("Passwort bestätigen").fill("Phoenix-See-2026!")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{result}")
    user = get_user_model().objects.get(email="lena@example.org")
    assert user.is_active and user.check_password("Phoenix-See-2026!")
    assessment.refresh_from_db()
    assert assessment.user.email == "lena@example.org"

    page.goto(reverse("confirm-signup", args=["MQ", "forged-token"]))
    found["invalid-link"] = violations(page)
    assert not {name: ids for name, ids in found.items() if ids}


def test_a_forgotten_password_is_reset_through_the_mail_and_leads_back_logged_in(page, live_server):
    """From the login page a result sent the person to: "Passwort vergessen?", the address, the link from the mail,
    a refused password (its message at the password field, which names it), a good one, and back to the result."""
    get_user_model().objects.create_user("eva@example.org", "eva@example.org", "Zollverein-2026!")
    assessment = answer_all(start_assessment(), strongest)
    result = reverse("results", args=[assessment.token])
    found = {}
    page.goto(f"{reverse('login')}?next={result}")
    page.get_by_role("link", name="Passwort vergessen?").click()
    page.wait_for_url(re.compile(re.escape(reverse("password_reset"))))
    found["forgot"] = violations(page)
    page.locator("#id_email").fill("keine-adresse")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("[role=alert]")
    found["forgot-refused"] = violations(page)
    page.locator("#id_email").fill("Eva@Example.org")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{reverse('password_reset_done')}")
    found["look-in-inbox"] = violations(page)

    (message,) = mail.outbox
    link = re.search(r"https?://\S+/konto/passwort-neu/\S+", message.body).group(0)
    assert link.startswith(live_server.url)
    page.goto(link)
    assert "/set-password/" in page.url  # the token has left the address bar (and any Referer)
    found["new-password"] = violations(page)
    password = page.get_by_label("Neues Passwort", exact=True)
    confirmation = page.get_by_label("Neues Passwort bestätigen")
    password.fill("password123")
    confirmation.fill("password123")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("[role=alert]")
    found["new-password-refused"] = violations(page)
    described = password.get_attribute("aria-describedby").split()
    descriptions = [page.locator(f"#{target}").inner_text() for target in described]
    assert any("zu häufig verwendet" in text for text in descriptions)  # read out with the password field
    assert page.locator("#id_new_password2_error").count() == 0  # not at the confirmation
    assert get_user_model().objects.get().check_password("Zollverein-2026!")
    password.fill("Phoenix-See-2027!")
    confirmation.fill("Phoenix-See-2027!")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{result}")
    assert page.get_by_text("Ihr neues Passwort ist gespeichert").is_visible()
    assert page.locator(".account-nav").get_by_role("link", name="Meine Ergebnisse").is_visible()  # logged in
    assert get_user_model().objects.get().check_password("Phoenix-See-2027!")

    page.goto(link)  # used: the link works once
    found["invalid-link"] = violations(page)
    assert page.get_by_role("link", name="Neuen Link anfordern").is_visible()
    assert not {name: ids for name, ids in found.items() if ids}
