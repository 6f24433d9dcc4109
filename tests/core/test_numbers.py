"""Numbers for people: a share in whole percent that never claims all or nothing it does not mean."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from django.template import Context, Template

from core.numbers import is_plain_number, typed_number, whole_percent

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def template_matches(pattern: str) -> list[str]:
    """Every place in the project's templates where `pattern` matches, as "template: text"."""
    return [
        f"{path.relative_to(TEMPLATES)}: {found}"
        for path in TEMPLATES.rglob("*.html")
        for found in re.findall(pattern, path.read_text())
    ]


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0, 0), (0.3, 1), (0.5, 1), (1.49, 1), (45.5, 46), (51.4, 51), (99.4, 99), (99.5, 99), (99.96, 99), (100, 100)],
)
def test_a_share_rounds_halves_up_but_says_100_only_for_all_and_0_only_for_none(value, shown):
    assert whole_percent(value) == shown


def test_the_percent_filter_writes_the_whole_share_and_nothing_for_what_is_not_a_number():
    rendered = Template("{% load number_tags %}{{ a|percent }}|{{ b|percent }}|{{ c|percent }}").render(
        Context({"a": 99.6, "b": 100.0, "c": None})
    )
    assert rendered == "99|100|"
    not_a_share = Template("{% load number_tags %}{{ a|percent }}|{{ b|percent }}|{{ c|percent }}").render(
        Context({"a": float("inf"), "b": float("nan"), "c": "inf"})
    )
    assert not_a_share == "||"  # infinity raised an error from the template


def test_no_template_writes_a_role_match_with_floatformat():
    """The class of "100 % beside a gap": every match, its range included, goes through `percent` (a 99.6 %
    match shown as "100 %" next to "2,9 von 3" in the results, the PDF, the role chooser and the comparison)."""
    assert template_matches(r"(?:match|before|after)\.(?:value|low|high)\|floatformat[^ }%]*") == []


def test_a_match_is_worded_with_its_range_in_one_place_and_no_template_spells_it_out():
    """`match_share`: the point alone where the range rounds to it, else "etwa" and the range in its span; every page
    that words a role's match uses it (it was spelt out in nine places, each a chance to drop the range)."""
    from types import SimpleNamespace

    from django.utils import translation

    render = Template("{% load number_tags %}{{ m|match_share }}|{{ m|match_share|striptags }}").render
    narrow, wide = SimpleNamespace(value=91.6, low=91.7, high=92.4), SimpleNamespace(value=66.4, low=43.6, high=100)
    with translation.override("de"):
        assert render(Context({"m": narrow})) == "92\u00a0%|92\u00a0%"
        assert render(Context({"m": wide})) == (
            'etwa 66\u00a0% (<span class="range">44\u2013100</span>\u00a0%)|etwa 66\u00a0% (44\u2013100\u00a0%)'
        )
    with translation.override("en"):
        assert render(Context({"m": wide})).split("|")[1] == "about 66% (44\u2013100%)"
    assert render(Context({"m": None})) == "|"
    assert render(Context({"m": SimpleNamespace(value=50.0, low=None, high=None)})) == "|"  # no range: not as one
    assert template_matches(r"match\.(?:low|high)\|percent") == []


def test_hours_and_prices_in_text_are_grouped_as_people_write_them():
    """ "3 Schritte, 1200,5 Stunden und 2370 EUR insgesamt" had no thousands separator (an admin may enter a price of
    1.290,50 EUR); every hours and price figure in the templates is formatted with grouping too."""
    from django.utils import translation

    from recommendations.presentation import path_totals

    with translation.override("de"):
        assert path_totals(3, 1200.5, 2370.0, 0) == "3 Schritte, 1.200,5 Stunden und 2.370 EUR insgesamt."
    with translation.override("en"):
        assert path_totals(3, 1200.5, 1290.5, 0) == "3 steps, 1,200.5 hours in all, 1,290.50 EUR in all."
    assert template_matches(r"(?:hours|price_eur)\|floatformat:\"?-?\d\"?(?!g)") == []


def test_every_limit_on_a_model_field_writes_its_number_for_people():
    """ "Dieser Wert muss kleiner oder gleich 1.0 sein." and "Mehr als 100000 EUR" in the German admin: every Min/Max
    validator of the project's models is one that formats its limit (`core.validators`)."""
    from django.apps import apps
    from django.core.validators import MaxValueValidator, MinValueValidator
    from django.utils import translation

    from core.validators import MaxValue, MinValue

    plain = [
        f"{model.__name__}.{field.name}"
        for model in apps.get_models()
        if model.__module__.startswith(("assessment", "recommendations", "core"))
        for field in model._meta.get_fields()
        for validator in getattr(field, "_validators", ())  # those declared, not the database's integer range
        if isinstance(validator, (MinValueValidator, MaxValueValidator))
        and not isinstance(validator, (MinValue, MaxValue))
    ]
    assert plain == []
    with translation.override("de"), pytest.raises(Exception) as refused:
        MaxValue(100000)(129050)
    assert "100.000" in str(refused.value)
    with translation.override("en"), pytest.raises(Exception) as refused:
        MinValue(-1.0)(-2)
    assert "\u22121.0" in str(refused.value)


def test_no_template_writes_a_range_a_line_can_break_inside():
    """A phone showed "2,1 (0,7–" / "3,5)": a browser may break a line after the dash of a range. Every range a
    template writes comes from `span` or `percent_range`, or stands in a `.range` of its own (static/css/app.css)."""
    written = template_matches(r'(?:<span class="[^"]*\brange\b[^"]*"[^>]*>\(?)?\{\{[^{}]*\}\}–\{\{[^{}]*\}\}')
    in_a_range = re.compile(r'^<span class="(?:[^"]* )?range[ "]')
    assert [place for place in written if not in_a_range.match(place.split(": ", 1)[1])] == []


def test_a_range_comes_in_one_piece_and_a_text_keeps_its_ranges_together():
    from django.utils import translation

    with translation.override("de"):  # whatever language a test before left active
        rendered = Template(
            "{% load number_tags %}{{ low|percent_range:high }} | {{ a|span:b }} | {{ a|span:a }}"
            " | {{ pay|ranges_together }}"
        ).render(Context({"low": 4.6, "high": 99.7, "a": 1.04, "b": 2.6, "pay": "<b>3.000–3.800 €, TVöD E9b–E11</b>"}))
    assert rendered == (
        '<span class="range">5–99</span> | <span class="range">1,0–2,6</span> | 1,0 | &lt;b&gt;<span class="range">'
        '3.000–3.800</span> €, TVöD <span class="range">E9b–E11</span>&lt;/b&gt;'
    )


@pytest.mark.parametrize(
    ("typed", "language", "machine"),
    [
        ("1.290,50", "de", "1290.50"),
        ("1 290,50", "de", "1290.50"),
        ("1.000", "de", "1000"),
        ("16.5", "de", "16.5"),
        ("16,5", "de", "16.5"),
        ("0.500", "de", "0.500"),  # a group of thousands never starts with 0
        ("-1.000", "de", "-1000"),
        ("1,290.50", "en", "1290.50"),
        ("1,000", "en", "1000"),
        ("16,5", "en", "16.5"),
        ("0,500", "en", "0.500"),
        ("1,290.50", "de", "1.290.50"),  # mixed up: left for the field to refuse
        ("\u22120,4", "de", "-0.4"),  # the minus sign the admin's own lists write, pasted back
    ],
)
def test_a_typed_number_is_read_as_its_language_writes_it(typed, language, machine):
    assert typed_number(typed, language) == machine


@pytest.mark.parametrize(
    ("text", "plain"),
    [("12.5", True), ("-0.4", True), (".5", True), ("1e3", False), ("1_000", False), ("Infinity", False)]
    + [("\u0661\u0662", False), ("", False), ("1.2.3", False)],  # Arabic-Indic digits: Decimal reads them
)
def test_a_plain_number_is_written_with_latin_digits_and_one_point_only(text, plain):
    assert is_plain_number(text) is plain


def test_the_percent_sign_is_written_as_each_language_writes_it():
    from django.utils import translation

    from core.numbers import english_percent, with_percent_sign

    with translation.override("de"):
        assert with_percent_sign("92") == "92\u00a0%"
    with translation.override("en"):
        assert with_percent_sign("92") == "92%"
    assert english_percent("Pass mark 65 % and 70\u00a0%; 100%") == "Pass mark 65% and 70%; 100%"


PROJECT = TEMPLATES.parent


@pytest.mark.parametrize(
    ("value", "digits", "language", "text"),
    [
        (-0.0, 1, "de", "0,0"),
        (-0.04, 1, "de", "0,0"),
        (-0.4, 1, "de", "\u22120,4"),
        (1.96, 1, "de", "2,0"),
        (2.95, 1, "en", "3.0"),
        (0.04426, 4, "de", "0,0443"),
        (-0.0, 2, "en", "0.00"),
    ],
)
def test_a_decimal_in_text_is_rounded_signed_with_a_minus_and_never_minus_zero(value, digits, language, text):
    from django.utils.translation import override

    from core.numbers import number_text

    with override(language):
        assert number_text(value, digits) == text


def test_a_level_zero_reads_0_in_every_reason_after_a_negative_zero_was_written():
    """The reasons cache their numbers, and a cache takes 0.0 and -0.0 for one key: a "-0,0" once written (a level
    negated from 0, as numpy and `round` give) read so for every later 0 of the process."""
    from django.utils.translation import override

    from recommendations.reasons import _number

    _number.cache_clear()  # an earlier test may have written a 0 already, which the -0.0 would then read
    with override("de"):
        assert _number(-0.0, 1, "de") == "0,0"
        assert _number(0.0, 1, "de") == "0,0"


def test_no_decimal_is_written_for_people_without_rounding_and_a_minus_sign():
    """`number_format` cuts digits off and writes "-0,0"; the code calls it only to group thousands (whole numbers and
    prices), and every decimal in text goes through `core.numbers.number_text`."""
    calls = [
        f"{path.relative_to(PROJECT)}: {line.strip()}"
        for app in ("assessment", "recommendations", "core", "config")
        for path in (PROJECT / app).rglob("*.py")
        if path.name != "numbers.py"
        for line in path.read_text().splitlines()
        if "number_format(" in line and "force_grouping=True" not in line and not line.lstrip().startswith("#")
    ]
    assert calls == []


# Values a page meets at an exact half: levels and ranges stored to two decimals, matches to one, hours summed.
HALVES = [0.05, 0.15, 0.25, 0.35, 0.45, 1.45, 2.25, 2.35, 2.675, 3.05, 3.45, 4.95, 12.25, 99.95, -0.35, -2.25]


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_decimal_in_text_rounds_as_the_tables_write_it(language):
    """A level stored to two decimals (a result read back) read "0,3" in a sentence (`round` on the binary float,
    0.34999..., and exact halves to even: 2.25 -> 2.2) and "0,4" in the table beside it (`floatformat`, halves up on
    the number as written). Every rounding for people is `core.rounding.half_up`, which writes what `floatformat`
    writes: for every two-decimal value of the level scale and the halves around it, in both languages."""
    from django.template.defaultfilters import floatformat
    from django.utils.translation import override

    from core.numbers import number_text, one_decimal, shown_gap, with_minus

    values = [*HALVES, *(step / 100 for step in range(-100, 601))]
    with override(language):
        for value in values:
            assert number_text(value, 1) == with_minus(floatformat(value, 1)), value
            assert one_decimal(value) == float(floatformat(value, "1u")), value
            assert number_text(value, 0) == with_minus(floatformat(value, 0)), value
        assert shown_gap(4, 3.35) == 0.6  # 3.35 is written "3,4": 0,6 is missing, not 0,7
        assert number_text(0.35, 1) == ("0,4" if language == "de" else "0.4")


@pytest.mark.parametrize(
    ("value", "digits", "rounded"),
    [(0.35, 1, 0.4), (2.25, 1, 2.3), (12.5, 0, 13.0), (-0.35, 1, -0.4), (2.675, 2, 2.68), (1.96, 1, 2.0)],
)
def test_half_up_rounds_the_number_as_written(value, digits, rounded):
    from core.rounding import half_up

    assert half_up(value, digits) == rounded
    assert half_up(np.float64(value), digits) == rounded  # numpy's floats, as the measurement hands them over


def test_half_up_takes_whole_numbers_zeros_and_what_is_not_a_number():
    from core.rounding import half_up, half_up_int

    assert half_up_int(2.5) == 3 and half_up_int(0.5) == 1  # `round` gives 2 and 0
    assert str(half_up(-0.0, 1)) == "-0.0" and half_up(-0.04, 1) == 0  # `number_text` writes both "0,0"
    assert half_up(float("inf"), 1) == float("inf") and math.isnan(half_up(float("nan"), 1))
    assert half_up(1e27 + 0.0, 1) == 1e27  # past the default 28 digits of a decimal context


# The builtin `round` to whole numbers or one decimal that stays, by file and call: not numbers people read.
ROUND_ALLOWED = {
    "assessment/measurement.py": {
        "round(levels[competency] + bias + rng.gauss(0, noise))",  # the simulated person's self-rating
    },
    "core/middleware.py": {"round(1000 * (time.perf_counter() - started), 1)"},  # the request log's milliseconds
    "recommendations/charts.py": {"round(SHORT_LABEL_LENGTH * 0.56 * RADAR_LABEL_SIZE)"},  # a label's room in pixels
    "recommendations/dashboard.py": {  # the dashboard chart's SVG geometry
        "round(height * week.finished / peak, 1)",
        "round(i * slot + gap / 2, 1)",
        "round(height - bar_height, 1)",
        "round(slot - gap, 1)",
        "round(x + (slot - gap) / 2, 1)",
        "round(height - bar_height - 4, 1)",
    },
    "recommendations/recommender.py": {"round(n_generated / prior_total)"},  # repeats of a real outcome in training
}


def _builtin_rounds(tree) -> list[tuple[int, str]]:
    """(line, call) of every builtin `round` to a whole number, one decimal or a variable number of decimals."""
    import ast

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "round":
            digits = node.args[1] if len(node.args) > 1 else None
            if not (isinstance(digits, ast.Constant) and isinstance(digits.value, int) and digits.value >= 2):
                found.append((node.lineno, ast.unparse(node)))
    return found


def _assert_only_allowed(finder, allowed: dict[str, set[str]]) -> None:
    """Every place `finder` reports in the project's code is one that `allowed` names, and every named one exists."""
    import ast

    found, allowed_seen = [], set()
    for app in ("assessment", "recommendations", "core", "config"):
        for path in (PROJECT / app).rglob("*.py"):
            where = str(path.relative_to(PROJECT))
            if "migrations" in path.parts:
                continue
            for line, expression in finder(ast.parse(path.read_text())):
                if expression in allowed.get(where, ()):
                    allowed_seen.add((where, expression))
                else:
                    found.append(f"{where}:{line}: {expression}")
    assert found == []
    assert allowed_seen == {(where, expression) for where, expressions in allowed.items() for expression in expressions}


def test_every_number_rounded_for_people_rounds_halves_up():
    """The class of "0,3 in the sentence, 0,4 in the table": the builtin `round` to a whole number or one decimal
    (halves to even, on the binary float) appears in the project's code only where no person reads the number, each
    such call named; levels, ranges, matches, gaps, hours, minutes, seconds and percent are rounded by
    `core.rounding` (the fixed-decimal formats left, `:.1f`, write SVG coordinates and the terminal's figures)."""
    _assert_only_allowed(_builtin_rounds, ROUND_ALLOWED)


# Fixed-decimal formats (`:.1f`, `%.1f`) and numpy's rounding to whole numbers or one decimal that stay, by file
# and expression: attribute values, log lines and terminal figures, each written for a machine or an operator.
FIXED_ALLOWED = {
    "assessment/management/commands/calibrate_items.py": {"done.seconds"},  # the command's own duration
    "assessment/presentation.py": {  # the work-style axis's SVG geometry
        "110 + max(-1.0, min(1.0, style)) * 100",
        "max(2.0, (min(high, 1.0) - max(low, -1.0)) * 100)",
    },
    "core/middleware.py": {"'%s %s %s %.1fms'"},  # the request log
    "recommendations/charts.py": {"value"},  # `svg_number`: every chart coordinate
    "recommendations/paths.py": {"np.round(x[:n])"},  # whether a solver's answer is whole
    "recommendations/warmup.py": {"'warmed up in %.1f s: views, catalogue, role model and question bank loaded'"},
}


def _fixed_decimals(tree) -> list[tuple[int, str]]:
    """(line, expression) of every fixed-decimal format or numpy rounding to at most one decimal in a module."""
    import ast

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FormattedValue) and isinstance(node.format_spec, ast.JoinedStr):
            spec = "".join(str(part.value) for part in node.format_spec.values if isinstance(part, ast.Constant))
            if re.fullmatch(r"[+ ]?,?\.[01][f%]", spec):
                found.append((node.lineno, ast.unparse(node.value)))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and re.search(r"%[+ ]?\.[01]f", node.value):
            found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "round":
            module_call = isinstance(node.func.value, ast.Name) and node.func.value.id in {"np", "numpy"}
            digits = node.args[1 if module_call else 0] if len(node.args) > (1 if module_call else 0) else None
            if not (isinstance(digits, ast.Constant) and isinstance(digits.value, int) and digits.value >= 2):
                found.append((node.lineno, ast.unparse(node)))
    return found


def test_fixed_decimal_formats_write_only_numbers_for_machines_and_operators():
    """The same class as the test above, in its other spellings: a `:.1f` or `%.1f` format rounds the binary float
    halves to even as `round` does, and numpy's `round` too. Each such format in the project's code is named here
    and writes an attribute, a log line or a terminal figure; a number a person reads on a page goes through
    `core.rounding` (or `floatformat` in a template)."""
    _assert_only_allowed(_fixed_decimals, FIXED_ALLOWED)


def test_the_fixed_decimal_scan_sees_every_spelling():
    import ast

    source = 'f"{a:.1f}"\nf"{b:.0%}"\n"%.1f s" % c\nnp.round(d)\ne.round(1)\nnp.round(f, 2)\ng.round(3)\nf"{h:.2f}"\n'
    assert [expression for _, expression in sorted(_fixed_decimals(ast.parse(source)))] == [
        "a",
        "b",
        "'%.1f s'",
        "np.round(d)",
        "e.round(1)",
    ]
