"""Long names break with a hyphen in a narrow box, and soft hyphens go nowhere else.

Chromium on Linux has no German hyphenation dictionary, so "Informationssicherheitsbeauftragte/r" overflowed a
role card on a phone or broke without a hyphen. The pages now carry soft hyphens (U+00AD) in the long words of
the names they show in headings, summaries, table headers, captions and legends (core.hyphenation). Every
public page is parsed: there no catalogue name may stand with a long word unhyphenated, and no soft hyphen may
reach an attribute, an <option>, SVG text, a <title> or a script, nor the JSON, the PDF, the `assess` command or
the catalogue's export.
"""

from __future__ import annotations

import io
import json
import re
import sys
import types
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from assessment.models import Competency, Section
from assessment.services import start_assessment
from core.hyphenation import MIN_LENGTH, SOFT_HYPHEN, hyphenate
from recommendations.models import Course, Role
from tests.conftest import answer_all, at_level_one
from tests.pages import LONGEST_ROLE, public_pages

pytestmark = pytest.mark.django_db

# Where a soft hyphen does nothing (no line breaks there) and gets in the way of what reads or compares the text:
# a select's options (typing to choose), SVG (its text never wraps), the tab's title, scripts and styles.
NO_SOFT_HYPHENS = {"option", "svg", "title", "script", "style", "textarea"}
# The narrow boxes a name stands in: here its long words carry soft hyphens.
NAME_BOXES = {"h1", "h2", "h3", "h4", "summary", "th", "caption", "figcaption"}
NAME_CLASSES = {"score-name"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
LONG_WORD = re.compile(rf"[^\W\d_]{{{MIN_LENGTH},}}")


class SoftHyphens(HTMLParser):
    """Soft hyphens where they must not be, and the text of the boxes that show names (not the hidden ones)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # "&shy;" counts as much as the character itself
        self.misplaced: list[str] = []
        self.in_boxes: list[str] = []
        self._open: list[tuple[str, set[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and SOFT_HYPHEN in value:
                self.misplaced.append(f"<{tag} {name}={value!r}>")
        if tag not in VOID:
            self._open.append((tag, set((dict(attrs).get("class") or "").split())))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self._open.pop()

    def handle_endtag(self, tag: str) -> None:
        while self._open and self._open.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        tags = {tag for tag, _ in self._open}
        classes = set().union(*(classes for _, classes in self._open))
        if tags & NO_SOFT_HYPHENS:
            if SOFT_HYPHEN in data:
                self.misplaced.append(f"in <{'/'.join(sorted(tags & NO_SOFT_HYPHENS))}>: {data.strip()!r}")
        elif (tags & NAME_BOXES or classes & NAME_CLASSES) and "visually-hidden" not in classes:
            self.in_boxes.append(data)


def parse(html: bytes | str) -> SoftHyphens:
    parser = SoftHyphens()
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    parser.close()
    return parser


def names_to_break(language: str) -> set[str]:
    """The catalogue's names with a word of 12 letters or more that can break, as `language` shows them."""
    with translation.override(language):
        names = [
            *(role.name for role in Role.objects.all()),
            *(competency.name for competency in Competency.objects.all()),
            *(section.name for section in Section.objects.all()),
            *(course.title for course in Course.objects.all()),
        ]
    return {name for name in names if hyphenate(name, language) != name}


def has_a_word_to_break(text: str) -> bool:
    return any(hyphenate(word, "de") != word for word in LONG_WORD.findall(text))


def test_the_checker_finds_soft_hyphens_out_of_place_and_reads_the_boxes():
    page = parse(
        '<h3 title="In&shy;for&shy;ma&shy;ti&shy;on">In\u00adfor\u00adma\u00adti\u00adon</h3>'
        "<select><option>Sys&shy;tem</option></select><svg><text>Sys\u00adtem</text></svg>"
        '<th><span class="visually-hidden">hidden</span>shown<br></th><p>not a box</p>'
    )
    assert len(page.misplaced) == 3
    assert page.in_boxes == ["In\u00adfor\u00adma\u00adti\u00adon", "shown"]


@pytest.mark.parametrize("language", ["de", "en"])
def test_long_names_carry_soft_hyphens_in_their_boxes_and_nowhere_else(client, language):
    pages = public_pages(client, language)
    names = names_to_break(language)
    assert ("Informationssicherheitsbeauftragte/r (ISMS)" in names) is (language == "de")
    misplaced, unbroken, hyphenated = {}, {}, 0
    for name, html in pages.items():
        page = parse(html)
        boxes = " | ".join(page.in_boxes)
        hyphenated += boxes.count(SOFT_HYPHEN)
        if page.misplaced:
            misplaced[name] = page.misplaced
        if found := sorted(name for name in names if name in boxes):
            unbroken[name] = found
    assert not misplaced
    assert not unbroken
    assert hyphenated > 20  # the role cards, the learning path's heading and steps, the profile, the tables


@pytest.fixture
def at_level_one_assessment(db):
    """A person at level 1 in everything: three roles, a learning path of several courses."""
    return answer_all(start_assessment(), at_level_one)


def test_the_longest_role_name_breaks_in_the_paths_heading_on_the_results_page(client, at_level_one_assessment):
    url = reverse("results", args=[at_level_one_assessment.token])
    page = client.get(url, {"role": LONGEST_ROLE}).content.decode()
    heading = re.search(r'<h2 id="path-heading"[^>]*>(.*?)</h2>', page, flags=re.S)
    assert heading and "In\u00adfor\u00adma\u00adti\u00adons\u00adsi\u00adcher\u00adheits" in heading[1]


def test_no_soft_hyphen_reaches_the_json_the_pdf_or_the_assess_command(client, monkeypatch, at_level_one_assessment):
    assessment = at_level_one_assessment
    data = client.get(reverse("results-json", args=[assessment.token]))
    assert has_a_word_to_break(data.content.decode()) and SOFT_HYPHEN not in data.content.decode()

    rendered: list[str] = []  # the HTML the PDF view hands to WeasyPrint, caught before it is rendered

    class HTML:
        def __init__(self, string: str, base_url: str, **options) -> None:
            rendered.append(string)

        def write_pdf(self, **options) -> bytes:
            return b"%PDF-1.7 (not rendered in this test)"

    monkeypatch.setitem(sys.modules, "weasyprint", types.SimpleNamespace(HTML=HTML))
    monkeypatch.setitem(sys.modules, "weasyprint.urls", types.SimpleNamespace(URLFetcher=lambda **options: None))
    pdf = client.get(reverse("results-pdf", args=[assessment.token]), {"role": LONGEST_ROLE})
    assert pdf.status_code == 200 and len(rendered) == 1
    assert "Informationssicherheitsbeauftragte" in rendered[0] and SOFT_HYPHEN not in rendered[0]
    assert "hyphens: auto" in rendered[0]  # WeasyPrint hyphenates by itself

    answers = json.loads(data.content)["answers"]
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"answers": answers, "target_role": LONGEST_ROLE})))
    out = io.StringIO()
    call_command("assess", "-", stdout=out)
    assert has_a_word_to_break(out.getvalue()) and SOFT_HYPHEN not in out.getvalue()


def test_no_soft_hyphen_reaches_the_catalogues_export(admin_client):
    url = reverse("admin:recommendations_course_export")
    form = admin_client.get(url).context["form"]
    data = {"format": "0", "resource": "0"}
    data.update({name: "on" for name in form.fields if name.startswith("courseresource_")})
    exported = admin_client.post(url, data).content.decode("utf-8-sig")
    assert has_a_word_to_break(exported) and SOFT_HYPHEN not in exported
