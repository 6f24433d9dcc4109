"""`manage.py load_content`: ships content fixes to untouched rows, never overwrites an admin's edit, and
leaves a history baseline that an admin's revert can reach."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from assessment.content import SHIPPED, save_shipped
from assessment.models import Competency, Item, LevelDescriptor, Option, Section
from recommendations.content import read
from recommendations.models import Course, CourseCompetency, Provider, Role, RoleRequirement
from tests.admin.helpers import admin_url, form_data

pytestmark = pytest.mark.django_db
CONTENT_MODELS = (
    Section,
    Competency,
    LevelDescriptor,
    Item,
    Option,
    Role,
    RoleRequirement,
    Provider,
    Course,
    CourseCompetency,
)
MIGRATIONS = Path(__file__).resolve().parents[2] / "recommendations" / "migrations"


def snapshot() -> dict:
    """Every content row and every history record, as values."""
    state: dict[str, Any] = {}
    for model in CONTENT_MODELS:
        state[model.__name__] = sorted(map(repr, model.objects.values()))
        state[f"history of {model.__name__}"] = model.history.count()
    state["prerequisites"] = sorted(Course.prerequisites.through.objects.values_list("from_course", "to_course"))
    return state


def run_command() -> str:
    out = io.StringIO()
    call_command("load_content", stdout=out)
    return out.getvalue()


def test_loading_the_content_twice_changes_nothing():
    run_command()
    before = snapshot()
    output = run_command()
    assert snapshot() == before
    assert "0 created, 0 updated" in output and "0 left alone" in output


def test_every_shipped_row_has_a_history_baseline():
    for model in CONTENT_MODELS:
        baselined = set(model.history.filter(history_change_reason=SHIPPED).values_list("id", flat=True))
        assert set(model.objects.values_list("id", flat=True)) <= baselined, model.__name__


def test_a_content_fix_reaches_an_untouched_row_and_the_command_says_so():
    # rows made by the data migrations of earlier releases carry no history at all
    Item.objects.filter(slug="svc-k5").update(text_de="alter Text")
    Item.history.filter(slug="svc-k5").delete()
    Course.objects.filter(slug="pmp").update(hours=Decimal("1"))
    Course.history.filter(slug="pmp").delete()
    output = run_command()
    assert Item.objects.get(slug="svc-k5").text_de != "alter Text"
    assert Course.objects.get(slug="pmp").hours == Decimal(
        str(next(c for c in read("catalogue.json")["courses"] if c["slug"] == "pmp")["hours"])
    )
    assert "items: 1 updated" in output and "courses: 1 updated" in output


def test_a_rewritten_feedback_reaches_a_row_an_earlier_release_shipped():
    # the feedback no longer opens with "Richtig ist: …"; a row the loader shipped with the old wording and no
    # admin touched since is brought to the new one by the next load_content (no version stamp involved)
    item = Item.objects.get(slug="svc-k1")
    shipped_de, shipped_en = item.feedback_de, item.feedback_en
    save_shipped(
        item,
        {"feedback_de": f"Richtig ist: Incident. {shipped_de}", "feedback_en": f"Correct: an incident. {shipped_en}"},
    )
    output = run_command()
    item.refresh_from_db()
    assert (item.feedback_de, item.feedback_en) == (shipped_de, shipped_en)
    assert "items: 1 updated" in output


def test_an_admins_edit_survives_loading_the_content(admin_client):
    course = Course.objects.get(slug="capm")
    data = form_data(admin_client.get(admin_url(course)))
    data["hours"] = "99"
    assert admin_client.post(admin_url(course), data).status_code == 302
    item = Item.objects.get(slug="svc-k1")
    item.text_de = "Von der Redaktion geändert"
    item.save()
    option = Option.objects.get(item__slug="svc-k2", value="a")
    option.label_de = "Eigene Antwort"
    option.save()
    requirement = RoleRequirement.objects.get(role__slug="it_coordinator", competency__slug="communication")
    requirement.level = 1
    requirement.save()

    output = run_command()

    assert Course.objects.get(slug="capm").hours == Decimal("99")
    assert Item.objects.get(slug="svc-k1").text_de == "Von der Redaktion geändert"
    assert Option.objects.get(item__slug="svc-k2", value="a").label_de == "Eigene Antwort"
    assert RoleRequirement.objects.get(pk=requirement.pk).level == 1
    assert f"courses: {len(read('catalogue.json')['courses']) - 1} unchanged, 1 left alone" in output
    assert "items: 80 unchanged, 2 left alone" in output
    assert "roles: 9 unchanged, 1 left alone" in output


def test_a_deleted_part_is_not_brought_back_when_an_admin_deleted_it():
    link = CourseCompetency.objects.filter(course__slug="pmp").first()
    link.delete()  # as the admin's inline does: with a history record
    run_command()
    assert not CourseCompetency.objects.filter(pk=link.pk).exists()
    assert not CourseCompetency.objects.filter(course__slug="pmp", competency=link.competency).exists()


def test_a_shipped_row_that_is_missing_is_created_again():
    Item.objects.filter(slug="svc-k1").delete()
    Course.objects.get(slug="pmp").delete()
    run_command()
    assert Item.objects.filter(slug="svc-k1").exists() and Course.objects.filter(slug="pmp").exists()


def test_revert_in_the_admin_reaches_the_shipped_value(admin_client):
    course = Course.objects.get(slug="capm")
    shipped_hours = course.hours
    data = form_data(admin_client.get(admin_url(course)))
    data["hours"] = "77"
    assert admin_client.post(admin_url(course), data).status_code == 302
    assert Course.objects.get(pk=course.pk).hours == Decimal("77")

    baseline = course.history.filter(history_change_reason=SHIPPED).latest()
    revert_url = reverse("admin:recommendations_course_simple_history", args=[course.pk, baseline.pk])
    revert_page = admin_client.get(revert_url)
    assert revert_page.status_code == 200
    assert admin_client.post(revert_url, form_data(revert_page)).status_code == 302
    assert Course.objects.get(pk=course.pk).hours == shipped_hours


def test_revert_of_a_role_reaches_its_shipped_text(admin_client):
    role = Role.objects.get(slug="security_officer")
    shipped = role.description_de
    role.description_de = "geändert"
    role.save()
    baseline = role.history.filter(history_change_reason=SHIPPED).latest()
    baseline.instance.save()  # what the admin's revert does
    assert Role.objects.get(pk=role.pk).description_de == shipped


def test_a_changed_difficulty_moves_the_seeded_item_location_but_not_a_learned_one():
    Item.objects.filter(slug="agl-k5").update(difficulty=1, location=0.5)  # an old label, seeded
    Item.history.filter(slug="agl-k5").delete()
    Item.objects.filter(slug="aut-k5").update(location=3.1)  # learned from answers (no history)
    Item.history.filter(slug="aut-k5").delete()
    run_command()
    agile = Item.objects.get(slug="agl-k5")
    assert agile.location == pytest.approx(agile.difficulty - 0.5)
    assert Item.objects.get(slug="aut-k5").location == pytest.approx(3.1)


def test_the_data_migrations_no_longer_import_the_loaders():
    for name in ("0002_load_roles_and_catalogue.py", "0007_real_course_catalogue.py"):
        assert "recommendations.content" not in (MIGRATIONS / name).read_text()
    assessment_migration = MIGRATIONS.parents[1] / "assessment" / "migrations" / "0002_load_question_bank.py"
    assert "assessment.content" not in assessment_migration.read_text()


def test_content_loading_is_part_of_make_run_and_make_serve():
    makefile = (MIGRATIONS.parents[1] / "Makefile").read_text()
    for target in ("run:", "serve:"):
        recipe = makefile.split(f"\n{target}", 1)[1].split("\n\n", 1)[0]
        assert recipe.index("load_content") > recipe.index("migrate"), target


def test_a_courses_prerequisite_lists_are_loaded_into_its_one_record():
    """The loader set each prerequisite list with its own history record, after the course's: a course whose lists
    both changed got three versions from one load, two of them states nobody shipped."""
    course = Course.objects.get(slug="itil5-managing-professional")
    course.skip_history_when_saving = True  # as an earlier release left it: without the lists, and no history
    course.prerequisites.clear()
    course.admission_prerequisites.clear()
    del course.skip_history_when_saving
    course.history.all().delete()

    assert "courses: 1 updated, 95 unchanged\n" in run_command()

    record = course.history.get()
    assert record.history_change_reason == SHIPPED
    assert [r.to_course.slug for r in record.prerequisites.all()] == ["itil5-foundation"]
    assert [r.to_course.slug for r in record.admission_prerequisites.all()] == ["itil5-foundation"]


def test_an_edited_course_of_an_example_provider_is_withdrawn_and_stays_the_admins():
    """A course an admin moved to an example provider is withdrawn by the next load, as every example course is; its
    record said "shipped content", so under the newest record's rule the load after it took the course for shipped
    content and overwrote the admin's values."""
    example = Provider.objects.create(slug="beispiel-akademie", name="Beispiel-Akademie", is_example=True)
    course = Course.objects.get(slug="capm")
    course.provider, course.hours = example, Decimal("77")
    course.save()  # an admin's edit: a record without the loader's reason

    output = run_command()  # withdrawn (counted as updated), and left alone
    assert "courses: 1 updated, 95 unchanged, 1 left alone\n" in output
    course.refresh_from_db()
    assert (course.active, course.provider_id, course.hours) == (False, example.pk, Decimal("77"))
    assert course.history.latest().history_change_reason == "withdrawn from the shipped content"

    assert "courses: 95 unchanged, 1 left alone\n" in run_command()
    course.refresh_from_db()
    assert (course.active, course.provider_id, course.hours) == (False, example.pk, Decimal("77"))
