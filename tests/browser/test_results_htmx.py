"""The results page with JavaScript on: after htmx swaps in a part of the page (the learning path for another role
or with a course marked done, the feedback form with its message or its thanks), keyboard focus lands in the new
part, not at the top of the page; the path in brief at the top follows the path; and no swap breaks the CSP."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from assessment.services import start_assessment
from recommendations.models import Course
from tests.browser.test_assessment_flow import answer_with_keyboard, press_tab_until, start_by_keyboard
from tests.conftest import answer_all, at_level_one

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("shipped_content")]


def focused_id(page) -> str:
    return page.evaluate("document.activeElement.id")


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
    name = page.locator("#target-role option:checked").inner_text().split(" · ")[0]  # the name, then its match
    press_tab_until(page, "el.type === 'submit' && el.closest('form').classList.contains('role-picker')")
    with page.expect_response(re.compile(r"/ergebnis/pfad/$")) as stored:  # the choice is stored (POST)
        page.keyboard.press("Enter")
    assert stored.value.ok
    page.locator("#path-heading", has_text=name).wait_for()
    assert page.locator("#target-role").input_value() == chosen
    assert page.url.endswith("/ergebnis/")  # no role in the address: loaded again, it shows the stored choice
    return name


def mark_done_by_keyboard(page, button_id: str) -> None:
    page.locator("#path-heading").focus()
    press_tab_until(page, f"el.id === {button_id!r}", limit=80)
    with page.expect_response(re.compile(r"/erledigt/$")) as toggled:
        page.keyboard.press("Enter")
    assert toggled.value.ok
    page.locator(f"#{button_id}").wait_for(state="detached")  # the new path is in


def test_after_showing_the_path_towards_another_role_focus_is_on_its_heading(page):
    open_results(page)
    name = show_path_towards_another_role(page)
    assert focused_id(page) == "path-heading"
    assert name in page.locator("#path-heading").inner_text()
    assert page.evaluate("window.notReloaded") is True


def test_the_path_in_brief_at_the_top_follows_the_role_and_the_courses_marked_done(page):
    open_results(page)
    before = page.locator("#path-summary").inner_text()
    name = show_path_towards_another_role(page)
    summary = page.locator("#path-summary").inner_text()
    assert name in summary and summary != before
    assert page.locator(".path-totals").inner_text() in summary  # the steps, hours and costs of the path shown
    first = page.locator(".path-step .done-form button").first.get_attribute("id")
    mark_done_by_keyboard(page, first)
    page.locator(f"#undone-{first.removeprefix('done-')}").wait_for()
    after = page.locator("#path-summary").inner_text()
    assert name in after and after != summary
    assert page.locator(".path-totals").inner_text() in after
    assert page.locator("#path-summary").count() == 1
    assert page.evaluate("window.notReloaded") is True


def test_marking_a_course_done_by_keyboard_keeps_focus_on_that_course(page):
    open_results(page)
    button = page.locator(".path-step .done-form button").first.get_attribute("id")
    course = button.removeprefix("done-")
    mark_done_by_keyboard(page, button)
    assert focused_id(page) == f"undone-{course}"  # "Doch nicht erledigt" of the same course, in the done list
    page.keyboard.press("Enter")  # and back again
    page.locator(f"#done-{course}").wait_for()
    page.wait_for_function("id => document.activeElement.id === id", arg=f"done-{course}")
    assert page.evaluate("window.notReloaded") is True


def test_when_the_course_does_not_come_back_into_the_path_focus_goes_to_the_paths_heading(page):
    open_results(page)
    button = page.locator(".path-step .done-form button").first.get_attribute("id")
    course = button.removeprefix("done-")
    mark_done_by_keyboard(page, button)
    # limits that leave no room for it: marked not done, it is in neither the path nor the done list
    hours = Course.objects.get(slug=course).hours
    page.locator(".path-limits summary").click()
    page.locator("#max-hours").fill(str(hours / 2))
    with page.expect_response(re.compile(r"/ergebnis/pfad/$")) as stored:  # the limits are stored (POST)
        page.locator(".path-limits button[type=submit]").click()
    assert stored.value.ok
    page.locator(f"#undone-{course}").wait_for()
    mark_done_by_keyboard(page, f"undone-{course}")
    page.wait_for_function("() => document.activeElement.id === 'path-heading'")
    assert page.locator(f"#done-{course}, #undone-{course}").count() == 0


def send_feedback_by_keyboard(page) -> int:
    """Tab on to the feedback form's send button, press Enter, and return the answer's status."""
    press_tab_until(page, "el.type === 'submit' && !!el.closest('#feedback')")
    with page.expect_response(re.compile(r"/rueckmeldung/")) as sent:
        page.keyboard.press("Enter")
    return sent.value.status


def test_a_feedback_error_and_the_thanks_get_focus_after_sending_by_keyboard(page):
    open_results(page)
    page.locator("#feedback").get_by_label("Nein").check()
    page.locator("#feedback-heading").focus()
    assert send_feedback_by_keyboard(page) == 400
    page.locator("#feedback-errors").wait_for()
    assert focused_id(page) == "feedback-errors"
    assert "Ohne Ihre Einwilligung speichern wir nichts." in page.locator("#feedback-errors").inner_text()
    # from the message on, by keyboard: the consent, then send again
    press_tab_until(page, "el.name === 'consent'")
    page.keyboard.press("Space")
    assert send_feedback_by_keyboard(page) == 200
    page.locator("#feedback-thanks").wait_for()
    assert focused_id(page) == "feedback-thanks"
    assert page.locator("#feedback-thanks").get_attribute("role") == "status"
    assert "Danke!" in page.locator("#feedback-thanks").inner_text()
    assert page.evaluate("window.notReloaded") is True


# What browser extensions may do to a page: set an inline style through the CSSOM, which the CSP allows. htmx's
# settling copied such a style onto the new content with setAttribute, which the CSP refuses: a console error on
# every swap. (A clean browser, as the other tests use, gives the swapped parts no style to copy.)
STYLE_LIKE_AN_EXTENSION = """() => {
  for (const id of ["question-card", "question-heading", "learning-path", "path-heading", "feedback", "path-summary"]) {
    const element = document.getElementById(id);
    if (element) element.style.outlineOffset = "1px";
  }
}"""
# Every violation the page reports, whatever the console says about it.
COLLECT_VIOLATIONS = """() => {
  window.violations = [];
  document.addEventListener("securitypolicyviolation", e => window.violations.push(e.violatedDirective));
}"""


@pytest.mark.parametrize("debug", [True, False], ids=["debug", "no-debug"])
def test_no_htmx_swap_breaks_the_content_security_policy(page, settings, debug):
    settings.DEBUG = debug  # DEBUG on: what `make run` serves, with django-htmx's debug script in the page
    console = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    start_by_keyboard(page)
    page.evaluate(COLLECT_VIOLATIONS)
    for step in (2, 3, 4):
        page.evaluate(STYLE_LIKE_AN_EXTENSION)
        answer_with_keyboard(page)
        page.wait_for_url(re.compile(rf"/frage/{step}/$"))
        page.locator("#progress-label", has_text=f"Frage {step} ·").wait_for()
    assert page.evaluate("window.violations") == []

    open_results(page)
    page.evaluate(COLLECT_VIOLATIONS)
    page.evaluate(STYLE_LIKE_AN_EXTENSION)
    show_path_towards_another_role(page)
    page.evaluate(STYLE_LIKE_AN_EXTENSION)
    first = page.locator(".path-step .done-form button").first.get_attribute("id")
    mark_done_by_keyboard(page, first)
    with page.expect_response(re.compile(r"/ergebnis/antworten/$")):
        page.locator("#review > summary").click()  # the answers folded in
    page.locator("#feedback").get_by_label("Nein").check()
    with page.expect_response(re.compile(r"/rueckmeldung/")):
        page.get_by_role("button", name="Rückmeldung senden").click()
    page.locator("#feedback-errors").wait_for()
    assert page.evaluate("window.violations") == []
    assert page.locator("style").count() == 0  # nor does htmx add its indicator styles
    assert not [line for line in console if "Content Security Policy" in line], console


def test_a_refused_limit_keeps_each_label_beside_its_field(page):
    """A review: with "zwanzig" in the hours field, the error box sat in the row of fields, and the hours' label
    ended up to the right of it, its field on the next line."""
    person = open_results(page)
    page.goto(reverse("results", args=[person.token]) + "?max_hours=zwanzig")
    page.locator("#limits-errors").wait_for()
    for field in ("max-hours", "max-price"):
        label = page.locator(f"label[for='{field}']").bounding_box()
        box = page.locator(f"#{field}").bounding_box()
        assert label and box and abs(label["y"] + label["height"] / 2 - (box["y"] + box["height"] / 2)) < box["height"]
        assert label["x"] < box["x"]
    errors = page.locator("#limits-errors").bounding_box()
    hours = page.locator("label[for='max-hours']").bounding_box()
    assert errors and hours and errors["y"] + errors["height"] <= hours["y"]


def test_feedback_refused_by_the_rate_limit_is_said_in_place_and_sent_again_as_chosen(page, settings):
    """The results page's posts have a limit of their own: refused, the feedback form's part says so, with focus on
    its heading and nothing axe objects to, and "Noch einmal versuchen" sends the choices made, once the pause is
    over."""
    from axe_playwright_python.sync_playwright import Axe

    from recommendations.models import ConfirmedOutcome

    settings.RATELIMITS = {"results": (1, 600)}
    person = open_results(page)
    # the one post the limit allows, from the browser's address (the live server's clients are all 127.0.0.1)
    assert Client(REMOTE_ADDR="127.0.0.1").post(reverse("share", args=[person.token])).status_code == 302
    page.locator("#feedback").get_by_label("Nein").check()
    page.locator("#feedback").get_by_role("checkbox").check()
    page.locator("#feedback-heading").focus()
    assert send_feedback_by_keyboard(page) == 429
    page.locator("#feedback-too-many").wait_for()
    page.wait_for_function("() => document.activeElement.id === 'feedback-too-many'")
    assert "Zu viele Anfragen" in page.locator("#feedback").inner_text()
    assert Axe().run(page, context="#feedback").response["violations"] == []
    settings.RATELIMITS = {"results": (100, 600)}
    page.locator("#feedback").get_by_role("button", name="Noch einmal versuchen").click()
    page.wait_for_url(re.compile(r"/ergebnis/#feedback$"))
    assert ConfirmedOutcome.objects.get().top_role_fits == "no"
