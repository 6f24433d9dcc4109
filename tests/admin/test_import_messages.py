"""What the course import tells an admin about a file it cannot take as it is, and what it does with empty
cells: yes/no words in both languages, a German Excel CSV, choice codes, spreadsheet row numbers,
prerequisites that require each other, and German that says "Sie"."""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
import tablib
from django.conf import settings
from django.urls import reverse

from recommendations.models import Course
from tests.admin.test_import_export import confirm, export, page_text, preview, rows_of, to_csv

pytestmark = pytest.mark.django_db
FLAGS = ("fundable", "bildungsurlaub", "active", "verified")


def new_course(rows: list[dict], slug: str, **changes) -> dict:
    """A row for a course that is not in the catalogue yet, taken from an exported one."""
    template = next(r for r in rows if not r["prerequisites"])
    return {
        **template,
        "slug": slug,
        "title_de": f"Kurs {slug}",
        "title_en": f"Course {slug}",
        "prerequisites": "",
        **changes,
    }


def refused(response) -> str:
    """The page of a preview that did not offer to confirm, as text."""
    assert response.status_code == 400
    assert response.context.get("confirm_form") is None
    return page_text(response)


# 1. Yes and no


@pytest.mark.parametrize(("yes", "no"), [("x", "0"), ("X", "nein")])  # the words themselves: test_import_export
def test_a_cross_is_read_as_yes(admin_client, yes, no):
    rows = rows_of(export(admin_client))
    first = dict(rows[0], fundable=yes, bildungsurlaub=no, verified=yes)
    assert confirm(admin_client, preview(admin_client, to_csv([first]))).status_code == 302
    course = Course.objects.get(slug=first["slug"])
    assert (course.fundable, course.bildungsurlaub, course.verified) == (True, False, True)


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_word_that_is_neither_yes_nor_no_is_a_row_error_naming_the_column_and_the_accepted_words(
    admin_client, language
):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    rows = rows_of(export(admin_client))
    text = refused(preview(admin_client, to_csv([dict(rows[0], bildungsurlaub="vielleicht")])))
    column = {"de": "„bildungsurlaub“", "en": "“bildungsurlaub”"}[language]
    assert "vielleicht" in text and column in text
    for word in ("ja", "nein", "yes", "no", "wahr", "falsch", "true", "false", "x"):
        assert re.search(rf"\b{word}\b", text), word


def test_an_empty_yes_no_cell_keeps_what_the_course_has(admin_client):
    course = Course.objects.filter(exam_retired_on=None).order_by("slug").first()
    Course.objects.filter(pk=course.pk).update(active=False, verified=False, fundable=True, bildungsurlaub=True)
    row = next(r for r in rows_of(export(admin_client)) if r["slug"] == course.slug)
    row.update({flag: "" for flag in FLAGS}, hours="33")
    assert confirm(admin_client, preview(admin_client, to_csv([row]))).status_code == 302
    course.refresh_from_db()
    assert course.hours == 33  # the row was written...
    assert (course.active, course.verified, course.fundable, course.bildungsurlaub) == (False, False, True, True)


def test_an_empty_cell_with_a_default_keeps_the_courses_value_too(admin_client):
    course = Course.objects.filter(language="en").order_by("slug").first() or Course.objects.order_by("slug").first()
    Course.objects.filter(pk=course.pk).update(language="en", last_checked=datetime.date(2025, 3, 1))
    row = next(r for r in rows_of(export(admin_client)) if r["slug"] == course.slug)
    row.update(language="", last_checked=" ", hours="34")
    assert confirm(admin_client, preview(admin_client, to_csv([row]))).status_code == 302
    course.refresh_from_db()
    assert (course.hours, course.language, course.last_checked) == (34, "en", datetime.date(2025, 3, 1))


def test_a_new_course_from_a_file_starts_unverified_unless_the_file_says_it_is_verified(admin_client):
    rows = rows_of(export(admin_client))
    empty = new_course(rows, "neu-leer", **{flag: "" for flag in FLAGS})
    stated = new_course(rows, "neu-geprueft", verified="ja")
    response = confirm(admin_client, preview(admin_client, to_csv([empty, stated])))
    assert response.status_code == 302
    flags = dict(Course.objects.filter(slug__startswith="neu-").values_list("slug", "verified"))
    assert flags == {"neu-leer": False, "neu-geprueft": True}
    new = Course.objects.get(slug="neu-leer")
    assert (new.active, new.fundable, new.bildungsurlaub) == (True, False, False)  # the model's defaults


def test_a_new_course_from_a_file_without_the_verified_column_starts_unverified(admin_client):
    rows = [new_course(rows_of(export(admin_client)), "ohne-spalte")]
    del rows[0]["verified"]
    assert confirm(admin_client, preview(admin_client, to_csv(rows))).status_code == 302
    assert Course.objects.get(slug="ohne-spalte").verified is False


def test_a_new_course_imported_in_the_background_starts_unverified(admin_client):
    from recommendations.resources import run_course_import

    row = new_course(rows_of(export(admin_client)), "im-hintergrund", verified="")
    summary = run_course_import(to_csv([row]), "csv", None, dry_run=False)
    assert summary["written"], summary
    assert Course.objects.get(slug="im-hintergrund").verified is False


# 2. A CSV from German Excel


def with_separator(content: bytes, separator: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator)
    for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))):
        writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode()  # Excel's "CSV UTF-8" starts with a byte order mark


@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_csv_separated_by_semicolons_or_tabs_imports(admin_client, separator):
    rows = rows_of(export(admin_client))
    rows[0]["hours"] = "41"
    rows[0]["title_de"] = "Mit Komma, Semikolon; und Tab\tim Titel"
    response = preview(admin_client, with_separator(to_csv(rows[:3]), separator))
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors(), page_text(response)
    assert (result.totals["update"], result.totals["skip"]) == (1, 2)
    assert confirm(admin_client, response).status_code == 302
    course = Course.objects.get(slug=rows[0]["slug"])
    assert (course.hours, course.title_de) == (41, "Mit Komma, Semikolon; und Tab\tim Titel")


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_csv_with_another_separator_is_refused_naming_the_separators_and_keeps_the_field_list(admin_client, language):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    content = with_separator(export(admin_client), "|")
    text = refused(preview(admin_client, content))
    assert {"de": "Kommas, Semikolons oder Tabulatoren", "en": "commas, semicolons or tabs"}[language] in text
    assert "slug|title_de|title_en" in text  # what the first row says
    assert "slug, title_de, title_en, provider" in text  # the field list above the form is still there


def test_a_file_whose_first_row_lacks_the_slug_column_says_so(admin_client):
    rows = [{("kennung" if k == "slug" else k): v for k, v in row.items()} for row in rows_of(export(admin_client))]
    text = refused(preview(admin_client, to_csv(rows[:2])))
    assert "„slug“" in text and "kennung" in text
    assert "slug, title_de, title_en, provider" in text


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("language", ["de", "en"])
def test_a_file_naming_a_column_twice_is_refused_and_changes_nothing(admin_client, file_format, language):
    """Each row kept only the last cell of a column named twice: a second "hours" column with other figures (or
    none) overrode the first without a word, or refused its row for an empty cell that was not."""
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    rows = rows_of(export(admin_client))[:2]
    headers = [*rows[0], "hours"]
    sheet = tablib.Dataset(*[[*row.values(), str(float(row["hours"]) + 5)] for row in rows], headers=headers)
    content = sheet.export(file_format)
    text = refused(preview(admin_client, content.encode() if isinstance(content, str) else content, file_format))
    assert {
        "de": "Die erste Zeile der Datei nennt die Spalte „hours“ zweimal.",
        "en": "The first row of the file names the column “hours” twice.",
    }[language] in text
    assert "slug, title_de, title_en, provider" in text  # the field list above the form is still there
    assert Course.objects.get(slug=rows[0]["slug"]).hours == Decimal(rows[0]["hours"])


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("language", ["de", "en"])
def test_a_file_with_a_column_the_catalogue_does_not_know_is_refused_naming_it_and_changes_nothing(
    admin_client, file_format, language
):
    """A renamed "hours" column was left out without a word: every row's new hours were dropped and the rows
    reported as unchanged. Each unknown column is named, with the known one it most resembles."""
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    rows = rows_of(export(admin_client))[:2]
    renamed = [
        {("Hours" if k == "hours" else k): (str(float(v) + 5) if k == "hours" else v) for k, v in row.items()}
        for row in rows
    ]
    renamed = [dict(row, Bearbeiter="M. Kowalski") for row in renamed]
    sheet = tablib.Dataset(*[list(row.values()) for row in renamed], headers=list(renamed[0]))
    content = sheet.export(file_format)
    text = refused(preview(admin_client, content.encode() if isinstance(content, str) else content, file_format))
    assert {
        "de": "Die erste Zeile der Datei nennt Spalten, die der Katalog nicht kennt: „Hours“ (gemeint: „hours“?), "
        "„Bearbeiter“.",
        "en": "The first row of the file names columns the catalogue does not know: “Hours” (meant: “hours”?), "
        "“Bearbeiter”.",
    }[language] in text
    assert "slug, title_de, title_en, provider" in text  # the field list above the form is still there
    assert Course.objects.get(slug=rows[0]["slug"]).hours == Decimal(rows[0]["hours"])


def test_a_file_with_only_some_of_the_columns_imports_them(admin_client):
    rows = rows_of(export(admin_client))[:1]
    row = {"slug": rows[0]["slug"], "hours": str(Decimal(rows[0]["hours"]) + 5)}
    assert confirm(admin_client, preview(admin_client, to_csv([row]))).status_code == 302
    assert Course.objects.get(slug=row["slug"]).hours == Decimal(rows[0]["hours"]) + 5


def test_the_field_list_stays_above_the_form_when_the_file_cannot_be_read(admin_client):
    text = refused(preview(admin_client, "Kurs;Stunden\näöü;1".encode("utf-16")))
    assert "UTF-8" in text
    assert "slug, title_de, title_en, provider" in text


# 3. Choice codes


@pytest.mark.parametrize(
    ("column", "value", "codes"),
    [
        ("format", "Präsenz", ["online", "classroom", "blended", "on_the_job"]),
        ("format", "", ["online", "classroom", "blended", "on_the_job"]),
        ("language", "deutsch", ["de", "en", "de_en"]),
    ],
)
def test_a_value_that_is_not_one_of_the_columns_codes_lists_the_codes(admin_client, column, value, codes):
    rows = rows_of(export(admin_client))
    text = refused(preview(admin_client, to_csv([dict(rows[0], **{column: value})])))
    assert f"„{column}“" in text
    if value:
        assert f"„{value}“" in text
    for code in codes:
        assert re.search(rf"\b{code} =", text), code
    assert "ist keine gültige Option" not in text


# 4. Row numbers


def test_rows_are_numbered_as_in_the_spreadsheet(admin_client):
    rows = rows_of(export(admin_client))
    bad = dict(rows[2], hours="viele")
    response = preview(admin_client, to_csv([rows[0], rows[1], bad]))  # spreadsheet rows 2, 3 and 4
    assert [row.number for row in response.context["result"].invalid_rows] == [4]
    assert re.search(r"<td>\s*4\s*</td>", response.content.decode())


def test_rows_checked_in_the_background_are_numbered_as_in_the_spreadsheet(admin_client):
    from recommendations.resources import run_course_import

    rows = rows_of(export(admin_client))[:3]
    rows[1]["hours"] = "viele"
    summary = run_course_import(to_csv(rows), "csv", None, dry_run=True)
    assert [error["row"] for error in summary["errors"]] == [3]


def test_an_xlsx_row_is_numbered_as_in_the_spreadsheet(admin_client):
    dataset = tablib.Dataset()
    dataset.load(export(admin_client, "xlsx"), format="xlsx")
    sheet = tablib.Dataset(*list(dataset)[:2], headers=dataset.headers)
    second = list(sheet[1])
    second[sheet.headers.index("format")] = "Präsenz"
    del sheet[1]
    sheet.append(second)
    response = preview(admin_client, sheet.export("xlsx"), "xlsx")
    assert [row.number for row in response.context["result"].invalid_rows] == [3]


# 5. Prerequisites


def test_new_courses_that_require_each_other_are_named_as_a_cycle(admin_client):
    rows = rows_of(export(admin_client))
    first = new_course(rows, "err-cycle-a", prerequisites="err-cycle-b")
    second = new_course(rows, "err-cycle-b", prerequisites="err-cycle-a")
    text = refused(preview(admin_client, to_csv([first, second])))
    assert "err-cycle-a → err-cycle-b → err-cycle-a" in text
    assert "err-cycle-b → err-cycle-a → err-cycle-b" in text
    assert "Unbekannter Kurs" not in text and "weiter unten" not in text


def test_a_new_course_through_an_existing_one_back_to_itself_is_named_as_a_cycle(admin_client):
    rows = rows_of(export(admin_client))
    existing = next(r for r in rows if not r["prerequisites"])
    new = new_course(rows, "err-cycle-new", prerequisites=existing["slug"])
    existing = dict(existing, prerequisites="err-cycle-new")
    text = refused(preview(admin_client, to_csv([new, existing])))
    assert f"err-cycle-new → {existing['slug']} → err-cycle-new" in text
    assert "Unbekannter Kurs" not in text


def test_a_prerequisite_further_down_in_the_file_is_named_with_its_row(admin_client):
    rows = rows_of(export(admin_client))
    needs = new_course(rows, "braucht-spaeteren", prerequisites="kommt-spaeter")
    later = new_course(rows, "kommt-spaeter")
    text = refused(preview(admin_client, to_csv([needs, later])))
    assert "„kommt-spaeter“ steht weiter unten in der Datei (Zeile 3)" in text
    assert "Unbekannter Kurs" not in text
    assert confirm(admin_client, preview(admin_client, to_csv([later, needs]))).status_code == 302  # as advised
    assert list(Course.objects.get(slug="braucht-spaeteren").prerequisites.values_list("slug", flat=True)) == [
        "kommt-spaeter"
    ]


def test_a_prerequisite_whose_own_row_failed_points_to_that_row(admin_client):
    rows = rows_of(export(admin_client))
    broken = new_course(rows, "kaputt", hours="viele")
    needs = new_course(rows, "braucht-kaputten", prerequisites="kaputt")
    text = refused(preview(admin_client, to_csv([broken, needs])))
    assert "„kaputt“ (Zeile 2) konnte nicht importiert werden" in text
    assert "Unbekannter Kurs" not in text


# 6. German that says "Sie"


def test_an_unknown_provider_is_named_in_plain_german(admin_client):
    rows = rows_of(export(admin_client))
    text = refused(preview(admin_client, to_csv([dict(rows[0], provider="gibt-es-nicht")])))
    assert "Es gibt keinen Anbieter mit dem Slug „gibt-es-nicht“." in text
    assert "(e)" not in text


def test_a_course_in_two_rows_of_one_file_is_refused_naming_both_rows(admin_client):
    rows = rows_of(export(admin_client))
    course = next(r for r in rows if r["hours"])
    again = dict(course, hours="13")
    text = refused(preview(admin_client, to_csv([course, rows[-1], again])))
    assert f"„{course['slug']}“ steht in mehr als einer Zeile der Datei (Zeilen 2, 4)" in text
    assert Course.objects.get(slug=course["slug"]).hours != 13


def test_the_import_page_says_how_yes_no_columns_and_empty_cells_are_read(admin_client):
    text = admin_client.get(reverse("admin:recommendations_course_import")).content.decode()
    assert "Eine leere Zelle lässt den Wert des Kurses, wie er ist: Zum Abwählen schreiben Sie nein oder 0." in text


def test_a_csv_from_german_excel_in_windows_1252_is_read_with_its_umlauts(admin_client):
    rows = rows_of(export(admin_client))
    course = next(r for r in rows if "ü" in r["title_de"] or "ä" in r["title_de"] or "ö" in r["title_de"])
    changed = dict(course, hours="13")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(changed), delimiter=";")
    writer.writeheader()
    writer.writerow(changed)
    response = preview(admin_client, out.getvalue().encode("cp1252"))
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["update"] == 1
    confirm(admin_client, response)
    updated = Course.objects.get(slug=course["slug"])
    assert updated.title_de == course["title_de"] and updated.hours == 13


@pytest.mark.parametrize("encoding", ["cp1252", "iso8859_15"])
def test_a_euro_sign_is_read_from_either_of_the_german_8_bit_encodings(admin_client, encoding):
    """A file saved as ISO-8859-15 read "Preis 1.299 ¤ inkl. Prüfung" and was offered to import so."""
    rows = rows_of(export(admin_client))
    course = dict(rows[0], note_de="Preis 1.299 € inkl. Prüfung", note_en="Price EUR 1,299 incl. exam")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(course), delimiter=";")
    writer.writeheader()
    writer.writerow(course)
    confirm(admin_client, preview(admin_client, out.getvalue().encode(encoding)))
    assert Course.objects.get(slug=course["slug"]).note_de == "Preis 1.299 € inkl. Prüfung"


def test_a_nul_character_in_a_cell_is_a_row_error_naming_the_column(admin_client):
    """SQLite stored it; on PostgreSQL the preview showed the driver's own error."""
    rows = rows_of(export(admin_client))
    text = refused(preview(admin_client, to_csv([dict(rows[0], note_de="a\x00b")])))
    assert "Die Spalte „note_de“ enthält ein NUL-Zeichen" in text
    assert "\x00" not in Course.objects.get(slug=rows[0]["slug"]).note_de


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        ("2026-11-30", datetime.date(2026, 11, 30)),
        ("30.11.2026", datetime.date(2026, 11, 30)),
        ("1.2.2026", datetime.date(2026, 2, 1)),
    ],
)
def test_a_date_is_read_as_written_or_as_german_spreadsheets_write_it_back(admin_client, cell, day):
    """German Excel saves the exported 2026-11-30 back as 30.11.2026, which the import refused."""
    rows = rows_of(export(admin_client))
    assert confirm(admin_client, preview(admin_client, to_csv([dict(rows[0], last_checked=cell)]))).status_code == 302
    assert Course.objects.get(slug=rows[0]["slug"]).last_checked == day


def test_a_date_that_does_not_exist_is_a_row_error_naming_both_forms(admin_client):
    rows = rows_of(export(admin_client))
    text = refused(preview(admin_client, to_csv([dict(rows[0], last_checked="31.02.2026")])))
    assert "„31.02.2026“ ist kein Datum der Form 2025-01-31 oder 31.01.2025." in text


# 5. The preview and the exported file as a German admin sees them


def test_the_preview_marks_changes_without_inline_styles_and_colours_them_from_a_stylesheet(admin_client):
    rows = rows_of(export(admin_client))
    response = preview(admin_client, to_csv([dict(rows[0], hours="77")]))
    page = response.content.decode()
    assert re.search(r"<ins>77", page)  # the change is marked …
    assert not re.search(r"\sstyle=", page)  # … without an inline style: the CSP would block it
    assert "admin_extra/import.css" in page
    stylesheet = (settings.BASE_DIR / "static" / "admin_extra" / "import.css").read_text()
    assert re.search(r"td del[^{]*\{[^}]*background-color", stylesheet)
    assert re.search(r"td ins[^{]*\{[^}]*background-color", stylesheet)


@pytest.mark.parametrize(
    ("language", "title", "price"), [("de", "Titel (Deutsch)", "Preis (EUR)"), ("en", "Title (German)", "Price (EUR)")]
)
def test_the_previews_columns_are_named_as_the_export_page_names_them(admin_client, language, title, price):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    rows = rows_of(export(admin_client))
    good = preview(admin_client, to_csv([dict(rows[0], hours="77")]))
    bad = preview(admin_client, to_csv([dict(rows[0], hours="abc")]))
    for response in (good, bad):
        headers = response.context["result"].diff_headers
        assert title in headers and price in headers
        assert not [h for h in headers if re.fullmatch(r"[a-z_]+", h)]  # no column by its name in the file


@pytest.mark.parametrize(("language", "name"), [("de", "Kurse"), ("en", "Courses")])
def test_the_csv_export_opens_in_excel_as_utf_8_and_is_named_in_the_admins_language(admin_client, language, name):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    url = reverse("admin:recommendations_course_export")
    form = admin_client.get(url).context["form"]
    data = {"format": "0", "resource": "0", **{n: "on" for n in form.fields if n.startswith("courseresource_")}}
    response = admin_client.post(url, data)
    assert response.content.startswith(b"\xef\xbb\xbf")  # the byte order mark that tells Excel "UTF-8"
    today = datetime.date.today().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="{name}-{today}.csv"'
    assert confirm(admin_client, preview(admin_client, response.content)).status_code == 302  # and reads back


@pytest.mark.parametrize("cell", ["abc", "1e3", "1_000"])  # "1e3" was imported as 1.000 hours
def test_a_number_that_cannot_be_read_is_explained_with_a_number_written_the_german_way(admin_client, cell):
    rows = rows_of(export(admin_client))
    text = refused(preview(admin_client, to_csv([dict(rows[0], hours=cell)])))
    assert f"„{cell}“ ist keine Zahl wie 12,5." in text


def test_an_empty_english_title_is_reported_once(admin_client):
    rows = rows_of(export(admin_client))
    response = preview(admin_client, to_csv([dict(rows[0], title_en="")]))
    refused(response)
    (invalid,) = response.context["result"].invalid_rows
    assert invalid.error_dict["title_en"] == ["Der englische Text fehlt: Englische Seiten würden den deutschen zeigen."]
