"""A number in running text agrees with its noun: "1 Stunde", "1 hour", never "1 Stunden" or "1 hours".

Every message of the project's code and templates that puts a placeholder right before a plural noun must be a
plural message (`ngettext`, `{% blocktranslate count %}`), so that each language picks the noun's form for the
number; a number with decimals takes its form from `core.numbers.plural_count`. The exceptions are numbers that
cannot be 1, each listed below with the reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from core.numbers import hours_text, plural_count
from recommendations.paths import Unlimited
from recommendations.presentation import path_totals, without_limits

BASE = Path(settings.BASE_DIR)
SOURCES = ("assessment", "config", "core", "recommendations")

NOUNS = (
    "answers|areas|assessments|attempts|checks|logins|outcomes|results|competencies|courses|days|errors|files|gaps|hours|items|levels|"
    "matches|minutes|months|options|people|points|providers|questions|roles|rows|seconds|situations|steps|"
    "times|versions|weeks|years"
)
COUNT_BEFORE_NOUN = re.compile(rf"(?:%\((\w+)\)[sd]|\{{\{{ *(\w+) *\}}\}}) (?:\w+ )?(?:{NOUNS})\b")

# Placeholders that are never 1, by the message they stand in (a substring of it) and why.
NEVER_ONE = {
    ("the %(count)s answers give a consistent picture", "count"): "the fit is judged only on ten answers or more",
    ("in cross-validation over %(size)s people", "size"): "the generated training people, hundreds",
    ("Answer all {{ count }} questions", "count"): "the whole question bank",
    ("are done after at most {{ count }} questions", "count"): "the most half of the simulated people need, 20",
    ("are done after at most {{ count }} questions", "minutes"): "the adaptive test's reading time, 10 or so",
    ("Answer all {{ count }} questions (about {{ minutes }} minutes)", "minutes"): "the whole bank takes 20 or more",
    ("stopped at its limit of %(limit)s questions", "limit"): "the adaptive test's limit, 30",
    ("by about %(amount)s levels", "amount"): "written with one decimal (1,0), which takes the plural",
    ("about %(tendency)s levels", "tendency"): "written with one decimal (1,0), which takes the plural",
    ("%(excess)s levels above", "excess"): "written with one decimal (1,0), which takes the plural",
    ("More than %(limit_value)s hours is not plausible", "limit_value"): "the validator's limit, 2000",
    ("A course takes at least %(limit_value)s hours", "limit_value"): "the validator's limit, 0.5 (written 0,5)",
}


def _exempt(message: str, name: str) -> bool:
    return any(name == placeholder and part in message for part, placeholder in NEVER_ONE)


def _singular_messages() -> list[tuple[str, str]]:
    """(where, message) of every message that is not a plural one: gettext calls in Python, blocktranslate
    without `count` in templates."""
    found = []
    for app in SOURCES:
        for path in sorted((BASE / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name in {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy"}:
                    text = node.args[-1] if name.startswith("pgettext") else node.args[0]
                    if isinstance(text, ast.Constant) and isinstance(text.value, str):
                        found.append((f"{path.relative_to(BASE)}:{node.lineno}", text.value))
    block = re.compile(r"\{% blocktranslate(?P<tag>[^%]*)%\}(?P<body>.*?)\{% endblocktranslate %\}", re.S)
    for path in sorted((BASE / "templates").rglob("*.html")):
        for match in block.finditer(path.read_text()):
            if not re.search(r"\bcount \w+=", match["tag"]):
                found.append((str(path.relative_to(BASE)), " ".join(match["body"].split())))
    return found


def test_the_scan_finds_messages_in_code_and_templates():
    messages = _singular_messages()
    assert sum(where.endswith(".py") or ".py:" in where for where, _ in messages) > 100
    assert sum(where.endswith(".html") for where, _ in messages) > 100


def test_a_number_before_a_plural_noun_is_a_plural_message():
    wrong = [
        f"{where}: {message[:120]!r} ({name})"
        for where, message in _singular_messages()
        for match in COUNT_BEFORE_NOUN.finditer(message)
        if not _exempt(message, name := match[1] or match[2])
    ]
    assert not wrong, "a count that can be 1 needs ngettext / blocktranslate count:\n" + "\n".join(wrong)


def test_every_exception_names_a_message_there_is():
    messages = [message for _, message in _singular_messages()]
    stale = [part for part, _ in NEVER_ONE if not any(part in message for message in messages)]
    assert not stale


def test_the_check_would_catch_a_count_before_its_noun():
    assert COUNT_BEFORE_NOUN.search("%(steps)s step, %(hours)s hours in all")
    assert COUNT_BEFORE_NOUN.search("The file was checked: {{ rows }} rows, {{ new }} new courses")
    assert not COUNT_BEFORE_NOUN.search("%(steps)s step, %(duration)s in all")


@pytest.mark.parametrize(
    ("hours", "german", "english"),
    [
        (1, "1 Stunde", "1 hour"),
        (1.0, "1 Stunde", "1 hour"),
        (0.5, "0,5 Stunden", "0.5 hours"),
        (1.5, "1,5 Stunden", "1.5 hours"),
        (2, "2 Stunden", "2 hours"),
        (1200.5, "1.200,5 Stunden", "1,200.5 hours"),
    ],
)
def test_hours_agree_with_their_number(hours, german, english):
    with translation.override("de"):
        assert hours_text(hours) == german
        assert Template("{% load number_tags %}{{ value|hours }}").render(Context({"value": hours})) == german
    with translation.override("en"):
        assert hours_text(hours) == english


def test_a_plural_count_for_numbers_with_decimals():
    assert [plural_count(value) for value in (0, 1, 1.0, 2, 0.5, 1.5)] == [0, 1, 1, 2, 2, 2]


def test_the_path_totals_and_the_limits_say_one_hour():
    with translation.override("de"):
        assert path_totals(1, 1, 0, 0) == "1 Schritt, insgesamt 1 Stunde, kostenlos."
        text = without_limits(Unlimited(hours=1, price_eur=20, courses_price_on_request=0, open_gaps=()))
        assert text == "Ohne Grenzen bräuchte der Pfad 1 Stunde und 20 EUR."
    with translation.override("en"):
        assert path_totals(2, 1, 0, 0) == "2 steps, 1 hour in all, free of charge."
