"""Courses in the admin: the list at scale, validation, history, deactivation instead of deletion,
and that a change reaches the next recommendation at once."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from assessment.content import sync_question_bank
from assessment.models import Competency
from assessment.services import profile_for, start_assessment
from recommendations.content import sync_catalogue, sync_roles
from recommendations.models import CompletedCourse, Course, CourseCompetency, Provider, Role
from recommendations.services import recommend
from tests.admin.helpers import admin_url, errors_of, form_data, inline_prefix, inline_rows, set_inline_row
from tests.conftest import answer_all, weakest

pytestmark = pytest.mark.django_db


def bulk_courses(count: int) -> list[Course]:
    """Many courses at once, each developing a competency and requiring the previous one."""
    provider = Provider.objects.order_by("slug").first()
    competency = Competency.objects.order_by("slug").first()
    courses = Course.objects.bulk_create(
        Course(
            slug=f"bulk-{i:05d}",
            title_de=f"Massenkurs {i}",
            title_en=f"Bulk course {i}",
            provider=provider,
            format=Course.Format.ONLINE,
            hours=Decimal("8"),
            price_eur=Decimal("100"),
        )
        for i in range(count)
    )
    CourseCompetency.objects.bulk_create(
        CourseCompetency(course=c, competency=competency, weight=0.5, from_level=1, to_level=2) for c in courses
    )
    through = Course.prerequisites.through
    through.objects.bulk_create(
        through(from_course_id=later.pk, to_course_id=earlier.pk) for earlier, later in zip(courses, courses[1:])
    )
    return courses


def changelist_queries(client, query: str = "") -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:recommendations_course_changelist") + query)
    assert response.status_code == 200
    return len(queries)


def test_the_course_list_runs_the_same_queries_for_10_and_5000_more_courses(
    admin_client, django_assert_max_num_queries
):
    shipped = Course.objects.count()
    bulk_courses(10)
    with_ten = changelist_queries(admin_client)
    bulk_courses(0)
    Course.objects.filter(slug__startswith="bulk-").delete()
    bulk_courses(5000)
    with django_assert_max_num_queries(with_ten):
        response = admin_client.get(reverse("admin:recommendations_course_changelist"))
    assert response.context["cl"].result_count == shipped + 5000
    assert with_ten <= 15
    filtered = "?competency=" + Competency.objects.order_by("slug").first().slug + "&to_level=2&active__exact=1"
    assert changelist_queries(admin_client, filtered) <= with_ten + 1


def test_the_course_list_shows_what_a_course_develops_and_filters_by_it(admin_client):
    course = Course.objects.get(slug=CourseCompetency.objects.order_by("pk").first().course.slug)
    link = course.competencies.select_related("competency").first()
    url = reverse("admin:recommendations_course_changelist")
    response = admin_client.get(url, {"competency": link.competency.slug, "to_level": link.to_level})
    assert course in response.context["cl"].result_list
    assert all(
        c.competencies.filter(competency=link.competency, to_level=link.to_level).exists()
        for c in response.context["cl"].result_list
    )
    assert f"{link.competency.name_de} {link.from_level}→{link.to_level}" in response.content.decode()


def test_a_course_saved_unchanged_stays_as_it_was(admin_client):
    course = Course.objects.order_by("slug").first()
    response = admin_client.get(admin_url(course))
    assert admin_client.post(admin_url(course), form_data(response)).status_code == 302
    assert Course.objects.get(pk=course.pk).hours == course.hours


def post_edited(client, course: Course, **changes):
    response = client.get(admin_url(course))
    data = form_data(response)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return client.post(admin_url(course), data), data


def test_an_edit_is_saved_with_its_history_and_can_be_reverted(admin_client, admin_user):
    course = Course.objects.order_by("slug").first()
    response, _ = post_edited(admin_client, course, hours="42.5")
    assert response.status_code == 302
    assert Course.objects.get(pk=course.pk).hours == Decimal("42.5")
    first_edit = course.history.latest()
    assert (first_edit.history_type, first_edit.history_user, first_edit.hours) == ("~", admin_user, Decimal("42.5"))
    post_edited(admin_client, course, hours="50")
    assert course.history.latest().diff_against(first_edit).changed_fields == ["hours"]

    revert_url = reverse("admin:recommendations_course_simple_history", args=[course.pk, first_edit.pk])
    revert_page = admin_client.get(revert_url)
    assert revert_page.status_code == 200
    data = form_data(revert_page)
    assert data["hours"] == "42.5"
    assert admin_client.post(revert_url, data).status_code == 302
    assert Course.objects.get(pk=course.pk).hours == Decimal("42.5")


def test_the_target_level_must_be_above_the_starting_level(admin_client):
    course = Course.objects.order_by("slug").first()
    response = admin_client.get(admin_url(course))
    data = form_data(response)
    prefix = inline_prefix(response, CourseCompetency)
    set_inline_row(data, prefix, 0, from_level=3, to_level=3)
    response = admin_client.post(admin_url(course), data)
    assert response.status_code == 400
    assert "Die Zielstufe muss über der Ausgangsstufe liegen." in errors_of(response)


def test_a_course_must_develop_a_competency(admin_client):
    course = Course.objects.order_by("slug").first()
    response = admin_client.get(admin_url(course))
    data = form_data(response)
    prefix = inline_prefix(response, CourseCompetency)
    for row in inline_rows(data, prefix):
        set_inline_row(data, prefix, row, DELETE=True)
    response = admin_client.post(admin_url(course), data)
    assert response.status_code == 400
    assert any("mindestens eine Kompetenz" in e for e in errors_of(response))
    assert course.competencies.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hours", "-1", "Ein Kurs dauert mindestens 0,5 Stunden."),
        ("price_eur", "-0.01", "Dieser Wert muss größer oder gleich 0 sein."),
    ],
)
def test_hours_and_price_cannot_be_negative(admin_client, field, value, message):
    course = Course.objects.order_by("slug").first()
    response, _ = post_edited(admin_client, course, **{field: value})
    assert response.status_code == 400
    assert message in errors_of(response)


@pytest.mark.parametrize(("field", "value"), [("hours", "1e3"), ("price_eur", "Infinity"), ("price_eur", "1_000")])
def test_a_number_written_as_no_person_writes_one_is_refused(admin_client, field, value):
    """Python reads "1e3" as 1000: the admin saved a course of 1.000 hours from it."""
    course = Course.objects.order_by("slug").first()
    response, _ = post_edited(admin_client, course, **{field: value})
    assert response.status_code == 400
    assert "Bitte eine Zahl eingeben." in errors_of(response)
    course.refresh_from_db()
    assert course.hours != 1000


def test_a_course_cannot_require_itself(admin_client):
    course = Course.objects.order_by("slug").first()
    response, _ = post_edited(admin_client, course, prerequisites=[str(course.pk)])  # not offered: a forged post
    assert response.status_code == 400
    assert any("keine gültige Auswahl" in e and str(course.pk) in e for e in errors_of(response)), errors_of(response)
    assert not course.prerequisites.exists()


def test_a_course_cannot_require_a_course_that_requires_it(admin_client):
    first, second, third = Course.objects.filter(prerequisites__isnull=True).order_by("slug")[:3]
    second.prerequisites.add(first)
    third.prerequisites.add(second)
    response, _ = post_edited(admin_client, first, prerequisites=[str(third.pk)])
    assert response.status_code == 400
    message = next(e for e in errors_of(response) if "gegenseitig" in e)
    assert f"{first.title_de} → {third.title_de} → {second.title_de} → {first.title_de}" in message
    assert not first.prerequisites.exists()


@pytest.mark.parametrize(
    ("language", "label", "message"),
    [
        ("de", "Zulassungsvoraussetzungen", "Keine Voraussetzung dieses Kurses: {title}. Ein Kurs, dessen Zertifikat"),
        ("en", "Admission requirements", "Not a prerequisite of this course: {title}. A course whose certificate"),
    ],
)
def test_an_admission_requirement_must_be_a_prerequisite_too(admin_client, settings, language, label, message):
    """The PRINCE2 Practitioner may need the Foundation's certificate for admission only where it requires the
    Foundation at all: a learning path takes admission requirements from the prerequisites."""
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    practitioner = Course.objects.get(slug="prince2-7-practitioner")
    foundation, pmp = Course.objects.get(slug="prince2-7-foundation"), Course.objects.get(slug="pmp")
    page = admin_client.get(admin_url(practitioner, "change")).content.decode()
    assert f">{label}" in page
    response, _ = post_edited(admin_client, practitioner, admission_prerequisites=[str(pmp.pk)])
    assert response.status_code == 400
    title = pmp.title_de if language == "de" else pmp.title_en
    assert any(message.format(title=title) in error for error in errors_of(response))
    assert not practitioner.admission_prerequisites.exists()

    response, _ = post_edited(admin_client, practitioner, admission_prerequisites=[str(foundation.pk)])
    assert response.status_code == 302
    assert list(practitioner.admission_prerequisites.all()) == [foundation]
    assert practitioner.history.latest().admission_prerequisites.count() == 1


def test_one_save_of_both_prerequisite_lists_is_one_version_and_reverts_as_one(admin_client):
    """django-simple-history writes a record for each many-to-many field a save changes, after the course's own: one
    save that set the PRINCE2 Practitioner's prerequisites and admission requirements made three versions, two of
    them states nobody saved (a review). Now it is one, holding both lists as saved; reverting to the version before
    sets both back, as one version again."""
    practitioner = Course.objects.get(slug="prince2-7-practitioner")
    foundation, pmp = Course.objects.get(slug="prince2-7-foundation"), Course.objects.get(slug="pmp")
    before = set(practitioner.prerequisites.all())
    assert foundation in before and not practitioner.admission_prerequisites.exists()
    versions = practitioner.history.count()
    earlier = practitioner.history.latest()
    chosen = [str(course.pk) for course in [*before, pmp]]
    response, _ = post_edited(
        admin_client, practitioner, prerequisites=chosen, admission_prerequisites=[str(foundation.pk)], hours="30"
    )
    assert response.status_code == 302
    assert practitioner.history.count() == versions + 1
    record = practitioner.history.latest()
    assert {row.to_course for row in record.prerequisites.all()} == before | {pmp}
    assert [row.to_course for row in record.admission_prerequisites.all()] == [foundation]
    assert record.hours == Decimal("30")
    # the record before it keeps the lists as they were
    assert {row.to_course for row in earlier.prerequisites.all()} == before
    assert not earlier.admission_prerequisites.exists()

    revert_url = reverse("admin:recommendations_course_simple_history", args=[practitioner.pk, earlier.pk])
    assert admin_client.post(revert_url, form_data(admin_client.get(revert_url))).status_code == 302
    assert set(practitioner.prerequisites.all()) == before
    assert not practitioner.admission_prerequisites.exists()
    assert practitioner.history.count() == versions + 2
    reverted = practitioner.history.latest()
    assert {row.to_course for row in reverted.prerequisites.all()} == before
    assert not reverted.admission_prerequisites.exists()


def test_a_new_course_gets_its_slug_once_and_keeps_it(admin_client):
    response = admin_client.get(admin_url(Course, "add"))
    data = form_data(response)
    prefix = inline_prefix(response, CourseCompetency)
    data.update(
        slug="neuer-kurs",
        title_de="Neuer Kurs",
        title_en="New course",
        provider=str(Provider.objects.first().pk),
        url="https://example.org/neuer-kurs",
        format="online",
        hours="4",
        price_eur="0",
    )
    set_inline_row(data, prefix, 0, competency=Competency.objects.first().pk, from_level=0, to_level=1, weight=1)
    assert admin_client.post(admin_url(Course, "add"), data).status_code == 302
    course = Course.objects.get(slug="neuer-kurs")
    assert course.history.get().history_type == "+"

    response = admin_client.get(admin_url(course))
    assert "slug" not in response.context["adminform"].form.fields
    response, _ = post_edited(admin_client, course, slug="anderer-slug", hours="5")
    assert response.status_code == 302
    assert Course.objects.get(pk=course.pk).slug == "neuer-kurs"


def test_a_slug_must_be_unique(admin_client):
    taken = Course.objects.order_by("slug").first().slug
    response = admin_client.get(admin_url(Course, "add"))
    data = form_data(response)
    data.update(slug=taken, title_de="x", title_en="x", provider=str(Provider.objects.first().pk), format="online")
    data.update(hours="1", price_eur="0")
    set_inline_row(
        data,
        inline_prefix(response, CourseCompetency),
        0,
        competency=Competency.objects.first().pk,
        from_level=0,
        to_level=1,
        weight=1,
    )
    response = admin_client.post(admin_url(Course, "add"), data)
    assert response.status_code == 400
    assert "Kurs mit diesem Wert für das Feld Slug existiert bereits." in errors_of(response)


def a_required_course() -> tuple[Course, Course]:
    link = Course.prerequisites.through.objects.select_related("from_course", "to_course").order_by("pk").first()
    assert link is not None
    return link.to_course, link.from_course


def test_a_course_that_others_require_is_not_deleted_and_the_admin_is_told_why(admin_client):
    required, dependent = a_required_course()
    response = admin_client.get(admin_url(required, "delete"))
    text = response.content.decode()
    assert "Voraussetzung" in text and dependent.title_de in text
    assert "Stattdessen deaktivieren" in text
    admin_client.post(admin_url(required, "delete"), {"post": "yes"})
    assert Course.objects.filter(pk=required.pk).exists()


def test_the_bulk_delete_refuses_courses_that_others_require(admin_client):
    required, dependent = a_required_course()
    url = reverse("admin:recommendations_course_changelist")
    data = {"action": "delete_selected", "_selected_action": [required.pk], "post": "yes"}
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert dependent.title_de in response.content.decode()
    assert Course.objects.filter(pk=required.pk).exists()


def test_a_course_nothing_requires_can_be_deleted(admin_client):
    course = Course.objects.filter(leads_to__isnull=True).order_by("slug").first()
    assert admin_client.post(admin_url(course, "delete"), {"post": "yes"}).status_code == 302
    assert not Course.objects.filter(pk=course.pk).exists()


def test_the_delete_page_of_shipped_content_says_the_next_deploy_brings_it_back(admin_client):
    """Deleting a shipped course or role looked final, and `load_content` created it again, active."""
    shipped = Course.objects.filter(leads_to__isnull=True).order_by("slug").first()
    page = admin_client.get(admin_url(shipped, "delete")).content.decode()
    assert "Die nächste Auslieferung (load_content) legt ihn wieder an" in page and "Stattdessen deaktivieren" in page
    role = Role.objects.order_by("order").first()
    assert "legt ihn wieder an" in admin_client.get(admin_url(role, "delete")).content.decode()
    own = Course.objects.create(
        slug="eigener-kurs", title_de="Eigener Kurs", title_en="Own course", provider=shipped.provider, hours=8
    )
    assert "legt ihn wieder an" not in admin_client.get(admin_url(own, "delete")).content.decode()


def test_the_course_form_refuses_a_plain_http_link_a_check_in_the_future_and_an_active_retired_exam(admin_client):
    course = Course.objects.active().filter(exam_retired_on__isnull=True).exclude(url="").order_by("slug").first()
    response, _data = post_edited(
        admin_client, course, url="http://example.org/kurs", last_checked="31.12.2099", exam_retired_on="01.06.2026"
    )
    assert response.status_code == 400
    errors = " ".join(errors_of(response))
    assert "https-Adresse" in errors and "in der Zukunft" in errors and "Prüfung wurde" in errors
    assert Course.objects.get(pk=course.pk).url == course.url  # nothing saved
    assert post_edited(admin_client, course, exam_retired_on="01.06.2026", active=None)[0].status_code == 302


def test_the_bulk_delete_page_says_when_shipped_content_is_among_the_selection(admin_client):
    shipped = Course.objects.filter(leads_to__isnull=True, completions__isnull=True).order_by("slug").first()
    own = Course.objects.create(
        slug="eigener-kurs", title_de="Eigener Kurs", title_en="Own course", provider=shipped.provider, hours=8
    )
    url = reverse("admin:recommendations_course_changelist")
    for selected, says in (([shipped.pk, own.pk], True), ([own.pk], False)):
        page = admin_client.post(url, {"action": "delete_selected", "_selected_action": selected, "index": 0})
        assert page.status_code == 200 and "Sind Sie sicher" in page.content.decode()
        assert ("legt sie wieder an" in page.content.decode()) is says
    admin_client.post(url, {"action": "delete_selected", "_selected_action": [own.pk], "post": "yes"})
    assert not Course.objects.filter(pk=own.pk).exists()  # the bulk delete itself still works


def test_deactivating_courses_keeps_them_with_their_history(admin_client):
    required, _ = a_required_course()
    url = reverse("admin:recommendations_course_changelist")
    response = admin_client.post(url, {"action": "deactivate_selected", "_selected_action": [required.pk], "index": 0})
    assert response.status_code == 302
    required.refresh_from_db()
    assert not required.active
    assert required.history.latest().active is False
    assert "1 Kurs deaktiviert." in [str(m) for m in get_messages(response.wsgi_request)]


def test_deactivating_a_course_on_stored_learning_paths_says_how_many_it_concerns(admin_client):
    """The admin read only that the change was saved, while people's pages now marked the course as no longer
    offered (a review): the list action and the change form say how many stored results have it in their path."""
    from assessment.services import start_assessment
    from recommendations.models import StoredResult
    from recommendations.results import store_result
    from tests.conftest import answer_all, weakest

    for _ in range(2):
        store_result(answer_all(start_assessment(), weakest))
    steps = StoredResult.objects.first().document["path"]["steps"]
    course = Course.objects.get(slug=steps[0]["course"]["slug"])
    url = reverse("admin:recommendations_course_changelist")
    response = admin_client.post(url, {"action": "deactivate_selected", "_selected_action": [course.pk], "index": 0})
    shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "2 gespeicherte Ergebnisse zeigen einen deaktivierten Kurs im Lernpfad" in shown
    admin_client.get(url)  # the messages shown
    other = (
        Course.objects.filter(active=True)
        .exclude(
            slug__in=[s["course"]["slug"] for r in StoredResult.objects.all() for s in r.document["path"]["steps"]]
        )
        .first()
    )
    response = admin_client.post(url, {"action": "deactivate_selected", "_selected_action": [other.pk], "index": 0})
    assert "gespeichert" not in " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_deactivating_the_only_course_that_leads_to_a_required_level_says_so(admin_client):
    """The admin read "1 Kurs deaktiviert." and nothing else, while five roles' gaps lost their only course."""
    from recommendations.dashboard import uncovered_requirements

    before = {(u.competency, u.level) for u in uncovered_requirements()}
    only = next(
        course
        for course in Course.objects.filter(active=True).order_by("slug")
        if {(u.competency, u.level) for u in uncovered_with_inactive(course, uncovered_requirements)} - before
    )
    url = reverse("admin:recommendations_course_changelist")
    response = admin_client.post(url, {"action": "deactivate_selected", "_selected_action": [only.pk], "index": 0})
    shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "Zu diesen Stufen führt kein aktiver Kurs mehr:" in shown and "Rolle" in shown


def uncovered_with_inactive(course, uncovered_requirements):
    """The uncovered levels once `course` is inactive (rolled back: nothing stays changed)."""
    from django.db import transaction

    with transaction.atomic():
        Course.objects.filter(pk=course.pk).update(active=False)
        found = uncovered_requirements()
        transaction.set_rollback(True)
    return found


def test_activating_in_bulk_refuses_a_course_whose_exam_is_retired_as_its_form_does(admin_client):
    retired = Course.objects.filter(active=False, exam_retired_on__isnull=False).order_by("slug").first()
    url = reverse("admin:recommendations_course_changelist")
    response = admin_client.post(url, {"action": "activate_selected", "_selected_action": [retired.pk], "index": 0})
    assert response.status_code == 302
    assert not Course.objects.get(pk=retired.pk).active
    shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert f"Nicht aktiviert: {retired.title_de}: Die Prüfung wurde" in shown


def beginner_profile():
    return profile_for(answer_all(start_assessment(), weakest))


def path_slugs(profile) -> list[str]:
    return [step.course.slug for step in recommend([profile])[0].path.steps]


def test_a_course_deactivated_in_the_admin_leaves_the_next_recommendation_at_once(admin_client):
    profile = beginner_profile()
    before = path_slugs(profile)
    first = Course.objects.get(slug=before[0])
    response, _ = post_edited(admin_client, first, active=None)
    assert response.status_code == 302
    after = path_slugs(profile)
    assert first.slug not in after
    assert after != before


def test_a_course_added_in_the_admin_joins_the_next_recommendation_at_once(admin_client):
    profile = beginner_profile()
    result = recommend([profile])[0]
    gap = (result.path.open_gaps or result.path.steps[0].closes)[0]  # a gap the path does not close otherwise
    response = admin_client.get(admin_url(Course, "add"))
    data = form_data(response)
    data.update(
        slug="werkstatt-kurz",
        title_de="Kurze Werkstatt",
        title_en="Short workshop",
        provider=str(Provider.objects.first().pk),
        url="https://example.org/werkstatt",
        format="on_the_job",
        hours="0.5",
        price_eur="0",
    )
    competency = Competency.objects.get(slug=gap)
    set_inline_row(
        data, inline_prefix(response, CourseCompetency), 0, competency=competency.pk, from_level=0, to_level=5, weight=1
    )
    assert admin_client.post(admin_url(Course, "add"), data).status_code == 302
    assert "werkstatt-kurz" in path_slugs(profile)


def test_a_course_that_stored_results_refer_to_is_not_deleted(admin_client, finished_assessment):
    course = Course.objects.filter(leads_to__isnull=True).order_by("slug").first()
    CompletedCourse.objects.create(assessment=finished_assessment, course=course)
    page = admin_client.get(admin_url(course, "delete")).content.decode()
    assert "Stattdessen deaktivieren" in page
    admin_client.post(admin_url(course, "delete"), {"post": "yes"})
    assert CompletedCourse.objects.filter(course=course).exists()


def test_loading_the_shipped_content_again_keeps_an_admins_edits(admin_client):
    course = Course.objects.order_by("slug").first()
    post_edited(admin_client, course, hours="3", active=None)
    role = Role.objects.order_by("order").first()
    role.name_de = "Umbenannt"  # saved as the admin saves: with a history record
    role.save()
    sync_question_bank()
    sync_roles()
    sync_catalogue()
    course.refresh_from_db()
    assert (course.hours, course.active) == (Decimal("3"), False)
    assert Role.objects.get(pk=role.pk).name_de == "Umbenannt"


def test_the_weight_of_a_competency_says_what_it_changes_on_the_learning_path(admin_client):
    course = Course.objects.order_by("slug").first()
    page = admin_client.get(admin_url(course)).content.decode()
    explained = "unter 1, dass er ein Stück des Wegs vermittelt (0,5: den halben Weg), als Nebenthema, wo eine andere"
    assert escape(explained) in page


def test_an_admin_sees_and_changes_whether_a_course_is_verified(admin_client):
    course = Course.objects.filter(verified=True).order_by("slug").first()
    page = admin_client.get(admin_url(course))
    assert page.context["adminform"].form["verified"].value() is True
    assert escape("Ungeprüfte Angebote sind überall, wo Menschen sie sehen, als solche markiert.") in (
        page.content.decode()
    )
    response, _ = post_edited(admin_client, course, verified=None)  # unticked
    assert response.status_code == 302
    assert Course.objects.get(pk=course.pk).verified is False
    changelist = admin_client.get(reverse("admin:recommendations_course_changelist") + "?verified__exact=0")
    assert course in changelist.context["cl"].queryset
    assert "geprüft" in [str(spec.title) for spec in changelist.context["cl"].filter_specs]
    post_edited(admin_client, course, verified="on")
    assert Course.objects.get(pk=course.pk).verified is True


def test_a_course_added_in_the_admin_starts_unverified(admin_client):
    form = admin_client.get(admin_url(Course, "add")).context["adminform"].form
    assert form["verified"].value() is False


@pytest.mark.parametrize(
    ("hours", "price"),
    [("16,5", "1290,50"), ("16,5", "1.290,50"), ("16.5", "1 290,50"), ("16,5", "1290,5")],
)
def test_german_decimal_commas_in_hours_and_price_are_saved_as_meant(admin_client, hours, price):
    course = Course.objects.order_by("slug").first()
    response, _ = post_edited(admin_client, course, hours=hours, price_eur=price)
    assert response.status_code == 302, errors_of(response)
    course.refresh_from_db()
    assert (course.hours, course.price_eur) == (Decimal("16.5"), Decimal("1290.50"))


def test_the_course_form_shows_hours_price_and_weight_with_the_languages_decimal_separator(admin_client, settings):
    course = Course.objects.order_by("slug").first()
    course.hours, course.price_eur = Decimal("16.5"), Decimal("1290.50")
    course.save()
    CourseCompetency.objects.filter(course=course).update(weight=0.3)
    german = admin_client.get(admin_url(course)).content.decode()
    assert 'value="16,5"' in german and 'value="1290,50"' in german and 'value="0,3"' in german
    assert 'type="number"' not in german  # a browser's number box may read the comma as a thousands separator
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = admin_client.get(admin_url(course)).content.decode()
    assert 'value="16.5"' in english and 'value="1290.50"' in english and 'value="0.3"' in english


def test_the_english_admin_reads_decimal_points(admin_client, settings):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    course = Course.objects.order_by("slug").first()
    response, _ = post_edited(admin_client, course, hours="16.5", price_eur="1,290.50")
    assert response.status_code == 302, errors_of(response)
    course.refresh_from_db()
    assert (course.hours, course.price_eur) == (Decimal("16.5"), Decimal("1290.50"))


def test_a_weight_with_a_german_decimal_comma_is_saved(admin_client):
    course = Course.objects.order_by("slug").first()
    response = admin_client.get(admin_url(course))
    data = form_data(response)
    set_inline_row(data, inline_prefix(response, CourseCompetency), 0, weight="0,3")
    assert admin_client.post(admin_url(course), data).status_code == 302
    assert CourseCompetency.objects.get(pk=data[f"{inline_prefix(response, CourseCompetency)}-0-id"]).weight == 0.3


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hours", "16500", "Mehr als 2.000 Stunden sind für einen Kurs nicht plausibel"),
        ("price_eur", "129050", "Mehr als 100.000 EUR sind für einen Kurs nicht plausibel"),
        # 0 hours closed gaps for free and fit under every hours limit of a path
        ("hours", "0", "Ein Kurs dauert mindestens 0,5 Stunden."),
        ("hours", "0,4", "Ein Kurs dauert mindestens 0,5 Stunden."),
    ],
)
def test_hours_or_a_price_a_hundred_times_too_large_are_refused_with_a_reason(admin_client, field, value, message):
    course = Course.objects.order_by("slug").first()
    response, _ = post_edited(admin_client, course, **{field: value})
    assert response.status_code == 400
    assert any(message in error for error in errors_of(response))


@pytest.mark.parametrize("url", ["ftp://example.org/kurs", "ftps://example.org/kurs", "http://example.org/kurs"])
def test_a_course_and_a_provider_link_only_to_https_pages(admin_client, url):
    """A URL field allows ftp and ftps too: people follow a course's link."""
    course = Course.objects.active().filter(exam_retired_on__isnull=True).exclude(url="").order_by("slug").first()
    response, _data = post_edited(admin_client, course, url=url)
    assert response.status_code == 400 and "https-Adresse" in " ".join(errors_of(response))
    provider = course.provider
    provider.url = url
    with pytest.raises(ValidationError) as refused:
        provider.full_clean()
    assert "url" in refused.value.message_dict


def test_the_in_house_provider_is_named_in_the_language_of_the_page(admin_client):
    """It has a German name only: the English dashboard said "Im eigenen Betrieb"."""
    from django.utils import translation

    in_house = Provider.objects.filter(in_house=True).first()
    assert in_house is not None
    with translation.override("en"):
        assert str(in_house) == "In your own organisation"
    with translation.override("de"):
        assert str(in_house) == "Im eigenen Betrieb"
    assert str(Provider(name="Red Hat")) == "Red Hat"


def test_the_delete_page_does_not_list_a_courses_links_to_its_prerequisites_by_generated_names(admin_client):
    """It listed "From_course-to_course-Beziehung: Course_prerequisites object (315)", in German also on the English
    admin (the name is made once, when the app starts)."""
    course = Course.objects.filter(prerequisites__isnull=False, leads_to__isnull=True).order_by("slug").first()
    assert course is not None
    page = admin_client.get(admin_url(course, "delete")).content.decode()
    assert "Course_prerequisites" not in page and "From_course" not in page
    assert escape(course.title_de) in page
    bulk = admin_client.post(
        reverse("admin:recommendations_course_changelist"),
        {"action": "delete_selected", "_selected_action": [course.pk], "index": 0},
    ).content.decode()
    assert "Course_prerequisites" not in bulk and "From_course" not in bulk


def test_the_admin_says_why_an_active_course_needs_a_page_and_a_real_provider(admin_client):
    """The admin allowed what the catalogue's contract and its file import refuse: an active course without a page
    of a provider that is not in-house, and an active course of an example provider."""
    response = admin_client.get(admin_url(Course, "add"))
    data = {**form_data(response), "slug": "ohne-seite", "title_de": "Ohne Seite", "title_en": "No page"}
    data |= {"provider": str(Provider.objects.filter(in_house=False).first().pk), "format": "online", "active": "on"}
    data |= {"hours": "4", "price_eur": "0"}
    one = {"competency": Competency.objects.first().pk, "from_level": 0, "to_level": 1, "weight": 1}
    set_inline_row(data, inline_prefix(response, CourseCompetency), 0, **one)
    refused = admin_client.post(admin_url(Course, "add"), data)
    assert refused.status_code == 400 and not Course.objects.filter(slug="ohne-seite").exists()
    assert "Geben Sie die https-Adresse des Angebots an" in refused.content.decode()


def test_a_german_text_without_its_english_one_is_refused_wherever_it_is_saved():
    """Left empty, the English pages showed the German text, unmarked as German for a screen reader. The admin's
    forms and the imports validate with full_clean."""
    from assessment.models import Item
    from recommendations.models import Provider, Role

    bilingual = ((Course, "description"), (Provider, "note"), (Role, "employers"), (Competency, "description"))
    for model, field in (*bilingual, (Item, "feedback")):
        instance = model.objects.exclude(**{f"{field}_de": ""}).first()
        setattr(instance, f"{field}_en", "")
        with pytest.raises(ValidationError) as refused:
            instance.full_clean()
        assert f"{field}_en" in refused.value.message_dict, model
        setattr(instance, f"{field}_de", "")
        instance.full_clean()  # neither language: nothing to show in either


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("hours", "40.5", "Stunden"),
        ("certificate", "Neu", "Zertifikat"),
        ("awarding_body", "Neue Stelle", "Zertifizierungsstelle"),
        ("location", "Bochum", "Ort"),
        ("language", "en", "Sprache"),
    ],
)
def test_the_course_history_names_each_changed_field_in_german(admin_client, field, value, label):
    course = Course.objects.exclude(**{field: value}).order_by("slug").first()
    response, _ = post_edited(admin_client, course, **{field: value})
    assert response.status_code == 302
    history = admin_client.get(admin_url(course, "history")).content.decode()
    changed = re.findall(r"<strong>([^<]+?):</strong>", history)  # „Stunden: 40,0 → 40,5“, not „Hours: …“
    assert label in changed, changed


@pytest.mark.parametrize(("language", "shown"), [("de", "nicht bekannt"), ("en", "not known")])
def test_the_course_list_shows_a_course_without_a_price_as_price_not_known(admin_client, settings, language, shown):
    course = Course.objects.order_by("slug").first()
    Course.objects.filter(pk=course.pk).update(price_eur=None)
    priced = Course.objects.exclude(pk=course.pk).order_by("slug").first()
    Course.objects.filter(pk=priced.pk).update(price_eur=Decimal("1290.50"))
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = admin_client.get(reverse("admin:recommendations_course_changelist"), {"q": course.slug}).content.decode()
    assert re.search(rf'<td class="field-price">{shown}</td>', page), re.findall(r'<td class="field-price">[^<]*', page)
    page = admin_client.get(reverse("admin:recommendations_course_changelist"), {"q": priced.slug}).content.decode()
    grouped = "1.290,50" if language == "de" else "1,290.50"  # a price as a number, its thousands grouped
    assert f'<td class="field-price">{grouped}</td>' in page


@pytest.mark.parametrize(("typed", "saved"), [("0.500", "0.5"), ("0.001", "0.001"), ("1.000", "1000"), ("0,5", "0.5")])
def test_a_german_price_is_read_as_the_results_pages_limits_read_it(admin_client, typed, saved):
    """A group of thousands never starts with 0: the admin saved "0.500" as 500 EUR, the results page read 0,5."""
    from core.numbers import typed_number

    course = Course.objects.order_by("slug").first()
    response, _ = post_edited(admin_client, course, price_eur=typed)
    if Decimal(typed_number(typed, "de")).as_tuple().exponent < -2:  # a price has at most two decimals as written
        assert response.status_code == 400 and "500" not in str(Course.objects.get(pk=course.pk).price_eur)
        return  # refused, never misread
    course.refresh_from_db()
    assert course.price_eur == Decimal(saved) == Decimal(typed_number(typed, "de"))


@pytest.mark.parametrize(("model", "slug"), [(Course, "pmp"), (Role, "it_coordinator")])
def test_the_history_list_runs_the_same_queries_however_many_versions_it_lists(admin_client, model, slug):
    """A course's history list ran five queries per version (django-simple-history read both prerequisite lists
    twice per version, and the competency rows' state once): 87 for 16 versions. Now a fixed number."""
    obj = model.objects.get(slug=slug)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(admin_url(obj, "history")).status_code == 200
        return len(captured)

    def new_versions(count: int) -> None:
        for step in range(count):
            if isinstance(obj, Course):
                obj.hours = Decimal(20 + obj.history.count())
                obj.save()
                obj.prerequisites.add(Course.objects.exclude(pk=obj.pk).order_by("pk")[obj.history.count() % 5])
                link = obj.competencies.order_by("pk")[0]
                link.weight = 0.3 + 0.1 * (step % 5)
                link.save()
            else:
                obj.work_style = round(-0.5 + 0.1 * step, 1)
                obj.save()
                requirement = obj.requirements.order_by("pk")[0]
                requirement.level = requirement.level % 5 + 1
                requirement.save()

    new_versions(3)
    queries()  # what a first request caches
    few = queries()
    new_versions(10)
    assert queries() == few
