"""Edits to a question that change what answers mean say so, and take effect: a new difficulty moves the
location the measurement uses (unless one learned from answers is in use), a moved correct option warns of
the answers it rescores, and a competency left without an active anchor is named."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessment.measurement import DIFFICULTY_OFFSET
from assessment.models import Answer, Competency, Item, Option
from tests.admin.helpers import (
    admin_url,
    form_data,
    inline_prefix,
    inline_rows,
    messages_shown,
    move_the_correct_option,
)

pytestmark = pytest.mark.django_db


def post_changed(client, item: Item, change_options=None, **fields):
    response = client.get(admin_url(item))
    data = form_data(response)
    data.update({name: str(value) for name, value in fields.items()})
    if change_options:
        prefix = inline_prefix(response, Option)
        change_options(data, prefix, inline_rows(data, prefix))
    response = client.post(admin_url(item), data, follow=True)
    assert response.redirect_chain, response.context["adminform"].form.errors
    return response


def a_check(anchor: bool) -> Item:
    item = Item.objects.filter(kind=Item.Kind.KNOWLEDGE, anchor=anchor, difficulty__lt=5).first()
    assert item is not None
    return item


@pytest.mark.parametrize("anchor", [False, True], ids=["check", "anchor"])
def test_a_new_difficulty_moves_the_location_the_measurement_uses(admin_client, anchor):
    item = a_check(anchor)
    assert item.location == pytest.approx(item.difficulty - DIFFICULTY_OFFSET)
    response = post_changed(admin_client, item, difficulty=item.difficulty + 1)
    item.refresh_from_db()
    assert item.location == pytest.approx(item.difficulty - DIFFICULTY_OFFSET)
    assert "gelernte Lage" not in messages_shown(response)


def test_a_location_learned_from_answers_stays_and_the_admin_is_told(admin_client):
    item = a_check(anchor=False)
    Item.objects.filter(pk=item.pk).update(location=1.23)  # as an active calibration writes it
    response = post_changed(admin_client, item, difficulty=item.difficulty + 1)
    item.refresh_from_db()
    assert item.location == pytest.approx(1.23)
    assert "Die Messung behält die aus Antworten gelernte Lage der Frage (1,23)" in messages_shown(response)


def test_an_anchor_follows_its_new_difficulty_even_after_a_calibration(admin_client):
    item = a_check(anchor=True)
    Item.objects.filter(pk=item.pk).update(location=1.23)
    post_changed(admin_client, item, difficulty=item.difficulty + 1)
    item.refresh_from_db()
    assert item.location == pytest.approx(item.difficulty - DIFFICULTY_OFFSET)


def test_moving_the_correct_option_of_an_answered_check_says_how_many_answers_it_rescores(
    admin_client, finished_assessment
):
    answered = Answer.objects.filter(
        assessment=finished_assessment, item__kind=Item.Kind.KNOWLEDGE, option__isnull=False
    )
    item = answered.first().item
    count = Answer.objects.filter(item=item, option__isnull=False).count()
    response = post_changed(admin_client, item, lambda data, prefix, rows: move_the_correct_option(data, prefix))
    assert f"Die richtige Option ist geändert: {count} Antwort" in messages_shown(response)


def test_moving_the_correct_option_of_a_check_nobody_answered_saves_without_a_warning(admin_client):
    item = a_check(anchor=False)
    before = item.options.get(correct=True).pk
    response = post_changed(admin_client, item, lambda data, prefix, rows: move_the_correct_option(data, prefix))
    assert "richtige Option ist geändert" not in messages_shown(response)
    assert item.options.get(correct=True).pk != before


def test_deactivating_the_last_active_anchors_of_a_competency_names_it(admin_client):
    competency = Competency.objects.filter(items__anchor=True).distinct().first()
    anchors = list(Item.objects.filter(competency=competency, anchor=True).order_by("pk"))
    assert len(anchors) >= 2
    changelist = reverse("admin:assessment_item_changelist")

    def deactivate(items):
        return admin_client.post(
            changelist,
            {"action": "deactivate_selected", "_selected_action": [i.pk for i in items], "index": 0},
            follow=True,
        )

    assert "Keine aktive Ankerfrage" not in messages_shown(deactivate(anchors[:-1]))
    text = messages_shown(deactivate(anchors[-1:]))
    assert f"Keine aktive Ankerfrage unter den Wissensfragen von: {competency}." in text
    # and the same on the change form, when an anchor is unmarked there
    Item.objects.filter(pk__in=[a.pk for a in anchors]).update(active=True)
    for anchor in anchors[:-1]:
        post_changed(admin_client, anchor, anchor="")
    text = messages_shown(post_changed(admin_client, anchors[-1], anchor=""))
    assert f"Keine aktive Ankerfrage unter den Wissensfragen von: {competency}." in text


def test_activating_a_check_where_no_anchor_is_active_names_the_competency(admin_client):
    competency = Competency.objects.filter(items__anchor=True).distinct().first()
    checks = Item.objects.filter(competency=competency, kind=Item.Kind.KNOWLEDGE)
    checks.update(active=False)
    plain = checks.filter(anchor=False).first()
    response = admin_client.post(
        reverse("admin:assessment_item_changelist"),
        {"action": "activate_selected", "_selected_action": [plain.pk], "index": 0},
        follow=True,
    )
    assert f"Keine aktive Ankerfrage unter den Wissensfragen von: {competency}." in messages_shown(response)
