"""The question flow with JavaScript on: what htmx swaps in keeps the page around it right (the language
switch's way back, the tab title and its history entries) and explains a missing answer in place, also under
DEBUG, where django-htmx's debug script would otherwise take over the page."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_assessment_flow import answer_with_keyboard, press_tab_until, start_by_keyboard

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("shipped_content")]


def answer_by_keyboard_until(page, step: int) -> None:
    """Start and answer by keyboard until question `step` is shown; htmx swaps each one in."""
    start_by_keyboard(page)
    page.evaluate("window.notReloaded = true")
    for shown in range(2, step + 1):
        answer_with_keyboard(page)
        page.wait_for_url(re.compile(rf"/frage/{shown}/$"))
        page.wait_for_selector(f"text=Frage {shown} ·")
    assert page.evaluate("window.notReloaded") is True  # swapped, never loaded


def test_the_language_switch_returns_to_the_question_htmx_showed_last(page):
    answer_by_keyboard_until(page, 5)
    page.get_by_role("button", name="English").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Question 5 ·")
    assert re.search(r"/frage/5/$", page.url)
    assert page.locator("html").get_attribute("lang") == "en"


def test_the_language_switch_returns_to_the_question_after_going_back_with_htmx(page):
    answer_by_keyboard_until(page, 3)
    page.get_by_role("link", name="Zurück").click()
    page.wait_for_selector("text=Frage 2 ·")
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("text=Question 2 ·")
    assert re.search(r"/frage/2/$", page.url)


def test_the_tab_title_and_the_history_entries_follow_each_swapped_question(page):
    answer_by_keyboard_until(page, 4)
    assert page.title() == "Frage 4 · Revierpfad"
    history = page.context.new_cdp_session(page).send("Page.getNavigationHistory")
    titles = {
        int(match.group(1)): entry["title"]
        for entry in history["entries"]
        if (match := re.search(r"/frage/(\d+)/$", entry["url"]))
    }
    assert titles == {step: f"Frage {step} · Revierpfad" for step in (1, 2, 3, 4)}


@pytest.mark.parametrize("debug", [True, False], ids=["debug", "no-debug"])
def test_an_empty_answer_is_explained_inside_the_page_with_javascript(page, settings, debug):
    settings.DEBUG = debug  # DEBUG on: what `make run` serves, with django-htmx's debug script in the page
    page.goto("/")
    assert (page.locator("script[src*='django-htmx.js']").count() == 1) is debug
    answer_by_keyboard_until(page, 2)
    press_tab_until(page, "el.name === 'action' && el.value === 'answer'")
    with page.expect_response(re.compile(r"/frage/2/$")) as answered:
        page.keyboard.press("Enter")
    assert answered.value.status == 400
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "Bitte wählen Sie eine Antwort aus" in alert.inner_text()
    assert page.evaluate("document.activeElement.id") == "option-errors"
    assert page.evaluate("window.notReloaded") is True
    assert page.locator(".site-header .brand").is_visible()  # the page around the card is still there
    assert page.locator(".site-footer").is_visible()
    assert page.locator("#question-card").count() == 1
    assert page.locator("link[rel=stylesheet]").count() >= 1
    assert page.title() == "Frage 2 · Revierpfad"
    # and the question can be answered from there, by keyboard
    press_tab_until(page, "el.type === 'radio'")
    page.keyboard.press("ArrowDown")
    press_tab_until(page, "el.name === 'action' && el.value === 'answer'")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/frage/3/$"))
    page.wait_for_selector("text=Frage 3 ·")


# Run in the page: as soon as question `step` is in the document, choose its first option and press its
# answer button, in the same moment, before anything else can run. A card htmx has not yet wired up (htmx
# wires swapped content only once it has settled) would post itself as a plain form and load a whole page;
# a wired one is swapped again.
ANSWER_THE_MOMENT_IT_APPEARS = """step => {
  const observer = new MutationObserver(() => {
    const label = document.getElementById("progress-label");
    if (!label || !label.textContent.startsWith(`Frage ${step} ·`)) return;
    observer.disconnect();
    const card = document.getElementById("question-card");
    card.querySelector("input[type=radio]").checked = true;
    card.querySelector("button[name=action][value=answer]").click();
    window.answeredAtOnce = true;
  });
  observer.observe(document.body, {childList: true, subtree: true});
}"""


def test_a_swapped_question_can_be_answered_the_moment_it_appears(page):
    answer_by_keyboard_until(page, 2)
    page.evaluate(ANSWER_THE_MOMENT_IT_APPEARS, 3)
    answer_with_keyboard(page)
    page.wait_for_function("() => window.answeredAtOnce === true")
    page.wait_for_url(re.compile(r"/frage/4/$"))
    page.wait_for_selector("text=Frage 4 ·")
    assert page.evaluate("window.notReloaded") is True  # the card shown at once was already wired by htmx


def shown_step(page) -> int:
    found = re.search(r"Frage (\d+) ·", page.locator("main").inner_text())
    assert found is not None
    return int(found.group(1))


def lands_on(page, step: int) -> None:
    """The address names question `step`, and question `step` is what the page shows."""
    page.wait_for_url(re.compile(rf"/frage/{step}/$"))
    page.wait_for_selector(f"text=Frage {step} ·")
    assert shown_step(page) == step


@pytest.mark.parametrize("rounds", [1, 3])
def test_back_and_forward_show_the_question_the_address_bar_names(page, rounds):
    """A browser review saw the address bar left on the previous question after Back then Forward, now and then.
    The browser's own buttons, several times over: each time the question shown is the one the address names
    (htmx keeps no history snapshots here and loads the address on a miss)."""
    answer_by_keyboard_until(page, 5)
    for _ in range(rounds):
        for move, step in ((page.go_back, 4), (page.go_back, 3), (page.go_forward, 4), (page.go_forward, 5)):
            move()
            lands_on(page, step)


def test_back_and_forward_after_the_page_s_own_back_link_keep_address_and_question_together(page):
    """The page's "Zurück" link swaps the previous question in and pushes its address; the browser's buttons
    then walk that history: wherever they land, the question shown is the one the address names."""
    answer_by_keyboard_until(page, 4)
    page.get_by_role("link", name="Zurück").click()
    lands_on(page, 3)
    page.go_back()  # to where the link was followed
    lands_on(page, 4)
    page.go_forward()  # to the link's question
    lands_on(page, 3)
    answer_with_keyboard(page)  # answering again moves on from question 3 to 4
    lands_on(page, 4)
    page.go_back()
    lands_on(page, 3)


def test_an_answer_after_the_attempt_was_finished_in_another_tab_shows_that_page_whole(page):
    """The browser review: the whole 409 page ("bereits abgeschlossen"), header and footer included, was pasted
    into the question card. htmx now loads it as the page (HX-Refresh)."""
    from assessment.models import Assessment
    from assessment.services import finish_assessment

    answer_by_keyboard_until(page, 2)
    finish_assessment(Assessment.objects.get())  # the other tab
    answer_with_keyboard(page)
    page.wait_for_function("() => window.notReloaded === undefined")  # a whole page was loaded
    assert page.locator("header.site-header").count() == 1 and page.locator("h1").count() == 1
    assert page.locator("#question-card").count() == 0
    assert "abgeschlossen" in page.locator("h1").inner_text()


@pytest.mark.parametrize("debug", [True, False], ids=["debug", "no-debug"])
def test_a_refused_form_token_is_said_in_place_and_the_choice_is_sent_again(page, settings, debug):
    """A review: with the token's cookie gone (it expires, or another tab logged in), "Weiter" reloaded the question
    with the choice cleared and no word said, as if the answer had been saved. Now the message stands before the
    question, the choice stays, and "Weiter" again sends it with a fresh token. Under DEBUG (`make run`) django-htmx's
    debug script replaced the whole page with the 403's one sentence (a review)."""
    settings.DEBUG = debug
    page.goto("/")
    assert (page.locator("script[src*='django-htmx.js']").count() == 1) is debug
    answer_by_keyboard_until(page, 2)
    press_tab_until(page, "el.type === 'radio'")
    page.keyboard.press("ArrowDown")
    chosen = page.evaluate("document.activeElement.value")
    page.context.clear_cookies(name="csrftoken")
    press_tab_until(page, "el.name === 'action' && el.value === 'answer'")
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "bitte senden Sie es noch einmal" in alert.inner_text()
    assert page.evaluate("document.activeElement.getAttribute('role')") == "alert"  # focus moved to the message
    assert page.locator(f"input[type=radio][value='{chosen}']").is_checked() and re.search(r"/frage/2/$", page.url)
    assert page.locator(".site-header .brand").is_visible() and page.title() == "Frage 2 · Revierpfad"
    # refused once more (the cookie gone again): one message, not a second below the first
    page.context.clear_cookies(name="csrftoken")
    press_tab_until(page, "el.name === 'action' && el.value === 'answer'")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.getAttribute('role') === 'alert'")
    assert page.get_by_role("alert").count() == 1
    press_tab_until(page, "el.name === 'action' && el.value === 'answer'")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/frage/3/$"))
    page.wait_for_selector("text=Frage 3 ·")
    assert page.evaluate("window.notReloaded") is True
    assert page.get_by_role("alert").count() == 0  # the message went with the question it was about


def test_tab_into_the_next_question_reaches_its_first_option_whichever_was_chosen_before(page):
    """A review: answered with the fourth option by keyboard, the next question swapped in, and Tab from its heading
    went to the fourth option (htmx put focus back on the element with the pressed option's id, which the new
    question's fourth option had too). Each question's options have ids of their own."""
    start_by_keyboard(page)
    press_tab_until(page, "el.type === 'radio'")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # answers with the fourth option
    page.wait_for_url(re.compile(r"/frage/2/$"))
    page.wait_for_selector("text=Frage 2 ·")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'question-heading'")
    page.keyboard.press("Tab")
    first = page.evaluate("document.querySelector('input[type=radio]').id")
    assert page.evaluate("document.activeElement.id") == first
    assert not page.evaluate("document.activeElement.checked")
