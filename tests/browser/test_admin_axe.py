"""Axe finds nothing on any kind of admin page the catalogue's admins use, in German, at a laptop's and a phone's
width: every model's list (filters and search shown), add and change forms (inlines and the two-list filter widget
included), delete confirmations, histories, the start page, the project's own pages (import and its preview,
export, retraining, calibration, the dashboard), login and password change: 70 page kinds.

Before the fixes in templates/admin/, static/admin_extra/ and the inlines (assessment.admin.LabelledCellsMixin), axe
found 484 elements at fault on 36 of them at 1280 px and 37 at 375 px, nearly all in Django's own markup: unnamed
inline boxes (label, select-name, label-title-only), empty column headings, an aria-label on the filter widget's
icon, in-text links told apart by colour alone, a login page without a heading. Nothing is exempted."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from assessment.models import Competency
from recommendations.models import Course
from tests.admin.helpers import admin_url
from tests.admin.page_kinds import PAGE_KINDS, one_of_everything
from tests.browser.conftest import log_in_to_admin

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("shipped_content")]
PASSWORD = "ein-langes-testpasswort-9"
WIDTHS = [1280, 375]


def found_by_axe(page) -> dict[str, int]:
    """Rule ids axe finds on the page, each with the number of elements it fails on."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return {violation["id"]: len(violation["nodes"]) for violation in violations}


def listed(found: dict[str, dict[str, int]]) -> str:
    return "\n".join(f"{name}: {rules}" for name, rules in found.items())


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", list(PAGE_KINDS))
def test_axe_finds_nothing_on_the_admins_pages(page, kind, width):
    User.objects.create_superuser("redaktion", "redaktion@example.org", PASSWORD)
    one_of_everything()
    page.set_viewport_size({"width": width, "height": 900})
    log_in_to_admin(page, "redaktion", PASSWORD)
    found = {}
    for name, url in PAGE_KINDS[kind]().items():
        response = page.goto(url)
        assert response is not None and response.status == 200, (name, url)
        found[name] = found_by_axe(page)
    assert len(found) >= 5  # the pages were there to check
    found = {name: rules for name, rules in found.items() if rules}
    assert not found, listed(found)


@pytest.mark.parametrize("width", WIDTHS)
def test_axe_finds_nothing_on_the_login_the_import_preview_or_a_course_whose_rows_are_being_edited(
    page, width, tmp_path
):
    """The login form (and its error), the course form with a competency row added, a row ticked for deletion and a
    prerequisite chosen (which then saves: the rows are found by their new names), deleting selected courses, the import
    preview."""
    User.objects.create_superuser("redaktion", "redaktion@example.org", PASSWORD)
    page.set_viewport_size({"width": width, "height": 900})
    found = {}
    page.goto(reverse("admin:login"))
    found["login"] = found_by_axe(page)
    page.get_by_label("Benutzername").fill("redaktion")
    page.get_by_label("Passwort").fill("falsch")
    page.get_by_role("button", name="Anmelden").click()
    page.locator(".errornote").wait_for()
    found["login refused"] = found_by_axe(page)
    log_in_to_admin(page, "redaktion", PASSWORD)

    course = Course.objects.filter(competencies__isnull=False).order_by("pk").first()
    other = Competency.objects.exclude(courses__course=course).order_by("pk").first()
    page.goto(admin_url(course))
    page.locator(".inline-group .add-row a").click()
    # the row added by "add another"; the blank row the page brings for use without JavaScript stays blank, unsaved
    added = page.locator("#competencies-group tr.form-row:not(.has_original, .empty-form)").last
    added.get_by_label("Kompetenz", exact=True).select_option(str(other.pk))
    added.get_by_label("Ausgangsstufe").select_option("1")
    added.get_by_label("Zielstufe").select_option("3")
    for saved in page.locator("#competencies-group tr.has_original").all():
        saved.get_by_label("Löschen", exact=True).check()
    page.locator("#id_prerequisites_from option").first.dblclick()
    found["course with its rows edited"] = found_by_axe(page)
    page.get_by_role("button", name="Sichern", exact=True).click()
    page.wait_for_url(f"**{admin_url(Course, 'changelist')}")
    assert set(course.competencies.values_list("competency", "from_level", "to_level")) == {(other.pk, 1, 3)}
    assert course.prerequisites.count() == 1

    page.locator("#result_list tbody input.action-select").first.check()
    page.locator("select[name=action]").select_option("delete_selected")
    page.locator("button[name=index]").click()
    page.locator(".delete-confirmation").wait_for()
    found["delete selected courses"] = found_by_axe(page)

    upload = tmp_path / "kurse.csv"
    upload.write_text(f"slug,hours\n{course.slug},{course.hours + 7}\n", encoding="utf-8")
    page.goto(admin_url(Course, "import"))
    page.locator('input[type="file"]').set_input_files(str(upload))
    page.locator("select[name=format]").select_option(label="csv")
    page.locator('input[type="submit"]').click()
    page.locator("table.import-preview").wait_for()
    assert page.locator("table.import-preview th", has_text="Art der Änderung").count() == 1
    found["import preview"] = found_by_axe(page)
    found = {name: rules for name, rules in found.items() if rules}
    assert not found, listed(found)
