"""The results page and the question page stay quick (issue 10) without showing anything stale.

The results page keeps the parts that depend only on the stored result, the content and the language
rendered in a per-process cache (`recommendations.presentation.fragment_keys`); the question page writes its
radio buttons out instead of rendering four widget templates per option. These tests check that the cached
page is the page, that nothing crosses languages, attempts or edits, and how much template work is left.
"""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.core.cache import caches
from django.template.base import FilterExpression
from django.urls import reverse

from assessment.forms import AnswerForm
from assessment.models import Competency, Item
from assessment.services import record_answer, start_assessment
from recommendations.models import Course, Role
from tests.conftest import answer_all, strongest, weakest

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=|"x-csrftoken": )"[^"]+"')


def page(client, url, **headers) -> str:
    """The page's HTML with its (per-request) form token masked."""
    response = client.get(url, **headers)
    assert response.status_code == 200
    return CSRF.sub(r'\1"-"', response.content.decode())


def results_url(assessment) -> str:
    return reverse("results", args=[assessment.token])


def uncached(client, url, **headers) -> str:
    caches["fragments"].clear()
    return page(client, url, **headers)


def resolutions(client, url) -> int:
    """How many template variables a GET of `url` resolves (the page's template work)."""
    original = FilterExpression.resolve
    calls = 0

    def counting(self, context, ignore_failures=False):
        nonlocal calls
        calls += 1
        return original(self, context, ignore_failures)

    with mock.patch.object(FilterExpression, "resolve", counting):
        assert client.get(url).status_code == 200
    return calls


@pytest.fixture
def expert(db):
    return answer_all(start_assessment(), strongest)


@pytest.fixture
def beginner(db):
    return answer_all(start_assessment(), weakest)


def test_the_results_page_from_the_cache_is_the_page_rendered_afresh(client, beginner):
    url = results_url(beginner)
    fresh = uncached(client, url)
    assert page(client, url) == fresh
    assert 'class="path-step' in fresh and 'class="score-row"' in fresh  # the cached parts are there


def test_the_other_language_gets_its_own_rendering(client, beginner):
    url = results_url(beginner)
    german = uncached(client, url)
    client.cookies["django_language"] = "en"
    english = page(client, url)
    assert "Your skills profile" in english and "Ihr Kompetenzprofil" not in english
    assert "The roles in detail" in english and "More on the course" in english
    assert english == uncached(client, url)
    client.cookies["django_language"] = "de"
    assert page(client, url) == german


def test_one_attempt_never_sees_the_cached_parts_of_another(client, expert, beginner):
    page(client, results_url(expert))  # fills the cache
    seen = page(client, results_url(beginner))
    assert seen == uncached(client, results_url(beginner))
    assert expert.token not in seen


def test_a_competency_renamed_in_the_admin_shows_at_once(client, beginner):
    url = results_url(beginner)
    page(client, url)
    competency = Competency.objects.order_by("section__order", "order").first()
    competency.name_de = "Frisch umbenannte Kompetenz"
    competency.save()
    assert "Frisch umbenannte Kompetenz" in page(client, url)


def test_a_course_changed_in_the_admin_shows_at_once_in_the_path(client, beginner):
    url = results_url(beginner)
    page(client, url)
    course = Course.objects.get(slug=client.get(url).context["path_steps"][0][1].slug)
    course.description_de = "Eine ganz neue Beschreibung des Kurses."
    course.save()
    assert "Eine ganz neue Beschreibung des Kurses." in page(client, url).replace("\xad", "")  # soft hyphens


def test_a_role_described_anew_in_the_admin_shows_at_once(client, expert):
    url = results_url(expert)
    page(client, url)
    role = client.get(url).context["fits"][-1][0]
    Role.objects.filter(pk=role.pk).update(description_de="Ganz neu beschriebene Rolle.")
    assert "Ganz neu beschriebene Rolle." in page(client, url)


def test_the_feedback_form_with_errors_is_not_the_cached_empty_one(client, expert):
    page(client, results_url(expert))  # the empty form is cached now
    response = client.post(reverse("feedback", args=[expert.token]), {"fits": "partly"})
    text = response.content.decode()
    assert response.status_code == 400
    assert "Ohne Ihre Einwilligung speichern wir nichts." in text
    assert re.search(r'value="partly"[^>]*checked', text)


def test_the_results_page_resolves_few_template_variables_once_its_parts_are_cached(client, beginner):
    url = results_url(beginner)
    client.get(url)
    # Rendered afresh the page resolves about 1,600 variables; from the cache about 500.
    assert resolutions(client, url) < 700


def test_the_question_page_writes_out_exactly_the_radio_buttons_django_renders(client, db):
    assessment = start_assessment(adaptive=False)
    item = Item.objects.prefetch_related("options").get(pk=assessment.steps[0])
    chosen = list(item.options.all())[1]
    record_answer(assessment, item, chosen)  # went back: the earlier answer is checked
    response = client.get(assessment.step_url(1))
    text = response.content.decode()
    form = AnswerForm(item=item, initial={"option": chosen.value})
    tags = [str(radio.tag()) for radio in form["option"]]
    assert tags and all(tag in text for tag in tags)
    assert text.count(" checked") == 1
    assert "django/forms/widgets/radio_option.html" not in [t.name for t in response.templates]
