"""NUL bytes and overlong values anywhere in a request are a 400 page that says so, never a 500 (PostgreSQL
refuses both with an error where SQLite accepts them)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import Answer, Item
from assessment.services import start_assessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(django_user_model) -> Client:
    user = django_user_model.objects.create_user("m@example.org", "m@example.org", "a-long-Pass-phrase-9")
    person = Client()
    person.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return person


def test_a_nul_byte_in_the_query_string_is_a_400_with_a_message(member):
    response = member.get(reverse("compare") + "?vorher=%00")
    assert response.status_code == 400
    text = response.content.decode()
    assert "<html" in text
    assert "NUL" in text  # the page says what was wrong


def test_an_overlong_query_value_is_a_400(client):
    response = client.get(reverse("assessment:home"), {"x": "a" * 3000})
    assert response.status_code == 400
    assert "länger als 2.048 Zeichen" in response.content.decode()  # the limit written as German readers write it


@pytest.mark.parametrize("page", ["login", "admin:login"])
def test_an_overlong_login_name_comes_back_in_the_form_with_its_message_and_no_login_is_tried(client, page):
    """Django's login form shows a limit it does not check; django-axes stored the name of the failed login in a
    column of 255 characters, which PostgreSQL refused with an error (a 500), and later a site-wide 400 page lost
    the input."""
    from axes.models import AccessAttempt, AccessFailureLog

    name = "a" * 300 + "@example.org"
    response = client.post(reverse(page), {"username": name, "password": "x"})
    assert response.status_code == 400
    form = response.context["form"]
    assert form["username"].value() == name  # kept
    assert "150" in form.errors["username"][0]  # the field's own limit, said on the field
    assert not AccessAttempt.objects.exists() and not AccessFailureLog.objects.exists()


def test_a_nul_byte_in_an_answer_is_refused_and_nothing_is_stored(client):
    assessment = start_assessment()
    item = Item.objects.get(pk=assessment.item_ids[0])
    response = client.post(assessment.step_url(1), {"item": item.slug, "option": "a\x00", "action": "answer"})
    assert response.status_code == 400
    assert not Answer.objects.filter(assessment=assessment).exists()


def test_a_nul_byte_in_the_session_cookie_is_a_400(client):
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    response = client.get(reverse("assessment:home"))
    assert response.status_code == 400


def test_ordinary_long_text_in_the_admin_is_still_accepted(client):
    from core.middleware import MAX_FIELD_VALUE

    response = client.post(reverse("assessment:start"), {"note": "x" * MAX_FIELD_VALUE})
    assert response.status_code == 302
