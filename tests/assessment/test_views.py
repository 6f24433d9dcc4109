from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from assessment.models import Answer, Assessment, Item
from assessment.services import record_answer, start_assessment

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def first_item(assessment: Assessment) -> Item:
    return Item.objects.get(pk=assessment.item_ids[0])


def post_answer(client, assessment, step, value, item_slug=None, action="answer", **extra):
    item = Item.objects.get(pk=assessment.item_ids[step - 1])
    data = {"item": item_slug or item.slug, "action": action}
    if value is not None:
        data["option"] = value
    return client.post(assessment.step_url(step), data, **extra)


def test_the_start_page_says_what_it_is_and_that_it_asks_for_no_name(client):
    response = client.get("/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Ohne Anmeldung, ohne Namen, ohne E-Mail-Adresse." in text
    # not "anonymous": an attempt is stored under its link and can be kept in an account (pseudonymous, GDPR
    # recital 26), and the privacy notice rests on Art. 6 GDPR, which applies to personal data only
    assert "nonym" not in text.replace("pseudonym", "")
    assert reverse("assessment:start") in text


def test_with_every_question_withdrawn_the_start_page_says_so_and_starting_makes_no_attempt(client):
    """An admin deactivated every question: the page offered "Alle 0 Fragen beantworten", and a start led to a 404."""
    from assessment.models import Assessment, Item

    Item.objects.update(active=False)
    text = client.get("/").content.decode()
    assert "Die Fragen werden gerade überarbeitet" in text
    assert 'action="/start/"' not in text.replace(reverse("assessment:start"), "/start/")
    response = client.post(reverse("assessment:start"), follow=True)
    assert response.status_code == 200 and not Assessment.objects.exists()
    assert "Die Fragen werden gerade überarbeitet" in response.content.decode()


def test_the_start_page_tells_employers_that_the_works_council_has_a_say(client):
    text = client.get("/").content.decode()
    assert "<h2>Revierpfad am Arbeitsplatz einsetzen?</h2>" in text
    assert "§ 87 Abs. 1 Nr. 6 und § 94 BetrVG" in text and "Personalrat (§ 72 Abs. 3 LPVG NRW)" in text
    assert "kann technisch allerdings die Datenbank" in text  # what it does not promise


def test_starting_creates_an_anonymous_assessment_and_opens_the_first_question(client):
    response = client.post(reverse("assessment:start"))
    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == assessment.step_url(1)
    assert len(assessment.token) >= 32
    assert assessment.adaptive and assessment.total_steps == 1  # the adaptive test puts one question at a time
    assert len(assessment.item_ids) == Item.objects.active().count()


def test_all_questions_can_be_chosen_for_the_detailed_profile(client):
    client.post(reverse("assessment:start"), {"mode": "all"})
    assessment = Assessment.objects.get()
    assert not assessment.adaptive
    assert assessment.total_steps == Item.objects.active().count()


def test_a_question_page_shows_the_question_and_the_progress(client, assessment):
    response = client.get(assessment.step_url(1))
    assert response.status_code == 200
    text = response.content.decode()
    assert first_item(assessment).text_de in text
    assert f"1 von {assessment.total_steps}" in text or f"1 of {assessment.total_steps}" in text
    assert "<html" in text


def test_with_htmx_only_the_question_card_is_sent(client, assessment):
    response = client.get(assessment.step_url(2), **HTMX)
    text = response.content.decode()
    assert response.status_code == 200
    assert 'id="question-card"' in text
    assert "<html" not in text
    assert "HX-Request" in response["Vary"]


def test_answering_saves_the_answer_and_goes_to_the_next_question(client, assessment):
    item = first_item(assessment)
    value = item.options.first().value
    response = post_answer(client, assessment, 1, value)
    assert response.status_code == 302
    assert response["Location"] == assessment.step_url(2)
    answer = Answer.objects.get(assessment=assessment, item=item)
    assert answer.option.value == value


def test_with_htmx_answering_swaps_in_the_next_question_and_updates_the_address(client, assessment):
    option = first_item(assessment).options.first()
    assert option is not None
    value = option.value
    response = post_answer(client, assessment, 1, value, **HTMX)
    assert response.status_code == 200
    assert response["HX-Push-Url"] == assessment.step_url(2)
    second = Item.objects.get(pk=assessment.item_ids[1])
    assert second.text_de in response.content.decode()
    assert "<html" not in response.content.decode()


def test_skipping_records_a_skip_and_moves_on(client, assessment):
    response = post_answer(client, assessment, 1, None, action="skip")
    assert response.status_code == 302
    assert Answer.objects.get(assessment=assessment).option is None


def test_going_back_shows_the_earlier_answer_selected(client, assessment):
    value = first_item(assessment).options.last().value
    post_answer(client, assessment, 1, value)
    response = client.get(assessment.step_url(1))
    assert f'value="{value}"' in response.content.decode()
    assert "checked" in response.content.decode()


def test_a_second_answer_replaces_the_first_without_duplicates(client, assessment):
    options = list(first_item(assessment).options.all())
    post_answer(client, assessment, 1, options[0].value)
    post_answer(client, assessment, 1, options[0].value)  # a double submit
    post_answer(client, assessment, 1, options[1].value)  # another tab changes it
    answers = Answer.objects.filter(assessment=assessment)
    assert answers.count() == 1
    assert answers.get().option == options[1]


def test_the_last_answer_finishes_the_assessment_and_leads_to_the_results(client, assessment):
    for step in range(1, assessment.total_steps + 1):
        response = post_answer(client, assessment, step, None, action="skip")
    assessment.refresh_from_db()
    assert assessment.is_finished
    assert response["Location"] == reverse("results", args=[assessment.token])


def test_with_htmx_the_last_answer_redirects_the_whole_page(client, assessment):
    for step in range(1, assessment.total_steps):
        post_answer(client, assessment, step, None, action="skip")
    response = post_answer(client, assessment, assessment.total_steps, None, action="skip", **HTMX)
    assert response["HX-Redirect"] == reverse("results", args=[assessment.token])


def test_resume_link_leads_to_the_first_open_question(client, assessment):
    post_answer(client, assessment, 1, None, action="skip")
    post_answer(client, assessment, 2, None, action="skip")
    response = client.get(assessment.resume_url())
    assert response["Location"] == assessment.step_url(3)


# Bad input: a clear message, a 4xx, and no earlier answer lost.


def keep_earlier_answer(client, assessment) -> Answer:
    option = first_item(assessment).options.first()
    assert option is not None
    value = option.value
    post_answer(client, assessment, 1, value)
    return Answer.objects.get(assessment=assessment)


def test_it_rejects_an_option_that_is_not_the_questions(client, assessment):
    earlier = keep_earlier_answer(client, assessment)
    response = post_answer(client, assessment, 2, "not-an-option")
    assert response.status_code == 400
    assert "gehört nicht zu dieser Frage" in response.content.decode() or "does not belong" in response.content.decode()
    assert Answer.objects.filter(assessment=assessment).count() == 1
    assert Answer.objects.get(pk=earlier.pk).option_id == earlier.option_id


def test_it_rejects_an_answer_to_another_question(client, assessment):
    keep_earlier_answer(client, assessment)
    other = Item.objects.get(pk=assessment.item_ids[5])
    response = post_answer(client, assessment, 2, other.options.first().value, item_slug=other.slug)
    assert response.status_code == 400
    assert Answer.objects.filter(assessment=assessment).count() == 1


def test_it_asks_for_an_answer_when_none_was_chosen(client, assessment):
    response = post_answer(client, assessment, 1, None)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not Answer.objects.exists()


@pytest.mark.parametrize("extra", [{"HTTP_HX_REQUEST": "true"}, {}])
def test_a_tampered_action_is_refused_with_a_message_and_saves_nothing(client, assessment, extra):
    """Every refused field says why: an unknown action came back as a 400 with the question and no word."""
    item = Item.objects.prefetch_related("options").get(pk=assessment.item_ids[0])
    response = post_answer(client, assessment, 1, item.options.first().value, action="delete", **extra)
    assert response.status_code == 400
    alert = response.content.decode().split('id="option-errors"')[1].split("</div>")[0]
    assert "Bitte beantworten oder überspringen Sie die Frage mit den angezeigten Schaltflächen." in alert
    assert not assessment.answers.exists()


def test_an_htmx_error_is_shown_in_the_card(client, assessment):
    response = post_answer(client, assessment, 1, None, **HTMX)
    assert response.status_code == 400
    assert 'id="question-card"' in response.content.decode()
    assert "<html" not in response.content.decode()


def test_an_unknown_token_is_a_clear_404(client):
    response = client.get("/a/not-a-real-token/frage/1/")
    assert response.status_code == 404
    assert "Link" in response.content.decode() or "link" in response.content.decode()


def test_a_question_number_outside_the_assessment_is_a_404(client, assessment):
    assert client.get(assessment.step_url(assessment.total_steps + 1)).status_code == 404
    assert client.get(f"/a/{assessment.token}/frage/0/").status_code == 404


def test_a_finished_assessment_takes_no_more_answers(client, finished_assessment):
    before = list(Answer.objects.filter(assessment=finished_assessment).values_list("option_id", flat=True))
    response = post_answer(client, finished_assessment, 1, None, action="skip")
    assert response.status_code == 409
    assert reverse("results", args=[finished_assessment.token]) in response.content.decode()
    after = list(Answer.objects.filter(assessment=finished_assessment).values_list("option_id", flat=True))
    assert before == after


def test_a_get_where_a_post_belongs_is_a_clear_405(client):
    response = client.get(reverse("assessment:start"))
    assert response.status_code == 405
    assert "<h1>" in response.content.decode()


def test_a_post_without_csrf_token_is_refused(assessment):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(assessment.step_url(1), {"action": "skip", "item": first_item(assessment).slug})
    assert response.status_code == 403
    assert not Answer.objects.exists()


def test_the_profiles_old_address_leads_to_the_profile_stored_with_the_result(client, finished_assessment):
    """It scored the answers afresh, so after a recalibration it could differ from the result beside it."""
    response = client.get(reverse("assessment:profile", args=[finished_assessment.token]))
    results = reverse("results", args=[finished_assessment.token])
    assert response.status_code == 302 and response["Location"] == results + "#profile-heading"
    text = client.get(results).content.decode()
    assert text.count('class="score-row"') == 10
    assert "axis-marker" in text


def test_an_unfinished_assessment_has_no_profile_yet(client, assessment):
    response = client.get(reverse("assessment:profile", args=[assessment.token]))
    assert response.status_code == 302


def test_english_is_one_click_away(client, assessment):
    response = client.post(reverse("set_language"), {"language": "en", "next": assessment.step_url(1)})
    assert response.status_code == 302
    page = client.get(assessment.step_url(1)).content.decode()
    assert first_item(assessment).text_en in page
    assert '<html lang="en">' in page


def test_german_is_the_default(client, assessment):
    page = client.get(assessment.step_url(1)).content.decode()
    assert first_item(assessment).text_de in page
    assert '<html lang="de">' in page
    assert "Frage 1 von" in page


def test_a_new_assessment_does_not_take_over_the_old_one(client):
    first = start_assessment()
    client.post(reverse("assessment:start"))
    assert Assessment.objects.exclude(pk=first.pk).count() == 1


def test_german_stays_the_default_for_an_english_browser(client, assessment):
    page = client.get(assessment.step_url(1), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert '<html lang="de">' in page


def test_a_removed_last_question_leads_to_the_first_open_one_not_back_to_itself(client, assessment):
    """An admin may delete a question nobody has answered yet. At the last step that once redirected to itself
    without end (and the resume link led into the same loop)."""
    last = len(assessment.item_ids)
    Item.objects.filter(pk=assessment.item_ids[-1]).delete()
    for response in (client.get(assessment.step_url(last)), client.get(assessment.resume_url())):
        assert response.status_code == 302 and response.url == assessment.step_url(1)


def test_with_every_other_question_answered_a_removed_last_question_ends_at_the_result(client, assessment):
    for item in Item.objects.filter(pk__in=assessment.item_ids[:-1]):
        record_answer(assessment, item, None)
    Item.objects.filter(pk=assessment.item_ids[-1]).delete()
    url = assessment.step_url(len(assessment.item_ids))
    # a GET or HEAD (a link checker, a browser's prefetch) changes nothing: the page says why and goes on by a button
    for shown in (client.get(url), client.head(url), client.get(url, HTTP_HX_REQUEST="true")):
        assert shown.status_code == 410
    page = client.get(url).content.decode()
    assert "Diese Frage wurde entfernt" in page and f'<form method="post" action="{url}">' in page
    assessment.refresh_from_db()
    assert not assessment.is_finished
    response = client.post(url)
    assert response.status_code == 302 and response.url == reverse("results", args=[assessment.token])
    assessment.refresh_from_db()
    assert assessment.is_finished
    assert client.get(assessment.resume_url()).url == reverse("results", args=[assessment.token])


@pytest.mark.parametrize("htmx", [False, True])
def test_an_answer_before_a_removed_question_leads_past_it(client, assessment, htmx):
    """With htmx the answer's response carries the next question; removed since, it leads to its page, as without
    JavaScript, which goes on to the one after (of an attempt that asks every question; `_removed_question`)."""
    Item.objects.filter(pk=assessment.item_ids[1]).delete()
    first = Item.objects.prefetch_related("options").get(pk=assessment.item_ids[0])
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = post_answer(client, assessment, 1, first.options.all()[0].value, **extra)
    target = response["HX-Redirect"] if htmx else response.url
    assert target == assessment.step_url(2) and client.get(target).url == assessment.step_url(3)


def test_the_last_answer_sent_twice_leads_to_the_results_and_another_one_is_refused(client, finished_assessment):
    """A double click on the last question: the browser shows the second response, which was the "already
    finished" page (409) although the person had just finished."""
    last = finished_assessment.total_steps
    stored = Answer.objects.select_related("option").get(
        assessment=finished_assessment, item_id=finished_assessment.steps[last - 1]
    )
    results = reverse("results", args=[finished_assessment.token])
    again = post_answer(client, finished_assessment, last, stored.option.value)
    assert again.status_code == 302 and again["Location"] == results
    htmx = post_answer(client, finished_assessment, last, stored.option.value, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200 and htmx["HX-Redirect"] == results
    other = next(o.value for o in stored.item.options.all() if o.pk != stored.option_id)
    assert post_answer(client, finished_assessment, last, other).status_code == 409
    assert post_answer(client, finished_assessment, last, None, action="skip").status_code == 409


@pytest.mark.parametrize(
    ("accept", "offered"),
    [
        ("en-GB,en;q=0.9", True),  # English and no German: the page offers English, in English
        ("en", True),
        ("fr-FR,en;q=0.5", True),
        ("en-US,en;q=0.9,de;q=0.8", False),  # German too: German first, as the switch says
        ("de-DE,de;q=0.9,en;q=0.8", False),
        ("en-GB,de;q=0", True),  # German refused
        ("fr-FR", False),  # no English either: nothing to offer in a language the reader asked for
        ("", False),
        ("x" * 5000, False),  # nonsense
    ],
)
def test_a_browser_that_asks_for_english_and_not_german_is_offered_english_in_english(
    client, assessment, accept, offered
):
    page = client.get(assessment.step_url(1), HTTP_ACCEPT_LANGUAGE=accept).content.decode()
    assert '<html lang="de">' in page  # German first stays the default
    hint = 'lang="en">This page is in German. <button type="submit" form="language-switch" name="language" value="en"'
    assert (hint in page) == offered


def test_the_english_offer_goes_once_a_language_was_chosen_at_the_switch(client, assessment):
    for chosen in ("de", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = chosen
        page = client.get(assessment.step_url(1), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
        assert "This page is in German." not in page
    response = client.post(
        reverse("set_language"), {"language": "en", "next": assessment.step_url(1)}, HTTP_ACCEPT_LANGUAGE="en-GB"
    )
    assert response.status_code == 302 and response.url == assessment.step_url(1)
