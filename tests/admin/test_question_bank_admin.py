"""The question bank in the admin: the rules across an item's options, stable slugs, and that answered
items and options are kept."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessment.models import Answer, Competency, Item, LevelDescriptor, Option, Section
from tests.admin.helpers import admin_url, errors_of, form_data, inline_prefix, inline_rows, set_inline_row

pytestmark = pytest.mark.django_db


def item_of(kind: str) -> Item:
    item = Item.objects.filter(kind=kind).order_by("order", "slug").first()
    assert item is not None
    return item


def edit_options(client, item: Item, change):
    """Load the item's change page, let `change(data, prefix, rows)` edit the saved options (not the blank row for
    another), post it."""
    response = client.get(admin_url(item))
    data = form_data(response)
    prefix = inline_prefix(response, Option)
    change(data, prefix, [row for row in inline_rows(data, prefix) if data[f"{prefix}-{row}-id"]])
    return client.post(admin_url(item), data)


@pytest.mark.parametrize("kind", [k.value for k in Item.Kind])
def test_a_shipped_item_of_every_kind_saves_unchanged(admin_client, kind):
    item = item_of(kind)
    response = edit_options(admin_client, item, lambda data, prefix, rows: None)
    assert response.status_code == 302


def test_a_knowledge_check_needs_exactly_one_correct_option(admin_client):
    item = item_of(Item.Kind.KNOWLEDGE)

    def mark_all_correct(data, prefix, rows):
        for row in rows:
            set_inline_row(data, prefix, row, correct=True)

    response = edit_options(admin_client, item, mark_all_correct)
    assert response.status_code == 400
    count = item.options.count()
    assert f"Eine Wissensfrage braucht genau eine richtige Option; {count} sind als richtig markiert." in errors_of(
        response
    )

    def mark_none_correct(data, prefix, rows):
        for row in rows:
            set_inline_row(data, prefix, row, correct=False)

    response = edit_options(admin_client, item, mark_none_correct)
    assert "Eine Wissensfrage braucht genau eine richtige Option; 0 sind als richtig markiert." in errors_of(response)
    assert item.options.filter(correct=True).count() == 1


def test_each_option_of_a_self_rating_needs_a_level(admin_client):
    response = edit_options(
        admin_client,
        item_of(Item.Kind.SELF_RATING),
        lambda data, prefix, rows: set_inline_row(data, prefix, 0, level=""),
    )
    assert response.status_code == 400
    assert "Jede Option einer Selbsteinschätzung braucht die Stufe, für die sie steht." in errors_of(response)


@pytest.mark.parametrize(
    ("style", "message"),
    [
        ("", "Jede Option eines Arbeitsstil-Szenarios braucht einen Stil von -1 bis 1."),
        ("1.5", "Dieser Wert muss kleiner oder gleich 1,0 sein."),
        ("-1.01", "Dieser Wert muss größer oder gleich −1,0 sein."),
    ],
)
def test_each_option_of_a_scenario_needs_a_style_within_minus_one_and_one(admin_client, style, message):
    response = edit_options(
        admin_client,
        item_of(Item.Kind.SCENARIO),
        lambda data, prefix, rows: set_inline_row(data, prefix, 0, style=style),
    )
    assert response.status_code == 400
    assert message in errors_of(response)


def test_an_item_needs_two_options(admin_client):
    def keep_one(data, prefix, rows):
        for row in rows[1:]:
            set_inline_row(data, prefix, row, DELETE=True)

    response = edit_options(admin_client, item_of(Item.Kind.SCENARIO), keep_one)
    assert response.status_code == 400
    assert "Eine Frage braucht mindestens zwei Optionen zur Auswahl." in errors_of(response)


def test_an_option_people_chose_is_not_deleted(admin_client, finished_assessment):
    answer = Answer.objects.filter(assessment=finished_assessment, option__item__kind=Item.Kind.SCENARIO).first()
    item = answer.item
    response = admin_client.get(admin_url(item))
    data = form_data(response)
    prefix = inline_prefix(response, Option)
    row = next(r for r in inline_rows(data, prefix) if data[f"{prefix}-{r}-id"] == str(answer.option_id))
    set_inline_row(data, prefix, row, DELETE=True)
    response = admin_client.post(admin_url(item), data)
    assert response.status_code == 400
    assert any(answer.option.value in e and "Antworten" in e for e in errors_of(response))
    assert Option.objects.filter(pk=answer.option_id).exists()


def test_an_item_people_answered_is_deactivated_not_deleted(admin_client, finished_assessment):
    item = Item.objects.get(pk=finished_assessment.item_ids[0])
    page = admin_client.get(admin_url(item, "delete")).content.decode()
    assert "Stattdessen deaktivieren" in page
    admin_client.post(admin_url(item, "delete"), {"post": "yes"})
    assert Item.objects.filter(pk=item.pk).exists()
    response = admin_client.post(
        reverse("admin:assessment_item_changelist"),
        {"action": "deactivate_selected", "_selected_action": [item.pk], "index": 0},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert not item.active
    assert finished_assessment.answers.filter(item=item).exists()


def test_a_competency_in_use_is_not_deleted_and_the_admin_sees_what_uses_it(admin_client):
    competency = Competency.objects.order_by("slug").first()
    page = admin_client.get(admin_url(competency, "delete")).content.decode()
    assert "nicht gelöscht" in page
    assert competency.items.first().slug in page
    admin_client.post(admin_url(competency, "delete"), {"post": "yes"})
    assert Competency.objects.filter(pk=competency.pk).exists()


def test_level_descriptors_are_edited_with_their_competency_and_recorded(admin_client, admin_user):
    competency = Competency.objects.order_by("slug").first()
    response = admin_client.get(admin_url(competency))
    data = form_data(response)
    prefix = inline_prefix(response, LevelDescriptor)
    set_inline_row(data, prefix, 0, text_de="Hat davon gehört.")
    assert admin_client.post(admin_url(competency), data).status_code == 302
    descriptor = competency.levels.get(pk=data[f"{prefix}-0-id"])
    assert descriptor.text_de == "Hat davon gehört."
    assert descriptor.history.latest().history_user == admin_user


def test_the_slugs_of_the_question_bank_are_fixed_once_they_exist(admin_client):
    for obj in (Section.objects.first(), Competency.objects.first(), item_of(Item.Kind.KNOWLEDGE)):
        response = admin_client.get(admin_url(obj))
        assert "slug" not in response.context["adminform"].form.fields
        assert obj.slug in response.content.decode()
    assert "slug" in admin_client.get(admin_url(Item, "add")).context["adminform"].form.fields


def test_two_options_of_a_self_rating_never_stand_for_the_same_level(admin_client):
    item = item_of(Item.Kind.SELF_RATING)
    response = edit_options(admin_client, item, lambda data, prefix, rows: set_inline_row(data, prefix, 1, level="0"))
    assert response.status_code == 400
    assert "Jede Option einer Selbsteinschätzung steht für ihre eigene Stufe" in " ".join(errors_of(response))


def test_a_scenario_whose_options_all_share_one_style_is_refused(admin_client):
    def one_style(data, prefix, rows):
        for row in rows:
            set_inline_row(data, prefix, row, style="0.5")

    response = edit_options(admin_client, item_of(Item.Kind.SCENARIO), one_style)
    assert response.status_code == 400
    assert "mindestens zwei verschiedene Stile" in " ".join(errors_of(response))


def test_a_difficulty_that_is_no_whole_number_is_told_only_that(admin_client):
    """ "2,5" was told "whole number" and "a knowledge check needs a difficulty from 1 to 5" at once."""
    add = reverse("admin:assessment_item_add")
    data = form_data(admin_client.get(add))
    competency = Competency.objects.order_by("pk").first()
    data.update(slug="neu-2-5", kind=Item.Kind.KNOWLEDGE, competency=str(competency.pk), difficulty="2,5")
    data.update(text_de="Eine neue Frage?", text_en="A new question?")
    response = admin_client.post(add, data)
    assert response.status_code == 400
    assert list(response.context["adminform"].form.errors["difficulty"]) == [
        "Bitte eine ganze Zahl ohne Nachkommastellen eingeben."
    ]


@pytest.mark.parametrize(
    ("kind", "field", "value", "message"),
    [
        (Item.Kind.SELF_RATING, "difficulty", "3", "Nur eine Wissensfrage hat eine Schwierigkeit."),
        (Item.Kind.SCENARIO, "competency", "first", "Ein Arbeitsstil-Szenario gehört zu keiner Kompetenz"),
    ],
)
def test_a_difficulty_belongs_to_knowledge_checks_and_a_competency_not_to_scenarios(
    admin_client, kind, field, value, message
):
    item = item_of(kind)
    response = admin_client.get(admin_url(item))
    data = form_data(response)
    data[field] = str(Competency.objects.order_by("pk").first().pk) if value == "first" else value
    response = admin_client.post(admin_url(item), data)
    assert response.status_code == 400 and message in " ".join(errors_of(response))


def test_an_answered_item_keeps_its_kind(admin_client, finished_assessment):
    """A knowledge check with answers turned into a self-rating: its answers would be read as self-ratings."""
    item = Answer.objects.filter(assessment=finished_assessment, item__kind=Item.Kind.KNOWLEDGE).first().item
    response = admin_client.get(admin_url(item))
    data = form_data(response)
    data.update(kind=Item.Kind.SELF_RATING, difficulty="")
    response = admin_client.post(admin_url(item), data)
    assert response.status_code == 400
    assert "Deaktivieren Sie die Frage" in " ".join(errors_of(response))
    assert Item.objects.get(pk=item.pk).kind == Item.Kind.KNOWLEDGE


def test_a_competency_no_question_asks_about_is_a_placeholder_the_admin_is_warned_of_and_nobody_skipped(
    admin_client, client
):
    """An admin added a competency without questions: every new result said "You skipped every question on this
    topic" to people who were never asked."""
    from django.contrib.messages import get_messages

    from assessment.services import start_assessment
    from tests.conftest import answer_all, strongest

    data = form_data(admin_client.get(admin_url(Competency, "add")))
    data.update(slug="cloud", section=Section.objects.order_by("order").first().pk, order=99)
    data.update(name_de="Cloud-Betrieb", name_en="Cloud operations")
    response = admin_client.post(admin_url(Competency, "add"), data, follow=True)
    assert Competency.objects.filter(slug="cloud").exists()
    assert any("noch keine aktive Frage" in str(m) for m in get_messages(response.wsgi_request))
    assessment = answer_all(start_assessment(), strongest)
    page = client.get(reverse("results", args=[assessment.token])).content.decode()
    assert "Zu dieser Kompetenz gibt es noch keine Frage" in page
    assert "übersprungen" not in page.split("Cloud-Betrieb", 1)[1].split("</li>", 1)[0]


@pytest.mark.parametrize(
    ("kind", "field", "value", "message"),
    [
        (Item.Kind.KNOWLEDGE, "level", "3", "Nur eine Option einer Selbsteinschätzung steht für eine Stufe"),
        (Item.Kind.KNOWLEDGE, "style", "0,5", "Nur eine Option eines Arbeitsstil-Szenarios hat einen Stil"),
        (Item.Kind.SELF_RATING, "style", "-0,5", "Nur eine Option eines Arbeitsstil-Szenarios hat einen Stil"),
        (Item.Kind.SCENARIO, "level", "2", "Nur eine Option einer Selbsteinschätzung steht für eine Stufe"),
    ],
)
def test_an_option_takes_only_the_fields_its_kind_of_question_has(admin_client, kind, field, value, message):
    """A level on a knowledge check's option (or a style on a self-rating's) means nothing, and was saved."""
    item = item_of(kind)
    saved = list(item.options.values_list(field, flat=True))
    response = edit_options(
        admin_client, item, lambda data, prefix, rows: set_inline_row(data, prefix, 0, **{field: value})
    )
    assert response.status_code == 400
    assert message in " ".join(errors_of(response))
    formset = next(i.formset for i in response.context["inline_admin_formsets"] if i.formset.model is Option)
    assert formset.forms[0][field].value() == value  # shown again as entered, to be corrected
    assert list(item.options.values_list(field, flat=True)) == saved


@pytest.mark.parametrize("field", ["label_de", "label_en"])
def test_two_options_of_one_question_never_share_a_label(admin_client, field):
    item = item_of(Item.Kind.KNOWLEDGE)
    first = item.options.order_by("order", "value")[0]
    copied = "  " + getattr(first, field).upper() + " "  # the same words, whatever the case and spacing

    response = edit_options(
        admin_client, item, lambda data, prefix, rows: set_inline_row(data, prefix, 1, **{field: copied})
    )

    assert response.status_code == 400
    language = "deutsche" if field == "label_de" else "englische"
    errors = " ".join(errors_of(response))
    assert f"Zwei Optionen dieser Frage haben dieselbe {language} Beschriftung" in errors
    assert "Jede Option braucht ihre eigene Beschriftung." in errors
    assert copied.strip() in response.content.decode()  # the row as entered, to be corrected
    assert len({getattr(o, field) for o in item.options.all()}) == item.options.count()


def test_the_english_admin_reads_why_two_options_are_refused(admin_client, settings):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    item = item_of(Item.Kind.KNOWLEDGE)
    label = item.options.order_by("order", "value")[0].label_en

    def copy_label_and_add_a_level(data, prefix, rows):
        set_inline_row(data, prefix, 1, label_en=label, level="2")

    response = edit_options(admin_client, item, copy_label_and_add_a_level)
    assert response.status_code == 400
    errors = " ".join(errors_of(response))
    assert f"Two options of this question have the same English label: “{label}”." in errors
    assert "Only an option of a self-rating stands for a level" in errors


def test_two_options_of_one_value_are_named_by_the_fields_label(admin_client):
    """A review: "Bitte die doppelten Daten für value korrigieren." named the code's field, where the column says
    "Wert" (roles and courses said "für Kompetenz" already)."""
    item = item_of(Item.Kind.KNOWLEDGE)

    def same_value(data, prefix, rows):
        set_inline_row(data, prefix, rows[1], value=data[f"{prefix}-{rows[0]}-value"])

    response = edit_options(admin_client, item, same_value)
    assert response.status_code == 400
    assert "Bitte die doppelten Daten für Wert korrigieren." in errors_of(response)
    assert "für value" not in errors_of(response)
