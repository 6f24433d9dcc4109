"""Signing up from a result in the browser: the form (the address only), the "check your inbox" page, the link
from the mail (read from the live server's outbox: it runs in this process), choosing the password there (a
refused one first), and back to the kept result."""

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
