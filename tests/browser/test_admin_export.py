"""The catalogue export page works under the site's CSP: "Select all" clears and ticks every column."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User

from recommendations.models import Course
from tests.browser.conftest import log_in_to_admin

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("shipped_content")]
PASSWORD = "ein-langes-testpasswort-8"


def test_select_all_on_the_export_page_works_without_a_csp_violation(page):
    User.objects.create_superuser("export", "export@example.org", PASSWORD)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in_to_admin(page, "export", PASSWORD)

    page.goto("/admin/recommendations/course/export/")
    columns = page.locator('.selectable-field-export-row input[type="checkbox"]')
    assert columns.count() > 5
    # each column under its German label, as the course form names the field ("Title De" before)
    assert page.get_by_label("Titel (Deutsch)", exact=True).count() == 1
    labels = page.locator(".selectable-field-export-row label").all_inner_texts()
    assert not [label for label in labels if re.search(r"\b[A-Z][a-z]+ (De|En|Eur)\b", label)], labels
    toggle = page.locator("#select-all-toggle")
    toggle.uncheck()
    assert all(not columns.nth(i).is_checked() for i in range(columns.count()))
    toggle.check()
    assert all(columns.nth(i).is_checked() for i in range(columns.count()))
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_the_import_preview_colours_its_changes_without_a_csp_violation(page, tmp_path):
    """The preview's diff colours came as inline styles, which the CSP blocked („Applying inline style violates …“)."""
    User.objects.create_superuser("import", "import@example.org", PASSWORD)
    course = Course.objects.order_by("slug").first()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in_to_admin(page, "import", PASSWORD)

    upload = tmp_path / "kurse.csv"
    upload.write_text(f"slug,hours\n{course.slug},{course.hours + 7}\n", encoding="utf-8")
    page.goto("/admin/recommendations/course/import/")
    page.locator('input[type="file"]').set_input_files(str(upload))
    page.locator("select[name=format]").select_option(label="csv")
    page.locator('input[type="submit"]').click()
    inserted = page.locator("table.import-preview td ins").first
    inserted.wait_for()
    assert inserted.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(230, 255, 230)"
    assert page.locator("table.import-preview th", has_text="Stunden").count() == 1
    assert not [e for e in errors if "Content Security Policy" in e or "inline style" in e], errors
