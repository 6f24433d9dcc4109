"""Every table on the public pages scrolls inside the same wrapper: a region a keyboard can reach and scroll, named
after the table, with the scroll shadows of `.table-wrap` (static/css/app.css) that show there is more beside it.

On a 375 pixel phone a wide table scrolls sideways; a table outside the wrapper would widen the page, and a
wrapper without tabindex and a name could not be scrolled by keyboard (axe: scrollable-region-focusable).
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.pages import public_pages

pytestmark = pytest.mark.django_db

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Tables(HTMLParser):
    """Each table's wrapper (the element around it, as attributes), and the text of every element with an id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.wrappers: list[dict[str, str | None]] = []
        self.text_by_id: dict[str, str] = {}
        self._open: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "table":
            self.wrappers.append(self._open[-1][1] if self._open else {})
        if values.get("id"):
            self.text_by_id.setdefault(str(values["id"]), "")
        if tag not in VOID:
            self._open.append((tag, values))

    def handle_endtag(self, tag: str) -> None:
        while self._open and self._open.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        for _, values in self._open:
            if values.get("id"):
                self.text_by_id[str(values["id"])] += data


def problems_of(html: bytes | str) -> tuple[int, list[str]]:
    """How many tables the page has, and what is wrong with their wrappers."""
    page = Tables()
    page.feed(html.decode() if isinstance(html, bytes) else html)
    page.close()
    problems = []
    for wrapper in page.wrappers:
        where = f"<div {wrapper}>"
        if "table-wrap" not in (wrapper.get("class") or "").split():
            problems.append(f"{where}: not a .table-wrap")
        if wrapper.get("tabindex") != "0" or wrapper.get("role") != "region":
            problems.append(f'{where}: not a region the keyboard reaches (tabindex="0" role="region")')
        names = [page.text_by_id.get(name, "").strip() for name in (wrapper.get("aria-labelledby") or "").split()]
        if not (names and all(names)) and not (wrapper.get("aria-label") or "").strip():
            problems.append(f"{where}: no name (aria-labelledby the table's caption)")
    return len(page.wrappers), problems


def test_the_checker_finds_a_bare_table_and_a_nameless_wrapper():
    assert problems_of("<table></table>")[1]
    assert len(problems_of('<div class="table-wrap"><table><caption>Stufen</caption></table></div>')[1]) == 2
    good = '<div class="table-wrap" tabindex="0" role="region" aria-labelledby="c"><table><caption id="c">Stufen'
    assert problems_of(good + "</caption></table></div>") == (1, [])


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_table_on_the_public_pages_scrolls_in_a_named_region_the_keyboard_reaches(client, language):
    found, tables = {}, 0
    for name, html in public_pages(client, language).items():
        count, problems = problems_of(html)
        tables += count
        if problems:
            found[name] = problems
    assert not found
    assert tables >= 6  # the levels on the results pages, the kept attempts, the two of the comparison
