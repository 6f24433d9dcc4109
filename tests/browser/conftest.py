"""Playwright on Debian's Chromium (never a downloaded browser) against pytest-django's live server."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# As root Chromium needs --no-sandbox; the rest keep it off the network it cannot reach here.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]

# Playwright's sync API runs an event loop in the test thread; the ORM calls of the live server
# fixtures are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def model_version_row(django_db_setup) -> Mapping[str, Any]:
    """The model trained for the test database, as kept when it was trained (`tests.conftest`), to put back after
    each browser test's flush. Not read from the database at the first browser test: a transactional test run
    before it may have flushed the row (a CI run lost 83 browser tests to it)."""
    from tests.conftest import _trained_model_row

    assert _trained_model_row, "the test database's model was not kept when it was trained"
    return dict(_trained_model_row)


@pytest.fixture
def shipped_content(transactional_db, model_version_row):
    """Browser tests run against a live server, so their database is flushed after each test:
    load the shipped content again (the loaders add what is missing) and the trained model."""
    from assessment.content import sync_question_bank
    from recommendations.content import sync_catalogue, sync_roles
    from recommendations.models import ModelVersion

    sync_question_bank()
    sync_roles()
    sync_catalogue()
    if not ModelVersion.objects.filter(active=True).exists():
        ModelVersion.objects.create(**model_version_row)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (the browser tests never download one)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="de-DE", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def log_in_to_admin(page, username: str, password: str) -> None:
    """Log in through the German admin login form, as an editor does."""
    page.goto("/admin/login/")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/admin/$"))
