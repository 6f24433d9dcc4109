"""What the pages of a finished adaptive attempt say about the questions it asked and how sure its result is."""

from __future__ import annotations

import html
import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import override

from assessment import adaptive
from assessment.adaptive import MAX_ITEMS
from assessment.models import Answer, Assessment, Item
from assessment.presentation import RUNNER_UP_NAMED, SHARPENING_NOTED, AnswerReview, result_sureness
from core.numbers import whole_percent
from recommendations.models import Role, StoredResult
from recommendations.presentation import results_context
from tests.conftest import strongest

pytestmark = pytest.mark.django_db
SURE = re.compile(
    r"Zu Ihren Antworten passen viele Profile; in (\d+)\u00a0% davon gehört die erste Rolle zu "
    r"den besten drei(?:, in (\d+)\u00a0% steht sie vorn)?\."
    r"|Zu Ihren Antworten passen viele Profile; in (jedem) der \d+ daraus gezogenen gehört die "
    r"erste Rolle zu den besten drei(?:, in (\d+)\u00a0% davon steht sie vorn)?\."
    r"|Zu Ihren Antworten passen viele Profile; in (jedem) der \d+ daraus gezogenen steht die erste Rolle vorn\."
)


def share_said(text: str) -> int:
    """The share of plausible profiles the page says keep the first role among the best three (every one: 100)."""
    found = SURE.search(text)
    assert found is not None, text
    return 100 if found.group(3) or found.group(5) else int(found.group(1))


def first_said(text: str) -> int | None:
    """The share the page says put the first role first (every one: 100); None where it does not say."""
    found = SURE.search(text)
    assert found is not None, text
    if found.group(5):
        return 100
    said = found.group(2) or found.group(4)
    return None if said is None else int(said)


def share_of(stability: float) -> int:
    return 100 if stability >= 1 else whole_percent(100 * stability)


def start(client, **data) -> Assessment:
    client.post(reverse("assessment:start"), data)
    return Assessment.objects.get()


def answer(client, assessment, step, choose=strongest):
    assessment.refresh_from_db()
    item = Item.objects.prefetch_related("options").get(pk=assessment.steps[step - 1])
    option = choose(item, list(item.options.all()))
    data = {"item": item.slug, "action": "answer" if option else "skip"}
    if option:
        data["option"] = option.value
    return client.post(assessment.step_url(step), data)


def run_to_the_end(client, assessment, choose=strongest, first=1) -> int:
    results = reverse("results", args=[assessment.token])
    for step in range(first, first + 40):
        if answer(client, assessment, step, choose)["Location"] == results:
            return step
    raise AssertionError("the adaptive test did not finish")


def skip_the_first_knowledge_check(item, options):
    if item.kind == Item.Kind.KNOWLEDGE and not Answer.objects.filter(item__kind=Item.Kind.KNOWLEDGE).exists():
        return None
    return strongest(item, options)


def test_the_answers_page_of_an_adaptive_attempt_lists_only_the_questions_it_asked(client):
    assessment = start(client)
    run_to_the_end(client, assessment, choose=skip_the_first_knowledge_check)
    asked = Answer.objects.filter(assessment=assessment, item__kind=Item.Kind.KNOWLEDGE)
    skipped = asked.filter(option__isnull=True).count()
    knowledge = Item.objects.filter(pk__in=assessment.item_ids, kind=Item.Kind.KNOWLEDGE).count()
    not_asked = knowledge - asked.count()
    assert skipped == 1 and not_asked > 0
    text = client.get(reverse("results-review", args=[assessment.token])).content.decode()
    assert text.count("<details>") == asked.count()
    assert text.count("– Übersprungen") == skipped  # the explicit skip, and nothing never asked
    assert f"{not_asked} weitere Wissensfragen wurden nicht gestellt." in text
    with override("en"):
        assert (
            AnswerReview(not_asked=not_asked).not_asked_note == f"{not_asked} more knowledge questions were not asked."
        )


def test_the_answers_page_of_an_attempt_with_every_question_still_lists_them_all(client):
    assessment = start(client, mode="all")
    answer(client, assessment, 1)
    Assessment.objects.filter(pk=assessment.pk).update(finished_at="2026-12-01T10:00:00Z")
    knowledge = Item.objects.filter(pk__in=assessment.item_ids, kind=Item.Kind.KNOWLEDGE).count()
    text = client.get(reverse("results-review", args=[assessment.token])).content.decode()
    assert text.count("<details>") == knowledge and text.count("– Übersprungen") >= knowledge - 1
    assert 'class="not-asked"' not in text
    profile = client.get(reverse("results", args=[assessment.token])).content.decode()
    # in the adaptive test's words: one form for both ("82 von 82 Antworten" here, "13 beantworteten Fragen" there)
    assert "Auf Grundlage von 1 beantworteten Frage." in profile and "Antworten. Jede Stufe" not in profile


def test_a_result_stopped_by_the_question_limit_says_how_sure_it_is_and_that_the_limit_stopped_it(client, monkeypatch):
    monkeypatch.setattr(adaptive, "TOP3_STABLE", 2.0)  # no top three ever settles: the limit ends the test
    assessment = start(client)
    steps = run_to_the_end(client, assessment)
    assert steps == MAX_ITEMS
    assessment.refresh_from_db()
    assert assessment.plan["reason"] == "question limit" and 0 < assessment.plan["stability"] <= 1
    text = client.get(reverse("results", args=[assessment.token])).content.decode()
    assert f"Dieses Ergebnis beruht auf {steps} Antworten." in text
    assert share_said(text) == share_of(assessment.plan["stability"])
    assert first_said(text) == share_of(assessment.plan["best_share"])  # how often it comes first, too
    assert f"die Höchstzahl von {MAX_ITEMS} Fragen erreicht war" in text
    assert f"Auf Grundlage von {steps} beantworteten Fragen." in text and "von 72" not in text
    with override("de"):
        context, _ = results_context(assessment)
        pdf_html = render_to_string("recommendations/result_pdf.html", {**context, "stylesheet": ""})
    assert f"Dieses Ergebnis beruht auf {steps} Antworten." in pdf_html  # the PDF says it too
    assert share_said(pdf_html) == share_of(assessment.plan["stability"])


def test_a_sharpened_result_still_says_how_sure_it_is_and_how_sure_it_was_before(client):
    assessment = start(client)
    steps = run_to_the_end(client, assessment)
    assessment.refresh_from_db()
    before = assessment.plan["stability"]
    client.post(reverse("assessment:sharpen", args=[assessment.token]))
    assessment.refresh_from_db()
    assert assessment.plan["stability_before_sharpening"] == before  # kept from the finished plan on reopening
    run_to_the_end(client, assessment, first=steps + 1)
    assessment.refresh_from_db()
    assert assessment.plan["reason"] == "sharpened" and 0 < assessment.plan["stability"] <= 1
    assert assessment.plan["stability_before_sharpening"] == before  # carried along every sharpening question
    text = client.get(reverse("results", args=[assessment.token])).content.decode()
    assert share_said(text) == share_of(assessment.plan["stability"])
    said_before = re.search(
        r"Vor dem Schärfen des Ergebnisses gehörte die erste Rolle in (?:(\d+)\u00a0% der Profile|(jedem) gezogenen "
        r"Profil) zu den besten drei\.",
        text,
    )
    assert said_before is not None, text
    assert (100 if said_before.group(2) else int(said_before.group(1))) == share_of(before)
    change = share_of(assessment.plan["stability"]) - share_of(before)
    assert ("deshalb ist die Rangfolge jetzt weniger sicher" in text) == (change <= -SHARPENING_NOTED)
    assert ("haben daran nur wenig geändert" in text) == (0 < abs(change) < SHARPENING_NOTED)

    assert assessment.plan["sharpenings"] == 1
    # sharpened again: "before" is the first sharpening's result, and the page says it is the last one's (after a
    # third round "Vor dem Schärfen" gave the second round's figures, which the person could not find, a review)
    first_sharpening = assessment.plan["stability"]
    reopened = client.post(reverse("assessment:sharpen", args=[assessment.token]))
    assert reopened["Location"] != reverse("results", args=[assessment.token])  # questions were left to ask
    assessment.refresh_from_db()
    assert assessment.plan["stability_before_sharpening"] == first_sharpening
    assert assessment.plan["sharpenings"] == 2
    run_to_the_end(client, assessment, first=assessment.total_steps)
    text = client.get(reverse("results", args=[assessment.token])).content.decode()
    assert "Vor dem letzten Schärfen des Ergebnisses gehörte die erste Rolle" in text
    assert "Vor dem Schärfen des Ergebnisses" not in text


def test_a_result_that_was_never_sharpened_says_nothing_of_sharpening(client):
    assessment = start(client)
    run_to_the_end(client, assessment)
    text = client.get(reverse("results", args=[assessment.token])).content.decode()
    assert share_said(text) and "Vor dem Schärfen" not in text
    assessment.refresh_from_db()
    assert first_said(text) == share_of(assessment.plan["best_share"])


def test_an_attempt_finished_before_the_judgement_was_stored_gets_it_when_its_result_is_shown(client, monkeypatch):
    monkeypatch.setattr(adaptive, "TOP3_STABLE", 2.0)  # stopped by the limit, which did not judge the result
    assessment = start(client)
    run_to_the_end(client, assessment)
    assessment.refresh_from_db()
    stored = {k: v for k, v in assessment.plan.items() if k not in ("settled", "verdict", "best_role", "stability")}
    Assessment.objects.filter(pk=assessment.pk).update(plan=stored)
    text = client.get(reverse("results", args=[assessment.token])).content.decode()
    assert SURE.search(text)
    assessment.refresh_from_db()
    assert "settled" in assessment.plan and assessment.plan["stability"] > 0


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        ({"reason": "top roles stable", "best_role": "r", "stability": 0.962}, ["in 96%"]),
        # how often it comes first as well: a first role first in about half of them is a near-tie with another
        (
            {"reason": "top roles stable", "best_role": "r", "stability": 0.97, "best_share": 0.546},
            ["in 97% of them, the first role is among the best three, and in 55% it comes first."],
        ),
        (
            {"reason": "top roles stable", "best_role": "r", "stability": 1.0, "best_share": 0.8},
            ["the first role is among the best three, and in 80% of them it comes first."],
        ),
        (
            {"reason": "top roles stable", "best_role": "r", "stability": 1.0, "best_share": 1.0},
            ["drawn from them, the first role comes first."],
        ),
        (
            {"reason": "question limit", "best_role": "r", "stability": 0.7, "settled": False, "verdict": "x"},
            ["in 70%", f"limit of {MAX_ITEMS} questions before your answers had settled"],
        ),
        (
            {"reason": "question limit", "best_role": "r", "stability": 0.97, "settled": True},
            ["in 97%", f"stopped at its limit of {MAX_ITEMS} questions."],
        ),
        (
            {
                "reason": "question limit",
                "best_role": "r",
                "stability": 0.9,
                "settled": False,
                "verdict": "answers contradict each other",
            },
            ["in 90%", "did not hold together clearly"],
        ),
        (
            {
                "reason": "question limit",
                "best_role": "r",
                "stability": 0.9,
                "settled": False,
                "verdict": "unusual profile",
            },
            ["in 90%", "Your profile is uncommon"],
        ),
        (
            {"reason": "sharpened", "best_role": "r", "stability": 0.9, "settled": False, "verdict": "unusual profile"},
            ["in 90%", "Your profile is uncommon"],
        ),
        ({"reason": "answers inconsistent", "best_role": "r", "stability": 0.5}, ["in 50%", "do not hold together"]),
        (
            {"reason": "sharpened", "best_role": "r", "stability": 0.8, "settled": False, "verdict": "x"},
            ["in 80%", "not yet settled"],
        ),
        ({"reason": "sharpened", "best_role": "r", "stability": 0.99, "settled": True}, ["in 99%"]),
        ({"reason": "sharpened", "best_role": "r", "stability": 0.996, "settled": True}, ["in 99%"]),  # not 100
        (
            {"reason": "top roles stable", "best_role": "r", "stability": 1.0, "settled": True},
            ["in every one of the 128 drawn"],
        ),
        ({"reason": "bank exhausted", "settled": False, "verdict": "bank exhausted"}, ["Every question"]),
        (
            {
                "reason": "sharpened",
                "best_role": "r",
                "stability": 0.76,
                "settled": True,
                "stability_before_sharpening": 0.92,
            },
            ["in 76%", "best three in 92% of the profiles. The added answers do not all point the same way"],
        ),
        (
            {
                "reason": "sharpened",
                "best_role": "r",
                "stability": 0.98,
                "settled": True,
                "stability_before_sharpening": 0.9,
            },
            ["in 98%", "best three in 90% of the profiles."],
        ),
        (
            {
                "reason": "sharpened",
                "best_role": "r",
                "stability": 0.9,
                "settled": True,
                "stability_before_sharpening": 1.0,
            },
            ["in 90%", "best three in every profile drawn. The added answers do not"],
        ),
        (  # a point less while every range narrowed (a review): the draw of the profiles, said so
            {
                "reason": "sharpened",
                "best_role": "r",
                "stability": 0.85,
                "settled": True,
                "stability_before_sharpening": 0.86,
            },
            ["in 85%", "best three in 86% of the profiles. The added answers changed this only a little"],
        ),
        (  # nine points less: still within what two draws differ by
            {
                "reason": "sharpened",
                "best_role": "r",
                "stability": 0.8,
                "settled": True,
                "stability_before_sharpening": 0.89,
            },
            ["in 80%", "best three in 89% of the profiles. The added answers changed this only a little"],
        ),
        (  # the same share as said: nothing fell
            {
                "reason": "sharpened",
                "best_role": "r",
                "stability": 0.921,
                "settled": True,
                "stability_before_sharpening": 0.919,
            },
            ["in 92%", "best three in 92% of the profiles."],
        ),
    ],
)
def test_every_adaptive_stop_says_how_sure_the_result_is(plan, expected):
    with override("en"):
        sentences = result_sureness(plan, {}, "r")
    assert len(sentences) == len(expected)
    assert all(part in sentence.replace("\u00a0", " ") for part, sentence in zip(expected, sentences))
    assert ("less sure now" in " ".join(sentences)) == ("The added answers do not" in " ".join(expected))


RIVAL = {"reason": "top roles stable", "best_role": "r", "stability": 0.97, "best_share": 0.55, "runner_up": "s"}


@pytest.mark.parametrize(
    ("plan", "names", "expected"),
    [
        # another role first in a quarter of the profiles or more: named, by the name given
        (
            RIVAL | {"runner_up_share": 0.4},
            {"s": "Security Officer"},
            ["In 40% of the profiles, another role comes first instead: Security Officer."],
        ),
        (
            RIVAL | {"runner_up_share": RUNNER_UP_NAMED},
            {"s": "S"},
            ["In 25% of the profiles, another role comes first instead: S."],
        ),
        (RIVAL | {"runner_up_share": 0.24}, {"s": "S"}, []),  # below: the others are spread
        (RIVAL | {"runner_up_share": 0.4}, {}, []),  # not offered (or the page names it already)
        (RIVAL | {"runner_up_share": 0.4, "runner_up": "r"}, {"r": "R"}, []),  # never the first role itself
        (
            {k: v for k, v in RIVAL.items() if k != "best_share"} | {"runner_up_share": 0.4},
            {"s": "S"},
            [],
        ),  # stored before
        (  # after "Ergebnis schärfen": what the share was comes right after the share
            RIVAL
            | {"runner_up_share": 0.4, "stability_before_sharpening": 0.9, "reason": "sharpened", "settled": True},
            {"s": "S"},
            ["best three in 90% of the profiles.", "In 40% of the profiles, another role comes first instead: S."],
        ),
    ],
)
def test_a_role_that_comes_first_in_many_plausible_profiles_instead_is_named(plan, names, expected):
    with override("en"):
        sentences = [sentence.replace("\u00a0", " ") for sentence in result_sureness(plan, names, "r", {"r", "s"})]
    assert sentences[0].startswith("Many profiles fit your answers; in 97% of them")
    assert len(sentences) == 1 + len(expected)
    assert all(part in sentence for part, sentence in zip(expected, sentences[1:]))


def test_an_adaptive_result_names_a_role_that_comes_first_in_many_plausible_profiles_instead(client):
    """The page and the PDF name the runner-up where it comes first in a quarter of the profiles or more, by its
    name in the page's language; not where the page names it already as one of two tied roles. What they say is the
    stored result's judgement, by the model that ranked it; the plan's (the model of the day the test stopped) only
    for a result stored before it had one."""
    assessment = start(client)
    run_to_the_end(client, assessment)
    assessment.refresh_from_db()
    plan = assessment.plan
    assert plan["runner_up"] not in (None, plan["best_role"]) and 0 <= plan["runner_up_share"] < 1  # the engine's
    url = reverse("results", args=[assessment.token])
    client.get(url)
    row = StoredResult.objects.get(assessment=assessment)
    standing = row.document["standing"]
    assert standing == {key: plan[key] for key in standing}  # judged by the same model: the same judgement
    rival = Role.objects.get(slug=plan["runner_up"])
    instead = f"In 40\u00a0% der Profile steht stattdessen eine andere Rolle vorn: {rival.name_de}."
    row.document["standing"] = standing | {"runner_up_share": 0.4}  # as another model judged it
    row.save()
    text = html.unescape(client.get(url).content.decode())
    assert instead in text
    with override("de"):
        context, _ = results_context(Assessment.objects.get(pk=assessment.pk))
        assert instead in html.unescape(
            render_to_string("recommendations/result_pdf.html", context | {"stylesheet": ""})
        )
    tied = plan | {"reason": "two roles tied", "tied_roles": [plan["best_role"], rival.slug]}
    Assessment.objects.filter(pk=assessment.pk).update(plan=tied)
    text = html.unescape(client.get(url).content.decode())
    assert "stattdessen" not in text and "Zwei Rollen liegen" in text

    del row.document["standing"]  # stored before results kept it: the plan's judgement
    row.save()
    Assessment.objects.filter(pk=assessment.pk).update(plan=plan | {"runner_up_share": 0.4})
    assert instead in html.unescape(client.get(url).content.decode())


ORDER = "The order of the roles follows your most likely levels; the shares count every profile your answers allow."


@pytest.mark.parametrize(
    ("plan", "on_cards", "expected"),
    [
        # the named role comes first more often than the one the page puts first: said so, and why the order differs
        (
            RIVAL | {"best_share": 0.28, "runner_up_share": 0.46},
            {"r", "s"},
            ["in 28% it comes first.", "Another role comes first more often, in 46% of the profiles: S.", ORDER],
        ),
        # the named role has no card (fifth in the order): why it stands lower
        (
            RIVAL | {"best_share": 0.39, "runner_up_share": 0.29},
            {"r"},
            ["in 39% it comes first.", "In 29% of the profiles, another role comes first instead: S.", ORDER],
        ),
        (RIVAL | {"best_share": 0.39, "runner_up_share": 0.29}, {"r", "s"}, ["in 39%", "another role comes first"]),
    ],
)
def test_where_the_order_seems_to_contradict_the_shares_the_result_says_why(plan, on_cards, expected):
    with override("en"):
        sentences = [sentence.replace("\u00a0", " ") for sentence in result_sureness(plan, {"s": "S"}, "r", on_cards)]
    assert len(sentences) == len(expected)
    assert all(part in sentence for part, sentence in zip(expected, sentences))


def test_nothing_is_said_of_how_sure_a_role_is_that_the_page_does_not_put_first():
    """A first role withdrawn since, or another model's ranking computed anew: the page puts another role first, of
    which nothing was judged (a review: "in 93 % steht sie vorn" of a role the page no longer listed). Why the test
    stopped is still said."""
    limit = {"reason": "question limit", "best_role": "r", "stability": 0.7, "settled": False, "verdict": "x"}
    with override("en"):
        assert result_sureness(RIVAL | {"runner_up_share": 0.4}, {"s": "S"}, "s", {"s"}) == []
        assert result_sureness(RIVAL | {"runner_up_share": 0.4}, {"s": "S"}, None) == []
        limited = result_sureness(limit, {}, "other")
    assert len(limited) == 1 and "limit of" in limited[0]


def test_an_adaptive_result_whose_first_role_was_withdrawn_says_nothing_of_how_sure_the_new_first_one_is(client):
    assessment = start(client)
    run_to_the_end(client, assessment)
    assessment.refresh_from_db()
    url = reverse("results", args=[assessment.token])
    assert SURE.search(client.get(url).content.decode())
    Role.objects.filter(slug=assessment.plan["best_role"]).update(active=False)
    page = client.get(url)
    assert page.context["top_fits"][0][0].slug != assessment.plan["best_role"]
    assert not SURE.search(page.content.decode()) and "stattdessen" not in page.content.decode()
