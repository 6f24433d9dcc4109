"""An admin retrains the model: the button queues the training, the status page follows it by itself
(retrain.js, no inline script) until the worker has trained and activated the new version."""

from __future__ import annotations

import functools
import re

import pytest
from django.contrib.auth.models import User

from tests.browser.conftest import log_in_to_admin
from tests.conftest import TEST_PROFILES_PER_ROLE, run_queued_tasks

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("shipped_content")]
PASSWORD = "ein-langes-testpasswort-7"


def test_retraining_from_the_admin_shows_progress_then_the_new_version(page, monkeypatch):
    from recommendations import lifecycle
    from recommendations.models import ModelVersion

    monkeypatch.setattr(
        lifecycle,
        "train_and_activate",
        functools.partial(lifecycle.train_and_activate, per_role=TEST_PROFILES_PER_ROLE),
    )
    User.objects.create_superuser("redaktion", "redaktion@example.org", PASSWORD)
    before = ModelVersion.objects.get(active=True).version
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in_to_admin(page, "redaktion", PASSWORD)

    page.goto("/admin/recommendations/modelversion/retrain/")
    page.locator("#retrain-form input[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/recommendations/modelversion/retrain/[0-9a-f-]{36}/$"))
    status = page.locator("#retrain-status")
    assert "Warteschlange" in status.inner_text()
    assert ModelVersion.objects.get(active=True).version == before  # the request only queued it

    # a keyboard user on the page: the status is fetched anew in place, so focus and the page itself stay (it
    # reloaded itself every two seconds, and focus went back to the top; an accessibility review)
    page.locator("#retrain-refresh").focus()
    page.evaluate("window.stillTheSamePage = true")
    page.wait_for_timeout(2500)  # one round of asking while it still waits
    assert page.evaluate("document.activeElement.id") == "retrain-refresh"

    run_queued_tasks()  # the worker, as `make run` starts it beside the server
    after = ModelVersion.objects.get(active=True).version
    assert after != before
    # The status region follows the training while it waits or runs, and shows the result once it is done.
    page.locator("#retrain-status[data-status=SUCCESSFUL]").wait_for(timeout=30_000)
    assert after in status.inner_text()
    assert page.evaluate("window.stillTheSamePage") is True
    assert page.locator("#retrain-refresh").count() == 0  # finished: nothing left to refresh
    # the change of state is announced once (its counters, which change every round, are not a live region)
    assert page.locator("#retrain-status[role], #retrain-status[aria-live]").count() == 0
    announced = page.locator("#retrain-announce[role=status]").inner_text()
    assert announced and after in announced, announced
    assert not [e for e in errors if "Content Security Policy" in e]
