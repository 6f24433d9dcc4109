"""Fields the admin puts side by side on one line keep apart, help texts included (in the real browser, at a
laptop's and a desktop's width): the provider form ran two help texts together ("…kein Kursgeld.Kein geprüftes echtes
Angebot…"), the course form one into the next checkbox."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.urls import reverse

from recommendations.models import Role
from tests.browser.conftest import log_in_to_admin

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("shipped_content")]
PASSWORD = "ein-langes-testpasswort-7"
GAP = 16  # pixels between the end of one field (its help text too) and the start of the next on its line

# For each line of several fields: each field after the first, whether it stands beside the one before it (or has
# wrapped below it), and how far its box starts from where the one before ends (label, input and help text alike).
SIDE_BY_SIDE = """() => [...document.querySelectorAll('.form-multiline')].flatMap(line => {
    const fields = [...line.children].map(field => {
        const box = field.getBoundingClientRect();
        const parts = [...field.querySelectorAll('.fieldBox > *, .help')].map(part => part.getBoundingClientRect());
        const name = [...field.querySelector('.fieldBox').classList].find(c => c.startsWith('field-'));
        return {name, left: box.left, top: box.top, right: Math.max(...parts.map(part => part.right))};
    });
    return fields.slice(1).map((field, i) => ({
        before: fields[i].name, after: field.name, beside: field.top === fields[i].top,
        gap: Math.round(field.left - fields[i].right),
    }));
})"""


@pytest.mark.parametrize("width", [1280, 1600])
def test_fields_side_by_side_keep_their_help_texts_apart(page, width):
    User.objects.create_superuser("redaktion", "redaktion@example.org", PASSWORD)
    log_in_to_admin(page, "redaktion", PASSWORD)
    page.set_viewport_size({"width": width, "height": 900})
    lines = []
    for model in admin.site._registry:
        if model._meta.app_label not in {"assessment", "recommendations"}:
            continue
        response = page.goto(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add"))
        if response is None or response.status != 200:
            continue  # a read-only record (a model version, a calibration) has no add form
        lines += [{"form": model._meta.model_name, **pair} for pair in page.evaluate(SIDE_BY_SIDE)]
    assert {"form": "provider", "before": "field-in_house", "after": "field-is_example"} in [
        {key: pair[key] for key in ("form", "before", "after")} for pair in lines
    ]
    assert sum(pair["beside"] for pair in lines) >= 4  # the check has fields side by side to look at
    too_close = [pair for pair in lines if pair["beside"] and pair["gap"] < GAP]
    assert not too_close, too_close


BOX = """selector => {
    const element = document.querySelector(selector);
    if (!element) return null;
    const box = element.getBoundingClientRect();
    return {left: box.left, right: box.right, top: box.top, bottom: box.bottom, height: box.height,
            lineHeight: parseFloat(getComputedStyle(element).lineHeight)};
}"""


def box(page, selector: str) -> dict:
    found = page.evaluate(BOX, selector)
    assert found is not None, f"{selector} is not on {page.url}"
    return found


def overlap(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("width", [1280, 1600])
def test_the_start_page_the_course_form_and_the_model_versions_fit_the_window(page, width):
    """The operations module, with the nightly clean-up not scheduled (its longest sentence), stays in its column
    beside „Neueste Aktionen“ with its link on one line; the course form's competency inline, „Löschen?“ included,
    fits the window; „Modell neu trainieren“ does not cover the notice that roles changed. Axe finds nothing."""
    from axe_playwright_python.sync_playwright import Axe

    User.objects.create_superuser("redaktion", "redaktion@example.org", PASSWORD)
    Role.objects.first().save()  # changed after the model was trained: the model versions page says so
    log_in_to_admin(page, "redaktion", PASSWORD)
    page.set_viewport_size({"width": width, "height": 900})
    axe, violations = Axe(), {}

    page.goto(reverse("admin:index"))
    assert page_width(page) <= width
    link = box(page, "#operations th a")
    assert link["height"] < 1.5 * link["lineHeight"], link  # „Nächtlicher Löschlauf“ on one line
    assert not overlap(box(page, "#operations"), box(page, "#content-related"))
    violations["index"] = axe.run(page).response["violations"]

    page.goto(reverse("admin:recommendations_course_add"))
    assert page_width(page) <= width
    assert box(page, ".inline-group .tabular thead th:last-child")["right"] <= width  # „Löschen?“
    violations["course"] = axe.run(page).response["violations"]

    page.goto(reverse("admin:recommendations_modelversion_changelist"))
    assert not overlap(box(page, ".object-tools"), box(page, "#content .errornote"))
    violations["model versions"] = axe.run(page).response["violations"]

    found = {name: {v["id"] for v in found} for name, found in violations.items()}
    assert not any(found.values()), found


def test_the_dashboard_fits_a_375_pixel_phone(page):
    """Its weekly chart drew 600 pixels wide whatever the window: 615 pixels of page on a phone."""
    User.objects.create_superuser("redaktion", "redaktion@example.org", PASSWORD)
    log_in_to_admin(page, "redaktion", PASSWORD)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(reverse("admin_dashboard"))
    assert page_width(page) <= 375
    chart = page.locator("#weekly svg").bounding_box()
    assert chart is not None and chart["width"] <= 375
