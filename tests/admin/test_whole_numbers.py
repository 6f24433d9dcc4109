"""Whole numbers in the admin read as the admin's language writes them: "1.000" is a thousand in German (Django's
own field took ".000" for decimals and saved 1), "1,000" in English; a number with decimals is refused, not cut."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from assessment import tasks
from assessment.admin import CalibrateForm
from recommendations.models import Role
from tests.admin.helpers import admin_url, errors_of, form_data

pytestmark = pytest.mark.django_db


def whole_number_fields(rf, admin_user) -> dict[str, forms.Field]:
    """Every whole-number field of every admin add and change form and of their inlines, and of the calibrate form."""
    request = rf.get("/admin/")
    request.user = admin_user
    found: dict[str, forms.Field] = {"CalibrateForm.min_answers": CalibrateForm.base_fields["min_answers"]}
    for model, model_admin in admin.site._registry.items():
        for obj in (None, model._default_manager.order_by("pk").first()):
            form_classes = [(model._meta.label, model_admin.get_form(request, obj))]
            form_classes += [
                (inline.model._meta.label, formset.form)
                for formset, inline in model_admin.get_formsets_with_inlines(request, obj)
            ]
            for label, form_class in form_classes:
                for name, field in form_class.base_fields.items():
                    # Django's decimal fields are kinds of its whole-number field
                    if isinstance(field, forms.IntegerField) and not isinstance(
                        field, forms.FloatField | forms.DecimalField
                    ):
                        found[f"{label}.{name}"] = field
    return found


def test_every_whole_number_field_of_the_admin_reads_the_languages_thousands_and_refuses_decimals(rf, admin_user):
    fields = whole_number_fields(rf, admin_user)
    assert {
        "CalibrateForm.min_answers",
        "recommendations.Role.salary_min_eur",
        "recommendations.Role.salary_max_eur",
        "recommendations.Role.order",
        "assessment.Section.order",
        "assessment.Item.order",
        "assessment.Option.order",
    } <= set(fields)
    for name, field in fields.items():
        assert not isinstance(field.widget, forms.NumberInput), name  # a browser's number box reads "1.000" as 1
        for language, thousand, decimals in [("de", "1.000", "2,5"), ("en", "1,000", "2.5")]:
            with translation.override(language):
                assert field.to_python(thousand) == 1000, (name, language)
                assert field.to_python("1000") == 1000, (name, language)
                with pytest.raises(ValidationError) as refused:
                    field.to_python(decimals)
                assert refused.value.code == "not_whole", (name, language)


def test_a_roles_salary_and_position_typed_with_german_thousands_are_saved_as_meant(admin_client):
    role = Role.objects.order_by("order").first()
    data = form_data(admin_client.get(admin_url(role)))
    data.update(salary_min_eur="3.000", salary_max_eur="5.800", order="1.000")
    response = admin_client.post(admin_url(role), data)
    assert response.status_code == 302, errors_of(response)
    role.refresh_from_db()
    assert (role.salary_min_eur, role.salary_max_eur, role.order) == (3000, 5800, 1000)


def test_a_salary_with_decimals_is_refused_not_cut(admin_client):
    role = Role.objects.order_by("order").first()
    before = role.salary_min_eur
    data = form_data(admin_client.get(admin_url(role)))
    data["salary_min_eur"] = "3000,50"
    response = admin_client.post(admin_url(role), data)
    assert response.status_code == 400
    assert "Bitte eine ganze Zahl ohne Nachkommastellen eingeben." in errors_of(response)
    role.refresh_from_db()
    assert role.salary_min_eur == before


def test_the_calibration_is_queued_with_the_thousand_answers_typed_in_german(admin_client):
    url = reverse("admin:assessment_calibrationversion_run")
    response = admin_client.post(url, {"min_answers": "1.000"})
    assert response.status_code == 302
    queued = DBTaskResult.objects.filter(task_path=tasks.calibrate_items.module_path).get()
    assert queued.args_kwargs["args"] == [1000]


@pytest.mark.parametrize(
    ("language", "typed", "said"),
    [
        ("de", "99999999999", "kleiner oder gleich 1.000.000"),
        ("en", "99999999999", "less than or equal to 1,000,000"),
        ("de", "0", "größer oder gleich 1"),
    ],
)
def test_a_number_beyond_its_limits_is_told_the_limit_as_people_write_it(admin_client, settings, language, typed, said):
    """An admin review: "Dieser Wert muss kleiner oder gleich 1000000 sein." Every admin number field reads and
    writes numbers in the admin's language (`LocalizedNumbersMixin`), the limits it tells as well."""
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = admin_client.post(reverse("admin:assessment_calibrationversion_run"), {"min_answers": typed})
    assert response.status_code == 400
    assert said in " ".join(response.content.decode().split())
