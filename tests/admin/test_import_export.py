"""The course catalogue as CSV and XLSX: export, preview and confirm, all-or-nothing, history for imports."""

from __future__ import annotations

import csv
import html
import io
import re
from decimal import Decimal

import pytest
import tablib
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from import_export.tmp_storages import TempFolderStorage

from assessment.content import SHIPPED  # the baseline records load_content writes
from recommendations import course_fields, tasks
from recommendations.models import Course, CourseCompetency
from recommendations.resources import parse_develops

pytestmark = pytest.mark.django_db
FORMATS = {"csv": "0", "xlsx": "1"}  # the order of CourseAdmin.import_formats / export_formats
IMPORT_URL = reverse("admin:recommendations_course_import")
PROCESS_URL = reverse("admin:recommendations_course_process_import")


def export(client, file_format: str = "csv") -> bytes:
    """Export the whole catalogue through the admin's export page, every column selected."""
    url = reverse("admin:recommendations_course_export")
    form = client.get(url).context["form"]
    data = {"format": FORMATS[file_format], "resource": "0"}
    data.update({name: "on" for name, field in form.fields.items() if name.startswith("courseresource_")})
    response = client.post(url, data)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Disposition"].endswith(f'.{file_format}"')
    return response.content


def preview(client, content: bytes, file_format: str = "csv"):
    upload = SimpleUploadedFile(f"katalog.{file_format}", content)
    return client.post(IMPORT_URL, {"resource": "0", "format": FORMATS[file_format], "import_file": upload})


def confirm(client, preview_response):
    form = preview_response.context["confirm_form"]
    return client.post(PROCESS_URL, {name: form.initial.get(name, "") for name in form.fields})


def rows_of(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def to_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def history_count() -> int:
    return Course.history.count() + CourseCompetency.history.count()


def test_the_export_has_one_row_per_course_with_its_competencies_and_prerequisites(admin_client):
    rows = rows_of(export(admin_client))
    assert len(rows) == Course.objects.count()
    course = Course.objects.filter(prerequisites__isnull=False).first()
    row = next(r for r in rows if r["slug"] == course.slug)
    assert row["provider"] == course.provider.slug
    assert set(row["prerequisites"].split(",")) == set(course.prerequisites.values_list("slug", flat=True))
    developed = {
        (d.competency, d.from_level, d.to_level)
        for d in parse_develops(
            row["competencies"], {cc.competency.slug for cc in course.competencies.select_related("competency")}
        )
    }
    assert developed == set(course.competencies.values_list("competency__slug", "from_level", "to_level"))
    assert row["last_checked"] == course.last_checked.isoformat()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_imported_unchanged_changes_nothing(admin_client, file_format):
    content = export(admin_client, file_format)
    stamps = dict(Course.objects.values_list("slug", "updated_at"))
    before = history_count()
    response = preview(admin_client, content, file_format)
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == Course.objects.count()
    assert result.totals["new"] == result.totals["update"] == 0
    response = confirm(admin_client, response)
    assert response.status_code == 302
    assert dict(Course.objects.values_list("slug", "updated_at")) == stamps
    assert history_count() == before


def test_an_import_previews_then_writes_changes_with_their_history(admin_client, admin_user):
    rows = rows_of(export(admin_client))
    changed = rows[0]
    changed["hours"] = "99"
    new = dict(rows[1], slug="neu-importiert", title_de="Neu importiert", title_en="Newly imported")
    new["competencies"] = "agile:1.0:0:2;service_management:0.5:1:3"
    new["prerequisites"] = changed["slug"]
    response = preview(admin_client, to_csv([changed, new]))
    assert response.status_code == 200
    assert response.context["result"].totals["update"] == 1 and response.context["result"].totals["new"] == 1
    assert not Course.objects.filter(slug="neu-importiert").exists()  # the preview writes nothing

    response = confirm(admin_client, response)
    assert response.status_code == 302
    assert "1 neu" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    course = Course.objects.get(slug=changed["slug"])
    assert course.hours == Decimal("99")
    assert course.history.latest().history_type == "~"
    assert course.history.latest().history_user == admin_user
    created = Course.objects.get(slug="neu-importiert")
    assert [r.history_type for r in created.history.order_by("history_date")] == ["+"]  # with its prerequisites
    assert [row.to_course.slug for row in created.history.latest().prerequisites.all()] == [changed["slug"]]
    assert list(created.prerequisites.values_list("slug", flat=True)) == [changed["slug"]]
    assert set(created.competencies.values_list("competency__slug", "weight", "from_level", "to_level")) == {
        ("agile", 1.0, 0, 2),
        ("service_management", 0.5, 1, 3),
    }
    assert {r.history_type for r in CourseCompetency.history.filter(course_id=created.pk)} == {"+"}
    # each record says it came from an import, as `import_catalogue`'s do (they said "–", as for an edit by hand)
    assert {r.history_change_reason for r in created.history.all()} == {"import_catalogue"}
    assert course.history.latest().history_change_reason == "import_catalogue"
    assert {r.history_change_reason for r in CourseCompetency.history.filter(course_id=created.pk)} == {
        "import_catalogue"
    }


def test_an_imported_row_is_one_version_holding_both_prerequisite_lists_as_saved(admin_client):
    """django-simple-history wrote a record for each prerequisite list a row changed, after the row's own: an import
    that set the PRINCE2 Practitioner's prerequisites and admission requirements made three versions, two of them
    states nobody imported. Now it is one, as for a save on the edit page."""
    practitioner = Course.objects.get(slug="prince2-7-practitioner")
    before = set(practitioner.prerequisites.values_list("slug", flat=True))
    assert "prince2-7-foundation" in before and not practitioner.admission_prerequisites.exists()
    versions = practitioner.history.count()
    row = next(r for r in rows_of(export(admin_client)) if r["slug"] == practitioner.slug)
    row["prerequisites"] = ",".join(sorted(before | {"pmp"}))
    row["admission_prerequisites"] = "prince2-7-foundation"
    row["hours"] = "30"

    assert confirm(admin_client, preview(admin_client, to_csv([row]))).status_code == 302

    assert practitioner.history.count() == versions + 1
    record = practitioner.history.latest()
    assert {r.to_course.slug for r in record.prerequisites.all()} == before | {"pmp"}
    assert [r.to_course.slug for r in record.admission_prerequisites.all()] == ["prince2-7-foundation"]
    assert (record.hours, record.history_change_reason) == (Decimal("30"), "import_catalogue")


def test_an_import_changes_only_the_competency_rows_that_differ(admin_client):
    rows = rows_of(export(admin_client))
    row = next(r for r in rows if ";" in r["competencies"])
    course = Course.objects.get(slug=row["slug"])
    first, rest = row["competencies"].split(";", 1)
    slug, weight, start, end = first.split(":")
    row["competencies"] = f"{slug}:{weight}:{start}:{int(end) + 1 if int(end) < 5 else end};{rest}"
    if int(end) == 5:
        pytest.skip("the first competency already leads to 5")
    response = confirm(admin_client, preview(admin_client, to_csv([row])))
    assert response.status_code == 302
    changed = CourseCompetency.history.filter(course_id=course.pk).exclude(history_change_reason=SHIPPED)
    assert [(r.history_type, r.competency.slug, r.to_level) for r in changed] == [("~", slug, int(end) + 1)]


def before_and_after(html: str) -> tuple[str, str]:
    """A preview cell's text before and after the row (django-import-export strikes out what goes, underlines
    what comes, and shows the rest once)."""
    parts = re.findall(r"<(span|del|ins)[^>]*>(.*?)</\1>", html, re.S)
    before = "".join(text for tag, text in parts if tag != "ins").replace("&para;", "")
    after = "".join(text for tag, text in parts if tag != "del").replace("&para;", "")
    return before, after


def preview_cell(response, column: str) -> str:
    """The HTML of a column's cell in the preview's (only) row (the preview's columns are in the file's order)."""
    (row,) = response.context["result"].rows
    return row.diff[course_fields.COURSE_COLUMNS.index(column)]


def test_the_import_preview_shows_a_change_of_competencies_old_and_new(admin_client):
    rows = rows_of(export(admin_client))
    row = next(r for r in rows if r["competencies"] and not r["competencies"].startswith("communication"))
    old = row["competencies"]
    row["competencies"] = f"{old};communication:0.3:2:3"
    response = preview(admin_client, to_csv([row]))
    assert response.context["result"].totals["update"] == 1
    html = preview_cell(response, "competencies")
    assert before_and_after(html) == (old, f"{old};communication:0.3:2:3")
    assert "<ins" in html  # marked as a change, as the title and hours are


def test_the_import_preview_shows_every_rows_competencies_and_prerequisites(admin_client):
    rows = rows_of(export(admin_client))
    row = next(r for r in rows if r["prerequisites"])
    response = preview(admin_client, to_csv([dict(row, hours="77")]))
    for column in ("competencies", "prerequisites"):
        assert before_and_after(preview_cell(response, column)) == (row[column], row[column])


def test_the_import_preview_shows_a_change_of_prerequisites_old_and_new(admin_client):
    rows = rows_of(export(admin_client))
    # a course whose prerequisite no admission requirement names (one that does keeps it: the row is refused)
    row = next(
        r for r in rows if r["prerequisites"] and "," not in r["prerequisites"] and not r["admission_prerequisites"]
    )
    other = next(
        r["slug"] for r in rows if r["slug"] not in (row["slug"], row["prerequisites"]) and not r["prerequisites"]
    )
    old = row["prerequisites"]
    row["prerequisites"] = other
    response = preview(admin_client, to_csv([row]))
    assert response.context["result"].totals["update"] == 1
    assert before_and_after(preview_cell(response, "prerequisites")) == (old, other)


BAD_ROWS = [
    ({"competencies": "agile:1.0:3:2"}, "die Zielstufe muss über der Ausgangsstufe liegen"),
    ({"competencies": "agil:1.0:0:2"}, "„agil“ ist keine Kompetenz"),
    ({"competencies": "agile:2:0:2"}, "das Gewicht muss eine Zahl von 0,05 bis 1 sein"),
    ({"competencies": ""}, "Ein Kurs muss mindestens eine Kompetenz entwickeln."),
    ({"provider": "gibt-es-nicht"}, "„gibt-es-nicht“"),
    ({"prerequisites": "gibt-es-nicht"}, "Unbekannter Kurs: gibt-es-nicht"),
    ({"hours": "0"}, "Ein Kurs dauert mindestens 0,5 Stunden."),
    ({"format": "fernstudium"}, "„fernstudium“ ist in der Spalte „format“ kein gültiger Wert"),
    ({"last_checked": "gestern"}, "gestern"),
    ({"active": "vielleicht"}, "„vielleicht“ in der Spalte „active“ ist weder ja noch nein"),
]


@pytest.mark.parametrize(
    ("change", "message"), BAD_ROWS, ids=[next(iter(c)) + str(i) for i, (c, _) in enumerate(BAD_ROWS)]
)
def test_one_bad_row_stops_the_whole_import_and_is_shown_with_its_error(admin_client, change, message):
    rows = rows_of(export(admin_client))
    good = dict(rows[0], hours="77")
    bad = dict(rows[1], **change)
    before = history_count()
    response = preview(admin_client, to_csv([good, bad]))
    assert response.status_code == 400
    assert "confirm_form" not in response.context
    text = response.content.decode()
    assert message in text
    assert Course.objects.get(slug=good["slug"]).hours != Decimal("77")
    assert history_count() == before


def test_prerequisites_that_require_each_other_stop_the_import(admin_client):
    rows = rows_of(export(admin_client))
    first, second = [r for r in rows if not r["prerequisites"]][:2]
    first["prerequisites"] = second["slug"]
    second["prerequisites"] = first["slug"]
    response = preview(admin_client, to_csv([first, second]))
    assert "confirm_form" not in response.context
    assert "gegenseitig voraussetzen" in response.content.decode()
    assert not Course.objects.get(slug=first["slug"]).prerequisites.exists()


def test_even_the_confirm_step_writes_nothing_when_a_row_has_become_invalid(admin_client):
    rows = rows_of(export(admin_client))
    good = dict(rows[0], hours="77")
    bad = dict(rows[1], competencies="agile:1.0:3:2")
    storage = TempFolderStorage(encoding="utf-8-sig", read_mode="r")
    storage.save(to_csv([good, bad]))
    before = history_count()
    response = admin_client.post(
        PROCESS_URL, {"import_file_name": storage.name, "original_file_name": "k.csv", "format": "0", "resource": "0"}
    )
    assert response.status_code == 302
    assert response["Location"] == IMPORT_URL
    assert any("Nichts wurde importiert" in str(m) for m in get_messages(response.wsgi_request))
    assert Course.objects.get(slug=good["slug"]).hours != Decimal("77")
    assert history_count() == before


def test_a_spreadsheet_from_excel_imports_too(admin_client):
    dataset = tablib.Dataset()
    dataset.load(export(admin_client, "xlsx"), format="xlsx")
    row = dict(zip(dataset.headers, dataset[0]))
    slug_index = dataset.headers.index("hours")
    changed = list(dataset[0])
    changed[slug_index] = 12.5
    sheet = tablib.Dataset(changed, headers=dataset.headers)
    response = confirm(admin_client, preview(admin_client, sheet.export("xlsx"), "xlsx"))
    assert response.status_code == 302
    assert Course.objects.get(slug=row["slug"]).hours == Decimal("12.5")


MACHINE_NUMBER = r"\d+(\.\d+)?"


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_csv_export_writes_every_number_with_a_point_whatever_the_admins_language(admin_client, language):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    Course.objects.filter(slug=Course.objects.order_by("slug").first().slug).update(price_eur=Decimal("1290.50"))
    rows = rows_of(export(admin_client))
    for row in rows:
        assert re.fullmatch(MACHINE_NUMBER, row["hours"]), row["hours"]
        assert re.fullmatch(MACHINE_NUMBER, row["price_eur"]) or row["price_eur"] == "", row["price_eur"]  # on request
        for entry in row["competencies"].split(";"):
            assert re.fullmatch(MACHINE_NUMBER, entry.split(":")[1]), entry  # the weight
    course = Course.objects.exclude(price_eur=0).exclude(price_eur=None).order_by("slug").first()
    row = next(r for r in rows if r["slug"] == course.slug)
    assert Decimal(row["hours"]) == course.hours and Decimal(row["price_eur"]) == course.price_eur


def test_the_xlsx_export_writes_hours_and_prices_as_numbers(admin_client):
    dataset = tablib.Dataset()
    dataset.load(export(admin_client, "xlsx"), format="xlsx")
    for column in ("hours", "price_eur"):
        assert all(isinstance(value, int | float) for value in dataset[column] if value is not None), column


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_texts_that_start_like_a_formula_come_back_unchanged_from_their_export(admin_client, file_format):
    """The export puts an apostrophe before them (no spreadsheet formula); the import read it as part of the text:
    "- nur online" came back "'- nur online", on the public pages too."""
    course = Course.objects.order_by("slug").first()
    course.note_de, course.note_en, course.description_en = "- nur online\n- Prüfung extra", "@FH Dortmund", "=Basics"
    course.save()
    response = preview(admin_client, export(admin_client, file_format), file_format)
    assert response.context["result"].totals["skip"] == Course.objects.count()
    confirm(admin_client, response)
    course.refresh_from_db()
    assert (course.note_de, course.note_en, course.description_en) == (
        "- nur online\n- Prüfung extra",
        "@FH Dortmund",
        "=Basics",
    )


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_exported_cell_never_starts_a_spreadsheet_formula(admin_client, file_format):
    import io

    course = Course.objects.order_by("slug").first()
    course.title_de = '=HYPERLINK("https://evil.example","Klick")'
    course.note_de = "@SUM(1+1)"
    course.save()
    content = export(admin_client, file_format)
    if file_format == "csv":
        cells = [value for row in rows_of(content) for value in row.values()]
    else:
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(content)).active
        cells = [cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
        assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
    assert not [value for value in cells if value and value[0] in "=+-@"], "a cell starts a formula"
    assert "'=HYPERLINK(" in "".join(cells)  # still there for a person to read, as text


def test_the_export_page_has_no_inline_script_or_style_and_wires_select_all_with_a_static_script(admin_client):
    page = admin_client.get(reverse("admin:recommendations_course_export")).content.decode()
    assert "select-all-toggle" in page  # the "Select all" box is there
    assert not re.search(r"\son[a-z]+=", page)  # no inline handler: the CSP would block it
    assert not re.search(r"\sstyle=", page)  # no inline style either
    assert "admin_extra/export_select_all.js" in page
    script = (settings.BASE_DIR / "static" / "admin_extra" / "export_select_all.js").read_text()
    assert ".select-toggle" in script and "addEventListener" in script


# A label made from a field's name ("Title De", "Price Eur", "Course Format (format)"), not one a person wrote.
RAW_FIELD_NAME = re.compile(r"\b[A-Z][a-z]+ (De|En|Eur)\b|\([a-z]+_[a-z_]+\)|\w_\w")


@pytest.mark.parametrize(("language", "title"), [("de", "Titel (Deutsch)"), ("en", "Title (German)")])
def test_the_export_page_names_every_column_in_the_admins_language_and_the_file_keeps_its_column_names(
    admin_client, language, title
):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = admin_client.get(reverse("admin:recommendations_course_export"))
    form = response.context["form"]
    labels = {name: str(field.label) for name, field in form.fields.items() if name.startswith("courseresource_")}
    assert len(labels) == len(course_fields.COURSE_COLUMNS)
    assert labels["courseresource_title_de"] == title
    shown = re.findall(r'<label for="id_courseresource_[^"]*"[^>]*>(.*?)</label>', response.content.decode(), re.S)
    assert len(shown) == len(labels)
    assert not [label for label in [*labels.values(), *shown] if RAW_FIELD_NAME.search(label)]
    assert list(rows_of(export(admin_client))[0]) == list(course_fields.COURSE_COLUMNS)  # the file as before
    dataset = tablib.Dataset()
    dataset.load(export(admin_client, "xlsx"), format="xlsx")
    assert dataset.headers == list(course_fields.COURSE_COLUMNS)


def test_the_admin_the_spreadsheet_and_the_content_loader_share_one_list_of_course_fields():
    from recommendations import content, course_fields
    from recommendations.admin import CourseAdminForm
    from recommendations.resources import CourseResource

    editable = {
        f.name for f in Course._meta.get_fields() if getattr(f, "concrete", False) and f.editable and not f.primary_key
    }
    assert editable <= set(course_fields.COURSE_COLUMNS)  # a new course field is named in the one list
    columns = [field.column_name for field in CourseResource().get_export_fields()]
    assert columns == list(course_fields.COURSE_COLUMNS)
    assert set(CourseAdminForm.base_fields) == set(course_fields.COURSE_FORM_FIELDS)
    assert content.COURSE_FIELDS is course_fields.COURSE_FIELDS


def page_text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_a_file_over_the_upload_limit_is_refused_with_a_clear_message(admin_client, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1_000
    rows = rows_of(export(admin_client))
    before = history_count()
    response = preview(admin_client, to_csv(rows))  # the whole catalogue is far over 1,000 bytes
    assert response.status_code == 400
    text = page_text(response)
    assert "höchstens" in text or "at most" in text
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert history_count() == before


def test_an_xlsx_that_would_unpack_over_the_limit_is_refused(admin_client, settings):
    import zipfile

    settings.IMPORT_MAX_UNPACKED_BYTES = 1_000_000
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", "A" * 5_000_000)  # a few KB packed, 5 MB unpacked
    assert len(bomb.getvalue()) < 100_000
    response = preview(admin_client, bomb.getvalue(), "xlsx")
    text = page_text(response)
    assert "entpackt" in text.lower() or "unpacked" in text.lower()
    assert response.context.get("confirm_form") is None


def test_import_errors_are_sentences_without_python_class_names(admin_client):
    rows = rows_of(export(admin_client))
    broken = dict(rows[0], hours="abc", price_eur="1e", last_checked="2020-13-40")
    response = preview(admin_client, to_csv([broken]))
    text = page_text(response)
    assert "class" not in text and "ConversionSyntax" not in text and "Error" not in text.replace("errorlist", "")
    assert "„abc“" in text or "“abc”" in text  # the value is named in a sentence
    unreadable = preview(admin_client, "Kurs;Stunden\näöü;1".encode("utf-16"))
    text = page_text(unreadable)
    assert "Error" not in text and "UnicodeDecodeError" not in text
    assert "UTF-8" in text


def bulk_rows(admin_client, count: int) -> list[dict]:
    template = rows_of(export(admin_client))[0]
    return [
        dict(template, slug=f"bulk-{n}", title_de=f"Kurs {n}", title_en=f"Course {n}", prerequisites="")
        for n in range(count)
    ]


def test_a_large_import_is_checked_in_the_background_then_written_all_at_once_after_confirming(admin_client, settings):
    from tests.conftest import run_queued_tasks

    settings.IMPORT_BACKGROUND_ROWS = 2
    response = preview(admin_client, to_csv(bulk_rows(admin_client, 3)))
    assert response.status_code == 302  # to the import's status page
    status_url = response["Location"]
    assert admin_client.get(status_url).status_code == 200  # queued: the page says so and reloads itself
    run_queued_tasks()
    checked = admin_client.get(status_url)
    assert checked.status_code == 200
    assert 'class="default"' in checked.content.decode()  # the confirm button
    assert "3" in page_text(checked)
    assert not Course.objects.filter(slug__startswith="bulk-").exists()  # the check writes nothing

    confirmed = admin_client.post(status_url)
    assert confirmed.status_code == 302
    # the button sent again (a double click, the page in another tab) follows the run queued first: a second run
    # failed on the file the first had removed, and its page said the import failed when it had worked
    assert admin_client.post(status_url)["Location"] == confirmed["Location"]
    run_queued_tasks()
    assert admin_client.post(status_url)["Location"] == confirmed["Location"]  # also after it ran
    assert DBTaskResult.objects.filter(task_path=tasks.import_courses.module_path).count() == 2  # check, import
    done = admin_client.get(confirmed["Location"])
    assert done.status_code == 200
    assert Course.objects.filter(slug__startswith="bulk-").count() == 3


def staff_with(django_user_model, name: str, *codenames: str):
    from django.contrib.auth.models import Permission

    staff = django_user_model.objects.create_user(name, password="x-unknown-3", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return staff


def test_an_import_needs_the_permissions_to_add_and_to_change_courses(client, admin_client, django_user_model):
    """django-import-export lets anyone into the admin import: a staff user allowed only to change courses created
    an active course with it (an admin review)."""
    rows = bulk_rows(admin_client, 1)
    client.force_login(staff_with(django_user_model, "redaktion", "view_course", "change_course", "view_provider"))
    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, {"resource": "0", "format": "0"}).status_code == 403
    assert preview(client, to_csv(rows)).status_code == 403
    assert "Importieren" not in client.get(reverse("admin:recommendations_course_changelist")).content.decode()
    assert not Course.objects.filter(slug__startswith="bulk-").exists()
    client.force_login(staff_with(django_user_model, "katalog", "view_course", "change_course", "add_course"))
    assert confirm(client, preview(client, to_csv(rows))).status_code == 302
    assert Course.objects.filter(slug="bulk-0").exists()


def test_a_background_import_is_seen_and_confirmed_only_by_its_uploader_or_a_superuser(
    client, admin_client, django_user_model, settings
):
    from tests.conftest import run_queued_tasks

    settings.IMPORT_BACKGROUND_ROWS = 2
    uploader = staff_with(django_user_model, "katalog", "view_course", "change_course", "add_course")
    client.force_login(uploader)
    status_url = preview(client, to_csv(bulk_rows(admin_client, 3)))["Location"]
    run_queued_tasks()
    assert client.get(status_url).status_code == 200
    client.force_login(staff_with(django_user_model, "kollegin", "view_course", "change_course", "add_course"))
    assert client.get(status_url).status_code == 403
    assert client.post(status_url).status_code == 403  # another admin's file: not theirs to confirm
    run_queued_tasks()
    assert not Course.objects.filter(slug__startswith="bulk-").exists()
    assert admin_client.get(status_url).status_code == 200  # a superuser may
    confirmed = admin_client.post(status_url)["Location"]  # and confirms it: the run is the superuser's
    run_queued_tasks()
    client.force_login(uploader)
    assert client.get(confirmed).status_code == 200  # the uploader follows it (it was a 403)
    client.force_login(django_user_model.objects.get(username="kollegin"))
    assert client.get(confirmed).status_code == 403


def test_a_large_import_with_a_bad_row_lists_it_and_writes_nothing(admin_client, settings):
    from tests.conftest import run_queued_tasks

    settings.IMPORT_BACKGROUND_ROWS = 2
    rows = bulk_rows(admin_client, 4)
    rows[2]["hours"] = "viele"
    response = preview(admin_client, to_csv(rows))
    status_url = response["Location"]
    run_queued_tasks()
    page = admin_client.get(status_url)
    text = page_text(page)
    assert "viele" in text  # the bad value, named in a sentence
    assert 'class="default"' not in page.content.decode()  # no confirm button
    assert "ConversionSyntax" not in text and "class" not in text
    assert admin_client.post(status_url).status_code == 403  # nothing to confirm
    assert not Course.objects.filter(slug__startswith="bulk-").exists()


def test_an_xlsx_export_with_empty_english_texts_imports_back(admin_client):
    course = Course.objects.order_by("slug").first()
    course.note_de = course.note_en = ""  # a course without a note (an English text needs its German one too)
    course.save()
    dataset = tablib.Dataset()
    dataset.load(export(admin_client, "xlsx"), format="xlsx")
    index = list(dataset["slug"]).index(course.slug)
    row = list(dataset[index])
    assert row[dataset.headers.index("note_en")] is None  # how a spreadsheet gives an empty cell back
    row[dataset.headers.index("hours")] = 31.5
    del dataset[index]
    dataset.insert(index, row)
    response = preview(admin_client, dataset.export("xlsx"), "xlsx")
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert (result.totals["update"], result.totals["skip"]) == (1, Course.objects.count() - 1)
    assert confirm(admin_client, response).status_code == 302
    course.refresh_from_db()
    assert (course.hours, course.note_de, course.note_en) == (Decimal("31.5"), "", "")


def test_every_text_column_reads_an_empty_cell_as_empty_text():
    from recommendations.resources import CourseResource

    resource = CourseResource()
    for field in resource.get_import_fields():
        model_field = Course._meta.get_field(field.attribute) if field.attribute else None
        # A column of codes (format, language) takes one of its codes: empty, it keeps its value or is an error.
        if isinstance(model_field, models.CharField | models.TextField) and not model_field.choices:
            assert field.widget.clean(None) == "", field.column_name


@pytest.mark.parametrize(
    ("yes", "no"), [("ja", "nein"), ("Ja", "Nein"), ("yes", "no"), ("wahr", "falsch"), ("TRUE", "false")]
)
def test_yes_and_no_are_read_in_german_and_english(admin_client, yes, no):
    rows = rows_of(export(admin_client))
    first = dict(rows[0], fundable=yes, bildungsurlaub=no, verified=no, active=yes)
    second = dict(rows[1], fundable=no, bildungsurlaub=yes, verified=yes, active=no)
    assert confirm(admin_client, preview(admin_client, to_csv([first, second]))).status_code == 302
    flags = ("fundable", "bildungsurlaub", "verified", "active")
    assert Course.objects.values_list(*flags).get(slug=first["slug"]) == (True, False, False, True)
    assert Course.objects.values_list(*flags).get(slug=second["slug"]) == (False, True, True, False)


# "du" and its forms, and the imperatives django-import-export's German uses with them
INFORMAL = re.compile(
    r"\b(du|dich|dir|dein\w*|korrigiere|wähle|klicke|stelle|führe|exportiere|importiere|lade|prüfe)\b", re.IGNORECASE
)


def test_the_import_and_export_pages_address_the_admin_as_sie():
    import gettext as gettext_module
    from pathlib import Path

    import import_export
    from django.utils import translation

    mo = Path(import_export.__file__).parent / "locale" / "de" / "LC_MESSAGES" / "django.mo"
    with mo.open("rb") as file:
        package = gettext_module.GNUTranslations(file)
    msgids = [key if isinstance(key, str) else key[0] for key in package._catalog if key]
    assert len(msgids) > 20
    with translation.override("de"):
        informal = {translation.gettext(m) for m in msgids if INFORMAL.search(translation.gettext(m))}
    assert informal == set()


def test_the_import_preview_asks_the_admin_to_correct_the_file_as_sie(admin_client):
    rows = rows_of(export(admin_client))
    text = preview(admin_client, to_csv([dict(rows[0], active="vielleicht")])).content.decode()
    assert "Bitte korrigieren Sie diese Fehler in Ihrer Datei" in text
    assert not INFORMAL.search(re.sub(r"<[^>]*>", " ", text))  # the words on the page, not its markup


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("12.5", "12.5"),
        ("12,5", "12.5"),
        ("1.290,00", "1290.00"),
        ("1,290.00", "1290.00"),
        ("1 290,5", "1290.5"),
        ("1.290.000", "1290000"),
        ("1.290", "1.290"),  # one sign alone is the decimal sign, as the export writes it
    ],
)
def test_a_number_reads_as_a_spreadsheet_writes_it(written, number):
    from recommendations.resources import spreadsheet_decimal

    assert spreadsheet_decimal(written) == Decimal(number)


@pytest.mark.parametrize("written", ["1.29.0", "12,3,4", "1,2345.6", "zwölf"])
def test_a_number_with_separators_in_odd_places_is_an_error(written):
    from recommendations.resources import spreadsheet_decimal

    with pytest.raises((ValueError, ArithmeticError)):
        spreadsheet_decimal(written)


def test_a_price_in_german_excels_currency_format_imports(admin_client):
    """German Excel saves a price column with thousands separators as "1.290,00": the import refused it, while
    the course form takes the same."""
    rows = rows_of(export(admin_client))
    changed = dict(rows[0], price_eur="1.290,00", hours="12,5")
    confirm(admin_client, preview(admin_client, to_csv([changed])))
    course = Course.objects.get(slug=changed["slug"])
    assert course.price_eur == Decimal("1290") and course.hours == Decimal("12.5")


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_files_rows_are_counted_without_reading_its_cells(admin_client, file_format):
    """The count decides whether the worker imports the file; it read the whole file in the request for it."""
    from recommendations.resources import count_rows, read_dataset

    content = export(admin_client, file_format)
    assert count_rows(content, file_format) == len(read_dataset(content, file_format)) == Course.objects.count()
    with pytest.raises(ValueError):
        count_rows(b"not a workbook", "xlsx")


def test_a_confirmation_sent_twice_imports_once_and_says_so(admin_client):
    """The file is removed once imported: the second confirmation (a double click, the preview's tab used later)
    was a 500."""
    rows = rows_of(export(admin_client))
    response = preview(admin_client, to_csv([dict(rows[0], hours="33")]))
    assert confirm(admin_client, response).status_code == 302
    again = confirm(admin_client, response)
    assert again.status_code == 302 and again["Location"] == reverse("admin:recommendations_course_changelist")
    said = [str(message) for message in get_messages(again.wsgi_request)]
    assert any("schon bestätigt" in message for message in said)
    assert Course.objects.get(slug=rows[0]["slug"]).hours == Decimal("33")


def test_a_confirmed_import_that_failed_can_be_confirmed_again_without_uploading_the_file_again(
    admin_client, settings, monkeypatch
):
    from recommendations import resources
    from tests.conftest import run_queued_tasks

    settings.IMPORT_BACKGROUND_ROWS = 2
    status_url = preview(admin_client, to_csv(bulk_rows(admin_client, 3)))["Location"]
    run_queued_tasks()
    real = resources.run_course_import

    def database_gone(*args, **kwargs):
        raise ConnectionError("the database went away")

    monkeypatch.setattr(resources, "run_course_import", database_gone)
    failed_url = admin_client.post(status_url)["Location"]
    run_queued_tasks()
    failed = admin_client.get(failed_url)
    assert "Bitte versuchen Sie es erneut" in page_text(failed)
    assert 'class="default"' in failed.content.decode()  # "Erneut importieren"
    monkeypatch.setattr(resources, "run_course_import", real)
    # the preview's button and the failed run's lead to a new run, not back to the failed one
    again = admin_client.post(status_url)["Location"]
    assert again != failed_url and admin_client.post(failed_url)["Location"] == again
    run_queued_tasks()
    assert Course.objects.filter(slug__startswith="bulk-").count() == 3
    # once imported, the file is gone: the failed run's page offers nothing more, and its button sent again (another
    # tab, a second admin) leads to the run that imported it, as the preview's does
    assert 'class="default"' not in admin_client.get(failed_url).content.decode()
    assert admin_client.post(failed_url)["Location"] == again == admin_client.post(status_url)["Location"]


def test_confirming_a_checked_import_whose_file_has_expired_says_so_and_queues_nothing(admin_client, settings):
    import os

    from tests.conftest import run_queued_tasks

    settings.IMPORT_BACKGROUND_ROWS = 2
    status_url = preview(admin_client, to_csv(bulk_rows(admin_client, 3)))["Location"]
    run_queued_tasks()
    checked = DBTaskResult.objects.get(task_path=tasks.import_courses.module_path)
    os.remove(TempFolderStorage(name=checked.args_kwargs["args"][0]).get_full_path())  # the temporary folder cleaned
    response = admin_client.post(status_url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:recommendations_course_changelist")
    assert "Es wurde nichts weiter importiert" in page_text(response)
    assert DBTaskResult.objects.filter(task_path=tasks.import_courses.module_path).count() == 1  # no run that fails


def test_a_spreadsheet_sets_admission_requirements_and_refuses_one_that_is_not_a_prerequisite(admin_client):
    rows = {row["slug"]: row for row in rows_of(export(admin_client))}
    assert rows["itil5-managing-professional"]["admission_prerequisites"] == "itil5-foundation"
    practitioner = dict(rows["prince2-7-practitioner"], admission_prerequisites="prince2-7-foundation,pmp")
    response = preview(admin_client, to_csv([practitioner]))
    assert response.status_code == 400 and "confirm_form" not in response.context
    assert "Keine Voraussetzung dieses Kurses: pmp." in response.content.decode()

    practitioner["admission_prerequisites"] = "prince2-7-foundation"
    confirm(admin_client, preview(admin_client, to_csv([practitioner])))
    course = Course.objects.get(slug="prince2-7-practitioner")
    assert list(course.admission_prerequisites.values_list("slug", flat=True)) == ["prince2-7-foundation"]

    # a file without the column that drops the prerequisite drops its admission requirement with it
    modules = {k: v for k, v in rows["itil5-managing-professional"].items() if k != "admission_prerequisites"}
    confirm(admin_client, preview(admin_client, to_csv([dict(modules, prerequisites="")])))
    assert not Course.objects.get(slug="itil5-managing-professional").admission_prerequisites.exists()


def test_an_import_that_deactivates_a_required_course_says_which_active_courses_require_it(admin_client):
    """The form and the list's action warn when a course active ones require is deactivated; a spreadsheet import
    doing the same said only "0 neue, 1 aktualisierte" (a review)."""
    rows = rows_of(export(admin_client))
    foundation = next(row for row in rows if row["slug"] == "itil5-foundation")
    foundation["active"] = "nein"
    response = confirm(admin_client, preview(admin_client, to_csv([foundation])))
    assert response.status_code == 302
    assert not Course.objects.get(slug="itil5-foundation").active
    said = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "Inaktive Voraussetzungen" in said and "ITIL" in said, said


def test_a_large_import_that_deactivates_a_required_course_says_which_active_courses_require_it(admin_client, settings):
    """The import in the request warns of it (the test above); the worker's said only "0 neue, 1 geändert"."""
    from tests.conftest import run_queued_tasks

    settings.IMPORT_BACKGROUND_ROWS = 2
    rows = rows_of(export(admin_client))
    foundation = next(row for row in rows if row["slug"] == "itil5-foundation")
    foundation["active"] = "nein"
    status_url = preview(admin_client, to_csv([foundation, *bulk_rows(admin_client, 2)]))["Location"]
    run_queued_tasks()
    done_url = admin_client.post(status_url)["Location"]
    run_queued_tasks()
    assert not Course.objects.get(slug="itil5-foundation").active

    text = html.unescape(page_text(admin_client.get(done_url)))
    requiring = Course.objects.active().filter(prerequisites__slug="itil5-foundation").order_by("title_de").first()
    foundation_course = Course.objects.get(slug="itil5-foundation")
    assert "Inaktive Voraussetzungen:" in text
    assert f"„{requiring.title_de}“ setzt „{foundation_course.title_de}“ voraus" in text

    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert f"“{requiring.title_en}” requires “{foundation_course.title_en}”" in html.unescape(
        page_text(admin_client.get(done_url))
    )

    Course.objects.filter(pk=foundation_course.pk).update(active=True)  # put right since: no longer said
    assert "Inactive prerequisites" not in page_text(admin_client.get(done_url))
