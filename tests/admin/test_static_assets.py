"""Every admin page loads every stylesheet, script and image it names: on every kind of admin page
(tests/admin/page_kinds.py) and on the pages only a form reaches (login, the import preview, deleting selected
courses), each <link href>, <script src> and <img src> is a static file that exists, or a page of the app that
answers 200, and so is every url() and @import in the stylesheets they load (Django's forms.css imports
widgets.css), and /favicon.ico where a page names no icon.

A static address is looked up with the static files finders, as collectstatic gathers them, so a template
override copied from Django or django-import-export with a stale path, a form's Media naming a file that is not
there, or an app missing from INSTALLED_APPS fails here; under DEBUG the tests' {% static %} does not check.

Checked in a deploy (DEBUG off, collectstatic, WhiteNoise's manifest storage) before this test: the 68 pages
named 56 addresses (widgets.css, which forms.css imports, among them), and every one answered 200. The one
request a browser made there that failed was /favicon.ico (404): the admin named no icon; now it names the site's."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from recommendations.models import Course
from tests.admin.helpers import admin_url
from tests.admin.page_kinds import PAGE_KINDS, one_of_everything

pytestmark = pytest.mark.django_db

# url(...) and @import "..." in a stylesheet; data: and fragment addresses name no file
CSS_REFERENCE = re.compile(r"""url\(\s*(['"]?)(?P<url>[^'")]*?)\1\s*\)|@import\s+(['"])(?P<imported>[^'"]*)\3""")
STATIC_TAG = re.compile(r"""\{%\s*static\s+(['"])(.+?)\1""")


class _Named(HTMLParser):
    """The addresses a page makes the browser load: stylesheets and icons (<link href>), scripts, images, and
    /favicon.ico, which a browser asks for when the page names no icon."""

    def __init__(self) -> None:
        super().__init__()
        self.addresses: list[str] = []
        self.icon = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        address = attributes.get({"link": "href", "script": "src", "img": "src"}.get(tag, ""))
        if address:
            self.addresses.append(address)
        self.icon |= tag == "link" and "icon" in (attributes.get("rel") or "").split()


def named_in(html: str) -> list[str]:
    parser = _Named()
    parser.feed(html)
    return parser.addresses if parser.icon else [*parser.addresses, "/favicon.ico"]


def static_file(path: str) -> Path | None:
    """The file a static address is served from, found as collectstatic finds it."""
    found = finders.find(unquote(path.removeprefix(settings.STATIC_URL)))
    return Path(found) if found else None


def referenced_by_stylesheet(address: str, file: Path) -> list[str]:
    found = []
    for match in CSS_REFERENCE.finditer(file.read_text(encoding="utf-8")):
        url = match["url"] or match["imported"] or ""
        if url and not url.startswith(("data:", "#")):
            found.append(urljoin(address, url))
    return found


def failing(client, pages: dict[str, str]) -> list[str]:
    """`page: address (why)` for every address one of the pages names that does not load."""
    checked: dict[str, str | None] = {}  # address: why it fails, or None

    def check(address: str) -> str | None:
        if address in checked:
            return checked[address]
        path = urlsplit(address).path
        checked[address] = None
        if path.startswith(settings.STATIC_URL):
            file = static_file(path)
            if file is None:
                checked[address] = "no such static file"
            elif path.endswith(".css"):
                inner = [f"{url} ({why})" for url in referenced_by_stylesheet(path, file) if (why := check(url))]
                checked[address] = "; ".join(inner) or None
        elif (status := client.get(address).status_code) != 200:
            checked[address] = f"answered {status}"
        return checked[address]

    failures = []
    for name, html in pages.items():
        addresses = named_in(html)
        assert addresses, name  # the page names its stylesheets
        failures += [f"{name}: {address} ({why})" for address in addresses if (why := check(address))]
    return failures


def rendered(client, urls: dict[str, str]) -> dict[str, str]:
    pages = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, (name, url)
        pages[name] = response.content.decode()
    return pages


@pytest.mark.parametrize("kind", list(PAGE_KINDS))
def test_every_stylesheet_script_and_image_of_every_admin_page_kind_exists(admin_client, kind):
    one_of_everything()
    pages = rendered(admin_client, PAGE_KINDS[kind]())
    assert len(pages) >= 5
    assert failing(admin_client, pages) == []


def test_so_do_those_of_the_login_the_import_preview_and_deleting_selected_courses(client, admin_client):
    logged_out = {"login": client.get(reverse("admin:login")).content.decode()}
    refused = client.post(reverse("admin:login"), {"username": "admin", "password": "falsch"})
    assert refused.status_code == 400 and "errornote" in refused.content.decode()
    logged_out["login refused"] = refused.content.decode()
    assert failing(client, logged_out) == []

    course = Course.objects.order_by("pk").first()
    upload = SimpleUploadedFile("kurse.csv", f"slug,hours\n{course.slug},{course.hours + 7}\n".encode())
    preview = admin_client.post(admin_url(Course, "import"), {"import_file": upload, "format": "0"})
    assert "import-preview" in preview.content.decode()
    pages = {"import preview": preview.content.decode()}

    chosen = {"action": "delete_selected", "_selected_action": [course.pk], "index": "0"}
    confirm = admin_client.post(admin_url(Course, "changelist"), chosen)
    assert "delete-confirmation" in confirm.content.decode()
    pages["delete selected courses"] = confirm.content.decode()
    assert failing(admin_client, pages) == []


def test_every_static_file_a_template_names_exists():
    """Also what a page shows only sometimes: the help icon of a tabular inline's column (the project's copy of
    Django's edit_inline/tabular.html) appears only for a field with help text, which no inline has now."""
    named = {
        (template.relative_to(settings.BASE_DIR).as_posix(), path)
        for directory in settings.TEMPLATES[0]["DIRS"]
        for template in Path(directory).rglob("*.html")
        for _quote, path in STATIC_TAG.findall(template.read_text(encoding="utf-8"))
    }
    assert "templates/admin/edit_inline/tabular.html" in {template for template, _ in named} and len(named) >= 12
    assert [(template, path) for template, path in sorted(named) if not finders.find(path)] == []


def test_a_missing_file_a_stale_path_in_a_stylesheet_and_a_failing_page_are_each_found(
    admin_client, tmp_path, settings
):
    """The check fails where a browser would: a static file that is not there, a url() in a stylesheet that names
    none, a script address answered 404."""
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "ok.css").write_text('@import url("../admin/css/widgets.css"); a { color: red }')
    (tmp_path / "extra" / "stale.css").write_text("a { background: url('img/gone.svg') } b { mask: url(data:x) }")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, tmp_path]
    static = settings.STATIC_URL
    page = (
        f'<link rel="stylesheet" href="{static}extra/ok.css"><link rel="stylesheet" href="{static}extra/stale.css">'
        f'<script src="{static}admin/js/core.js"></script><script src="{static}admin/js/gone.js"></script>'
        '<script src="/admin/jsi18n/"></script><script src="/admin/no-such-page.js"></script>'
    )
    with_icon = f'<link rel="icon" href="{static}favicon.svg" type="image/svg+xml"><script src="{static}gone.js">'
    assert failing(admin_client, {"page": page, "with its icon": with_icon}) == [
        f"page: {static}extra/stale.css ({static}extra/img/gone.svg (no such static file))",
        f"page: {static}admin/js/gone.js (no such static file)",
        "page: /admin/no-such-page.js (answered 404)",
        "page: /favicon.ico (answered 404)",
        f"with its icon: {static}gone.js (no such static file)",
    ]
