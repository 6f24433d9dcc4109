"""What the start page says an assessment takes: measured from real attempts once there are enough, else
estimated from what there is to read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from assessment import duration
from assessment.models import Assessment, Item
from assessment.services import start_page_durations
from assessment.views import ADAPTIVE_TYPICAL_MOST, ADAPTIVE_TYPICAL_QUESTIONS


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
    adaptive, longer, every = start_page_durations("de", (ADAPTIVE_TYPICAL_QUESTIONS, ADAPTIVE_TYPICAL_MOST))
    assert adaptive.measured_from == longer.measured_from == every.measured_from == 0
    assert 7 <= adaptive.minutes <= 12 and adaptive.minutes < longer.minutes < every.minutes
    assert every.minutes > Item.objects.active().count() * 20 / 60


@pytest.mark.django_db
def test_the_start_page_says_whether_the_minutes_are_measured_or_estimated(client):
    """It also says the range of questions simulated people need, not only the personas' median: a review's
    people needed 22, the project's own simulated role holders 17-20 (README "Measured")."""
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    fewest, most, _every = start_page_durations("de", (ADAPTIVE_TYPICAL_QUESTIONS, ADAPTIVE_TYPICAL_MOST))
    minutes = f"{fewest.minutes}–{most.minutes}"
    said = f"nach 15–20 Fragen fertig (etwa {minutes} Minuten, geschätzt aus der Lesezeit)"
    assert (
        f"In unseren Simulationen ist die Hälfte der simulierten Personen {said}, "
        "und niemand bekommt mehr als 30 Fragen:" in page
    )
    now = timezone.now()
    for _ in range(duration.MIN_MEASURED):
        attempt = Assessment.objects.create(adaptive=True)
        Assessment.objects.filter(pk=attempt.pk).update(created_at=now - timedelta(minutes=11), finished_at=now)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert f"etwa 11 Minuten, Median der letzten {duration.MIN_MEASURED} abgeschlossenen Durchgänge)" in page
    assert "In unseren Simulationen ist die Hälfte der simulierten Personen nach 15–20 Fragen fertig" in page
