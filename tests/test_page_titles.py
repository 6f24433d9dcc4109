"""Every page has its own title and exactly one main heading (WCAG 2.4.2 and axe's page-has-heading-one): many
account and error pages carried the site's generic title, so a screen reader or a row of tabs could not tell them
apart, and the stand-alone page of the knowledge questions had no <h1>."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests.pages import public_pages

pytestmark = pytest.mark.django_db


def title(page: bytes) -> str:
    found = re.search(r"<title>(.*?)</title>", page.decode(), re.S)
    return " ".join(found.group(1).split()) if found else ""


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_page_has_its_own_title_and_one_main_heading(client, language):
    pages = public_pages(client, language)
    pages.pop("learning path (htmx)")  # a fragment swapped into the results page
    client.logout()
    pages["not found"] = client.get("/gibt-es-nicht/").content
    pages["only a form"] = client.get(reverse("assessment:start")).content
    with translation.override(language):
        generic = title(client.get(reverse("assessment:home")).content)
    for name, page in pages.items():
        assert len(re.findall(r"<h1[\s>]", page.decode())) == 1, name
        if name != "start":
            assert title(page) != generic and title(page).endswith(" · Revierpfad"), (name, title(page))
    titles = [title(page) for name, page in pages.items() if name not in ("results", "results, longest role")]
    assert len(set(titles)) == len(titles), titles


def test_a_shared_result_says_whose_it_is(client):
    shared = public_pages(client, "de")["shared"].decode()
    assert "<h1>Ein geteiltes Ergebnis</h1>" in shared and "<h1>Ihr Ergebnis</h1>" not in shared
    assert "Wo diese Seite „Sie“ sagt, ist die Person gemeint, die sie gemacht hat." in shared
