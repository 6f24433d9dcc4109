"""Per-client rate limits on starting assessments and posting answers: a 429 with a clear page."""

from __future__ import annotations

import pytest
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse

from assessment.models import Answer, Assessment, Item
from assessment.services import start_assessment
from core import ratelimit

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
START = reverse("assessment:start")


@pytest.fixture
def small_limits(settings):
    settings.RATELIMITS = {"start": (3, 600), "answer": (2, 60)}
    return settings.RATELIMITS


def skip_step(client: Client, assessment: Assessment, step: int, **extra):
    item = Item.objects.get(pk=assessment.item_ids[step - 1])
    return client.post(assessment.step_url(step), {"item": item.slug, "action": "skip"}, **extra)


def test_a_client_over_the_start_limit_gets_429_while_another_client_does_not(small_limits):
    busy = Client(REMOTE_ADDR="203.0.113.5")
    for _ in range(3):
        assert busy.post(START).status_code == 302
    response = busy.post(START)
    assert response.status_code == 429
    # the rest of this 600 s window, then until a third of the three has faded from the sliding window
    assert 1 <= int(response["Retry-After"]) <= 600 + 600 // 3
    text = response.content.decode()
    assert "Zu viele Anfragen" in text
    assert "<html" in text  # a whole page with the site's layout
    assert "Antworten sind gespeichert" not in text  # nothing was answered: it said so to people not yet started
    assert Assessment.objects.count() == 3  # the refused start made nothing

    assert Client(REMOTE_ADDR="198.51.100.7").post(START).status_code == 302


def test_the_limit_page_speaks_english_after_the_switch(small_limits):
    busy = Client(REMOTE_ADDR="203.0.113.6")
    busy.post(reverse("set_language"), {"language": "en", "next": "/"})
    for _ in range(3):
        busy.post(START)
    response = busy.post(START)
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()


def test_with_htmx_the_answer_limit_is_explained_in_the_question_card(small_limits):
    person = Client(REMOTE_ADDR="203.0.113.8")
    assessment = start_assessment()
    assert skip_step(person, assessment, 1, **HTMX).status_code == 200
    assert skip_step(person, assessment, 2, **HTMX).status_code == 200
    response = skip_step(person, assessment, 3, **HTMX)
    assert response.status_code == 429
    assert response["Retry-After"]
    text = response.content.decode()
    assert 'id="question-card"' in text
    assert "<html" not in text
    assert "Zu viele Anfragen" in text
    assert assessment.step_url(3) in text  # a link back to the question
    assert "Ihre bisherigen Antworten sind gespeichert." in text
    assert Answer.objects.filter(assessment=assessment).count() == 2  # the refused answer was not stored
    # reading the questions is not limited
    assert person.get(assessment.step_url(3)).status_code == 200


def test_without_htmx_the_answer_limit_is_a_whole_page(small_limits):
    person = Client(REMOTE_ADDR="203.0.113.9")
    assessment = start_assessment()
    skip_step(person, assessment, 1)
    skip_step(person, assessment, 2)
    response = skip_step(person, assessment, 3)
    assert response.status_code == 429
    assert "<html" in response.content.decode()


def test_behind_a_trusted_proxy_each_forwarded_client_is_counted_on_its_own(small_limits, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    def via_proxy(address: str) -> Client:
        return Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=address)

    for _ in range(3):
        via_proxy("198.51.100.1").post(START)
    assert via_proxy("198.51.100.1").post(START).status_code == 429
    assert via_proxy("198.51.100.2").post(START).status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_limit(small_limits, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(3):
        Client(REMOTE_ADDR="203.0.113.10", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").post(START)
    forged = Client(REMOTE_ADDR="203.0.113.10", HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert forged.post(START).status_code == 429


def test_with_one_trusted_proxy_the_address_the_proxy_saw_counts():
    from django.test import RequestFactory, override_settings

    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.3")
    with override_settings(TRUSTED_PROXY_COUNT=1):
        assert ratelimit.client_ip(request) == "198.51.100.3"  # 1.2.3.4 was written by the client
    with override_settings(TRUSTED_PROXY_COUNT=0):
        assert ratelimit.client_ip(request) == "10.0.0.2"


def test_the_wait_is_until_one_more_request_fits():
    # 2 per 60 s; the windows are 60-120, 120-180 ...
    assert ratelimit.retry_after("test", "client", limit=2, seconds=60, now=100.0) is None
    assert ratelimit.retry_after("test", "client", limit=2, seconds=60, now=110.0) is None
    # a third before the window ends: both earlier ones still count until half of them have faded at 150
    assert ratelimit.retry_after("test", "client", limit=2, seconds=60, now=115.0) == 35
    assert ratelimit.retry_after("test", "client", limit=2, seconds=60, now=121.0) == 29  # a new window: no reset
    assert ratelimit.retry_after("test", "client", limit=2, seconds=60, now=150.0) is None  # as it said


def test_the_counters_hold_no_address(small_limits):
    from core.models import RateCounter

    Client(REMOTE_ADDR="203.0.113.44").post(START)
    keys = list(RateCounter.objects.values_list("key", flat=True))
    assert any("ratelimit:start" in key for key in keys)
    assert not any("203.0.113.44" in key for key in keys)


def test_when_the_cache_cannot_count_people_can_still_start(small_limits, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise DatabaseError("no such table: core_ratecounter")

    monkeypatch.setattr(ratelimit, "retry_after", broken)
    monkeypatch.setattr(ratelimit, "_warned_unavailable", False)
    busy = Client(REMOTE_ADDR="203.0.113.11")
    assert all(busy.post(START).status_code == 302 for _ in range(5))
    warnings = [r for r in caplog.records if "rate limits are not applied" in r.getMessage()]
    assert len(warnings) == 1  # said once, not on every request


def test_sharpening_a_result_is_not_counted_as_starting_one(settings):
    """An office behind one address may use up its starts; its people can still sharpen their results."""
    from tests.assessment.test_adaptive_flow import run_to_the_end, start

    office = Client(REMOTE_ADDR="203.0.113.9")
    assessment = start(office)
    run_to_the_end(office, assessment)
    settings.RATELIMITS = {"start": (1, 600), "answer": (240, 60)}
    assert office.post(START).status_code == 429  # its one start is used up
    response = office.post(reverse("assessment:sharpen", args=[assessment.token]))
    assert response.status_code == 302 and "/frage/" in response["Location"]


def test_a_client_downloading_pdfs_over_the_limit_gets_429(settings):
    """Each PDF costs about a second and a half of a worker: unlimited, 24 threads kept every worker busy and the
    start page took five seconds."""
    from tests.conftest import answer_all, strongest

    settings.RATELIMITS = {"pdf": (2, 600)}
    finished = answer_all(start_assessment(), strongest)
    pdf = reverse("results-pdf", args=[finished.token])
    busy = Client(REMOTE_ADDR="203.0.113.9")
    assert busy.get(pdf).status_code == 200
    assert busy.head(pdf).status_code == 200
    refused = busy.get(pdf)
    assert refused.status_code == 429 and "Retry-After" in refused
    text = refused.content.decode()
    assert "Antworten sind gespeichert" not in text  # nothing was being answered (it said so)
    assert "nur der PDF-Download muss warten" in text
    assert f'href="{reverse("results", args=[finished.token])}"' in text
    assert Client(REMOTE_ADDR="198.51.100.9").get(pdf).status_code == 200
