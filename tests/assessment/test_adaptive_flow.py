"""The adaptive test in the web flow: one question per page, the next one chosen when an answer is saved."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from assessment.adaptive import MAX_ITEMS, REMAINING_AFTER_SELF_RATINGS
from assessment.models import Answer, Assessment, Competency, Item, Option
from assessment.services import plan_after_answer, record_answer, reopen_to_sharpen, start_assessment
from assessment.views import ADAPTIVE_HALF_DONE_WITHIN
from tests.conftest import strongest

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def start(client) -> Assessment:
    client.post(reverse("assessment:start"))
    return Assessment.objects.get()


def item_at(assessment: Assessment, step: int) -> Item:
    assessment.refresh_from_db()
    return Item.objects.prefetch_related("options").get(pk=assessment.steps[step - 1])


def answer(client, assessment, step, choose=strongest, **extra):
    item = item_at(assessment, step)
    option = choose(item, list(item.options.all()))
    data = {"item": item.slug, "action": "answer" if option else "skip"}
    if option:
        data["option"] = option.value
    return client.post(assessment.step_url(step), data, **extra)


def run_to_the_end(client, assessment, choose=strongest, limit=40):
    for step in range(1, limit + 1):
        response = answer(client, assessment, step, choose)
        assert response.status_code == 302
        if response["Location"] == reverse("results", args=[assessment.token]):
            return step
    raise AssertionError("the adaptive test did not finish")


def test_the_self_ratings_come_first_and_each_next_question_is_stored_when_an_answer_is_saved(client):
    assessment = start(client)
    assert item_at(assessment, 1).kind == Item.Kind.SELF_RATING
    response = answer(client, assessment, 1)
    assert response["Location"] == assessment.step_url(2)
    assessment.refresh_from_db()
    assert len(assessment.asked_ids) == 2 and assessment.plan["reason"]
    before = list(assessment.asked_ids)
    for _ in range(3):  # showing a question page never re-plans
        assert client.get(assessment.step_url(2)).status_code == 200
    assessment.refresh_from_db()
    assert assessment.asked_ids == before


def test_the_page_says_about_how_many_questions_follow(client):
    assessment = start(client)
    text = client.get(assessment.step_url(1)).content.decode()
    assert "Frage 1 · noch etwa" in text
    assert "<progress" not in text  # no bar that could jump backwards


def progress_label(client, url) -> str:
    text = client.get(url).content.decode()
    found = re.search(r'<p class="progress-label" id="progress-label">([^<]*)</p>', text)
    assert found is not None
    return found.group(1)


def at_most_of(label: str) -> int:
    if label.endswith("die letzte"):
        return 0
    found = re.search(r"höchstens (?:noch )?(\d+)", label)
    assert found is not None, label
    return int(found.group(1))


def test_the_progress_never_counts_up(client):
    """Every label says at most how many questions can still come, from the first question on, and that falls by
    exactly one a question; beside it 'noch etwa N' falls while the estimate applies; once a session runs past
    the typical length (the estimate would rise) only the most is said, with why."""
    assessment = start(client)
    labels = []
    for step in range(1, MAX_ITEMS + 1):
        labels.append(progress_label(client, assessment.step_url(step)))
        response = answer(client, assessment, step)
        if response["Location"] == reverse("results", args=[assessment.token]):
            break
    assert [at_most_of(label) for label in labels] == [MAX_ITEMS - step for step in range(1, len(labels) + 1)]
    about = [int(m.group(1)) for label in labels if (m := re.search(r"noch etwa (\d+)", label))]
    assert about and all(later < earlier for earlier, later in zip(about, about[1:]))  # falls with every question
    # the simulated people's median after the self-ratings (bench/progress.py); the start page says at most 20
    assert about[0] == 10 + REMAINING_AFTER_SELF_RATINGS - 1
    assert about[0] < ADAPTIVE_HALF_DONE_WITHIN
    # the strongest answerer's roles stay close: the session runs on, and says only the most that can come
    first_open = next(i for i, label in enumerate(labels) if "der Test endet, sobald Ihr Ergebnis feststeht" in label)
    assert all("noch etwa" not in label for label in labels[first_open:])
    assert all("vielleicht" not in label for label in labels[first_open:])  # it said "maybe the last" 15 times
    if len(labels) == MAX_ITEMS:
        assert labels[-1] == f"Frage {MAX_ITEMS} · die letzte"


def test_an_estimate_that_would_not_fall_is_not_given_and_the_page_stays_open_ended(client):
    """The page gave "noch etwa 3" one question before (stored with the plan); the next plan's estimate is
    higher: the page says only the most that can still come, and goes on doing so when a later estimate is low."""
    assessment = start(client)
    answer(client, assessment, 1)
    assessment.refresh_from_db()
    estimate, asked = assessment.plan["shown_estimate"]
    assert estimate == assessment.plan["expected_remaining"] > 3 and asked == 1
    # the page before, settled: this plan's top three is less settled than that
    Assessment.objects.filter(pk=assessment.pk).update(
        plan=assessment.plan | {"shown_estimate": [3, 1], "stability": 1.0}
    )
    answer(client, assessment, 2)
    assessment.refresh_from_db()
    assert assessment.plan["open_ended"] and assessment.plan["shown_estimate"] == [3, 1]
    label = progress_label(client, assessment.step_url(3))
    assert "noch etwa" not in label and "höchstens noch 27 Fragen" in label
    withdrawn = "Ihre letzten Antworten haben Ihr Ergebnis offener gelassen als erwartet"
    assert withdrawn in client.get(assessment.step_url(3)).content.decode()  # why the estimate went, once
    Assessment.objects.filter(pk=assessment.pk).update(plan=assessment.plan | {"shown_estimate": [30, 1]})
    answer(client, assessment, 3)
    assessment.refresh_from_db()
    assert assessment.plan["open_ended"]  # once open-ended, to the end
    assert "noch etwa" not in progress_label(client, assessment.step_url(4))
    assert withdrawn not in client.get(assessment.step_url(4)).content.decode()


def test_an_estimate_withdrawn_while_the_result_is_as_settled_as_before_does_not_blame_the_answers(client):
    """A review was told "Ihre letzten Antworten haben Ihr Ergebnis offener gelassen als erwartet" in a session
    whose every plan was settled: the measured medians (`REMAINING_SETTLED`) do not fall by one a question, so the
    estimate itself was short. Nor does the page say the test will take longer: a review was told so and the test
    ended six questions before the most the page had given. It says what is known: from here it gives the most."""
    assessment = start(client)
    answer(client, assessment, 1)
    assessment.refresh_from_db()
    Assessment.objects.filter(pk=assessment.pk).update(
        plan=assessment.plan | {"shown_estimate": [3, 1], "stability": 0.0}  # the page before: not settled at all
    )
    answer(client, assessment, 2)
    assessment.refresh_from_db()
    assert assessment.plan["open_ended"] and assessment.plan["estimate_withdrawn"] == "longer"
    text = client.get(assessment.step_url(3)).content.decode()
    assert "Ab hier nennt die Seite nur noch, wie viele Fragen höchstens kommen" in text
    assert "länger" not in text
    assert "offener gelassen" not in text


@pytest.mark.parametrize(
    ("before", "now", "reason"),
    [
        (0.99, 0.9, "less settled"),
        (0.9, 0.5, "less settled"),
        (0.99, 0.96, "longer"),
        (0.5, 0.99, "longer"),
        (0.85, 0.85, "longer"),
        (0.3, 0.1, "longer"),
    ],
)
def test_why_an_estimate_is_withdrawn(before, now, reason):
    from assessment.adaptive import withdrawn_because

    assert withdrawn_because(before, now) == reason


def test_a_plan_stored_before_the_reason_was_keeps_its_sentence(client):
    assessment = start(client)
    answer(client, assessment, 1)
    assessment.refresh_from_db()
    Assessment.objects.filter(pk=assessment.pk).update(
        plan=assessment.plan | {"open_ended": True, "estimate_withdrawn": True}
    )
    assert "offener gelassen als erwartet" in client.get(assessment.step_url(2)).content.decode()


def test_it_finishes_after_at_most_thirty_questions_and_never_asks_twice(client):
    assessment = start(client)
    steps = run_to_the_end(client, assessment)
    assessment.refresh_from_db()
    assert assessment.is_finished and steps <= 30
    assert (
        len(set(assessment.asked_ids))
        == len(assessment.asked_ids)
        == Answer.objects.filter(assessment=assessment).count()
    )


def test_a_session_that_never_settles_ends_after_exactly_thirty_questions(client, monkeypatch):
    """The strongest answerer above settles long before the limit; here nothing settles (no top three stable, no
    tie called), so the limit alone ends the test, in the web flow."""
    from assessment import adaptive

    monkeypatch.setattr(adaptive, "TOP3_STABLE", 2.0)
    monkeypatch.setattr(adaptive, "TIE_SHARE", 2.0)
    assessment = start(client)
    assert run_to_the_end(client, assessment) == 30
    assessment.refresh_from_db()
    assert assessment.plan["reason"] == "question limit" and len(set(assessment.asked_ids)) == 30


def test_a_skipped_question_is_not_asked_again(client):
    assessment = start(client)
    skipped = item_at(assessment, 1)
    answer(client, assessment, 1, choose=lambda item, options: None)
    run_to_the_end(client, assessment)
    assessment.refresh_from_db()
    assert assessment.asked_ids.count(skipped.pk) == 1


def test_going_back_and_changing_an_answer_re_plans_the_question_still_open(client):
    from assessment import adaptive
    from assessment.services import _engine_inputs, answers_by_slug

    assessment = start(client)
    for step in range(1, 13):  # past the self-ratings
        answer(client, assessment, step)
    assessment.refresh_from_db()
    put = list(assessment.asked_ids[:12])
    weakest_rating = lambda item, options: min(options, key=lambda o: o.level)  # noqa: E731
    for step in range(1, 11):
        if item_at(assessment, step).kind == Item.Kind.SELF_RATING:
            answer(client, assessment, step, weakest_rating)
    assessment.refresh_from_db()
    assert assessment.asked_ids[:12] == put and len(assessment.asked_ids) == 13
    bank, roles, score_roles = _engine_inputs()
    answers = answers_by_slug(assessment)
    expected = adaptive.plan(
        bank,
        roles,
        {k: v for k, v in answers.items() if v is not None},
        {k for k, v in answers.items() if v is None},
        score_roles=score_roles,
    )
    assert Item.objects.get(pk=assessment.asked_ids[-1]).slug == expected.next_item  # planned on the new answers


def test_a_page_gone_back_to_offers_to_save_and_go_straight_to_the_question_still_open(client):
    """Changing question 3 of 13 led through the answered pages 4 to 12, each with its "Weiter", to the one still
    open."""
    assessment = start(client)
    for step in range(1, 13):
        answer(client, assessment, step)
    assessment.refresh_from_db()
    assert assessment.total_steps == 13
    button = 'name="action" value="answer-open"'
    page = client.get(assessment.step_url(3)).content.decode()
    assert button in page and "Speichern und weiter zu Frage 13" in page
    for step in (12, 13):  # "Weiter" leads there anyway, or it is the open question itself
        assert button not in client.get(assessment.step_url(step)).content.decode()
    item = item_at(assessment, 3)
    other = next(o for o in item.options.all() if o != strongest(item, list(item.options.all())))
    data = {"item": item.slug, "option": other.value, "action": "answer-open"}
    response = client.post(assessment.step_url(3), data)
    assessment.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == assessment.step_url(assessment.total_steps)
    assert Answer.objects.get(assessment=assessment, item=item).option == other  # saved on the way
    with_htmx = client.post(
        assessment.step_url(4), {**data, "item": item_at(assessment, 4).slug} | {"option": ""}, **HTMX
    )
    assert with_htmx.status_code == 400  # no answer chosen: refused on its page, as "Weiter" is
    item = item_at(assessment, 4)
    data = {"item": item.slug, "option": strongest(item, list(item.options.all())).value, "action": "answer-open"}
    swapped = client.post(assessment.step_url(4), data, **HTMX)
    assert swapped["HX-Push-Url"] == assessment.step_url(assessment.total_steps)


def test_with_htmx_the_next_question_is_swapped_in(client):
    assessment = start(client)
    response = answer(client, assessment, 1, **HTMX)
    assert response.status_code == 200
    assert response["HX-Push-Url"] == assessment.step_url(2)
    assert 'id="question-card"' in response.content.decode()


def test_resume_leads_to_the_open_question(client):
    assessment = start(client)
    answer(client, assessment, 1)
    answer(client, assessment, 2)
    response = client.get(assessment.resume_url())
    assert response["Location"] == assessment.step_url(3)


def test_sharpening_reopens_the_attempt_for_a_few_questions_where_the_ranges_are_widest(client):
    assessment = start(client)
    run_to_the_end(client, assessment)
    assessment.refresh_from_db()
    asked = len(assessment.asked_ids)
    assert reopen_to_sharpen(assessment)
    assert not assessment.is_finished and len(assessment.asked_ids) == asked + 1
    assert item_at(assessment, asked + 1).kind == Item.Kind.KNOWLEDGE
    labels = []
    for step in range(asked + 1, asked + 10):
        labels.append(progress_label(client, assessment.step_url(step)))
        response = answer(client, assessment, step)
        if response["Location"] == reverse("results", args=[assessment.token]):
            break
    assessment.refresh_from_db()
    assert assessment.is_finished and len(assessment.asked_ids) == asked + 5
    # the five questions are counted exactly: no "about", no "perhaps the last"
    assert labels == [f"Frage {asked + i} · noch {5 - i}" for i in range(1, 5)] + [f"Frage {asked + 5} · die letzte"]


def test_an_attempt_with_every_question_is_not_planned(client):
    client.post(reverse("assessment:start"), {"mode": "all"})
    assessment = Assessment.objects.get()
    assert plan_after_answer(assessment) is None
    assert not reopen_to_sharpen(assessment)


def test_the_sharpen_button_reopens_the_attempt_and_leads_to_the_next_question(client):
    assessment = start(client)
    run_to_the_end(client, assessment)
    assessment.refresh_from_db()
    response = client.post(reverse("assessment:sharpen", args=[assessment.token]))
    assessment.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == assessment.step_url(len(assessment.asked_ids))
    assert client.get(reverse("assessment:sharpen", args=[assessment.token])).status_code == 405
    again = client.post(reverse("assessment:sharpen", args=[assessment.token]), follow=True)  # an old tab
    assert again.redirect_chain[-1][0] == assessment.step_url(len(assessment.asked_ids))
    assert "keine Frage mehr, die dieses Ergebnis" not in again.content.decode()  # nor that nothing is left


def test_a_sharpening_can_end_early_with_the_answers_given_and_the_result_anew(client):
    """Once "Ergebnis schärfen" had begun, the result came back only after its last question."""
    from recommendations.models import StoredResult

    assessment = start(client)
    steps = run_to_the_end(client, assessment)
    client.get(reverse("results", args=[assessment.token]))
    first = StoredResult.objects.get(assessment=assessment).computed_at
    client.post(reverse("assessment:sharpen", args=[assessment.token]))
    assessment.refresh_from_db()
    page = client.get(assessment.step_url(steps + 1)).content.decode()
    end = reverse("assessment:end-sharpen", args=[assessment.token])
    assert f'action="{end}"' in page and "Ohne weitere Fragen zurück zum Ergebnis" in page
    answer(client, assessment, steps + 1)  # one more answer, then back
    assert Client(enforce_csrf_checks=True).post(end).status_code == 403  # only from the page's own form
    assessment.refresh_from_db()
    open_question = assessment.asked_ids[-1]
    response = client.post(end)
    assert response.status_code == 302 and response["Location"] == reverse("results", args=[assessment.token])
    assessment.refresh_from_db()
    assert assessment.is_finished and open_question not in assessment.asked_ids  # never counted as asked
    text = client.get(response["Location"]).content.decode()
    assert f"beruht auf {steps + 1} Antworten" in text
    assert StoredResult.objects.get(assessment=assessment).computed_at > first
    assert client.post(end)["Location"] == reverse("results", args=[assessment.token])  # sent again: no change
    unfinished = start_assessment()  # an attempt not being sharpened goes on where it stands
    assert client.post(reverse("assessment:end-sharpen", args=[unfinished.token]))["Location"] == (
        unfinished.resume_url()
    )


def test_the_result_says_how_many_answers_it_rests_on_and_offers_to_sharpen_it(client):
    assessment = start(client)
    steps = run_to_the_end(client, assessment)
    text = client.get(reverse("results", args=[assessment.token])).content.decode()
    assert f"beruht auf {steps} Antworten" in text
    assert reverse("assessment:sharpen", args=[assessment.token]) in text


def test_after_sharpening_the_stored_result_is_computed_anew(client):
    from recommendations.models import StoredResult

    assessment = start(client)
    run_to_the_end(client, assessment)
    client.get(reverse("results", args=[assessment.token]))
    first = StoredResult.objects.get(assessment=assessment).computed_at
    client.post(reverse("assessment:sharpen", args=[assessment.token]))
    assessment.refresh_from_db()
    for step in range(len(assessment.asked_ids), len(assessment.asked_ids) + 10):
        response = answer(client, assessment, step)
        if response["Location"] == reverse("results", args=[assessment.token]):
            break
    client.get(reverse("results", args=[assessment.token]))
    assert StoredResult.objects.get(assessment=assessment).computed_at > first


def test_skipping_an_answered_question_says_that_it_removes_the_answer(client):
    assessment = start(client)
    first = client.get(assessment.step_url(1)).content.decode()
    assert ">Überspringen</button>" in first
    answer(client, assessment, 1)
    back = client.get(assessment.step_url(1)).content.decode()  # going back to the answered question
    assert ">Überspringen und meine Antwort entfernen</button>" in back


def test_a_question_removed_while_it_is_open_is_replaced_by_the_next_one(client):
    """The adaptive test's open question is its last step; deleted by an admin, the page puts a new one in its place
    (before, the step redirected to itself without end)."""
    assessment = start(client)
    answer(client, assessment, 1)
    assessment.refresh_from_db()
    gone = assessment.steps[1]
    Item.objects.filter(pk=gone).delete()
    shown = client.get(assessment.step_url(2))  # a GET plans nothing: the page says why and goes on by a button
    assert shown.status_code == 410
    assessment.refresh_from_db()
    assert assessment.steps[1] == gone
    response = client.post(assessment.step_url(2))
    assessment.refresh_from_db()
    assert response.status_code == 302 and response.url == assessment.step_url(2)
    assert len(assessment.steps) == 2 and assessment.steps[1] != gone
    assert client.get(response.url).status_code == 200


def test_questions_added_to_the_bank_since_the_start_are_neither_asked_nor_counted(client):
    """They were passed to the planner as skipped, so they counted towards the limit of 30 and the progress: six
    added questions made the first answer the seventh question asked."""
    assessment = start(client)
    competency = Competency.objects.first()
    for n in range(6):
        item = Item.objects.create(
            slug=f"added-{n}",
            kind="knowledge",
            competency=competency,
            text_de="x",
            text_en="x",
            order=9990 + n,
            difficulty=2,
        )
        for v in range(3):
            Option.objects.create(item=item, value=f"o{v}", label_de="l", label_en="l", correct=v == 0)
    answer(client, assessment, 1)
    assessment.refresh_from_db()
    assert assessment.plan["items_asked"] == 1
    assert not Item.objects.filter(pk__in=assessment.steps, slug__startswith="added-").exists()


def test_an_answer_saved_while_the_plan_is_computed_has_it_computed_again(client, monkeypatch):
    """The plan is computed outside the row's lock (on SQLite a write transaction holds the whole database); an
    answer another tab saves meanwhile must not be overwritten by a plan made without it."""
    from assessment import services

    assessment = start(client)
    answer(client, assessment, 1)
    assessment.refresh_from_db()
    open_item = item_at(assessment, 2)
    real, calls = services._choose_next, []

    def with_another_tab(target, given, skipped):
        calls.append(set(given))
        if len(calls) == 1:  # the other tab answers the open question while this plan is computed
            record_answer(assessment, open_item, strongest(open_item, list(open_item.options.all())))
        return real(target, given, skipped)

    monkeypatch.setattr(services, "_choose_next", with_another_tab)
    plan_after_answer(assessment)
    assessment.refresh_from_db()
    assert len(calls) == 2 and open_item.slug in calls[1] and open_item.slug not in calls[0]
    assert len(assessment.steps) == 3 and assessment.steps[1] == open_item.pk  # the next question follows it


def test_a_share_link_says_the_result_is_being_updated_while_its_owner_sharpens_it(client):
    """It said "revoked, or never existed" (404) for as long as the owner answered the sharpening questions."""
    assessment = start(client)
    run_to_the_end(client, assessment)
    assessment.refresh_from_db()
    shared = reverse("shared-results", args=[assessment.share()])
    assert client.get(shared).status_code == 200
    client.post(reverse("assessment:sharpen", args=[assessment.token]))
    viewer = Client()
    response = viewer.get(shared)
    assert response.status_code == 409 and "Dieses Ergebnis wird gerade aktualisiert" in response.content.decode()
    client.post(reverse("assessment:end-sharpen", args=[assessment.token]))
    assert viewer.get(shared).status_code == 200
    assessment.revoke_share()
    assert "funktioniert nicht" in viewer.get(shared).content.decode()


def test_a_share_link_revoked_while_sharpening_stays_revoked_and_other_forms_say_why_nothing_happens(client):
    """Revoking while sharpening redirected to the questions and did nothing: after sharpening the "revoked" link
    worked again. Feedback sent from the results tab then was dropped without a word."""
    assessment = start(client)
    run_to_the_end(client, assessment)
    assessment.refresh_from_db()
    shared = reverse("shared-results", args=[assessment.share()])
    client.post(reverse("assessment:sharpen", args=[assessment.token]))
    response = client.post(reverse("share", args=[assessment.token]), {"action": "revoke"})
    assert response.status_code == 302 and response["Location"] == assessment.resume_url()
    client.post(reverse("assessment:end-sharpen", args=[assessment.token]))
    assert Client().get(shared).status_code == 404
    client.post(reverse("assessment:sharpen", args=[assessment.token]))
    for url, data in (
        (reverse("feedback", args=[assessment.token]), {"fits": "yes", "consent": "on"}),
        (reverse("share", args=[assessment.token]), {}),
        (reverse("results-recompute", args=[assessment.token]), {}),
    ):
        response = client.post(url, data)
        assert response.status_code == 409
        assert "Dieses Ergebnis wird gerade geschärft" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.share_token is None and assessment.feedback_given_at is None


def test_the_results_page_parts_htmx_asks_for_while_sharpening_say_why_in_place_or_go_to_the_questions(client):
    """A review: with JavaScript, the 409 page of a form sent while the result was being sharpened was a whole page,
    so htmx reloaded the address, which redirected to the questions: the course mark or the feedback was dropped
    without a word. And another role picked (an htmx GET) swapped the questions page into the learning path."""
    assessment = start(client)
    run_to_the_end(client, assessment)
    assessment.refresh_from_db()
    course = client.get(reverse("results", args=[assessment.token])).context["path_steps"][0][1]
    client.post(reverse("assessment:sharpen", args=[assessment.token]))
    htmx = {"HTTP_HX_REQUEST": "true"}
    for url, data, target in (
        (reverse("course-done", args=[assessment.token, course.slug]), {"done": "1"}, "learning-path"),
        (reverse("feedback", args=[assessment.token]), {"fits": "yes", "consent": "on"}, "feedback"),
    ):
        response = client.post(url, data, HTTP_HX_TARGET=target, **htmx)
        page = response.content.decode()
        assert response.status_code == 409 and "HX-Refresh" not in response
        assert page.lstrip().startswith(f'<section id="{target}"') and "<html" not in page
        assert "Dieses Ergebnis wird gerade geschärft" in page and assessment.resume_url() in page
    # a target the page does not have: the whole page, which htmx loads whole (HX-Refresh)
    response = client.post(reverse("feedback", args=[assessment.token]), {}, HTTP_HX_TARGET="<x>", **htmx)
    assert response.status_code == 409 and response["HX-Refresh"] == "true"
    picked = reverse("results", args=[assessment.token]) + "?role=it_architect"
    for url in (picked, reverse("results-review", args=[assessment.token])):
        response = client.get(url, **htmx)
        assert response["HX-Redirect"] == assessment.resume_url()
    from recommendations.models import CompletedCourse

    assert not CompletedCourse.objects.filter(assessment=assessment).exists()


def test_sharpening_chooses_and_judges_outside_the_rows_lock(client, monkeypatch):
    """On SQLite a write transaction holds the whole database: reopening to sharpen and ending it computed the plan
    (tens of milliseconds, seconds on a model's first load) inside one, so every other answer waited."""
    from django.db import connection

    from assessment import services

    assessment = start(client)
    run_to_the_end(client, assessment)
    assessment.refresh_from_db()
    outside = len(connection.atomic_blocks)  # the test's own transaction
    depths = []
    for name in ("_choose_next", "judged_plan"):
        real = getattr(services, name)

        def watched(*args, _real=real, **kwargs):
            depths.append(len(connection.atomic_blocks) - outside)
            return _real(*args, **kwargs)

        monkeypatch.setattr(services, name, watched)
    assert reopen_to_sharpen(assessment)
    assert services.end_sharpening(assessment) and assessment.is_finished
    assert depths and set(depths) == {0}


def test_a_page_gone_back_to_counts_only_the_questions_still_open(client):
    """Going back while sharpening read "Frage 2 · noch 33": every later page was counted, though all but the one
    put last were answered. What is open counts from the question put last, so every page gone back to reads alike,
    and says so: it said "noch etwa 15 (höchstens 25)" on two earlier pages in a row, as if each came next (a
    review). Ending or finishing sharpening now says that the result was computed anew."""
    assessment = start(client)
    for step in range(1, 9):  # among the self-ratings, where every session is given an estimate
        answer(client, assessment, step)
    assessment.refresh_from_db()
    last = assessment.total_steps
    ahead, back = progress_label(client, assessment.step_url(last)), progress_label(client, assessment.step_url(2))
    assert back.startswith(f"Frage 2 · eine frühere Frage; weiter geht es mit Frage {last} (noch")
    assert progress_label(client, assessment.step_url(3)) == back.replace("Frage 2", "Frage 3", 1)
    assert at_most_of(back) == at_most_of(ahead) + 1  # the open question, then what can follow it
    about = [int(m.group(1)) for label in (ahead, back) if (m := re.search(r"noch etwa (\d+)", label))]
    assert len(about) == 2 and about[1] == about[0] + 1
    run_to_the_end(client, assessment)
    client.post(reverse("assessment:sharpen", args=[assessment.token]))
    assessment.refresh_from_db()
    open_one = progress_label(client, assessment.step_url(assessment.total_steps))
    assert progress_label(client, assessment.step_url(2)) == (
        f"Frage 2 · eine frühere Frage; weiter geht es mit Frage {assessment.total_steps} "
        f"(noch {int(open_one.split()[-1]) + 1} offen)"
    )
    said = "Ihr Ergebnis wurde mit Ihren zusätzlichen Antworten neu berechnet."
    response = client.post(reverse("assessment:end-sharpen", args=[assessment.token]), follow=True)
    assert said not in response.content.decode()  # ended before any answer was added: nothing to say
    client.post(reverse("assessment:sharpen", args=[assessment.token]))
    assessment.refresh_from_db()
    answer(client, assessment, assessment.total_steps)
    response = client.post(reverse("assessment:end-sharpen", args=[assessment.token]), follow=True)
    assert said in response.content.decode()


def test_the_last_question_of_an_adaptive_test_finishes_rather_than_says_next(client):
    """A review: at "Frage 30 · die letzte" the button still said "Weiter"."""
    assessment = start(client)
    run_to_the_end(client, assessment)
    client.post(reverse("assessment:sharpen", args=[assessment.token]))
    for _ in range(10):
        assessment.refresh_from_db()
        page = client.get(assessment.step_url(assessment.total_steps)).content.decode()
        if progress_label(client, assessment.step_url(assessment.total_steps)).endswith("die letzte"):
            break
        answer(client, assessment, assessment.total_steps)
    assert "Abschließen und mein Profil ansehen" in page and ">Weiter<" not in page


def test_reopening_twice_at_once_leaves_one_open_question(client, monkeypatch):
    """Two "Ergebnis schärfen" clicks at once: the second is served while the first chooses its question outside
    the row's lock; the first then finds the attempt reopened and stores nothing of its own."""
    from assessment import services

    assessment = start(client)
    run_to_the_end(client, assessment)
    real, served = services._choose_next, []

    def while_the_other_click_is_served(target, given, skipped):
        decision = real(target, given, skipped)
        if not served:
            served.append(True)
            assert reopen_to_sharpen(Assessment.objects.get(pk=assessment.pk))
        return decision

    monkeypatch.setattr(services, "_choose_next", while_the_other_click_is_served)
    assert reopen_to_sharpen(Assessment.objects.get(pk=assessment.pk))
    after = Assessment.objects.get(pk=assessment.pk)
    answered = set(services.answered_item_ids(after))
    assert after.finished_at is None and len([pk for pk in after.asked_ids if pk not in answered]) == 1


def test_an_answer_saved_while_sharpening_ends_is_counted_in_the_stored_plan(client, monkeypatch):
    """Ending "Ergebnis schärfen" judges the result outside the row's lock; an answer another tab saves meanwhile is
    judged again, and the finished attempt holds no open question."""
    from assessment import services

    assessment = start(client)
    run_to_the_end(client, assessment)
    assessment.refresh_from_db()
    assert reopen_to_sharpen(assessment)
    real, answered_meanwhile = services.judged_plan, []

    def while_the_other_tab_answers(*args, **kwargs):
        if not answered_meanwhile:
            answered_meanwhile.append(True)
            answer(client, assessment, assessment.total_steps)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "judged_plan", while_the_other_tab_answers)
    assert services.end_sharpening(Assessment.objects.get(pk=assessment.pk))
    after = Assessment.objects.get(pk=assessment.pk)
    answered = set(services.answered_item_ids(after))
    assert after.finished_at is not None and after.plan["items_asked"] == len(answered)
    assert all(pk in answered for pk in after.asked_ids)


@pytest.mark.parametrize("sent", [{"item": "svc-self"}, {}], ids=["another question", "no question"])
@pytest.mark.parametrize("extra", [{}, HTMX], ids=["plain", "htmx"])
def test_an_answer_from_a_stale_tab_is_refused_once_and_the_question_shown_can_then_be_answered(client, sent, extra):
    """A second tab changed the open question: the first tab's answer was refused with 400, and the form shown again
    still carried the other question's slug, so every retry was refused the same way (and the other question's
    choice stood chosen on this one)."""
    assessment = start(client)
    for step in range(1, 12):
        answer(client, assessment, step)
    shown = item_at(assessment, 12)
    refused = client.post(assessment.step_url(12), {**sent, "option": "c", "action": "answer"}, **extra)
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Die Frage an dieser Stelle hat sich geändert, seit die Seite geladen wurde" in text
    assert f'name="item" value="{shown.slug}"' in text
    assert "checked" not in text  # nothing chosen for the person
    retry = answer(client, assessment, 12, **extra)  # as the person does: choose on the page shown and send
    assert retry.status_code in (200, 302)
    assert Answer.objects.filter(assessment=assessment, item=shown).exists()


@pytest.mark.parametrize("extra", [{}, HTMX], ids=["plain", "htmx"])
def test_an_answer_changed_on_a_page_gone_back_to_that_settles_the_test_ends_it(client, monkeypatch, extra):
    """The re-plan dropped the open question and asked nothing more, yet the person was led through every answered
    page ("vielleicht die letzte" on each) to the last, whose "Weiter" ended the test."""
    import dataclasses

    from assessment import adaptive

    assessment = start(client)
    for step in range(1, 14):
        answer(client, assessment, step)
    assessment.refresh_from_db()
    assert assessment.total_steps == 14 and assessment.finished_at is None  # question 14 is open
    real = adaptive.plan

    def settled(*args, **kwargs):
        return dataclasses.replace(real(*args, **kwargs), done=True, next_item=None, reason="top roles stable")

    monkeypatch.setattr(adaptive, "plan", settled)
    response = answer(client, assessment, 12, **extra)  # changed (or given again) on a page gone back to
    results = reverse("results", args=[assessment.token])
    assert response.status_code in (200, 302)
    assert (response.get("HX-Redirect") if extra else response["Location"]) == results
    assessment.refresh_from_db()
    assert assessment.finished_at is not None and assessment.total_steps == 13


def test_an_answer_changed_on_a_page_gone_back_to_leads_on_while_the_test_goes_on(client):
    assessment = start(client)
    for step in range(1, 14):
        answer(client, assessment, step)
    response = answer(client, assessment, 12)
    assert response["Location"] == assessment.step_url(13)


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("extra", [{}, HTMX], ids=["plain", "htmx"])
def test_a_question_past_the_open_one_says_why_it_is_not_asked_and_where_to_go_on(client, method, extra):
    """A stale tab on a question an earlier answer dropped (or the browser's Back button to it) got the site's 404,
    "nothing at this address", and the answer sent was lost without a word."""
    assessment = start(client)
    for step in range(1, 14):
        answer(client, assessment, step)
    send = getattr(client, method)
    response = send(assessment.step_url(20), {"item": "svc-k1", "option": "a", "action": "answer"}, **extra)
    assert response.status_code == 409
    text = response.content.decode()
    assert "Diese Frage gehört nicht zu Ihrem Test" in text
    assert f'href="{assessment.step_url(14)}"' in text and "Weiter mit Frage 14" in text
    assert ("nicht gespeichert" in text) == (method == "post")
    # with htmx the card in place of the question (a whole page had htmx reload it by GET, which lost the sentence)
    assert ("<html" not in text and "HX-Refresh" not in response) if extra else "<html" in text
    assert client.get(assessment.step_url(9999)).status_code == 404  # no test has that many questions


def test_a_result_refused_for_too_few_knowledge_answers_offers_to_sharpen_it(client):
    """Self-ratings answered and everything else skipped: the result said to start a new attempt and answer some
    knowledge questions, and did not offer the few more questions in this attempt that would do just that."""
    skip_checks = lambda item, options: options[-1] if item.kind == Item.Kind.SELF_RATING else None  # noqa: E731
    assessment = start(client)
    run_to_the_end(client, assessment, skip_checks)
    page = client.get(reverse("results", args=[assessment.token]))
    assert not page.context["reliable"]
    sharpen = reverse("assessment:sharpen", args=[assessment.token])
    assert sharpen in page.content.decode()
    opened = client.post(sharpen)
    assert opened.status_code == 302 and "/frage/" in opened["Location"]


def test_an_answer_from_a_stale_tab_to_an_answered_question_shows_its_own_answer_again(client):
    """The refused form dropped the question's earlier answer: nothing chosen, and the plain "Überspringen" button,
    which then deleted that answer without saying so."""
    assessment = start(client)
    for step in range(1, 6):
        answer(client, assessment, step)
    shown = item_at(assessment, 3)
    chosen = Answer.objects.get(assessment=assessment, item=shown).option
    refused = client.post(assessment.step_url(3), {"item": "nope", "option": "x", "action": "answer"})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert re.search(rf'value="{chosen.value}"[^>]*checked', text)
    assert "Überspringen und meine Antwort entfernen" in text


def test_ending_a_sharpening_reads_the_answered_questions_once(client, django_assert_max_num_queries):
    """Under the row's lock it read the answered questions once per question asked (21 of 33 queries for an attempt
    of 18 questions): on SQLite the whole database stays locked for writing meanwhile."""
    assessment = start(client)
    steps = run_to_the_end(client, assessment)
    client.post(reverse("assessment:sharpen", args=[assessment.token]))
    assessment.refresh_from_db()
    answer(client, assessment, steps + 1)
    assert steps >= 12
    with django_assert_max_num_queries(22):  # 20 here; 33 when it read them per question
        client.post(reverse("assessment:end-sharpen", args=[assessment.token]))
    assessment.refresh_from_db()
    assert assessment.is_finished


def test_sharpening_with_every_added_question_skipped_says_the_result_rests_on_the_same_answers(client):
    """A review: a question of "Ergebnis schärfen" skipped, then "Ohne weitere Fragen zurück zum Ergebnis", and the
    page said "Ihr Ergebnis wurde mit Ihren zusätzlichen Antworten neu berechnet" over the same answers. Also when
    the skipped question was the last one."""
    recalculated = "Ihr Ergebnis wurde mit Ihren zusätzlichen Antworten neu berechnet."
    unchanged = "Sie haben die zusätzlichen Fragen übersprungen; Ihr Ergebnis beruht deshalb auf denselben Antworten"
    assessment = start(client)
    run_to_the_end(client, assessment)
    client.post(reverse("assessment:sharpen", args=[assessment.token]))
    assessment.refresh_from_db()
    answer(client, assessment, assessment.total_steps, choose=lambda item, options: None)  # skipped
    text = client.post(reverse("assessment:end-sharpen", args=[assessment.token]), follow=True).content.decode()
    assert unchanged in text and recalculated not in text

    client.post(reverse("assessment:sharpen", args=[assessment.token]))  # every added question skipped to the last
    for _ in range(10):
        assessment.refresh_from_db()
        if assessment.is_finished:
            break
        response = answer(client, assessment, assessment.total_steps, choose=lambda item, options: None)
    text = client.get(response["Location"]).content.decode()
    assert unchanged in text and recalculated not in text
