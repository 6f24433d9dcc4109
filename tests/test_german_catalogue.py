"""Every text the code and the templates mark for translation has its German, and the German catalogue holds nothing
the site no longer says; the hand-kept catalogues beside it (config/locale, also the JavaScript's) have German too.

`makemessages` runs on a copy of the sources, as a developer would after a change, and what it writes is read back:
a new message without German, a fuzzy guess from a reworded one, or a translation of a text that is gone, each
fails here. It also sees what `makemessages` cannot read (a `gettext` call inside an f-string): such a message
shows up as gone, though the page still asks for it.
"""

from __future__ import annotations

import ast
import importlib
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

BASE = Path(settings.BASE_DIR)
SOURCES = ("assessment", "config", "core", "recommendations", "templates")

# Better German for texts of the libraries the admin shows (their own catalogues say it worse, or not at all):
# makemessages cannot see them in our sources, so it calls them gone. Each must still be a text of its library.
LIBRARY_TEXTS = {
    "import_export": (
        "%(exc_name)s encountered while trying to read file. Ensure you have chosen the correct format for the file.",
        "No valid data to import. Ensure your file has the correct headers or data for import.",
        'Select at least 1 field for "%(resource_name)s" to export',
        "Below is a preview of data to be imported. If you are satisfied with the results, click 'Confirm import'",
        "Please correct these errors in your data where possible, then reupload it using the form above.",
        "Form is not validated, call `is_valid` first",
        "Some rows failed to validate",
        "Non field specific",
    ),
    # the task queue's admin pages (its column headings, fields and states were English in the German admin)
    "django_tasks_db": (
        "Task Result",
        "Task Results",
        "status",
        "enqueued at",
        "started at",
        "finished at",
        "args kwargs",
        "priority",
        "task path",
        "worker id",
        "queue name",
        "backend name",
        "run after",
        "return value",
        "exception class path",
        "traceback",
    ),
    "django_tasks": ("Ready", "Running", "Failed", "Successful"),
}


def _entries(po: str) -> list[dict[str, Any]]:
    """Each entry of a .po file: its msgid, its translations, whether it is fuzzy and whether it is obsolete."""
    entries: list[dict[str, Any]] = []
    for block in po.strip().split("\n\n"):
        lines = block.splitlines()
        obsolete = all(line.startswith("#~") for line in lines if line.strip())
        lines = [line[3:] if line.startswith("#~ ") else line for line in lines]
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            if line.startswith("#"):
                continue
            if match := re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?|msgctxt) "(.*)"$', line):
                current = match[1]
                fields[current] = match[2]
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if "msgid" not in fields or not fields["msgid"]:
            continue  # the header
        entries.append(
            {
                "msgid": fields["msgid"].replace('\\"', '"'),
                "context": fields.get("msgctxt"),
                "translations": [value for key, value in fields.items() if key.startswith("msgstr")],
                "fuzzy": any(line.startswith("#,") and "fuzzy" in line for line in block.splitlines()),
                "obsolete": obsolete,
            }
        )
    return entries


@pytest.fixture(scope="module")
def merged(tmp_path_factory) -> list[dict[str, object]]:
    """The German catalogue as makemessages leaves it after reading a copy of today's sources."""
    copy = tmp_path_factory.mktemp("sources")
    for name in SOURCES:
        shutil.copytree(BASE / name, copy / name, ignore=shutil.ignore_patterns("__pycache__", "locale", "*.mo"))
    shutil.copytree(BASE / "locale", copy / "locale", ignore=shutil.ignore_patterns("*.mo"))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(copy)
        patch.setattr(settings, "LOCALE_PATHS", [copy / "locale"])
        call_command("makemessages", locale=["de"], verbosity=0, no_location=True)
    return _entries((copy / "locale" / "de" / "LC_MESSAGES" / "django.po").read_text())


def test_the_copy_is_read(merged):
    current = [entry for entry in merged if not entry["obsolete"]]
    assert len(current) > 900
    assert any(entry["msgid"] == "revierpfad-result" for entry in current)  # a download's file name


def test_every_message_has_its_german(merged):
    missing = [
        entry["msgid"]
        for entry in merged
        if not entry["obsolete"] and (entry["fuzzy"] or not all(entry["translations"]))
    ]
    assert not missing, "without German (or only a fuzzy guess):\n" + "\n".join(map(str, missing))


def test_the_catalogue_translates_nothing_the_site_no_longer_says(merged):
    kept = {text for texts in LIBRARY_TEXTS.values() for text in texts}
    gone = [entry["msgid"] for entry in merged if entry["obsolete"] and entry["msgid"] not in kept]
    assert not gone, "translations of texts no source has (reworded, removed, or inside an f-string):\n" + "\n".join(
        map(str, gone)
    )


def test_every_other_german_catalogue_has_its_german():
    """The catalogues makemessages does not write (better German for Django's own texts, the admin's JavaScript in
    config/locale) fail the same way on a message without German."""
    written = BASE / "locale" / "de" / "LC_MESSAGES" / "django.po"
    others = [
        po for path in settings.LOCALE_PATHS for po in sorted(Path(path).glob("de/LC_MESSAGES/*.po")) if po != written
    ]
    assert {po.name for po in others} >= {"django.po", "djangojs.po"}
    missing = [
        f"{po.relative_to(BASE)}: {entry['msgid']}"
        for po in others
        for entry in _entries(po.read_text())
        if entry["fuzzy"] or not all(entry["translations"])
    ]
    assert not missing, "without German (or only a fuzzy guess):\n" + "\n".join(missing)


def _texts_of(package: Path) -> set[str]:
    """The string constants of a package's Python code and its templates' text, with whitespace collapsed."""
    texts: set[str] = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(errors="replace"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                texts.add(" ".join(node.value.split()))
    texts.update(" ".join(path.read_text(errors="replace").split()) for path in package.rglob("*.html"))
    return texts


@pytest.mark.parametrize("library", sorted(LIBRARY_TEXTS))
def test_each_library_text_translated_here_is_still_the_librarys(library):
    texts = _texts_of(Path(importlib.import_module(library).__file__).parent)
    assert not [text for text in LIBRARY_TEXTS[library] if not any(text in found for found in texts)]


def test_the_reader_sees_a_missing_translation_and_a_gone_one():
    po = (
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "New"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Guessed"\nmsgstr "Geraten"\n\n'
        '#~ msgid "Gone"\n#~ msgstr "Weg"\n\n'
        'msgid "One"\nmsgid_plural "Many"\nmsgstr[0] "Eins"\nmsgstr[1] ""\n'
    )
    entries = {entry["msgid"]: entry for entry in _entries(po)}
    assert entries["New"]["translations"] == [""] and entries["Guessed"]["fuzzy"] and entries["Gone"]["obsolete"]
    assert entries["One"]["translations"] == ["Eins", ""]


def _unescaped(text: str) -> str:
    """A .po string's text: its C escapes (\\n, \\", \\\\, \\t) read."""
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), text)


@pytest.mark.parametrize(
    "po",
    [po for path in settings.LOCALE_PATHS for po in sorted(Path(path).glob("de/LC_MESSAGES/*.po"))],
    ids=lambda po: str(po.relative_to(BASE)),
)
def test_each_catalogue_compiles_to_exactly_its_entries(po, tmp_path):
    """What `msgfmt` compiles is what each entry says. A string line after a blank line is no entry of its own to
    gettext but the continuation of the one before: a leftover sentence ("Ein Lernpfad braucht ein verlässliches
    Ergebnis ...") was joined onto the German of another text and told people with a reliable result that theirs
    was not."""
    import gettext
    import subprocess

    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(compiled), str(po)], check=True)
    with compiled.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog
    entries = [entry for entry in _entries(po.read_text()) if not entry["obsolete"] and not entry["fuzzy"]]
    assert entries
    singular = {
        ("" if entry["context"] is None else f"{_unescaped(str(entry['context']))}\x04")
        + _unescaped(str(entry["msgid"])): _unescaped(str(entry["translations"][0]))
        for entry in entries
        if len(entry["translations"]) == 1
    }
    differ = [key for key, german in singular.items() if catalog.get(key) != german]
    assert not differ, "compiled otherwise than written:\n" + "\n".join(differ)
