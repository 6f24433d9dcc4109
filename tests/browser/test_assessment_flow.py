from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from assessment.models import Answer, Assessment, Item

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("shipped_content")]


def press_tab_until(page, predicate: str, limit: int = 40) -> None:
    """Press Tab until the focused element matches a JS predicate on `document.activeElement`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {predicate})(document.activeElement)"):
            return
    raise AssertionError(f"keyboard focus never reached an element where {predicate}")


def answer_with_keyboard(page) -> None:
    """Choose an option with the arrow keys and submit with Enter: no mouse."""
    press_tab_until(page, "el.type === 'radio'")
    page.keyboard.press("ArrowDown")  # selects the next option in the group
    press_tab_until(page, "el.name === 'action' && el.value === 'answer'")
    page.keyboard.press("Enter")


def start_by_keyboard(page, every_question: bool = False) -> None:
    page.goto("/")
    mode = "el.name === 'mode'" if every_question else "!el.name"
    press_tab_until(page, f"el.type === 'submit' && el.closest('form').action.endsWith('/start/') && {mode}")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/frage/1/$"))


def take_assessment_by_keyboard(page, every_question: bool = False, limit: int = 100) -> int:
    """Answer question after question by keyboard until the result shows; returns how many were asked."""
    start_by_keyboard(page, every_question)
    for step in range(1, limit + 1):
        answer_with_keyboard(page)
        page.wait_for_url(re.compile(rf"/frage/{step + 1}/$|/ergebnis/"))  # pushed by htmx, or loaded
        if "/ergebnis/" in page.url:
            page.wait_for_selector("h1")
            return step
        page.wait_for_selector(f"text=Frage {step + 1}")
    raise AssertionError(f"no result after {limit} questions")


def assert_results_shown(page) -> None:
    """The keyboard walk picks the second option of every question: the page shows the profile with its
    ranges and the work style, and either ranks the roles or (when the answers do not hold together)
    says so kindly, offers a new attempt and ranks none."""
    assert page.locator("h1").inner_text() == "Ihr Ergebnis"
    assert page.locator(".score-row").count() == 10
    assert page.locator(".axis-marker").count() == 1
    if page.locator(".roles.unreliable").count():
        assert page.locator(".role-card").count() == 0
        assert (
            "Wir können Ihnen noch kein verlässliches Ergebnis geben" in page.locator(".roles.unreliable").inner_text()
        )
        assert page.get_by_role("button", name="Neuen Durchgang starten").is_visible()
    else:
        assert page.locator(".role-card").count() == 3


def test_a_person_takes_the_adaptive_assessment_with_the_keyboard_and_htmx(page):
    asked = take_assessment_by_keyboard(page)
    assessment = Assessment.objects.get()
    assert assessment.is_finished and assessment.adaptive
    assert asked <= 30 and asked == assessment.total_steps
    assert Answer.objects.filter(assessment=assessment, option__isnull=False).count() == asked
    assert_results_shown(page)


def test_a_person_takes_the_adaptive_assessment_with_the_keyboard_and_no_javascript(page_without_js):
    asked = take_assessment_by_keyboard(page_without_js)
    assessment = Assessment.objects.get()
    assert assessment.is_finished and asked <= 30
    assert Answer.objects.filter(assessment=assessment).count() == asked
    assert_results_shown(page_without_js)


def test_a_person_may_answer_every_question_for_the_detailed_profile(page):
    asked = take_assessment_by_keyboard(page, every_question=True)
    assessment = Assessment.objects.get()
    assert not assessment.adaptive and asked == len(assessment.item_ids) == Item.objects.filter(active=True).count()
    assert_results_shown(page)


def test_htmx_swaps_only_the_question_card_and_moves_focus_to_the_question(page):
    page.goto("/")
    page.get_by_role("button", name="Selbsteinschätzung starten").click()
    page.wait_for_url(re.compile(r"/frage/1/$"))
    page.evaluate("window.notReloaded = true")
    page.locator("input[type=radio]").first.check()
    page.get_by_role("button", name="Weiter").click()
    page.wait_for_selector("text=Frage 2 ·")
    assert page.evaluate("window.notReloaded") is True
    assert re.search(r"/frage/2/$", page.url)
    assert page.evaluate("document.activeElement.id") == "question-heading"


def test_the_browsers_back_button_returns_to_the_previous_question_with_its_answer(page):
    page.goto("/")
    page.get_by_role("button", name="Selbsteinschätzung starten").click()
    page.locator("input[type=radio]").nth(2).check()
    page.get_by_role("button", name="Weiter").click()
    page.wait_for_selector("text=Frage 2 ·")
    page.go_back()
    page.wait_for_selector("text=Frage 1 ·")
    assert page.locator("input[type=radio]").nth(2).is_checked()
    page.reload()
    assert page.locator("text=Frage 1 ·").is_visible()


def test_a_missing_answer_is_explained_in_place(page):
    page.goto("/")
    page.get_by_role("button", name="Selbsteinschätzung starten").click()
    page.get_by_role("button", name="Weiter").click()
    alert = page.get_by_role("alert")
    assert "wählen Sie eine Antwort" in alert.inner_text()
    assert page.locator("text=Frage 1 ·").is_visible()


def test_the_language_switch_shows_the_question_in_english(page):
    page.goto("/")
    page.get_by_role("button", name="Selbsteinschätzung starten").click()
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("text=Question 1 ·")
    assert page.locator("html").get_attribute("lang") == "en"


@pytest.mark.parametrize("javascript", [True, False])
def test_an_english_browser_is_offered_english_in_english_and_takes_it_by_keyboard(browser, live_server, javascript):
    """German first stays the default; a browser that asks for English and not German (here en-GB) is offered
    English at the top of the page, in English, and one key press reads the page in English."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB", java_script_enabled=javascript)
    page = context.new_page()
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "de"
    offer = page.get_by_role("button", name="Read it in English")
    assert offer.is_visible() and "This page is in German." in page.locator(".language-hint").inner_text()
    if javascript:  # axe runs in the page
        assert not Axe().run(page).response["violations"]
    focused = page.locator(".language-hint button:focus")  # a selector: no script of the page's needed
    for _ in range(8):  # the skip link, then the brand, the login link, the switch, the offer
        page.keyboard.press("Tab")
        if focused.count():
            break
    assert focused.count() == 1
    page.keyboard.press("Enter")
    page.wait_for_selector("html[lang=en]")
    assert page.get_by_role("button", name="Deutsch").is_visible()
    assert page.locator(".language-hint").count() == 0  # chosen: nothing more to offer
    context.close()


def test_axe_finds_no_violations_on_the_start_question_and_results_pages(page):
    axe = Axe()
    page.goto("/")
    violations = {"start": axe.run(page).response["violations"]}
    take_assessment_by_keyboard(page)
    violations["results"] = axe.run(page).response["violations"]
    unfinished = Assessment.objects.create(item_ids=Assessment.objects.get().item_ids)
    page.goto(unfinished.step_url(3))
    violations["question"] = axe.run(page).response["violations"]
    found = {name: [v["id"] for v in found] for name, found in violations.items() if found}
    assert not found, found
