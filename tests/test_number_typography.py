"""Numbers are written for people in the text of every page: a percent sign is bound to its number by a no-break
space in German (a line never starts with "%") and follows it directly in English ("92%"), and a negative number
has a real minus sign (U+2212), not a hyphen. A browser review found "92 %" broken across lines and "-3" in the
comparison, and a later one "83 %" on the English pages; this test reads the text of every public page, the
account's pages, the PDF's HTML and the admin's overview in both languages, so a new place of either kind fails.
Attributes (machine numbers: `value="-0.4"`) are not text and are not read."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from recommendations.presentation import results_context
from tests.pages import public_pages

pytestmark = pytest.mark.django_db

BREAKABLE_PERCENT = re.compile(r"\d[ \t\n]+%")
SPACED_PERCENT = re.compile(r"\d[\s\u00a0\u202f]+%")  # English writes "92%"
HYPHEN_MINUS = re.compile(r"(?<![\w\-–./:#&;])-\d")


def text_of(page: bytes | str) -> str:
    """What a reader sees: no scripts, styles or tags (so no attributes), entities resolved."""
    source = page.decode() if isinstance(page, bytes) else page
    source = re.sub(r"<(script|style)\b.*?</\1>", " ", source, flags=re.S)
    source = re.sub(r"<!--.*?-->", " ", source, flags=re.S)
    source = re.sub(r"</?(span|strong|em|abbr)\b[^>]*>", "", source)  # inside a line of text: no gap of its own
    return html.unescape(re.sub(r"<[^>]+>", " ", source))


def problems(pages: dict[str, bytes | str], language: str = "de") -> list[tuple[str, str]]:
    found = []
    for name, page in pages.items():
        text = text_of(page)
        for pattern in (SPACED_PERCENT if language == "en" else BREAKABLE_PERCENT, HYPHEN_MINUS):
            for match in pattern.finditer(text):
                found.append((name, " ".join(text[max(0, match.start() - 40) : match.end() + 10].split())))
    return found


@pytest.mark.parametrize("language", ["de", "en"])
def test_no_page_breaks_a_percentage_or_writes_a_minus_as_a_hyphen(client, admin_client, language):
    from recommendations.models import Course, Role

    # what an admin may type into the catalogue: free text with an ordinary space before "%"
    # (the English written the German way too: the English pages write it "65%")
    Course.objects.update(description_de="Bestehensgrenze 65 %.", description_en="Pass mark 65 %.")
    Role.objects.update(pay_de="Etwa 10 % über dem Tarif.", pay_en="About 10\u00a0% above the agreement.")
    pages: dict[str, bytes | str] = dict(public_pages(client, language))
    token = re.search(rb"/a/([\w-]+)/ergebnis/", pages["results"])
    assert token is not None
    from assessment.models import Assessment

    assessment = Assessment.objects.get(token=token.group(1).decode())
    with translation.override(language):
        context, _status = results_context(assessment)
        pages["pdf"] = render_to_string("recommendations/result_pdf.html", {**context, "stylesheet": ""})
    admin_client.cookies["django_language"] = language
    pages["admin overview"] = admin_client.get(reverse("admin:index")).content
    assert problems(pages, language) == []


def test_the_check_finds_what_it_is_for():
    assert len(problems({"p": "<p>Sie erfüllen 92 % (80–98 %)</p>"})) == 2
    assert [name for name, _context in problems({"p": "<p>Änderung: -3 Punkte</p>"})] == ["p"]
    assert problems({"p": '<p data-x="-3">92\u00a0% · −3 · 2026-12-04 · 1–3</p>'}) == []
    assert len(problems({"p": "<p>You meet 92\u00a0% (80–98 %)</p>"}, "en")) == 2  # English: "92% (80–98%)"
    assert problems({"p": "<p>You meet 92% (80–98%)</p>"}, "en") == []


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def test_the_shipped_content_binds_every_percent_sign_to_its_number():
    """The catalogue's and the questions' texts reach the pages as they are (a course's "pass mark 65 %")."""
    root = Path(__file__).resolve().parent.parent
    files = [*root.glob("assessment/content/*.json"), *root.glob("recommendations/content/*.json")]
    assert len(files) >= 3
    found = [
        (path.name, text)
        for path in files
        for text in strings(json.loads(path.read_text()))
        if BREAKABLE_PERCENT.search(text)
    ]
    assert found == []


def test_a_negative_number_gets_a_minus_sign_and_a_rounded_zero_none():
    from core.numbers import with_minus

    texts = ("-0,4", "-12", "0,3", "-0,0", "-0")
    assert [with_minus(text) for text in texts] == ["\u22120,4", "\u221212", "0,3", "0,0", "0"]
