"""Every admin page an admin reaches renders, in German, for a superuser."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db.models import F
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from simple_history.admin import SimpleHistoryAdmin

from assessment.models import Competency, Section
from recommendations.models import ConfirmedOutcome, Course, Role
from tests.admin.helpers import admin_url

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry.items(), key=lambda pair: pair[0]._meta.label)


@pytest.fixture(autouse=True)
def one_of_everything(db):
    """The shipped content has every catalogue model; confirmed outcomes come only from people."""
    ConfirmedOutcome.objects.create(role=Role.objects.first(), levels={"agile": 3}, work_style=0.2)


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=[m._meta.label for m, _ in REGISTERED])
def test_every_admin_page_of_a_model_renders(admin_client, model, model_admin):
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    if model_admin.has_add_permission(admin_client.request().wsgi_request):
        assert admin_client.get(admin_url(model, "add")).status_code == 200
    obj = model._default_manager.order_by("pk").first()
    if obj is None:
        return
    assert admin_client.get(admin_url(obj, "change")).status_code == 200
    assert admin_client.get(admin_url(obj, "history")).status_code == 200
    if isinstance(model_admin, SimpleHistoryAdmin):
        record = obj.history.first()
        if record is not None:  # the shipped content came by migration, without history
            url = reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_simple_history", args=[obj.pk, record.pk]
            )
            assert admin_client.get(url).status_code == 200


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:index",
        "admin_dashboard",
        "admin:recommendations_modelversion_retrain",
        "admin:assessment_calibrationversion_run",
    ],
)
def test_the_steering_pages_render(admin_client, url_name):
    response = admin_client.get(reverse(url_name))
    assert response.status_code == 200
    assert 'lang="de"' in response.content.decode()


def test_the_admin_index_links_the_dashboard_and_the_retraining(admin_client):
    text = admin_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin_dashboard") in text
    assert reverse("admin:recommendations_modelversion_retrain") in text
    assert "Modell neu trainieren" in text


def test_the_import_and_export_pages_of_the_catalogue_render(admin_client):
    for view in ("import", "export"):
        response = admin_client.get(reverse(f"admin:recommendations_course_{view}"))
        assert response.status_code == 200


@pytest.mark.parametrize(
    "url_name",
    ["admin_dashboard", "admin:recommendations_modelversion_retrain", "admin:assessment_calibrationversion_run"],
)
def test_the_steering_pages_are_for_staff_only(client, django_user_model, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
    client.force_login(django_user_model.objects.create_user("visitor", password="x-unknown-1"))
    assert client.get(reverse(url_name)).status_code == 302


@pytest.mark.parametrize(
    ("model", "german", "english"),
    [
        (Section, "name_de", "name_en"),
        (Competency, "name_de", "name_en"),
        (Role, "name_de", "name_en"),
        (Course, "title_de", "title_en"),
    ],
)
def test_names_in_the_admin_follow_the_admins_language(model, german, english):
    obj = model.objects.exclude(**{english: F(german)}).order_by("pk").first()
    with translation.override("en"):
        assert str(obj) == getattr(obj, english)
    with translation.override("de"):
        assert str(obj) == getattr(obj, german)


def test_the_english_admin_offers_competencies_by_their_english_names(admin_client, settings):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    role = Role.objects.order_by("pk").first()
    competency = Competency.objects.exclude(name_en=F("name_de")).order_by("pk").first()
    page = admin_client.get(admin_url(role)).content.decode()
    assert f">{escape(competency.name_en)}</option>" in page
    assert f">{escape(competency.name_de)}</option>" not in page


def test_every_number_field_of_every_admin_form_and_inline_is_typed_in_the_admins_language(rf, admin_user):
    from django import forms

    request = rf.get("/")
    request.user = admin_user
    checked = []
    for model, model_admin in REGISTERED:
        forms_to_check = [model_admin.get_form(request)]
        forms_to_check += [inline.get_formset(request).form for inline in model_admin.get_inline_instances(request)]
        for form in forms_to_check:
            for name, field in form.base_fields.items():
                if isinstance(field, forms.DecimalField | forms.FloatField):
                    checked.append(f"{model._meta.label}.{name}")
                    assert field.localize and not isinstance(field.widget, forms.NumberInput), checked[-1]
    assert {
        "recommendations.Course.hours",
        "recommendations.Course.price_eur",
        "recommendations.Role.work_style",
    } <= set(checked)


def test_the_admins_sidebar_names_the_background_tasks_in_german(admin_client):
    page = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Hintergrundaufgaben" in page and "Aufgabenergebnisse" in page
    assert "Tasks Database Backend" not in page and "Task Results" not in page


def test_the_german_admin_index_links_to_changing_a_model_as_aendern_not_as_a_difference(admin_client):
    """The comparison page's column "Change" (of a level between two attempts) was translated "Differenz" without a
    context, and the admin index then offered "Differenz" beside every model instead of Django's "Ändern"."""
    text = admin_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert ">Ändern</a>" in text
    assert "Differenz" not in text


def test_the_admin_switches_its_own_language_and_stays_on_the_page(admin_client):
    """An admin had to go to the public site to switch to English (an admin review)."""
    import re

    url = reverse("admin:recommendations_course_changelist")
    page = admin_client.get(url).content.decode()
    switch = re.search(r'<form id="admin-language" action="([^"]+)" method="post">(.*?)</form>', page, re.S)
    assert switch is not None and 'value="en" lang="en">English</button>' in switch.group(2)
    assert f'name="next" value="{url}"' in switch.group(2)
    response = admin_client.post(switch.group(1), {"language": "en", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    english = admin_client.get(url).content.decode()
    assert '<html lang="en"' in english and 'value="de" lang="de">Deutsch</button>' in english
