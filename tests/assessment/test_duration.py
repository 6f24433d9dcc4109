"""What the start page says an assessment takes: measured from real attempts once there are enough, else
estimated from what there is to read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessment import duration
from assessment.models import Assessment, Item
from assessment.services import (
    finish_assessment,
    finished_sittings,
    forget_sittings,
    start_assessment,
    start_page_durations,
)
from assessment.views import ADAPTIVE_HALF_DONE_WITHIN


def test_the_estimate_reads_every_word_and_chooses_each_answer():
    assert duration.estimated_minutes([240, 240]) == pytest.approx(2 + 10 / 60)
    assert duration.typical_adaptive_words([100, 120], [10, 30, 50], 5) == [100, 120, 30, 30, 30]


def test_measured_sittings_replace_the_estimate_only_once_there_are_enough_and_only_one_sitting_each():
    few = [timedelta(minutes=9)] * (duration.MIN_MEASURED - 1)
    assert duration.duration(7.4, few) == duration.Duration(7, 0)
    resumed_next_day = [timedelta(days=1)] * 100
    assert duration.duration(7.4, few + resumed_next_day) == duration.Duration(7, 0)
    enough = few + [timedelta(minutes=13)] * 2
    assert duration.duration(7.4, enough) == duration.Duration(9, duration.MIN_MEASURED + 1)


def test_attempts_clicked_through_faster_than_anyone_reads_are_not_measured():
    """A review saw "etwa 1 Minuten" on the start page: the median counted attempts clicked through in seconds,
    whose results the results page itself refuses."""
    read = [timedelta(minutes=9)] * duration.MIN_MEASURED
    clicked = [timedelta(seconds=40)] * (2 * duration.MIN_MEASURED)
    assert duration.duration(8.0, read + clicked) == duration.Duration(9, duration.MIN_MEASURED)
    assert duration.duration(8.0, clicked) == duration.Duration(8, 0)  # the estimate, until enough were read
    assert duration.duration(8.0, [timedelta(minutes=2)] * duration.MIN_MEASURED).measured_from  # a quick reader


@pytest.mark.django_db
def test_the_shipped_questions_take_longer_to_read_than_twenty_seconds_each():
    """The start page said "about 5 minutes" for 15 questions (20 seconds each), while the ten self-ratings every
    adaptive test begins with hold some 1,300 words (their six level descriptions)."""
    times = start_page_durations("de", ADAPTIVE_HALF_DONE_WITHIN)
    assert times.adaptive.measured_from == times.every.measured_from == 0
    assert 7 <= times.adaptive.minutes <= 12 < times.every.minutes
    assert times.self_ratings == 10 and 5 <= times.self_rating_minutes < times.adaptive.minutes
    assert times.every.minutes > Item.objects.active().count() * 20 / 60


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["de", "en"])
def test_the_start_pages_minutes_add_up_at_one_pace(language):
    """A review read "nach 15–20 Fragen (etwa 8–10 Minuten)" beside "Alle 82 Fragen (etwa 35 Minuten)": at the first
    pace all 82 would take about 41. Every adaptive test begins with the self-ratings, the longest questions; with
    their share said, the rest of the adaptive test and the rest of the questionnaire go at one pace (to within the
    rounding to whole minutes), so a reader can check the one number against the other."""
    times = start_page_durations(language, ADAPTIVE_HALF_DONE_WITHIN)
    pace = (times.adaptive.minutes - times.self_rating_minutes) / (ADAPTIVE_HALF_DONE_WITHIN - times.self_ratings)
    the_rest = Item.objects.active().count() - times.self_ratings
    assert times.self_rating_minutes + pace * the_rest == pytest.approx(times.every.minutes, rel=0.1)


@pytest.mark.django_db
def test_the_start_page_says_whether_the_minutes_are_measured_or_estimated(client):
    """It says one number of questions half of the simulated people need at most, which both simulations bear
    out (medians 15 and 17-20, README "Measured"), not "15–20", a range of medians no one could check."""
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    times = start_page_durations("de", ADAPTIVE_HALF_DONE_WITHIN)
    said = (
        f"nach höchstens 20 Fragen fertig (etwa {times.adaptive.minutes} Minuten, davon etwa "
        f"{times.self_rating_minutes} für die 10 Selbsteinschätzungen am Anfang, die längsten Fragen; geschätzt aus "
        "der Lesezeit)"
    )
    assert (
        f"In unseren Simulationen von Personen mit dem Profil einer der Rollen, die Revierpfad kennt, ist die Hälfte "
        f"{said}, und niemand bekommt mehr als 30 Fragen:" in page
    )
    assert f"Alle 82 Fragen beantworten (etwa {times.every.minutes} Minuten)" in page
    now = timezone.now()
    for _ in range(duration.MIN_MEASURED):
        attempt = Assessment.objects.create(adaptive=True)
        Assessment.objects.filter(pk=attempt.pk).update(created_at=now - timedelta(minutes=11), finished_at=now)
    forget_sittings()  # as finishing them does (`finish_assessment`)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert f"etwa 11 Minuten, Median der letzten {duration.MIN_MEASURED} abgeschlossenen Durchgänge)" in page
    assert "ist die Hälfte nach höchstens 20 Fragen fertig" in page
    assert "Wessen Profil zu keiner Rolle deutlich passt, braucht deshalb oft fast alle 30 Fragen." in page


@pytest.mark.django_db
def test_the_start_page_reads_the_finished_attempts_once_until_another_finishes(client):
    """Every start page read up to 2,000 finished attempts to measure its minutes (9 ms of 12 with 2,500 on SQLite).
    They are read once into the shared cache; an attempt finishing makes the next start page read them anew, so
    the minutes it states count it."""

    def attempts_read() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/", HTTP_ACCEPT_LANGUAGE="de").status_code == 200
        return sum('"finished_at" >=' in query["sql"] for query in captured)

    assert attempts_read() == 1
    assert attempts_read() == 0
    attempt = start_assessment()
    Assessment.objects.filter(pk=attempt.pk).update(created_at=timezone.now() - timedelta(minutes=12))
    finish_assessment(attempt)
    assert attempts_read() == 1
    assert [round(s.total_seconds() / 60) for s in finished_sittings()[False]] == [12]
