"""A form sent with errors answers 400 everywhere, in the admin's own views too (they showed it again with 200):
the status is how a client, a monitor or a test tells refused input from a page that worked."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_admin_add_form_sent_empty_answers_400_and_shows_its_errors(admin_client, rf, admin_user):
    request = rf.get("/admin/")
    request.user = admin_user
    checked = []
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_add_permission(request):
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        response = admin_client.post(url, {})
        assert response.status_code == 400, url
        assert response.context["errors"], url
        checked.append(model._meta.label)
    assert {"recommendations.Course", "recommendations.Role", "assessment.Item", "auth.User"} <= set(checked)


def test_a_valid_admin_form_still_redirects(admin_client):
    response = admin_client.post(reverse("admin:auth_group_add"), {"name": "Katalogpflege"})
    assert response.status_code == 302


def test_a_wrong_admin_password_answers_400_with_the_form_again(admin_user):
    response = Client().post(reverse("admin:login"), {"username": admin_user.username, "password": "falsch"})
    assert response.status_code == 400
    assert response.context["form"].errors


def test_a_get_of_a_form_is_not_refused(admin_client):
    assert admin_client.get(reverse("admin:recommendations_course_add")).status_code == 200


def _filter_parameters(model_admin, request) -> list[str]:
    """The query parameters of every filter of a changelist, as its sidebar's links write them."""
    changelist = model_admin.get_changelist_instance(request)
    names = []
    for spec in changelist.filter_specs:
        names.extend(spec.expected_parameters())
    return names


@pytest.mark.parametrize("junk", ["abc", "-1", "9" * 30])
def test_a_filter_value_typed_into_an_admin_address_never_gives_a_server_error(admin_client, rf, admin_user, junk):
    """A value no filter offers (edited in the address bar, an old bookmark) is refused as Django refuses one for its
    own filters (the list again, with "?e=1"), in every changelist and in the course export that takes its filters."""
    checked = []
    for model, model_admin in admin.site._registry.items():
        request = rf.get("/admin/")
        request.user = admin_user
        if not model_admin.has_view_permission(request):
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for name in _filter_parameters(model_admin, request):
            response = admin_client.get(url, {name: junk})
            assert response.status_code in (200, 302), (url, name, response.status_code)
            if response.status_code == 302:
                assert response.url.endswith("?e=1"), (url, name)
            checked.append(name)
    export = reverse("admin:recommendations_course_export")
    for name in ("from_level", "to_level", "competency", "checked", "difficulty__exact"):
        response = admin_client.get(export, {name: junk})
        assert response.status_code == 302, (name, response.status_code)
        assert response.url == reverse("admin:recommendations_course_changelist") + "?e=1", name
    assert {"from_level", "to_level", "competency", "checked"} <= set(checked)
