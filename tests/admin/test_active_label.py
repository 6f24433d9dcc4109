"""The German admin says "Aktiv" as Django does where "active" names a field or a column: the project's catalogue
translated the msgid "active" as "aktiv", which also overrode Django's own for the user admin's is_active, so its
filter read "Nach aktiv"."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def filter_titles(admin_client, url: str) -> list[str]:
    text = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    return [title.strip() for title in re.findall(r"<summary>\s*(Nach [^<]*?)\s*</summary>", text)]


def test_the_user_admin_filters_by_aktiv_as_django_says_it(admin_client, admin_user):
    url = reverse("admin:auth_user_changelist")
    assert "Nach Aktiv" in filter_titles(admin_client, url)
    change = admin_client.get(reverse("admin:auth_user_change", args=[admin_user.pk]), HTTP_ACCEPT_LANGUAGE="de")
    assert '<label class="vCheckboxLabel" for="id_is_active">Aktiv</label>' in change.content.decode()


@pytest.mark.parametrize(
    "changelist",
    [
        "admin:recommendations_course_changelist",
        "admin:recommendations_role_changelist",
        "admin:recommendations_modelversion_changelist",
        "admin:assessment_item_changelist",
        "admin:assessment_calibrationversion_changelist",
    ],
)
def test_the_projects_lists_filter_by_aktiv_too(admin_client, changelist):
    titles = filter_titles(admin_client, reverse(changelist))
    assert "Nach Aktiv" in titles
    assert "Nach aktiv" not in titles
