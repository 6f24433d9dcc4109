"""The results page's posts (a course marked done, feedback, keeping, sharing, deleting, computing anew) have a
per-client limit of their own: most of them compute the learning path or the result again."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from assessment.models import Assessment
from assessment.services import start_assessment
from recommendations.models import CompletedCourse, ConfirmedOutcome
from tests.conftest import answer_all, at_level_one

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
FEEDBACK = {"fits": "partly", "role": "it_architect", "relation": "aims", "consent": "on"}


@pytest.fixture
def person():
    return answer_all(start_assessment(), at_level_one)


def results_url(assessment: Assessment, anchor: str = "") -> str:
    return reverse("results", args=[assessment.token]) + (f"#{anchor}" if anchor else "")


def done_url(client: Client, assessment: Assessment) -> str:
    """The address of the first "Erledigt" button of the page's learning path."""
    found = re.search(r'action="(/a/[^"]+/kurs/[^/]+/erledigt/)"', client.get(results_url(assessment)).content.decode())
    assert found is not None
    return found.group(1)


def resent_fields(text: str) -> list[tuple[str, str]]:
    """The hidden fields of the 429 page's "Noch einmal versuchen" form, without the form token."""
    form = re.search(r'<form method="post" action="[^"]*" class="resend">(.*?)</form>', text, re.S)
    assert form is not None
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(1))
    return [(name, unescape(value)) for name, value in fields if name != "csrfmiddlewaretoken"]


def test_a_client_over_the_limit_gets_a_page_that_sends_the_post_again_or_leads_back(settings, person):
    settings.RATELIMITS = {"results": (2, 600)}
    busy = Client(REMOTE_ADDR="203.0.113.20")
    course = done_url(busy, person)
    assert busy.post(course, {"done": "1"}).status_code == 302
    assert busy.post(course, {"done": "0"}).status_code == 302
    refused = busy.post(course, {"done": "1"})
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 600 + 600 // 2
    text = refused.content.decode()
    assert "<html" in text and "Zu viele Anfragen" in text  # a whole page, in the site's layout
    assert "Was Sie gerade gesendet haben, wurde nicht ausgeführt" in text
    assert not CompletedCourse.objects.filter(assessment=person).exists()  # the refused post changed nothing
    # "Noch einmal versuchen" posts the same again (the address takes no GET); the way back leads to the path
    assert f'action="{course}"' in text and resent_fields(text) == [("done", "1")]
    assert f'href="{results_url(person, "learning-path")}"' in text
    assert "nur der PDF-Download muss warten" not in text and "Antworten sind gespeichert" not in text
    # reading the results is not limited, nor is another client
    assert busy.get(results_url(person)).status_code == 200
    assert Client(REMOTE_ADDR="198.51.100.20").post(course, {"done": "1"}).status_code == 302

    settings.RATELIMITS = {"results": (100, 600)}  # the pause is over: the form sends it again
    assert busy.post(course, dict(resent_fields(text))).status_code == 302
    assert CompletedCourse.objects.filter(assessment=person).count() == 1


def test_with_htmx_refused_feedback_is_said_in_place_of_the_form_and_keeps_what_was_chosen(settings, person):
    settings.RATELIMITS = {"results": (1, 600)}
    busy = Client(REMOTE_ADDR="203.0.113.21")
    busy.cookies["django_language"] = "en"
    busy.post(reverse("share", args=[person.token]), {"action": "share"})
    url = reverse("feedback", args=[person.token])
    refused = busy.post(url, FEEDBACK, HTTP_HX_TARGET="feedback", **HTMX)
    assert refused.status_code == 429 and "HX-Refresh" not in refused  # swapped in, not the page reloaded
    text = refused.content.decode()
    assert "<html" not in text
    assert re.match(r'\s*<section id="feedback" class="errors" role="alert"', text)  # where the form was
    assert "Too many requests" in text and "what you just sent was not carried out" in text
    assert sorted(resent_fields(text)) == sorted(FEEDBACK.items())
    assert f'href="{results_url(person, "feedback")}"' in text
    assert not ConfirmedOutcome.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "back"),
    [
        ("results-recompute", {}, ""),
        ("share", {"action": "share"}, "keep-heading"),
        ("feedback", FEEDBACK, "feedback"),
        ("keep-in-account", {}, "keep-heading"),
        ("delete-results", {}, ""),
        ("results-path", {"role": "agile_coach"}, "learning-path"),
    ],
)
def test_the_results_pages_posts_count_together(settings, person, name, data, back):
    settings.RATELIMITS = {"results": (1, 600)}
    busy = Client(REMOTE_ADDR="203.0.113.22")
    busy.force_login(get_user_model().objects.create_user("kim@example.org", "kim@example.org", "x-9f3Kq!pw"))
    assert busy.post(done_url(busy, person), {"done": "1"}).status_code == 302
    refused = busy.post(reverse(name, args=[person.token]), data)
    assert refused.status_code == 429
    assert f'href="{results_url(person, back)}"' in refused.content.decode()
    person.refresh_from_db()  # nothing done: not kept, shared, deleted
    assert person.user_id is None and person.share_token is None
    # the delete page's confirmation still opens: only its post is counted
    assert busy.get(reverse("delete-results", args=[person.token])).status_code == 200
