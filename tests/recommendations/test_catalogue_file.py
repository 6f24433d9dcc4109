"""`manage.py export_catalogue` and `import_catalogue FILE`: the contract's format, a round trip, all or nothing
with errors per row, and clear exit codes."""

from __future__ import annotations

import copy
import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from assessment.content import SHIPPED
from recommendations.catalogue_file import IMPORTED
from recommendations.models import Course, CourseCompetency, Provider

pytestmark = pytest.mark.django_db
SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "contracts" / "catalogue.schema.json").read_text())


def export() -> dict:
    out = io.StringIO()
    call_command("export_catalogue", stdout=out)
    return json.loads(out.getvalue())


def import_file(tmp_path, data, name="catalogue.json") -> tuple[str, str]:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_catalogue", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(tmp_path, data) -> tuple[str, str]:
    """The import's error lines and its final message, checking that nothing was written."""
    before = export()
    history = Course.history.count() + Provider.history.count() + CourseCompetency.history.count()
    err = io.StringIO()
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError) as refusal:
        call_command("import_catalogue", str(path), stdout=io.StringIO(), stderr=err)
    assert export() == before
    assert Course.history.count() + Provider.history.count() + CourseCompetency.history.count() == history
    return err.getvalue(), str(refusal.value)


def test_the_export_follows_the_contract_and_holds_every_course():
    data = export()
    jsonschema.validate(data, SCHEMA)
    assert len(data["courses"]) == Course.objects.count() and len(data["providers"]) == Provider.objects.count()
    pmp = next(c for c in data["courses"] if c["slug"] == "pmp")
    assert pmp["provider"] == Course.objects.get(slug="pmp").provider.slug and pmp["competencies"]
    in_house = next(c for c in data["courses"] if c["slug"] == "shadowing-2nd-level")
    assert in_house["url"] is None


def test_an_exported_catalogue_imports_back_unchanged(tmp_path):
    data = export()
    history = Course.history.count()
    out, err = import_file(tmp_path, data)
    assert err == ""
    assert "courses: 0 created, 0 updated, " in out
    assert export() == data
    assert Course.history.count() == history


def test_an_edited_export_imports_its_changes_with_history(tmp_path):
    data = export()
    pmp = next(c for c in data["courses"] if c["slug"] == "pmp")
    pmp["hours"] = 40.5
    pmp["price_eur"] = None
    new = copy.deepcopy(pmp)
    new.update(slug="pmp-refresher", title_de="PMP Auffrischung", prerequisites=["pmp"])
    data["courses"].append(new)

    out, _err = import_file(tmp_path, data)

    assert "courses: 1 created, 1 updated" in out
    course = Course.objects.get(slug="pmp")
    assert (course.hours, course.price_eur) == (Decimal("40.5"), None)
    assert course.history.latest().history_change_reason == IMPORTED
    assert list(Course.objects.get(slug="pmp-refresher").prerequisites.values_list("slug", flat=True)) == ["pmp"]
    assert export() == {**data, "courses": sorted(data["courses"], key=lambda c: c["slug"])}


def test_an_imported_change_is_kept_by_load_content(tmp_path):
    data = export()
    next(c for c in data["courses"] if c["slug"] == "pmp")["hours"] = 12
    import_file(tmp_path, data)
    call_command("load_content", stdout=io.StringIO())
    course = Course.objects.get(slug="pmp")
    assert course.hours == Decimal("12")
    assert course.history.exclude(history_change_reason=SHIPPED).exists()


def test_a_file_naming_the_same_slug_twice_is_refused_with_a_row_error(tmp_path):
    data = export()
    data["courses"].append(copy.deepcopy(data["courses"][3]))
    slug = data["courses"][3]["slug"]
    errors, message = refused(tmp_path, data)
    row = len(data["courses"]) - 1
    assert f"courses[{row}] (slug '{slug}'): slug '{slug}' is named twice in the file (first in courses[3])" in errors
    assert "nothing imported, 1 problem(s)" in message


def test_every_bad_row_is_named_and_nothing_is_written(tmp_path):
    data = export()
    data["courses"][0]["hours"] = 0  # a course of no time closed gaps for free
    data["courses"][1]["competencies"][0]["to_level"] = 0
    data["courses"][2]["provider"] = "gibt-es-nicht"
    data["courses"][3]["url"] = "http://example.org/kurs"
    data["courses"][4]["last_checked"] = "gestern"
    data["courses"][5]["format"] = "fernstudium"
    data["courses"][6]["competencies"] = [{"competency": "kochen", "from_level": 0, "to_level": 1}]
    data["courses"][7]["title_de"] = "x" * 300  # longer than the field allows
    data["courses"][8]["price_eur"] = 99  # a valid change: still not written, since the file has errors
    errors, message = refused(tmp_path, data)
    lines = errors.strip().splitlines()
    assert len(lines) == 8 and "8 problem(s)" in message
    for index, expected in enumerate(
        [
            "hours: expected a number of at least 0.5",
            "to_level must be above from_level",
            "provider: 'gibt-es-nicht' is neither in the file nor in the database",
            "url: expected an https:// address or null",
            "last_checked: expected a date like 2026-12-01",
            "format:",
            "'kochen' is not a competency",
            "title_de:",
        ]
    ):
        slug = data["courses"][index]["slug"]
        where = f"courses[{index}] (slug '{slug}')"
        assert any(line.startswith(where) and expected in line for line in lines), expected


def test_a_provider_is_checked_as_the_admins_form_checks_it(tmp_path):
    """A 5,000-character name, a 300-character slug and an address with spaces were stored on SQLite (the admin
    could then not save the row) and stopped the import with a traceback on PostgreSQL."""
    data = export()
    data["providers"][0]["name"] = "N" * 161
    data["providers"][1]["url"] = 'https://exa mple.com/"><script>'
    data["providers"][2]["slug"] = "s" * 60
    errors, message = refused(tmp_path, data)
    lines = errors.strip().splitlines()
    assert any(line.startswith("providers[0]") and "name:" in line for line in lines), lines
    assert any(line.startswith("providers[1]") and "url:" in line for line in lines), lines
    assert any(line.startswith("providers[2]") and "slug:" in line for line in lines), lines


def test_a_nul_character_anywhere_in_the_file_is_named_and_nothing_is_written(tmp_path):
    """PostgreSQL refuses NUL in a text column: the import stopped with a traceback (SQLite stored it)."""
    data = export()
    data["providers"][0]["note_de"] = "a\x00b"
    data["courses"][2]["title_de"] = "A\x00B"
    errors, message = refused(tmp_path, data)
    assert "providers[0].note_de: contains a NUL character" in errors
    assert "courses[2].title_de: contains a NUL character" in errors
    assert "2 problem(s)" in message


def test_prerequisites_that_would_require_each_other_are_refused(tmp_path):
    data = export()
    first, second = data["courses"][0], data["courses"][1]
    first["prerequisites"] = [second["slug"]]
    second["prerequisites"] = [first["slug"]]
    errors, _message = refused(tmp_path, data)
    assert "would require each other" in errors


@pytest.mark.parametrize(
    "content, expected",
    [
        ("{not json", "is not valid JSON"),
        ("[]", 'a JSON object with the lists "providers" and "courses"'),
        # the first list was dropped without a word, and the import reported success
        ('{"providers": [], "courses": [], "providers": []}', "names the key 'providers' twice in one object"),
    ],
)
def test_a_file_that_is_not_a_catalogue_gets_a_clear_message(tmp_path, content, expected):
    path = tmp_path / "x.json"
    path.write_text(content)
    err = io.StringIO()
    with pytest.raises(CommandError) as refusal:
        call_command("import_catalogue", str(path), stdout=io.StringIO(), stderr=err)
    assert expected in str(refusal.value) + err.getvalue()


def test_a_missing_file_gets_a_clear_message(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_catalogue", str(tmp_path / "fehlt.json"), stdout=io.StringIO(), stderr=io.StringIO())


def test_the_exported_catalogue_meets_what_the_catalogue_issue_asks():
    today = datetime.date(2026, 12, 2)
    data = export()
    providers = {p["slug"]: p for p in data["providers"]}
    active = [c for c in data["courses"] if c["active"]]
    assert len(active) >= 50
    reachable = set()
    for course in active:
        provider = providers[course["provider"]]
        assert not provider["is_example"], course["slug"]
        if not provider.get("in_house"):
            assert (course["url"] or "").startswith("https://"), course["slug"]
        assert course["source"].strip(), course["slug"]
        assert today - datetime.date.fromisoformat(course["last_checked"]) <= datetime.timedelta(days=400)
        assert course["exam_retired_on"] is None or datetime.date.fromisoformat(course["exam_retired_on"]) > today
        for link in course["competencies"]:
            assert 0 <= link["from_level"] < link["to_level"] <= 5, course["slug"]
            reachable |= {(link["competency"], level) for level in range(link["from_level"] + 1, link["to_level"] + 1)}
    competencies = {link["competency"] for c in data["courses"] for link in c["competencies"]}
    assert len(competencies) == 10
    assert {(c, level) for c in competencies for level in (1, 2, 3, 4)} <= reachable


def test_a_new_course_from_a_catalogue_file_starts_unverified_unless_the_file_says_verified(tmp_path):
    data = export()
    pmp = next(c for c in data["courses"] if c["slug"] == "pmp")
    silent = {k: v for k, v in copy.deepcopy(pmp).items() if k != "verified"}
    silent.update(slug="pmp-ohne-angabe", prerequisites=[])
    stated = dict(copy.deepcopy(pmp), slug="pmp-geprueft", verified=True, prerequisites=[])
    data["courses"] += [silent, stated]
    out, _err = import_file(tmp_path, data)
    assert "courses: 2 created" in out
    assert dict(Course.objects.filter(slug__startswith="pmp-").values_list("slug", "verified")) == {
        "pmp-ohne-angabe": False,
        "pmp-geprueft": True,
    }
    # The shipped catalogue is loaded as it states: a course it does not mark unverified is verified.
    shipped = json.loads((Path(__file__).resolve().parents[2] / "recommendations/content/catalogue.json").read_text())
    unmarked = [c["slug"] for c in shipped["courses"] if "verified" not in c]
    assert unmarked and not Course.objects.filter(slug__in=unmarked, verified=False).exists()


def test_a_course_entry_that_leaves_out_its_yes_no_values_keeps_them(tmp_path):
    course = Course.objects.filter(exam_retired_on=None, provider__in_house=False).order_by("slug").first()
    Course.objects.filter(pk=course.pk).update(active=False, verified=False, fundable=True, language="en")
    Provider.objects.filter(pk=course.provider_id).update(in_house=True)
    data = export()
    entry = next(c for c in data["courses"] if c["slug"] == course.slug)
    for name in ("active", "verified", "fundable", "language"):
        del entry[name]
    entry["hours"] = 21
    provider = next(p for p in data["providers"] if p["slug"] == course.provider.slug)
    del provider["in_house"]
    import_file(tmp_path, data)
    course.refresh_from_db()
    assert course.hours == 21  # the entry was imported...
    assert (course.active, course.verified, course.fundable, course.language) == (False, False, True, "en")
    assert Provider.objects.get(pk=course.provider_id).in_house is True


def test_a_key_the_format_does_not_have_is_a_row_error_naming_the_key_it_resembles(tmp_path):
    """A misspelt key was read as left out: "verifed": true left the course unverified, and "bildungsurlab"
    kept the stored value, without a word."""
    data = export()
    course, provider = data["courses"][0], data["providers"][0]
    course["verifed"] = course.pop("verified")
    course["bildungsurlab"] = not course.pop("bildungsurlaub")
    provider["reviewer"] = "M. Kowalski"
    link = data["courses"][1]["competencies"][0]
    link["wieght"] = link.pop("weight")  # read as a weight of 1
    errors, message = refused(tmp_path, data)
    assert "competencies[0]: 'wieght' is not a field of the format (meant 'weight'?)" in errors
    assert f"courses[0] (slug {course['slug']!r}): 'verifed' is not a field of the format (meant 'verified'?)" in errors
    assert "'bildungsurlab' is not a field of the format (meant 'bildungsurlaub'?)" in errors
    assert f"providers[0] (slug {provider['slug']!r}): 'reviewer' is not a field of the format" in errors
    assert "nothing imported, 4 problem(s)" in message


def test_a_value_that_is_not_one_of_the_codes_lists_them(tmp_path):
    data = export()
    data["courses"][0]["format"] = "Präsenz"
    data["courses"][1]["language"] = "deutsch"
    errors, _message = refused(tmp_path, data)
    assert "format: expected one of online, classroom, blended, on_the_job, not 'Präsenz'" in errors
    assert "language: expected one of de, en, de_en, not 'deutsch'" in errors


def test_what_the_contract_forbids_across_rows_is_refused_row_by_row(tmp_path):
    """A review imported, without a word, an example provider backing four active courses, and an active course and a
    provider that is not in-house without a page (the contract: none may back an active course; null only for
    in-house formats)."""
    data = export()
    course = next(c for c in data["courses"] if c["active"] and c["url"])
    provider = next(p for p in data["providers"] if p["slug"] == course["provider"])
    provider["is_example"] = True
    other = next(c for c in data["courses"] if c["active"] and c["url"] and c["provider"] != provider["slug"])
    other["url"] = None
    third = next(p for p in data["providers"] if not p.get("in_house") and p["slug"] != provider["slug"])
    third["url"] = None
    errors, _message = refused(tmp_path, data)
    assert f"(slug '{course['slug']}'): active: '{provider['slug']}' is an example provider" in errors
    assert f"(slug '{other['slug']}'): url: required for an active course" in errors
    assert f"(slug '{third['slug']}'): url: required (an https address); null only for in-house formats" in errors
    course_of_example = [c for c in data["courses"] if c["provider"] == provider["slug"]]
    for c in course_of_example:
        c["active"] = False  # deactivated with its provider marked as an example: fine
    other["url"], third["url"] = "https://example.org/kurs", "https://example.org"
    import_file(tmp_path, data)


def test_a_provider_changed_without_its_courses_in_the_file_must_still_fit_them(tmp_path):
    """A file that made a provider an example, or no longer in-house, but left out its active courses, imported:
    the catalogue then held active courses of an example provider, or active courses without a page."""
    data = export()
    course = next(c for c in data["courses"] if c["active"] and c["url"])
    provider = next(p for p in data["providers"] if p["slug"] == course["provider"])
    provider["is_example"] = True
    in_house = next(p for p in data["providers"] if p.get("in_house"))
    in_house["in_house"], in_house["url"] = False, "https://example.org"
    data["courses"] = []
    errors, _message = refused(tmp_path, data)
    assert f"is_example: its course {course['slug']!r} is active" in errors
    assert "in_house: its course" in errors and "is active without a page" in errors


def test_the_admin_refuses_what_the_catalogue_file_refuses():
    """The admin's forms and its CSV import (both `full_clean`) allowed what the file import refuses, so a catalogue
    built in the admin could be exported but not imported back."""
    from django.core.exceptions import ValidationError

    no_page = Provider(slug="ohne-seite", name="Ohne Seite")
    with pytest.raises(ValidationError, match="https"):
        no_page.full_clean()
    course = Course.objects.filter(active=True, provider__in_house=False).exclude(url="").first()
    course.provider.is_example = True
    with pytest.raises(ValidationError) as refused_provider:
        course.provider.full_clean()
    assert "is_example" in refused_provider.value.message_dict
    course.provider.is_example = False
    course.url = ""
    with pytest.raises(ValidationError) as refused_course:
        course.full_clean()
    assert "url" in refused_course.value.message_dict


def test_a_provider_that_is_not_a_slug_is_a_row_error_not_a_traceback(tmp_path):
    data = export()
    data["courses"][0]["provider"] = ["scrum-org"]
    errors, _message = refused(tmp_path, data)
    assert "provider: ['scrum-org'] is neither in the file nor in the database" in errors


def test_admission_requirements_are_exported_and_an_edited_file_imports_them_with_history(tmp_path):
    """The shipped catalogue marks the ITIL Foundation as required for admission to the Managing Professional
    modules: the export says so, a file that marks another prerequisite sets it, and the round trip keeps it."""
    data = export()
    jsonschema.validate(data, SCHEMA)
    modules = next(c for c in data["courses"] if c["slug"] == "itil5-managing-professional")
    assert modules["admission_prerequisites"] == ["itil5-foundation"]
    assert next(c for c in data["courses"] if c["slug"] == "pmp")["admission_prerequisites"] == []
    practitioner = next(c for c in data["courses"] if c["slug"] == "prince2-7-practitioner")
    assert practitioner["prerequisites"] == ["prince2-7-foundation"] and practitioner["admission_prerequisites"] == []
    practitioner["admission_prerequisites"] = ["prince2-7-foundation"]

    out, err = import_file(tmp_path, data)

    assert err == "" and "courses: 0 created, 1 updated" in out
    course = Course.objects.get(slug="prince2-7-practitioner")
    assert list(course.admission_prerequisites.values_list("slug", flat=True)) == ["prince2-7-foundation"]
    assert course.history.latest().history_change_reason == IMPORTED
    assert export() == data
    out, _err = import_file(tmp_path, data)
    assert "courses: 0 created, 0 updated" in out  # unchanged the second time


def test_an_admission_requirement_that_is_unknown_or_not_a_prerequisite_is_a_row_error(tmp_path):
    data = export()
    rows = {c["slug"]: index for index, c in enumerate(data["courses"])}
    data["courses"][rows["prince2-7-practitioner"]]["admission_prerequisites"] = ["prince2-8-foundation"]
    data["courses"][rows["togaf-practitioner"]]["admission_prerequisites"] = ["pmp"]
    data["courses"][rows["rhce"]]["admission_prerequisites"] = "rhcsa"
    errors, message = refused(tmp_path, data)
    assert "3 problem(s)" in message
    lines = errors.strip().splitlines()
    for slug, expected in (
        ("prince2-7-practitioner", "admission_prerequisites: 'prince2-8-foundation' is neither in the file nor in "),
        ("togaf-practitioner", "admission_prerequisites: 'pmp' is not among the course's prerequisites"),
        ("rhce", "admission_prerequisites: expected a list of course slugs"),
    ):
        where = f"courses[{rows[slug]}] (slug '{slug}')"
        assert any(line.startswith(where) and expected in line for line in lines), expected


def test_a_file_without_admission_requirements_keeps_the_stored_ones_where_their_prerequisite_stays(tmp_path):
    """An export made before the field came has no "admission_prerequisites": imported back, it cleared every mark
    (and said "updated"), where the spreadsheet import keeps them when its column is missing."""
    data = export()
    for course in data["courses"]:
        del course["admission_prerequisites"]
    rows = {c["slug"]: c for c in data["courses"]}
    rows["rhce"]["prerequisites"] = []  # a prerequisite the file drops takes its mark with it

    out, err = import_file(tmp_path, data)

    assert err == "" and "courses: 0 created, 1 updated" in out
    marked = {c["slug"]: c["admission_prerequisites"] for c in export()["courses"] if c["admission_prerequisites"]}
    assert marked["itil5-managing-professional"] == ["itil5-foundation"] and "rhce" not in marked


def test_an_imported_course_is_one_version_holding_both_prerequisite_lists_as_imported(tmp_path):
    """django-simple-history wrote a record for each prerequisite list an import changed, after the course's own:
    a file that set the PRINCE2 Practitioner's hours, prerequisites and admission requirements made three versions,
    two of them states nobody imported; a new course with prerequisites made two. Now one each, as the spreadsheet
    import and the edit page write them; a course whose lists alone change gets one too."""
    data = export()
    practitioner = Course.objects.get(slug="prince2-7-practitioner")
    versions = practitioner.history.count()
    entry = next(c for c in data["courses"] if c["slug"] == practitioner.slug)
    entry["prerequisites"] = sorted([*entry["prerequisites"], "pmp"])
    entry["admission_prerequisites"] = ["prince2-7-foundation"]
    entry["hours"] = 30
    new = {**copy.deepcopy(entry), "slug": "prince2-7-practitioner-2", "prerequisites": ["pmp"]}
    new["admission_prerequisites"] = ["pmp"]
    data["courses"].append(new)

    out, err = import_file(tmp_path, data)

    assert err == "" and "courses: 1 created, 1 updated" in out
    assert practitioner.history.count() == versions + 1
    record = practitioner.history.latest()
    assert sorted(r.to_course.slug for r in record.prerequisites.all()) == ["pmp", "prince2-7-foundation"]
    assert [r.to_course.slug for r in record.admission_prerequisites.all()] == ["prince2-7-foundation"]
    assert (record.hours, record.history_change_reason) == (Decimal("30"), IMPORTED)
    created = Course.objects.get(slug="prince2-7-practitioner-2")
    assert created.history.count() == 1
    assert [r.to_course.slug for r in created.history.get().admission_prerequisites.all()] == ["pmp"]

    entry["admission_prerequisites"] = []  # the lists alone change
    out, err = import_file(tmp_path, data)
    assert err == "" and "courses: 0 created, 1 updated" in out
    assert practitioner.history.count() == versions + 2
    assert not practitioner.history.latest().admission_prerequisites.exists()
    assert practitioner.history.latest().history_change_reason == IMPORTED
