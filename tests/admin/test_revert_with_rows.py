"""Reverting a role, course, competency or item in the admin sets its inline rows back with it (required levels,
competencies developed, level descriptors, options), as one change that can be reverted in turn; its history
and the revert page name the rows' changes; what cannot come back is refused, and nothing changes."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from assessment.content import SHIPPED, save_shipped
from assessment.models import Answer, Competency, Item, LevelDescriptor, Option, Section
from assessment.services import record_answer, start_assessment
from recommendations.models import Course, CourseCompetency, Role, RoleRequirement
from tests.admin.helpers import (
    admin_url,
    form_data,
    inline_prefix,
    inline_rows,
    messages_shown,
    move_the_correct_option,
    set_inline_row,
)

pytestmark = pytest.mark.django_db


def version_url(obj, record) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[obj.pk, record.pk])


def row_of(data: dict, prefix: str, **values) -> int:
    """The index of the inline row whose fields have `values`."""
    return next(
        i
        for i in inline_rows(data, prefix)
        if all(data.get(f"{prefix}-{i}-{name}") == str(value) for name, value in values.items())
    )


def edit(client, obj, inline_model, change_rows=None, **fields):
    """Save `obj` from its admin page as a browser does, with `fields` and the inline rows changed."""
    page = client.get(admin_url(obj))
    data = form_data(page)
    data.update(fields)
    if change_rows:
        change_rows(data, inline_prefix(page, inline_model))
    response = client.post(admin_url(obj), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def revert(client, obj, record):
    """Open the version from the history and press "Revert", as the admin does."""
    page = client.get(version_url(obj, record))
    assert page.status_code == 200
    return client.post(version_url(obj, record), form_data(page), follow=True)


def it_coordinator() -> Role:
    return Role.objects.get(slug="it_coordinator")


def troubleshooting() -> Competency:
    return Competency.objects.get(slug="troubleshooting")


def raise_troubleshooting_to_5(data: dict, prefix: str) -> None:
    set_inline_row(data, prefix, row_of(data, prefix, competency=troubleshooting().pk), level=5)


def test_reverting_a_role_to_its_shipped_version_sets_its_required_levels_back(admin_client, admin_user):
    """The reviewer's steps: work style 0.0 → -0.4 and troubleshooting 2 → 5, then revert to the shipped version."""
    role = it_coordinator()
    shipped = role.history.filter(history_change_reason=SHIPPED).latest()
    edit(admin_client, role, RoleRequirement, raise_troubleshooting_to_5, work_style="-0,4")
    requirement = role.requirements.get(competency=troubleshooting())
    assert (Role.objects.get(pk=role.pk).work_style, requirement.level) == (-0.4, 5)

    response = revert(admin_client, role, shipped)

    role.refresh_from_db()
    requirement.refresh_from_db()
    assert (role.work_style, requirement.level) == (0.0, 2)
    record = requirement.history.latest()
    assert (record.history_type, record.level, record.history_user) == ("~", 2, admin_user)
    assert "Modell jetzt neu trainieren" in messages_shown(response)


def test_the_history_lists_a_changed_required_level_by_its_competency(admin_client):
    role = it_coordinator()
    edit(admin_client, role, RoleRequirement, raise_troubleshooting_to_5, work_style="-0,4")

    page = admin_client.get(admin_url(role, "history"))

    changes = page.context["page_obj"][0].history_delta_changes
    assert {"field": "Störungsbehebung unter Druck", "old": "2", "new": "5"} in changes
    assert {"field": "Bevorzugter Arbeitsstil", "old": "0,0", "new": "-0,4"} in changes
    assert "<strong>Störungsbehebung unter Druck:</strong>" in page.content.decode()


def test_the_history_names_the_competencies_in_the_admins_language(admin_client, settings):
    role = it_coordinator()
    edit(admin_client, role, RoleRequirement, raise_troubleshooting_to_5)
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = admin_client.get(admin_url(role, "history"))

    changes = page.context["page_obj"][0].history_delta_changes
    assert {"field": "Troubleshooting under pressure", "old": "2", "new": "5"} in changes


def test_the_revert_page_shows_the_versions_required_levels_and_what_reverting_changes(admin_client):
    role = it_coordinator()
    shipped = role.history.filter(history_change_reason=SHIPPED).latest()
    edit(admin_client, role, RoleRequirement, raise_troubleshooting_to_5)

    page = admin_client.get(version_url(role, shipped))

    (rows,) = page.context["version_rows"]
    assert rows["title"] == "Geforderte Stufen"
    assert rows["changes"] == [{"field": "Störungsbehebung unter Druck", "old": "5", "new": "2"}]
    assert ["Störungsbehebung unter Druck", "2"] in rows["rows"]
    assert len(rows["rows"]) == role.requirements.count()
    text = page.content.decode()
    assert "Geforderte Stufen" in text and "<strong>Störungsbehebung unter Druck:</strong> 5" in text


def test_a_revert_removes_rows_added_since_and_brings_back_rows_removed_since(admin_client, admin_user):
    role = it_coordinator()
    version = role.history.latest()
    levels = dict(role.requirements.values_list("competency_id", "level"))
    agile = Competency.objects.get(slug="agile")
    added = Competency.objects.create(
        slug="mainframes", section=Section.objects.first(), name_de="Großrechner", name_en="Mainframes"
    )

    def swap(data, prefix):
        set_inline_row(data, prefix, row_of(data, prefix, competency=agile.pk), DELETE=True)
        set_inline_row(data, prefix, len(inline_rows(data, prefix)), competency=added.pk, level=3)

    edit(admin_client, role, RoleRequirement, swap)
    assert not role.requirements.filter(competency=agile).exists()

    revert(admin_client, role, version)

    assert dict(role.requirements.values_list("competency_id", "level")) == levels
    back = role.requirements.get(competency=agile).history.latest()
    assert (back.history_type, back.history_user) == ("+", admin_user)
    gone = RoleRequirement.history.filter(role_id=role.pk, competency_id=added.pk).latest()
    assert (gone.history_type, gone.history_user) == ("-", admin_user)


def test_a_revert_can_be_reverted(admin_client):
    role = it_coordinator()
    shipped = role.history.filter(history_change_reason=SHIPPED).latest()
    edit(admin_client, role, RoleRequirement, raise_troubleshooting_to_5, work_style="-0,4")
    edited = role.history.latest()
    revert(admin_client, role, shipped)

    page = admin_client.get(admin_url(role, "history"))
    changes = page.context["page_obj"][0].history_delta_changes  # the revert itself
    assert {"field": "Störungsbehebung unter Druck", "old": "5", "new": "2"} in changes

    revert(admin_client, role, edited)

    role.refresh_from_db()
    assert (role.work_style, role.requirements.get(competency=troubleshooting()).level) == (-0.4, 5)


def test_a_version_whose_competency_was_deleted_since_is_refused_and_nothing_changes(admin_client):
    role = it_coordinator()
    mainframes = Competency.objects.create(
        slug="mainframes", section=Section.objects.first(), name_de="Großrechner", name_en="Mainframes"
    )

    def add(data, prefix):
        set_inline_row(data, prefix, len(inline_rows(data, prefix)), competency=mainframes.pk, level=2)

    def drop(data, prefix):
        set_inline_row(data, prefix, row_of(data, prefix, competency=mainframes.pk), DELETE=True)

    edit(admin_client, role, RoleRequirement, add)
    with_mainframes = role.history.latest()
    edit(admin_client, role, RoleRequirement, drop, work_style="0,3")
    mainframes.delete()
    records = role.history.count(), RoleRequirement.history.count()

    page = admin_client.get(version_url(role, with_mainframes))
    assert "Kompetenz „Großrechner“ wurde inzwischen gelöscht" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()  # no revert button
    response = admin_client.post(version_url(role, with_mainframes), form_data(page), follow=True)

    assert response.status_code == 400  # refused input, shown again, as a change form's
    assert not response.redirect_chain
    assert 'name="_save"' not in response.content.decode()
    assert "Nichts wurde wiederhergestellt: Kompetenz „Großrechner“" in response.content.decode()
    assert "Nichts wurde wiederhergestellt: Kompetenz „Großrechner“ wurde inzwischen gelöscht." in messages_shown(
        response
    )
    role.refresh_from_db()
    assert role.work_style == 0.3
    assert (role.history.count(), RoleRequirement.history.count()) == records


def test_reverting_a_course_sets_its_competencies_and_prerequisites_back(admin_client):
    course = Course.objects.filter(prerequisites__isnull=True, competencies__to_level__lt=5).order_by("slug").first()
    other = Course.objects.filter(prerequisites__isnull=True).exclude(pk=course.pk).order_by("slug").first()
    version = course.history.latest()
    link = course.competencies.filter(to_level__lt=5).first()

    def raise_target(data, prefix):
        set_inline_row(data, prefix, row_of(data, prefix, competency=link.competency_id), to_level=link.to_level + 1)

    edit(admin_client, course, CourseCompetency, raise_target, prerequisites=[str(other.pk)])
    assert list(course.prerequisites.all()) == [other]
    page = admin_client.get(admin_url(course, "history"))
    changes = [c for record in page.context["page_obj"] for c in getattr(record, "history_delta_changes", [])]
    target = {
        "field": f"{link.competency.name_de} – Zielstufe",
        "old": str(link.to_level),
        "new": str(link.to_level + 1),
    }
    assert target in changes

    revert(admin_client, course, version)

    assert CourseCompetency.objects.get(pk=link.pk).to_level == link.to_level
    assert not course.prerequisites.exists()


def test_a_course_version_whose_prerequisite_was_deleted_since_is_refused(admin_client):
    course = Course.objects.filter(prerequisites__isnull=True).order_by("slug").first()
    own = Course.objects.create(
        slug="eigener-kurs", title_de="Eigener Kurs", title_en="Own course", provider=course.provider, hours=8
    )
    edit(admin_client, course, CourseCompetency, prerequisites=[str(own.pk)])
    with_own = course.history.latest()
    edit(admin_client, course, CourseCompetency, prerequisites=[])
    own.delete()

    response = revert(admin_client, course, with_own)

    assert "Nichts wurde wiederhergestellt: Kurs „Eigener Kurs“ wurde inzwischen gelöscht." in messages_shown(response)
    assert not course.prerequisites.exists()


def test_a_course_version_whose_prerequisites_would_now_require_each_other_is_refused_with_400(admin_client):
    """Its form says so as the change form does, and answers 400 as the change form does (it answered 200)."""
    course, other = Course.objects.filter(prerequisites__isnull=True, leads_to__isnull=True).order_by("slug")[:2]
    edit(admin_client, course, CourseCompetency, prerequisites=[str(other.pk)])
    requiring_other = course.history.latest()
    edit(admin_client, course, CourseCompetency, prerequisites=[])
    edit(admin_client, other, CourseCompetency, prerequisites=[str(course.pk)])

    page = admin_client.get(version_url(course, requiring_other))
    response = admin_client.post(version_url(course, requiring_other), form_data(page))

    assert response.status_code == 400
    errors = response.context["adminform"].form.errors["prerequisites"]
    assert any(f"{course.title_de} → {other.title_de} → {course.title_de}" in error for error in errors)
    assert not course.prerequisites.exists()


def test_a_version_with_a_row_not_valid_today_is_refused_and_the_course_stays_as_it_is(admin_client):
    course = Course.objects.order_by("slug").first()
    link = course.competencies.first()
    link.weight = 0.01  # below today's minimum of 0,05, as an earlier release may have saved it
    link.save()
    version = course.history.latest()

    def valid_weight(data, prefix):
        set_inline_row(data, prefix, row_of(data, prefix, competency=link.competency_id), weight="0,5")

    edit(admin_client, course, CourseCompetency, valid_weight, hours="42,5")
    records = Course.history.count(), CourseCompetency.history.count()

    response = revert(admin_client, course, version)

    assert response.status_code == 400
    message = messages_shown(response)
    assert f"Nichts wurde wiederhergestellt: vermittelte Kompetenz „{link.competency.name_de}“" in message
    assert message.endswith("sein.")
    assert Course.objects.get(pk=course.pk).hours == Decimal("42.5")
    assert CourseCompetency.objects.get(pk=link.pk).weight == 0.5
    assert (Course.history.count(), CourseCompetency.history.count()) == records


def test_reverting_a_competency_sets_its_level_descriptors_back(admin_client):
    competency = troubleshooting()
    version = competency.history.latest()
    descriptor = competency.levels.get(level=3)

    def reword(data, prefix):
        set_inline_row(data, prefix, row_of(data, prefix, level=3), text_de="Neu formuliert.")

    edit(admin_client, competency, LevelDescriptor, reword)
    assert LevelDescriptor.objects.get(pk=descriptor.pk).text_de == "Neu formuliert."

    revert(admin_client, competency, version)

    assert LevelDescriptor.objects.get(pk=descriptor.pk).text_de == descriptor.text_de


def test_reverting_an_item_sets_its_options_back_and_says_how_many_answers_it_rescores(
    admin_client, finished_assessment
):
    answer = Answer.objects.filter(
        assessment=finished_assessment, item__kind=Item.Kind.KNOWLEDGE, option__isnull=False
    ).first()
    item = answer.item
    version = item.history.latest()
    correct = item.options.get(correct=True).pk
    edit(admin_client, item, Option, move_the_correct_option)
    assert item.options.get(correct=True).pk != correct

    response = revert(admin_client, item, version)

    assert item.options.get(correct=True).pk == correct
    count = Answer.objects.filter(item=item, option__isnull=False).count()
    assert f"Die richtige Option ist geändert: {count} Antwort" in messages_shown(response)


def test_a_version_without_an_option_people_chose_since_is_refused(admin_client):
    assessment = start_assessment()
    item = Item.objects.filter(pk__in=assessment.item_ids, kind=Item.Kind.KNOWLEDGE).first()
    version = item.history.latest()

    def add(data, prefix):
        set_inline_row(
            data, prefix, len(inline_rows(data, prefix)), value="x", label_de="Weiß nicht", label_en="Not sure", order=9
        )

    edit(admin_client, item, Option, add)
    record_answer(assessment, item, item.options.get(value="x"))

    response = revert(admin_client, item, version)

    assert "würde auch 1 Antwort löschen" in messages_shown(response)
    assert Answer.objects.filter(assessment=assessment, item=item, option__value="x").exists()


def test_a_version_that_does_not_exist_is_not_found(admin_client):
    role = it_coordinator()
    record = role.history.latest()
    for object_id, version_id in [(role.pk, "abc"), (role.pk, 999_999), ("abc", record.pk)]:
        url = reverse("admin:recommendations_role_simple_history", args=[object_id, version_id])
        assert admin_client.get(url).status_code == 404


def test_an_admin_who_may_only_view_roles_cannot_revert_them(client, django_user_model):
    viewer = django_user_model.objects.create_user("leser@example.org", "leser@example.org", "Zollverein-2026!")
    viewer.is_staff = True
    viewer.save()
    viewer.user_permissions.add(*Permission.objects.filter(codename__in=["view_role", "view_rolerequirement"]))
    client.force_login(viewer)
    role = it_coordinator()
    url = version_url(role, role.history.latest())
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page)
    data["work_style"] = "0,5"

    assert client.post(url, data).status_code == 403
    assert Role.objects.get(pk=role.pk).work_style == 0.0


def test_the_history_page_is_in_german_without_inline_style_and_names_the_shipped_content(admin_client):
    role = it_coordinator()
    edit(admin_client, role, RoleRequirement, raise_troubleshooting_to_5, work_style="-0,4")
    text = admin_client.get(admin_url(role, "history")).content.decode()
    assert '<th scope="col">Änderungen</th>' in text and "Changes" not in text
    assert "ausgelieferter Inhalt" in text and "shipped content" not in text
    assert " style=" not in text  # the site's CSP allows no inline style
    assert ">None<" not in text.replace(" ", "").replace("\n", "")


@pytest.mark.parametrize("difficulty_changed", [False, True], ids=["text", "difficulty"])
def test_reverting_an_item_keeps_the_values_a_calibration_gave_it(admin_client, difficulty_changed):
    item = Item.objects.filter(kind=Item.Kind.KNOWLEDGE, anchor=False, difficulty__lt=5).order_by("slug").first()
    version = item.history.latest()
    changes = {"text_de": item.text_de + " (geändert)"}
    if difficulty_changed:
        changes["difficulty"] = str(item.difficulty + 1)
    edit(admin_client, item, Option, **changes)
    Item.objects.filter(pk=item.pk).update(location=1.23, discrimination=1.7)  # as an active calibration writes it

    response = revert(admin_client, item, version)

    item.refresh_from_db()
    assert item.text_de == version.text_de and item.difficulty == version.difficulty
    assert (item.location, item.discrimination) == (1.23, 1.7)
    if difficulty_changed:
        assert "Die Messung behält die aus Antworten gelernte Lage der Frage (1,23)" in messages_shown(response)


def breadcrumb(page) -> list[str]:
    """The revert page's breadcrumb, link by link, as it reads."""
    import re

    trail = re.search(r'<div class="breadcrumbs">(.*?)</div>', page.content.decode(), re.S)
    assert trail is not None
    return [" ".join(re.sub(r"<[^>]+>", "", part).split()) for part in trail[1].split("&rsaquo;")]


@pytest.mark.parametrize(
    ("language", "revert_disabled", "expected"),
    [
        (
            "de",
            False,
            ["Start", "Empfehlungen", "Zielrollen", "Geschichte", "Zielrolle wiederherstellen"],
        ),
        ("de", True, ["Start", "Empfehlungen", "Zielrollen", "Geschichte", "Zielrolle ansehen"]),
        ("en", False, ["Home", "Recommendations", "Target roles", "History", "Revert target role"]),
        ("en", True, ["Home", "Recommendations", "Target roles", "History", "View target role"]),
    ],
)
def test_the_revert_pages_breadcrumb_is_in_the_admins_language(
    admin_client, settings, language, revert_disabled, expected
):
    """It read "Start › Recommendations › Historical Rollen" on the German page: the app's code name and the history
    model's name, half English."""
    settings.SIMPLE_HISTORY_REVERT_DISABLED = revert_disabled
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    role = it_coordinator()
    page = admin_client.get(version_url(role, role.history.latest()))
    assert page.status_code == 200
    trail = breadcrumb(page)
    assert trail[:3] + trail[4:] == expected  # around the role's name


@pytest.mark.parametrize(
    ("language", "reason"),
    [
        ("de", "Zurückgesetzt auf die Fassung vom 3. Dezember 2025, 14:05"),
        ("en", "Reverted to the version of 3 December 2025, 14:05"),
    ],
)
def test_a_reverts_records_say_it_was_a_revert_and_to_which_version(admin_client, settings, language, reason):
    """The revert's records had no reason: in the history list a revert read as any edit."""
    import datetime

    role = it_coordinator()
    shipped = role.history.filter(history_change_reason=SHIPPED).latest()
    type(shipped).objects.filter(pk=shipped.pk).update(
        history_date=datetime.datetime(2025, 12, 3, 13, 5, tzinfo=datetime.UTC)  # 14:05 in Berlin
    )
    edit(admin_client, role, RoleRequirement, raise_troubleshooting_to_5)

    revert(admin_client, role, role.history.get(pk=shipped.pk))

    record = role.history.latest()
    assert record.history_change_reason.startswith("reverted to 2025-12-03T13:05")
    requirement = role.requirements.get(competency=troubleshooting()).history.latest()
    assert requirement.history_change_reason == record.history_change_reason  # the row set back with it
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    listed = admin_client.get(admin_url(role, "history")).content.decode()
    assert reason in listed
    assert listed.count(reason) == 1  # the revert's record only, not the edit's


def load_content() -> str:
    out = io.StringIO()
    call_command("load_content", stdout=out)
    return out.getvalue()


def test_a_role_reverted_to_its_shipped_version_takes_the_next_releases_content_again(admin_client):
    """An admin who edits a role and then reverts it to the shipped version wants shipped content: the next release's
    fix (here the role's description and its troubleshooting level) reached every role but this one, which the
    loader kept as "left alone" forever because its history held an edit. A required level the revert set back and
    the release leaves as it is (communication) keeps the role shipped in every later load too."""
    role = it_coordinator()
    release = (role.description_de, role.requirements.get(competency=troubleshooting()).level)
    communication = role.requirements.get(competency__slug="communication")
    # what an earlier release shipped: another description and troubleshooting 3
    save_shipped(role, {"description_de": "Beschreibung der früheren Fassung"})
    requirement = role.requirements.get(competency=troubleshooting())
    save_shipped(requirement, {"level": 3})
    shipped = role.history.filter(history_change_reason=SHIPPED).latest()

    def raise_both(data: dict, prefix: str) -> None:
        raise_troubleshooting_to_5(data, prefix)
        set_inline_row(data, prefix, row_of(data, prefix, competency=communication.competency_id), level=1)

    edit(admin_client, role, RoleRequirement, raise_both, work_style="-0,4")
    revert(admin_client, role, shipped)
    assert communication.history.latest().history_change_reason.startswith("reverted to ")

    output = load_content()

    role.refresh_from_db()
    assert (role.description_de, role.requirements.get(competency=troubleshooting()).level) == release
    assert "roles: 1 updated" in output and "left alone" not in output.split("roles:")[1].splitlines()[0]
    assert "roles: 10 unchanged" in load_content()  # and the next load: still shipped, nothing left alone


def test_a_role_reverted_to_an_older_or_edited_version_stays_as_the_admin_left_it(admin_client):
    role = it_coordinator()
    older = role.history.filter(history_change_reason=SHIPPED).latest()
    save_shipped(role, {"description_de": "Beschreibung einer späteren Fassung"})  # a newer release's baseline
    edit(admin_client, role, RoleRequirement, raise_troubleshooting_to_5)
    revert(admin_client, role, older)  # not the newest shipped version: the admin's choice
    assert "roles: 9 unchanged, 1 left alone" in load_content()

    newest = role.history.filter(history_change_reason=SHIPPED).latest()
    revert(admin_client, role, newest)
    edit(admin_client, role, RoleRequirement, raise_troubleshooting_to_5)  # edited again after the revert
    assert "roles: 9 unchanged, 1 left alone" in load_content()
    assert role.requirements.get(competency=troubleshooting()).level == 5
