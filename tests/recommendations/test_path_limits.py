"""Path limits on the results page: the picker's form stores them (POST), an address with them only shows them; htmx
updates the path in place."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from recommendations.models import Course, StoredResult
from recommendations.presentation import results_context
from tests.conftest import answer_all, choose_path, weakest

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def beginner(db):
    from assessment.services import start_assessment

    return answer_all(start_assessment(), weakest)


def url(assessment, **query):
    from urllib.parse import urlencode

    return reverse("results", args=[assessment.token]) + ("?" + urlencode(query) if query else "")


def test_limits_shorten_the_path_say_what_stays_open_and_are_stored(client, beginner):
    full = client.get(url(beginner))
    assert full.status_code == 200
    hours = full.context["path"].total_hours
    assert hours > 10
    limited = choose_path(client, beginner, max_hours="10", max_price_eur="")
    assert limited.status_code == 200
    path = limited.context["path"]
    assert path.total_hours <= 10 and path.max_hours == 10
    assert path.open_gaps and path.unlimited is not None
    text = limited.content.decode()
    assert "Within your limits" in text or "Innerhalb Ihrer Grenzen" in text
    document = StoredResult.objects.get(assessment=beginner).document
    assert document["path_options"] == {"max_hours": 10.0}
    again = client.get(url(beginner))  # stored: the next visit keeps them
    assert again.context["path"].max_hours == 10
    cleared = choose_path(client, beginner, max_hours="", max_price_eur="")
    assert cleared.context["path"].max_hours is None and cleared.context["path"].total_hours == hours


@pytest.mark.parametrize(
    ("language", "hours", "euros", "limits", "shown"),
    [
        ("de", "12,5", "1.000", (12.5, 1000.0), ("12,5", "1.000")),  # "1.000" was 1 euro; shown grouped again
        ("de", "12.5", "1.000,50", (12.5, 1000.5), ("12,5", "1.000,50")),
        ("en", "12.5", "1,000", (12.5, 1000.0), ("12.5", "1,000")),
        ("en", "12,5", "1 000", (12.5, 1000.0), ("12.5", "1,000")),
        ("de", "0.01", "-0", (0.01, 0.0), ("0,01", "0")),  # "0.01" was ten hours; "-0" was shown as such
        ("en", "0,01", "1,000.50", (0.01, 1000.5), ("0.01", "1,000.50")),
    ],
)
def test_numbers_are_read_as_people_write_them(client, beginner, language, hours, euros, limits, shown):
    client.cookies["django_language"] = language
    response = client.get(url(beginner, max_hours=hours, max_price_eur=euros))
    assert response.status_code == 200
    path = response.context["path"]
    assert (path.max_hours, path.max_price_eur) == limits
    text = response.content.decode()
    assert f'id="max-hours" name="max_hours" inputmode="decimal" autocomplete="off" value="{shown[0]}"' in text
    assert f'id="max-price" name="max_price_eur" inputmode="decimal" autocomplete="off" value="{shown[1]}"' in text


@pytest.mark.parametrize("value", ["-1", "abc", "1e400", "1e3", "Infinity", "1_000", "NaN", "9" * 40, "0.0000000001"])
def test_a_limit_that_is_no_number_is_a_clear_400_and_keeps_the_path(client, beginner, value):
    before = client.get(url(beginner)).context["path"]
    response = client.get(url(beginner, max_hours=value))
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert response.context["path"].total_hours == before.total_hours
    # What was typed stays, to be corrected (at most 40 characters of it)
    shown = re.search(r'<input type="text" id="max-hours"[^>]* value="([^"]*)"', response.content.decode()).group(1)
    assert shown == value[:40]


@pytest.mark.parametrize(
    ("language", "value", "message"),
    [
        ("de", "1e3", "Bitte eine Zahl eingeben, z.\u00a0B. 12,5 oder 1.500."),  # was read as 1.000
        ("de", "2,000.50", "Bitte eine Zahl eingeben, z.\u00a0B. 12,5 oder 1.500."),
        ("de", "1,500", "Bitte höchstens zwei Nachkommastellen angeben (Tausender wie in 1.500)."),
        ("en", "1e3", "Enter a number, e.g. 12.5 or 1,500."),
        ("en", "1.500", "Enter at most two decimals (thousands as in 1,500)."),
    ],
)
def test_a_refused_limit_says_how_to_write_a_number(client, beginner, language, value, message):
    """Django's own messages did not say how the page reads a number ("Bitte sicherstellen, dass der Wert
    höchstens 2 Dezimalstellen enthält." for a German "1,500"), and "1e3" was taken as 1.000 hours."""
    client.cookies["django_language"] = language
    response = client.get(url(beginner, max_hours=value))
    assert response.status_code == 400
    errors = re.search(r'<div class="errors" role="alert" id="limits-errors".*?</div>', response.content.decode(), re.S)
    assert errors and message in errors.group(0)


@pytest.mark.parametrize(
    ("language", "message", "kept"),
    [
        ("de", "Bitte eine Zahl bis höchstens 10.000 eingeben.", "Keine der beiden wurde geändert."),
        ("en", "Enter a number no larger than 10,000.", "neither was changed."),
    ],
)
def test_a_limit_too_large_says_the_largest_as_people_write_it_and_that_no_limit_changed(
    client, beginner, language, message, kept
):
    """Django wrote the limit as a machine does ("kleiner oder gleich 10000"); and a valid limit beside a refused
    one still stood in its field while the path ignored it, without a word."""
    client.cookies["django_language"] = language
    choose_path(client, beginner, max_hours="", max_price_eur="500")  # the path's limits before
    response = choose_path(client, beginner, max_hours="10001", max_price_eur="12")
    assert response.status_code == 400
    errors = re.search(r'<div class="errors" role="alert" id="limits-errors".*?</div>', response.content.decode(), re.S)
    assert errors and message in errors.group(0) and kept in errors.group(0)
    assert response.context["path"].max_price_eur == 500 and response.context["path"].max_hours is None


def test_with_htmx_only_the_path_is_sent(client, beginner):
    response = client.get(url(beginner, max_hours="8"), **HTMX)
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="learning-path"' in text and "<html" not in text


def test_a_euro_limit_takes_no_course_whose_price_is_not_known_and_says_so(client, beginner):
    full = client.get(url(beginner)).context["path"]
    assert full.courses_price_on_request  # the shipped catalogue prices most courses on request
    response = client.get(url(beginner, max_price_eur="0"))
    path = response.context["path"]
    assert all(step.course.price_eur == 0 for step in path.steps)
    text = response.content.decode()
    assert "Kurse ohne bekannten Preis außen vor" in text
    # what the limit leaves open is told apart from what no course closes whatever the limits
    limited, uncovered = response.context["open_gaps"], response.context["uncovered_gaps"]
    assert not set(limited) & set(uncovered)
    assert len(limited) + len(uncovered) == len(path.open_gaps)
    assert limited and path.unlimited is not None


def test_a_euro_limit_says_when_no_course_that_costs_money_has_a_known_price(client, beginner):
    """The shipped catalogue knows the price of no course above 0 euros, and some prices not at all: a limit of 0 and
    one of 100.000 euros gave the same path of free courses, without a word why (a review). The page, its limits'
    hint and the PDF say so; once a course has a price above 0 euros, they do not."""
    sentence = "der Pfad enthält daher nur kostenlose Kurse, wie hoch die Grenze auch ist."
    hint = "Euro-Grenze lässt daher nur die kostenlosen Kurse zu."
    assert not Course.objects.filter(active=True, price_eur__gt=0).exists()
    cheap, rich = client.get(url(beginner, max_price_eur="0")), client.get(url(beginner, max_price_eur="100000"))
    assert [s.course.slug for s in cheap.context["path"].steps] == [s.course.slug for s in rich.context["path"].steps]

    def text(response) -> str:
        return response.content.decode().replace("\u00ad", "")  # long words come with soft hyphens

    for response in (cheap, rich):
        assert sentence in text(response) and hint in text(response)
    context, _status = results_context(beginner, query={"max_price_eur": "100000"})
    pdf_text = render_to_string("recommendations/result_pdf.html", {**context, "stylesheet": ""}).replace("\u00ad", "")
    assert sentence in pdf_text
    assert hint in text(client.get(url(beginner)))  # the hint beside the field, before any limit
    Course.objects.filter(slug="psm-i").update(price_eur=200, updated_at=timezone.now())  # as a bulk update must
    priced = text(client.get(url(beginner, max_price_eur="100000")))
    assert sentence not in priced and hint not in priced


def test_a_limit_no_course_fits_says_the_path_has_no_step_and_why(client, beginner):
    """A limit of 1,5 hours (or one carried over from another role) left only "these gaps stay open" and no word
    where the steps would be: it read as a broken page (a review). Page and PDF say no course fits the limits."""
    response = client.get(url(beginner, role="it_service_manager", max_hours="1,5"))
    assert response.context["path_settled"] and not response.context["path_steps"]
    assert response.context["path"].open_gaps
    text = response.content.decode().replace("\u00ad", "")
    assert "Kein Kurs des Katalogs passt in Ihre Grenzen oben, daher hat der Pfad keinen Schritt." in text
    context, _status = results_context(beginner, "it_service_manager", query={"max_hours": "1,5"})
    pdf_text = render_to_string("recommendations/result_pdf.html", {**context, "stylesheet": ""}).replace("\u00ad", "")
    assert "Kein Kurs des Katalogs passt in Ihre Grenzen, daher hat der Pfad keinen Schritt." in pdf_text
    unlimited = client.get(url(beginner, role="it_service_manager", max_hours="")).content.decode()
    assert "daher hat der Pfad keinen Schritt" not in unlimited


def test_without_limits_an_open_gap_is_one_no_course_closes_or_one_beyond_the_paths_length(client, beginner):
    """A beginner's path of 12 courses said "no course in the catalogue closes these gaps" of gaps the catalogue
    closes: the path's length left them open, and marking courses done moves the path on to them. (A role whose
    path from nothing takes more than 12 courses: the project manager.)"""
    response = client.get(url(beginner, role="it_project_manager"))
    path, text = response.context["path"], response.content.decode()
    assert response.context["open_gaps"] == [] and response.context["uncovered_gaps"] == []
    assert len(path.steps) == 12 and len(response.context["long_gaps"]) == len(path.open_gaps) > 0
    assert "höchstens 12 Kurse; danach sind diese Lücken noch offen" in text
    assert "Noch schließt kein Kurs" not in text
    left = len(path.open_gaps)  # said in the summary at the top too
    assert (f"Danach bleiben {left} Lücken offen." if left > 1 else "Danach bleibt 1 Lücke offen.") in text


def test_a_limit_no_course_keeps_never_reads_as_if_nothing_were_missing(client, beginner):
    """With "at most 5 hours" no course fit, and the page and the PDF said "you already meet every requirement"."""
    response = choose_path(client, beginner, max_hours="5")
    text = response.content.decode()
    path = response.context["path"]
    assert not path.steps and path.open_gaps
    assert "Sie erfüllen jede Anforderung" not in text
    # the summary at the top blames the limits, not the catalogue (a review: "no course fits" with a 35-hour path
    # there without them)
    role = response.context["target_role"].name
    said = f"Innerhalb Ihrer Grenzen passt kein Kurs auf dem Weg zur Rolle {role}: {len(path.open_gaps)} Lücken"
    assert said in text.replace("\u00ad", "")
    assert response.context["open_gaps"] and "Innerhalb Ihrer Grenzen bleiben diese Lücken offen" in text
    context, _status = results_context(beginner)  # the stored path, with the limit, as the PDF is rendered from
    pdf_html = render_to_string("recommendations/result_pdf.html", {**context, "stylesheet": ""})
    assert "Sie erfüllen jede Anforderung" not in pdf_html and "Innerhalb Ihrer Grenzen" in pdf_html
    # the PDF says which limits those are (it said only that gaps stay open within them)
    assert "Ihr Zeit- und Kostenrahmen: höchstens 5 Stunden</p>" in pdf_html


def test_what_the_limits_leave_open_is_said_before_the_steps_on_the_page_and_in_the_pdf(client, beginner):
    """Below a path of courses, "Innerhalb Ihrer Grenzen bleiben diese Lücken offen: IT-Architektur" read as a
    note after the steps, not as the reason the path misses the role's core (a product review)."""
    response = choose_path(client, beginner, max_hours="10", max_price_eur="0")
    path, text = response.context["path"], response.content.decode()
    assert path.steps and response.context["open_gaps"]
    steps = text.index('<ol class="path-steps">')
    assert text.index("Innerhalb Ihrer Grenzen bleiben diese Lücken offen") < steps
    assert text.index("Kurse ohne bekannten Preis") < steps
    context, _status = results_context(beginner)
    pdf_html = render_to_string("recommendations/result_pdf.html", {**context, "stylesheet": ""})
    assert pdf_html.index("Innerhalb Ihrer Grenzen bleiben diese Lücken offen") < pdf_html.index("<ol>")


def test_a_limit_that_restricts_nothing_is_not_blamed_for_the_gaps_after_twelve_courses(client, beginner):
    response = client.get(url(beginner, role="it_project_manager", max_hours="5000"))
    path, text = response.context["path"], response.content.decode()
    assert path.max_hours == 5000 and len(path.steps) == 12 and path.open_gaps and path.unlimited is None
    assert response.context["open_gaps"] == [] and response.context["long_gaps"]
    assert "Innerhalb Ihrer Grenzen" not in text and "höchstens 12 Kurse" in text


@pytest.mark.parametrize(
    ("language", "hint", "hours", "euros"),
    [
        ("de", "Zahlen wie üblich, z.\u00a0B. 12,5 Stunden oder 1.500 Euro.", "12,5", "1.500"),
        ("en", "Numbers as usual, e.g. 12.5 hours or 1,500 euros.", "12.5", "1,500"),
    ],
)
def test_the_limits_say_how_a_number_is_read_and_read_it_so(client, beginner, language, hint, hours, euros):
    """A review typed "1.50" and "1.500" and could not tell from the page how either was read: the fields say it,
    with an example of each kind, and read the examples as they say."""
    from assessment.models import Assessment

    Assessment.objects.filter(pk=beginner.pk).update(language=language)  # the page opens in the attempt's language
    person = Assessment.objects.get(pk=beginner.pk)
    page = client.get(url(person)).content.decode()
    said = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert hint.replace("\u00a0", " ") in said.replace("\u00a0", " ")
    assert page.count('aria-describedby="limits-hint"') == 2  # both fields point to it
    path = client.get(url(person, max_hours=hours, max_price_eur=euros)).context["path"]
    assert (path.max_hours, path.max_price_eur) == (12.5, 1500)
