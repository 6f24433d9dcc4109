"""Numbers in markup: machine format (decimal points) wherever a program reads them, the reader's format
wherever a person reads them.

Django localizes every float a template prints, so in German `{{ 107.9 }}` becomes "107,9". In an SVG
coordinate, a <meter> value, inline CSS or JSON that is a broken chart, an empty meter or invalid data.
Every page that shows numbers is rendered in German and parsed; an attribute, a <style> or style=, or a
JSON script block that holds a digit-comma-digit ("\\d,\\d") fails the test, unless the attribute carries
human text (see HUMAN_TEXT_ATTRIBUTES). The visible text, in turn, keeps decimal commas in German and
points in English.
"""

from __future__ import annotations

import json
import re
import sys
import types
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from assessment.services import start_assessment
from tests.conftest import answer_all, strongest, weakest

pytestmark = pytest.mark.django_db

DECIMAL_COMMA = re.compile(r"\d,\d")
NUMBER = r"-?\d+(?:\.\d+)?"
MACHINE_NUMBER = re.compile(rf"^{NUMBER}(?:px|em|rem|%)?$")  # a CSS unit is fine: the admin's icons are 1.5rem
# SVG's `points` separates x and y by a comma ("160.0,34.0 200.1,50.2"): checked by its grammar instead.
POINTS = re.compile(rf"^\s*{NUMBER},{NUMBER}(?:\s+{NUMBER},{NUMBER})*\s*$")

# Attributes a person reads (a tooltip, a screen reader's label, a button's caption, what someone typed):
# they carry text in the page's language, so "Woche 2,5" would be right there. Everything else (SVG
# geometry, meter values, data-* read by scripts, form values sent to the server, hx-* JSON) is machine
# format. <option> values are not on the list: they are sent to the server, their label is their text.
HUMAN_TEXT_ATTRIBUTES = {"title", "alt", "aria-label", "aria-description", "aria-valuetext", "placeholder"}
HUMAN_TEXT_INPUTS = {"text", "search", "email", "submit", "button", "reset"}  # <input value> shown as text
# Inside <svg>, <meter> and <progress> these attributes must be a plain machine number, nothing else.
NUMERIC_ATTRIBUTES = {
    "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "width", "height", "font-size",
    "stroke-width", "fill-opacity", "opacity", "value", "min", "max", "low", "high", "optimum",
}  # fmt: skip
NUMBER_ELEMENTS = {"meter", "progress"}
JSON_TYPES = {"application/json", "application/ld+json", "importmap"}


def is_human_text(tag: str, name: str, attrs: dict[str, str | None]) -> bool:
    if name in HUMAN_TEXT_ATTRIBUTES:
        return True
    if tag == "meta" and name == "content":
        return attrs.get("name") == "description"
    if tag == "input" and name == "value":
        return (attrs.get("type") or "text").lower() in HUMAN_TEXT_INPUTS
    return False


class NumbersInMarkup(HTMLParser):
    """Collects every number written for a program in the wrong format, and the text a person reads."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self._svg_depth = 0
        self._raw: str | None = None  # "style" or "json" while inside such an element
        self._raw_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "svg":
            self._svg_depth += 1
        for name, value in attrs:
            if value is None:
                continue
            where = f"<{tag} {name}={value!r}>"
            if name == "points":
                if not POINTS.match(value):
                    self.problems.append(f"{where}: not SVG points in machine format")
            elif name == "style":
                if DECIMAL_COMMA.search(value):
                    self.problems.append(f"{where}: decimal comma in inline CSS")
            elif (self._svg_depth or tag in NUMBER_ELEMENTS) and name in NUMERIC_ATTRIBUTES:
                if not MACHINE_NUMBER.match(value):
                    self.problems.append(f"{where}: not a machine number")
            elif DECIMAL_COMMA.search(value) and not is_human_text(tag, name, values):
                self.problems.append(f"{where}: decimal comma in a machine-read attribute")
        if tag == "style":
            self._raw = "style"
        elif tag == "script" and (values.get("type") or "").lower() in JSON_TYPES:
            self._raw = "json"
        if self._raw:
            self._raw_text = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "svg":
            self._svg_depth -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._svg_depth = max(0, self._svg_depth - 1)
        if self._raw and tag in {"style", "script"}:
            content = "".join(self._raw_text)
            found = DECIMAL_COMMA.search(content) if self._raw == "style" else None
            if found:
                self.problems.append(f"<style>: decimal comma near {content[found.start() - 40 : found.end() + 40]!r}")
            if self._raw == "json":
                try:
                    json.loads(content)
                except ValueError:
                    self.problems.append(f"<script> JSON does not parse: {content[:80]!r}")
                if DECIMAL_COMMA.search(content):  # json.dumps writes ", " between items, never "1,2"
                    self.problems.append(f"<script> JSON with a decimal comma: {content[:80]!r}")
            self._raw = None

    def handle_data(self, data: str) -> None:
        if self._raw:
            self._raw_text.append(data)
        else:
            self.text.append(data)


def parse(html: str | bytes) -> NumbersInMarkup:
    parser = NumbersInMarkup()
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    parser.close()
    return parser


def visible_text(parser: NumbersInMarkup) -> str:
    return re.sub(r"\s+", " ", " ".join(parser.text))


def assert_machine_numbers(html: str | bytes) -> NumbersInMarkup:
    parser = parse(html)
    assert not parser.problems, f"{len(parser.problems)} numbers in the wrong format:\n" + "\n".join(parser.problems)
    return parser


def in_language(client, language: str):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def decimal(value: float, language: str) -> str:
    """One decimal place, as a person reading `language` writes it."""
    text = f"{value:.1f}"
    return text.replace(".", ",") if language == "de" else text


# --- the checker itself ---------------------------------------------------------------------------------


def test_the_checker_catches_localized_numbers_and_lets_human_text_through():
    bad = parse(
        '<svg viewBox="0 0 10 10"><circle cx="107,9" cy="20" r="8"/><polygon points="1,5,2 3,0,4"/></svg>'
        '<meter value="0,59"></meter><div style="width: 12,5%" data-x="1,5"></div>'
        '<script type="application/json">{"x": 0,5}</script><style>.a { width: 1,5rem }</style>'
    )
    assert len(bad.problems) == 8  # the JSON twice: it does not parse, and it has a decimal comma
    good = parse(
        '<svg viewBox="0 0 10 10"><title>Stufe 2,5</title><circle cx="107.9" cy="20" r="8"/>'
        '<polygon points="1.5,2 3,4.25"/></svg><meter value="59.3" min="0" max="100"></meter>'
        '<abbr title="2,5 Stufen">2,5</abbr><input type="submit" value="Stufe 2,5">'
        '<script type="application/json">{"x": [0.5, 1]}</script>'
    )
    assert not good.problems
    assert "2,5" in visible_text(good)


# --- every page that shows numbers, in German -----------------------------------------------------------


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_results_page_writes_chart_and_meter_numbers_for_machines_and_ranges_for_people(
    client, finished_assessment, language
):
    response = in_language(client, language).get(reverse("results", args=[finished_assessment.token]))
    assert response.status_code == 200
    page = assert_machine_numbers(response.content)
    text = visible_text(page)
    score = response.context["sections"][0].competencies[0].score
    level = "Stufe" if language == "de" else "level"
    assert f"({decimal(score.level_low, language)}–{decimal(score.level_high, language)})" in text  # "(3,9–5,0)"
    spoke = response.context["radar"].spokes[0]
    assert decimal(spoke.level, language) in text  # the chart's table
    other = "." if language == "de" else ","
    assert not re.search(rf"{level} \d+\{other}\d", text)


def test_the_learning_path_fragment_htmx_swaps_in_has_machine_numbers(client, finished_assessment):
    url = reverse("results", args=[finished_assessment.token]) + "?role=it_architect"
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert "radar-person" in response.content.decode()
    assert_machine_numbers(response.content)


def test_the_profile_has_machine_numbers_and_the_work_style_dot_where_the_person_is(client, finished_assessment):
    response = client.get(reverse("results", args=[finished_assessment.token]))
    assert response.status_code == 200
    text = visible_text(assert_machine_numbers(response.content))
    assert re.search(r"\d,\d[^()]{0,12}\(\d,\d–\d,\d\)", text)  # a level with its range: "2,9 (2,0–3,7)"
    dot = re.search(r'<circle cx="([^"]+)"[^>]*class="axis-marker"', response.content.decode())
    style = response.context["profile"].work_style
    assert float(dot.group(1)) == pytest.approx(110 + style * 100, abs=0.05)  # the axis runs from 10 to 210


def test_the_pdfs_html_has_machine_numbers(client, finished_assessment, monkeypatch):
    """The HTML the PDF view hands to WeasyPrint, caught before it is rendered."""
    rendered: list[str] = []

    class HTML:
        def __init__(self, string: str, base_url: str, **options) -> None:  # options: the url_fetcher
            rendered.append(string)

        def write_pdf(self, **options) -> bytes:
            return b"%PDF-1.7 (not rendered in this test)"

    monkeypatch.setitem(sys.modules, "weasyprint", types.SimpleNamespace(HTML=HTML))
    monkeypatch.setitem(sys.modules, "weasyprint.urls", types.SimpleNamespace(URLFetcher=lambda **options: None))
    response = client.get(reverse("results-pdf", args=[finished_assessment.token]))
    assert response.status_code == 200 and len(rendered) == 1
    assert "radar-person" in rendered[0] and "<style>" in rendered[0]
    text = visible_text(assert_machine_numbers(rendered[0]))
    assert re.search(r"\d,\d[^()]{0,12}\(\d,\d–\d,\d\)", text)


def test_the_shared_read_only_view_has_machine_numbers(client, finished_assessment):
    finished_assessment.share()
    response = client.get(reverse("shared-results", args=[finished_assessment.share_token]))
    assert response.status_code == 200
    assert "radar-person" in response.content.decode()
    assert_machine_numbers(response.content)


def test_the_compare_page_has_machine_numbers(client, kept_attempts):
    earlier, later = kept_attempts
    response = client.get(reverse("compare"), {"vorher": earlier.token, "nachher": later.token})
    assert response.status_code == 200
    assert_machine_numbers(response.content)


@pytest.mark.parametrize("language", ["de", "en"])
def test_my_results_has_machine_times_and_dates_for_people(client, kept_attempts, language):
    response = in_language(client, language).get(reverse("my-results"))
    assert response.status_code == 200
    parser = assert_machine_numbers(response.content)
    html = response.content.decode()
    earlier, later = kept_attempts
    for attempt in (earlier, later):
        attempt.refresh_from_db()
        moment = timezone.localtime(attempt.finished_at)
        assert f'<time datetime="{moment:%Y-%m-%dT%H:%M:%S%z}">' in html  # ISO 8601 for programs
    shown = timezone.localtime(later.finished_at)
    written = f"{shown:%d.%m.%Y %H:%M}" if language == "de" else f"{shown.day} {shown:%b %Y, %H:%M}"
    assert written in visible_text(parser)  # the reader's format for people


def test_the_admin_dashboard_has_machine_numbers(admin_client):
    answer_all(start_assessment(), strongest)
    answer_all(start_assessment(), weakest)
    response = admin_client.get(reverse("admin_dashboard"))
    assert response.status_code == 200
    assert "<rect " in response.content.decode()
    assert_machine_numbers(response.content)


def test_the_admin_model_version_and_retrain_pages_have_machine_numbers(admin_client):
    pages = [reverse("admin:recommendations_modelversion_changelist")]
    retrain = reverse("admin:recommendations_modelversion_retrain")
    pages.append(retrain)
    queued = admin_client.post(retrain)  # queued for the worker, which does not run here
    assert queued.status_code == 302
    pages.append(queued["Location"])  # the status page that shows the training's progress
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_machine_numbers(response.content)


def test_a_number_a_person_reads_keeps_the_decimal_comma_in_german_and_the_point_in_english(client):
    """The admin's own figures too: the model's cross-validated top-1 in the version list."""
    user = get_user_model().objects.create_superuser("admin@example.org", "admin@example.org", "Zollverein-2026!")
    client.force_login(user)
    url = reverse("admin:recommendations_modelversion_changelist")
    german = visible_text(assert_machine_numbers(in_language(client, "de").get(url).content))
    english = visible_text(assert_machine_numbers(in_language(client, "en").get(url).content))
    assert re.search(r"\d,\d\s%", german) and not re.search(r"\d\.\d\s?%", german)
    assert re.search(r"\d\.\d%", english) and not re.search(r"\d,\d\s?%", english)
