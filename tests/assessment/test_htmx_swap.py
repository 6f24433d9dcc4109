"""What htmx swaps in for a question carries what the page around the card needs: the tab title, and the
language switch's way back to the question shown (the URL htmx pushes), which the server still checks."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from assessment.models import Item

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def answer(client, assessment, step, **extra):
    item = Item.objects.get(pk=assessment.item_ids[step - 1])
    data = {"item": item.slug, "action": "answer", "option": item.options.first().value}
    return client.post(assessment.step_url(step), data, **extra)


def swapped_in(response) -> tuple[str, str]:
    """The title and the out-of-band `next` of a swapped question."""
    text = response.content.decode()
    title = re.fullmatch(r"<title>([^<]*)</title>", text.split("\n", 1)[0])
    next_input = re.search(
        r'<input type="hidden" name="next" value="([^"]*)" id="language-next" hx-swap-oob="true">', text
    )
    assert title and next_input, text
    return title.group(1), next_input.group(1)


def test_the_next_question_swapped_in_carries_its_title_and_its_url_for_the_language_switch(client, assessment):
    response = answer(client, assessment, 1, **HTMX)
    assert response.status_code == 200
    assert response["HX-Push-Url"] == assessment.step_url(2)
    assert swapped_in(response) == (f"Frage 2 von {assessment.total_steps} · Revierpfad", assessment.step_url(2))


def test_going_back_with_htmx_carries_the_earlier_questions_title_and_url(client, assessment):
    answer(client, assessment, 1)
    response = client.get(assessment.step_url(1), **HTMX)
    assert swapped_in(response) == (f"Frage 1 von {assessment.total_steps} · Revierpfad", assessment.step_url(1))


def test_a_missing_answer_swapped_in_keeps_the_title_and_the_url(client, assessment):
    response = client.post(assessment.step_url(1), {"action": "answer"}, **HTMX)
    assert response.status_code == 400
    assert swapped_in(response) == (f"Frage 1 von {assessment.total_steps} · Revierpfad", assessment.step_url(1))
    assert 'id="option-errors" role="alert" tabindex="-1"' in response.content.decode()


def test_the_full_page_has_one_title_in_the_head_and_the_language_switchs_next(client, assessment):
    text = client.get(assessment.step_url(3)).content.decode()
    assert text.count("<title>") == 1
    assert f"<title>Frage 3 von {assessment.total_steps} · Revierpfad</title>" in text
    assert f'<input type="hidden" name="next" value="{assessment.step_url(3)}" id="language-next">' in text
    assert "hx-swap-oob" not in text


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/a/", "javascript:alert(1)", "/\\evil.example"]
)
def test_the_language_switch_goes_back_only_within_the_site(client, assessment, next_url):
    response = client.post(reverse("set_language"), {"language": "en", "next": next_url})
    assert response.status_code == 302
    assert "evil" not in response["Location"] and "javascript" not in response["Location"]
    assert response["Location"].startswith("/")


def test_swapped_content_is_wired_by_htmx_in_the_moment_it_appears(settings):
    """htmx wires what it swaps in (a form's own hx-post, say) only once it has settled; with a settle delay
    a form pressed in that moment posts itself as a plain form and loads a whole page. The site-wide config
    has no delay, and no template asks for one."""
    templates = settings.BASE_DIR / "templates"
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", (templates / "base.html").read_text())
    assert config and json.loads(config.group(1))["defaultSettleDelay"] == 0
    delays = [str(path) for path in templates.rglob("*.html") if re.search(r'hx-swap="[^"]*settle:', path.read_text())]
    assert delays == []
