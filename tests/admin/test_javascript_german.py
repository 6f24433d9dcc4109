"""The German admin's JavaScript speaks German: every message the admin's scripts ask for has its German in the
catalogue the admin serves (Django 5.2's own German catalogue lacks some, e.g. the help under the two lists of a
course's prerequisites)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import django.contrib.admin
import import_export
import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

# the scripts the project's admin pages load: Django's (its vendored libraries bring their own translations),
# django-import-export's and the project's own
SCRIPT_DIRS = (
    Path(django.contrib.admin.__file__).parent / "static" / "admin" / "js",
    Path(import_export.__file__).parent / "static" / "import_export",
    Path(settings.BASE_DIR) / "static" / "admin_extra",
)
_STRING = r"""(['"])((?:\\.|(?!\{quote}).)*)\{quote}"""
_GETTEXT = re.compile(r"\bn?gettext\(\s*" + _STRING.format(quote=1), re.S)
_PGETTEXT = re.compile(r"\bn?pgettext\(\s*" + _STRING.format(quote=1) + r"\s*,\s*" + _STRING.format(quote=3), re.S)


def _unescape(text: str) -> str:
    return text.replace("\\'", "'").replace('\\"', '"')


def messages_of_the_admin_scripts() -> set[str]:
    """Each message the admin's scripts translate, as the JavaScript catalogue keys it (context\\x04message)."""
    messages: set[str] = set()
    for directory in SCRIPT_DIRS:
        for script in directory.rglob("*.js"):
            if "vendor" in script.parts or script.name.endswith(".min.js"):
                continue
            source = script.read_text()
            messages.update(_unescape(match[2]) for match in _GETTEXT.finditer(source))
            messages.update(f"{_unescape(match[2])}\x04{_unescape(match[4])}" for match in _PGETTEXT.finditer(source))
    return messages


def german_admin_catalogue(admin_client) -> dict[str, object]:
    response = admin_client.get("/admin/jsi18n/", HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    found = re.search(r"const newcatalog = (\{.*?\});\n", response.content.decode(), re.S)
    assert found, "the admin's JavaScript catalogue changed its form"
    return json.loads(found[1])


def test_the_scripts_are_read():
    messages = messages_of_the_admin_scripts()
    assert 'Choose %s by selecting them and then select the "Choose" arrow button.' in messages
    assert "abbrev. day Monday\x04Mon" in messages
    assert len(messages) > 60


def test_every_message_of_the_admin_scripts_has_its_german(admin_client):
    catalogue = german_admin_catalogue(admin_client)
    missing = sorted(message for message in messages_of_the_admin_scripts() if not catalogue.get(message))
    assert not missing, "shown in English in the German admin:\n" + "\n".join(missing)


def test_the_prerequisite_lists_explain_themselves_in_german(admin_client):
    catalogue = german_admin_catalogue(admin_client)
    help_text = catalogue['Choose %s by selecting them and then select the "Choose" arrow button.']
    assert isinstance(help_text, str) and "%s" in help_text and "„Auswählen“" in help_text
    assert catalogue["Choose all %s"] == "Alle %s auswählen"
