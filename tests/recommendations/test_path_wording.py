"""What the learning path says: no path of an unreliable result towards a role nobody chose, "closes" only where a
step reaches the requirement, prices on request never summed up as "0 EUR", and the in-house label once."""

from __future__ import annotations

import json
import random
import re
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from assessment.bank import items_with_options
from assessment.models import Assessment
from assessment.services import start_assessment
from core.numbers import whole_percent
from recommendations.models import Course, Role, StoredResult
from recommendations.paths import CourseSpec, LearningPath, Step, Unlimited, closed_and_narrowed, step_outcomes
from recommendations.presentation import _step_gaps, path_totals, results_context, without_limits
from tests.conftest import answer_all, at_level_one, choose_path
from tests.recommendations.personas import PERSONAS, answers_of, levels

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
NEEDS_RELIABLE = "Für einen Lernpfad braucht es ein verlässliches Ergebnis"
# A step's line for the gaps a side topic of its course reaches by the path's count, and the gaps it names.
PART_REACHES = re.compile(
    r"Bringt Sie ein Stück weiter in (.*?): nach der Rechnung des Lernpfads weit genug, um Ihre Lücken? abzudecken\."
)
SIDE_REACHES = re.compile(r"Deckt als Nebenthema auch Ihre Lücken? bei (.*?) ab \(nach der Rechnung des Lernpfads\)\.")


def results_url(assessment, role=None):
    url = reverse("results", args=[assessment.token])
    return f"{url}?role={role}" if role else url


@pytest.fixture
def random_clicker(db):
    rng = random.Random(5)
    assessment = answer_all(start_assessment(), lambda item, options: rng.choice(options))
    return assessment


def role_chooser(text: str) -> str:
    found = re.search(r'<select id="target-role".*?</select>', text, re.S)
    assert found is not None
    return found.group(0)


def selected_roles(text: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)" selected>', role_chooser(text))


def test_an_unreliable_result_presents_no_path_towards_a_role_it_does_not_rank(client, random_clicker):
    response = client.get(results_url(random_clicker))
    text = response.content.decode()
    assert response.context["profile"].reliable is False
    assert "kein Kurs nötig" not in text and "Sie erfüllen" not in text
    assert text.count(NEEDS_RELIABLE) == 1  # said once, where the path would be ("Noch kein Lernpfad." above)
    assert 'id="feedback"' not in text  # no roles shown: no question whether they fit
    assert selected_roles(text) == [""]  # "Zielrolle wählen", no role of the refused ranking
    assert 'class="path-steps"' not in text and "Lernpfad zu " not in text
    # answers read as a consistent person's: their ranges are no wider, so the page does not say they are
    assert response.context["profile"].reliability == "inconsistent"
    assert "mit breiten Spannen" not in text and "sogar deren Spannen danebenliegen" in text


def test_an_unreliable_result_claims_no_certainty_for_its_ranges(client, random_clicker):
    """ "As they do not hold together well, its levels and even their ranges may be off", and below it every level
    "with 90 % certainty between ..." (page and PDF, a review): an unreliable result claims the 90 % only as what
    the ranges would be if the answers held together, for the levels and the work style alike."""
    claim = "90\u00a0% Sicherheit"
    conditional = "Hielten Ihre Antworten zusammen, läge Ihre Stufe mit 90\u00a0% Sicherheit in der Spanne"
    context, _status = results_context(random_clicker, "agile_coach")  # with a role picked: the charts as well
    pdf_html = render_to_string("recommendations/result_pdf.html", {**context, "stylesheet": ""})
    for text in (client.get(results_url(random_clicker, "agile_coach")).content.decode(), pdf_html):
        text = text.replace("\u00ad", "")
        assert "sogar deren Spannen danebenliegen" in text
        assert conditional in text  # every 90 % claimed only as what would hold if the answers held together
        assert text.count(claim) == text.count("Hielten Ihre Antworten zusammen, läge") >= 1
        assert ", mit 90\u00a0% Sicherheit zwischen" not in text  # each level's range, as a screen reader hears it
        assert "Mit 90\u00a0% Sicherheit liegt Ihr Stil" not in text
    reliable = answer_all(start_assessment(), at_level_one)
    text = client.get(results_url(reliable)).content.decode()
    assert "Mit 90\u00a0% Sicherheit liegt Ihr Stil" in text and ", mit 90\u00a0% Sicherheit zwischen" in text


# every way a page writes "90 %": "90 %", "90-%-Spanne", "90%" (English), in text and in an SVG's title or desc
NINETY = re.compile(r"90(?:\u00a0|&nbsp;| )?-?%")
# ... and the sentences that claim it only as what would hold if the answers held together
NINETY_IF = {
    "de": re.compile(r"Hielten Ihre Antworten zusammen, läge[^.]*?90\u00a0%"),
    "en": re.compile(r"would(?:[^.]|\.\d)*?90%"),
}


@pytest.mark.parametrize("language", ["de", "en"])
def test_answers_that_do_not_hold_together_get_no_90_percent_anywhere_but_as_a_condition(
    client, random_clicker, language
):
    """The class of the review's "mit 90 % Sicherheit" beside "even their ranges may be off": after the profile and
    the work style, the charts' legends, their descriptions and table ("Ihre Spanne (90 %)"), the work style's axis
    and a checked level's note still said 90 % (page and PDF). Every "90 %" of such a result, in any element, is now
    part of a sentence that claims it only if the answers held together."""
    with translation.override(language):
        context, _status = results_context(random_clicker, "agile_coach")  # a role picked: the charts as well
        assert not context["profile"].holds_together and context["radar"]
        pdf_html = render_to_string("recommendations/result_pdf.html", {**context, "stylesheet": ""})
    client.cookies["django_language"] = language
    page = client.get(results_url(random_clicker, "agile_coach"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for text in (page, pdf_html):
        text = text.replace("\u00ad", "")
        assert "legend-range-band" in text and "chart-table" in text  # the charts are there
        assert len(NINETY.findall(text)) == len(NINETY_IF[language].findall(text)) >= 2  # the profile, the style
    # the path and its charts swapped in with htmx: no profile, no condition, and no 90 %
    partial = client.get(results_url(random_clicker, "agile_coach"), HTTP_ACCEPT_LANGUAGE=language, **HTMX)
    swapped = partial.content.decode()
    assert "legend-range-band" in swapped and not NINETY.findall(swapped)
    reliable = answer_all(start_assessment(), at_level_one)
    with translation.override(language):
        context, _status = results_context(reliable, "agile_coach")
        pdf_html = render_to_string("recommendations/result_pdf.html", {**context, "stylesheet": ""})
    assert context["profile"].holds_together and not NINETY_IF[language].findall(pdf_html)
    assert ("Ihre Spanne (90\u00a0%)" if language == "de" else "Your range (90%)") in pdf_html


def test_a_path_on_an_unreliable_result_says_it_rests_on_levels_that_may_be_off(client, random_clicker):
    """A picked role's path on an unreliable result gave "12 Schritte, insgesamt 248 Stunden" as surely as a reliable
    result's, on the page and in the PDF (a review)."""
    caveat = "Ihr Ergebnis ist nicht verlässlich (siehe oben): Die Stufen, von denen der Lernpfad ausgeht"
    with translation.override("de"):
        context, _status = results_context(random_clicker, "agile_coach")
        pdf_html = render_to_string("recommendations/result_pdf.html", {**context, "stylesheet": ""})
    assert context["path_steps"]
    page = client.get(results_url(random_clicker, "agile_coach")).content.decode()
    partial = client.get(results_url(random_clicker, "agile_coach"), **HTMX).content.decode()  # the path swapped in
    for text in (page, pdf_html, partial):
        assert text.replace("\u00ad", "").count(caveat) == 1
    reliable = answer_all(start_assessment(), at_level_one)
    context, _status = results_context(reliable, "agile_coach")
    assert context["path_steps"] and caveat not in client.get(results_url(reliable, "agile_coach")).content.decode()


def test_an_unreliable_result_shows_the_path_towards_a_role_the_person_picks(client, random_clicker):
    ranked_first = client.get(results_url(random_clicker)).context["result"].recommendation.path.target_role
    for role in (ranked_first, "agile_coach"):  # also the very role the stored path was built for
        text = choose_path(client, random_clicker, role=role).content.decode()  # without JavaScript: the whole page
        assert selected_roles(text) == [role]
        assert NEEDS_RELIABLE not in text
        again = client.get(results_url(random_clicker))  # the choice is kept
        assert again.context["target_role"].slug == role
    fragment = client.post(
        reverse("results-path", args=[random_clicker.token]), {"role": "it_architect"}, **HTMX
    ).content.decode()  # with htmx
    assert "<html" not in fragment and selected_roles(fragment) == ["it_architect"]


def test_a_shared_unreliable_result_gets_no_path_from_limits_in_its_address_either(client, random_clicker):
    """`?max_hours=1000` on the shared page of an unreliable result built a path towards the first of the ranking
    the page refuses to give, as if someone had chosen it (a code review); the owner's page gives none."""
    shared = reverse("shared-results", args=[random_clicker.share()])
    owner = results_url(random_clicker)
    for url in (shared, owner):
        for query in ("", "?max_hours=1000"):
            response = client.get(url + query)
            assert not response.context["path_settled"] and not response.context["path_steps"], (url, query)
            assert NEEDS_RELIABLE in response.content.decode()
    picked = client.get(shared + "?role=agile_coach&max_hours=1000").context  # a role picked there: its path
    assert picked["path_settled"] and picked["target_role"].slug == "agile_coach"


def test_the_pdf_and_the_json_of_an_unreliable_result_give_no_unchosen_path(client, random_clicker):
    context, _status = results_context(random_clicker)
    pdf_html = render_to_string("recommendations/result_pdf.html", {**context, "stylesheet": ""})
    assert NEEDS_RELIABLE in pdf_html and "kein Kurs nötig" not in pdf_html
    document = json.loads(client.get(reverse("results-json", args=[random_clicker.token])).content)
    assert document["learning_path"]["target_role"] == "" and document["learning_path"]["steps"] == []
    assert document["learning_path"]["note"].startswith(NEEDS_RELIABLE)
    choose_path(client, random_clicker, role="agile_coach")
    document = json.loads(client.get(reverse("results-json", args=[random_clicker.token])).content)
    assert document["learning_path"]["target_role"] == "agile_coach" and document["learning_path"]["steps"]
    # a path towards a picked role says what it rests on, as the page and the PDF do (a code review)
    assert document["learning_path"]["note"].startswith("Ihr Ergebnis ist nicht verlässlich (siehe oben)")


def test_the_role_chooser_of_an_unreliable_result_does_not_give_away_the_ranking(client, random_clicker):
    response = client.get(results_url(random_clicker))
    shown = re.findall(r'<option value="([a-z_]+)"', role_chooser(response.content.decode()))
    assert shown == [
        role.slug for role, _fit in sorted(response.context["fits"], key=lambda p: (p[0].order, p[0].slug))
    ]


def test_the_json_of_an_unreliable_result_does_not_rank_the_roles_either_and_keeps_the_contract(
    client, random_clicker, monkeypatch
):
    """The page refuses to rank the roles of an unreliable result; its JSON download listed them best fit first,
    and then gave `fit: null` (the contract's schema asks for a number). The download now follows the page. `assess`
    follows its contract: every active role best fit first, with `reliable`: false saying not to trust the order
    (it listed them in their own order, a fit of 0.9 below one of 0.1)."""
    import io

    import jsonschema
    from django.core.management import call_command

    from assessment.services import answers_by_slug
    from tests.recommendations.test_assess_command import RESULT_SCHEMA

    order = [r.slug for r in Role.objects.active().order_by("order", "slug")]
    document = json.loads(client.get(reverse("results-json", args=[random_clicker.token])).content)
    assert document["reliable"] is False and document["roles_ranked"] is False
    assert [r["slug"] for r in document["roles"]] == order
    ranked = results_context(random_clicker)[0]["recommendation"].roles
    assert [r.slug for r in ranked] != order  # the stored ranking is another order: the test can tell
    answers = {slug: value for slug, value in answers_by_slug(random_clicker).items() if value is not None}
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"answers": answers})))
    out = io.StringIO()
    call_command("assess", "-", stdout=out)
    command = json.loads(out.getvalue())
    assert command["reliable"] is False and command["roles_ranked"] is True
    assert [r["slug"] for r in command["roles"]] == [r.slug for r in ranked]
    fits = [r["fit"] for r in command["roles"]]
    assert fits == sorted(fits, reverse=True)
    for result in (document, command):
        jsonschema.validate({k: v for k, v in result.items() if k not in DOWNLOAD_ONLY}, RESULT_SCHEMA)


DOWNLOAD_ONLY = (
    "answers",
    "computed_at",
    "started_at",
    "finished_at",
    "courses_done",
)  # the person's own data, beside the result


@pytest.fixture
def modest_without_in_house_courses(db):
    """The modest persona, weaker in communication and change, when no in-house format is offered: the VHS
    course narrows those gaps but cannot close them (it teaches the first steps, and a level of 1 in
    communication, measured as about 0.9 since the second easy check, would be past them)."""
    for course in Course.objects.filter(provider__in_house=True):
        course.active = False
        course.save()  # as the admin does it
    _, _, _, style, bias, _ = PERSONAS[-1]
    answers = answers_of(levels(2, 3, 1, 3, 2, 1, 1, 4, 0, 1), style, bias, items_with_options())
    return answer_all(
        start_assessment(), lambda item, options: next(o for o in options if o.value == answers[item.slug])
    )


def lines(text: str, css_class: str) -> list[str]:
    found = re.findall(rf'class="{css_class}">[^:<]*: (.*?)</p>', text, re.S)
    # as a reader's search finds them: the names carry soft hyphens for narrow screens
    return [
        name.strip() for line in found for name in re.split(r"[,;]", line.replace("&amp;", "&").replace("\xad", ""))
    ]


def test_a_course_that_only_narrows_a_gap_does_not_claim_to_close_it(client, modest_without_in_house_courses):
    text = client.get(results_url(modest_without_in_house_courses)).content.decode()
    closed, still_open = lines(text, "closes"), lines(text, "open-gaps")
    # narrowed by a course's subject, taught in full or part of the way, or by a side topic
    narrowed = lines(text, "narrows") + lines(text, "part-way") + lines(text, "side-topic")
    assert "Kommunikation und Diplomatie" in narrowed and "Kommunikation und Diplomatie" in still_open
    assert any(s in text for s in ("Verkleinert Ihre Lücke bei", "Bringt Sie ein Stück weiter in", "Nebenthema"))
    assert not set(closed) & set(still_open)  # what the footer calls open, no step claims to close
    context, _status = results_context(modest_without_in_house_courses)
    pdf_html = render_to_string("recommendations/result_pdf.html", {**context, "stylesheet": ""})
    narrowed_in_pdf = re.findall(
        r"(?:Verkleinert Ihre Lücke bei|Bringt Sie ein Stück weiter in|Trägt als Nebenthema auch bei zu): ([^<]*)",
        pdf_html,
    )
    narrowed_names = {name.strip() for line in narrowed_in_pdf for name in line.split(",")}
    assert "Kommunikation und Diplomatie" in narrowed_names, narrowed_in_pdf  # in whatever order the names come
    document = json.loads(client.get(reverse("results-json", args=[modest_without_in_house_courses.token])).content)
    json_closed = {c for step in document["learning_path"]["steps"] for c in step["closes"]}
    assert "communication" in {c for step in document["learning_path"]["steps"] for c in step["narrows"]}
    assert not json_closed & set(document["learning_path"]["open_gaps"])


def spec(slug: str, price=None) -> CourseSpec:
    return CourseSpec(slug=slug, title=slug, hours=10, price_eur=price, develops=(("a", 1.0, 0, 3),))


def test_a_step_closes_a_gap_only_where_its_levels_reach_the_requirement():
    first = Step(spec("k1"), closes=("a", "b"), requires=(), levels_after={"a": 2.0, "b": 2.9})
    assert closed_and_narrowed(first, {"a": 3.0, "b": 3.0}) == (("b",), ("a",))
    second = Step(spec("k2"), closes=("a",), requires=(), levels_after={"a": 3.0, "b": 2.9})
    path = LearningPath("role", (first, second), open_gaps=())
    assert step_outcomes(path) == [(("b",), ("a",)), (("a",), ())]  # without the requirements: from the path


def test_a_side_topic_of_a_course_contributes_to_a_gap_and_never_closes_it():
    """TOGAF Practitioner read "Schließt Ihre Lücke bei: Kommunikation und Diplomatie" from a weight of 0.3: the
    small share the path counts reached a small gap. The admin's help text promises that below 1 the path says
    less; the page now says the course contributes to the gap as a side topic, or, where the path counts it as
    reached, that as a side topic it is enough by the path's count."""
    from recommendations.presentation import _step_gaps

    course = CourseSpec(
        slug="togaf",
        title="TOGAF",
        hours=30,
        price_eur=None,
        develops=(("it_architecture", 1.0, 3, 5), ("communication", 0.3, 2, 5), ("process_design", 0.5, 2, 4)),
    )
    step = Step(
        course,
        closes=("it_architecture", "communication", "process_design"),
        requires=(),
        levels_after={"it_architecture": 4.6, "communication": 4.0, "process_design": 2.6},
    )
    requirements = {"it_architecture": 5.0, "communication": 4.0, "process_design": 3.0}
    names = {"it_architecture": "Architektur", "communication": "Kommunikation", "process_design": "Prozesse"}
    gaps = _step_gaps(step, requirements, names)
    assert gaps.closes == ()  # 4.6 of 5: narrowed
    assert gaps.narrows == ("Architektur",)
    assert gaps.side == ("Prozesse",)
    assert gaps.side_reaches == (
        "Kommunikation",
    )  # 4.0 of 4 by the path's count: said (once), as it leaves the open gaps
    requirements["it_architecture"] = 4.5
    assert _step_gaps(step, requirements, names).closes == ("Architektur",)


def named_in(line: str, names) -> set[str]:
    """The competencies a line names: by their names, which may hold a comma themselves ("Prozess-, Anforderungs-
    und Organisationsgestaltung")."""
    return {name for name in names if name in line}


def test_no_page_says_a_side_topic_closes_a_gap(client):
    """Every shipped role's path, on the page: a competency a step's course teaches only as a side topic never
    stands after "Schließt Ihre Lücke bei"; it stands after "Trägt als Nebenthema auch bei zu" or in "Deckt als
    Nebenthema auch Ihre Lücke bei … ab (nach der Rechnung des Lernpfads)"."""
    from recommendations.models import CourseCompetency

    names = dict(CourseCompetency.objects.values_list("competency__slug", "competency__name_de").distinct())
    side = {
        (title, names[slug])
        for title, slug in CourseCompetency.objects.filter(weight__lt=1).values_list(
            "course__title_de", "competency__slug"
        )
    }
    beginner = answer_all(start_assessment(), lambda item, options: options[0])
    seen_side = 0
    for role in Role.objects.filter(active=True).values_list("slug", flat=True):
        text = client.get(results_url(beginner, role)).content.decode().replace("&amp;", "&")
        for step in re.findall(r'<li class="path-step.*?</li>', text.replace("\xad", ""), re.S):
            title = re.search(r"<h3>(?:<a [^>]*>)?(.*?)<", step).group(1).replace("\xad", "")
            closed = re.findall(r'class="closes">[^:]*: (.*?)</p>', step)
            on_the_side = re.findall(r'class="side-topic">[^:]*: (.*?)</p>', step) + SIDE_REACHES.findall(step)
            for line in closed:
                assert not {(title, n) for n in named_in(line, names.values())} & side, (role, title, line)
            for line in on_the_side:
                assert "als Nebenthema" in step
                named = named_in(line, names.values())
                assert named and {(title, n) for n in named} <= side, (role, title, line)
                seen_side += 1
    assert seen_side  # the shipped paths do use side topics


@pytest.mark.parametrize(
    ("language", "args", "expected"),
    [
        ("de", (8, 120, 0, 8), "8 Schritte, insgesamt 120 Stunden, Preise nicht bekannt."),
        (
            "de",
            (5, 60, 450, 3),
            "5 Schritte, 60 Stunden und 450 EUR insgesamt, dazu 3 Kurse ohne bekannten Preis.",
        ),
        ("de", (6, 107, 0, 2), "6 Schritte, insgesamt 107 Stunden, kostenlos bis auf 2 Kurse ohne bekannten Preis."),
        ("de", (2, 20.5, 99.5, 0), "2 Schritte, 20,5 Stunden und 99,50 EUR insgesamt."),
        ("de", (2, 14, 0, 0), "2 Schritte, insgesamt 14 Stunden, kostenlos."),
        ("en", (2, 14, 0, 0), "2 steps, 14 hours in all, free of charge."),
        ("en", (8, 120, 0, 8), "8 steps, 120 hours in all, prices not known."),
        ("en", (5, 60, 450, 3), "5 steps, 60 hours in all, 450 EUR in all, plus 3 courses without a known price."),
    ],
)
def test_the_totals_never_sum_unknown_prices_to_zero(language, args, expected):
    with translation.override(language):
        assert path_totals(*args) == expected
        assert path_totals(*args).count("insgesamt") <= 1


def test_what_the_path_without_limits_takes_names_prices_on_request_apart():
    with translation.override("de"):
        text = without_limits(Unlimited(hours=40, price_eur=0, courses_price_on_request=2, open_gaps=()))
        assert "0 EUR" not in text and "2 Kurse ohne bekannten Preis" in text


def test_what_the_path_without_limits_takes_is_good_german_with_prices_on_request():
    """The page said "Ohne Grenzen bräuchte der Pfad 115 Stunden (mit 2 Kurse ohne bekannten Preis).": a
    nominative after "mit"."""
    with translation.override("de"):
        for courses, expected in (
            (2, "Ohne Grenzen bräuchte der Pfad 115 Stunden, dazu 2 Kurse ohne bekannten Preis."),
            (1, "Ohne Grenzen bräuchte der Pfad 115 Stunden, dazu 1 Kurs ohne bekannten Preis."),
        ):
            unlimited = Unlimited(hours=115, price_eur=0, courses_price_on_request=courses, open_gaps=())
            assert without_limits(unlimited) == expected


def test_the_totals_on_the_page_say_prices_on_request_instead_of_zero_euros(client, modest_without_in_house_courses):
    response = client.get(results_url(modest_without_in_house_courses))
    text, summary = response.content.decode(), response.context["path_summary"]
    assert summary.price_on_request and "insgesamt 0 EUR" not in text
    # some courses, or all of them, priced on request (the catalogue prices few: a fee in dollars is not guessed)
    on_request = (
        "Preise nicht bekannt\\." if summary.price_on_request == summary.steps else "Kurse? ohne bekannten Preis"
    )
    assert re.search(on_request, summary.text)
    assert text.count(summary.text) == 2  # in brief at the top and above the steps


@pytest.fixture
def modest(db):
    """The modest persona, whose path has an in-house format."""
    _, _, persona_levels, style, bias, _ = PERSONAS[-1]
    answers = answers_of(persona_levels, style, bias, items_with_options())
    return answer_all(
        start_assessment(), lambda item, options: next(o for o in options if o.value == answers[item.slug])
    )


def test_an_in_house_course_names_its_place_once(client, modest):
    text = client.get(results_url(modest)).content.decode()
    assert "Im eigenen Betrieb" in text
    assert "Im eigenen Betrieb (im eigenen Betrieb)" not in text
    with translation.override("en"):
        context, _status = results_context(modest)
        pdf_html = render_to_string("recommendations/result_pdf.html", {**context, "stylesheet": ""})
    assert "In your own organisation" in pdf_html and "Im eigenen Betrieb" not in pdf_html
    # in one's own organisation the language is the organisation's: no "in German" (a review)
    for meta in re.findall(r'<p class="course-meta">.*?</p>', text, re.S) + re.findall(
        r"<li><strong>.*?</li>", pdf_html
    ):
        if "Im eigenen Betrieb" in meta or "In your own organisation" in meta:
            assert "auf Deutsch" not in meta and "in German" not in meta, meta
        else:
            assert "auf Deutsch" in meta or "auf Englisch" in meta or "in German" in meta or "in English" in meta, meta


def test_an_in_house_step_stored_before_it_was_marked_is_named_in_the_readers_language(client, modest):
    """Paths stored before `CourseSpec.in_house` named the in-house provider by its German name, which the English
    download repeated; migration 0013 marks such steps from their course's provider."""
    Assessment.objects.filter(pk=modest.pk).update(language="en")
    client.get(results_url(modest))  # computes and stores the result
    row = StoredResult.objects.get(assessment=modest)
    for step in row.document["path"]["steps"]:
        if step["course"].pop("in_house"):
            step["course"]["provider"] = "Im eigenen Betrieb"  # as such paths were stored
    row.save()

    def providers() -> set[str]:
        document = json.loads(client.get(reverse("results-json", args=[modest.token])).content)
        return {step["provider"] for step in document["learning_path"]["steps"]}

    assert "Im eigenen Betrieb" in providers()  # the old path: the test can tell
    import_module("recommendations.migrations.0013_in_house_in_stored_paths").mark_in_house_steps(apps, None)
    assert "In your own organisation" in providers() and "Im eigenen Betrieb" not in providers()
    row.refresh_from_db()
    assert all("in_house" in step["course"] for step in row.document["path"]["steps"])


def test_no_path_is_built_on_far_too_few_answers_even_towards_a_role_the_person_picks(client, db):
    skipped = answer_all(start_assessment(), lambda item, options: None)  # every question skipped
    text = client.get(results_url(skipped, "security_officer")).content.decode()
    assert client.get(results_url(skipped)).context["profile"].reliability == "too_few"
    assert 'class="path-steps"' not in text and "Schließt Ihre Lücke" not in text
    assert "Ein Lernpfad braucht Antworten, auf die er bauen kann" in text
    assert "Starten Sie einen neuen Durchgang" in text
    # the download says what the page says: no steps, and why (it gave the picked role's steps, a note's leftover)
    document = json.loads(client.get(reverse("results-json", args=[skipped.token])).content)
    assert document["learning_path"]["steps"] == [] and document["learning_path"]["target_role"] == ""
    assert document["learning_path"]["note"].startswith("Ein Lernpfad braucht Antworten, auf die er bauen kann")
    with translation.override("de"):
        context, _status = results_context(skipped, "security_officer")
        pdf_html = render_to_string("recommendations/result_pdf.html", {**context, "stylesheet": ""})
    assert "Ein Lernpfad braucht Antworten, auf die er bauen kann" in pdf_html.replace("\u00ad", "")


NO_PATH_BECAUSE = {
    "no_roles": "Ein Lernpfad führt zu einer Zielrolle, und im Moment wird keine angeboten",
    "too_few": "Ein Lernpfad braucht Antworten, auf die er bauen kann",
    "unreliable": NEEDS_RELIABLE,
}


@pytest.mark.parametrize("case", sorted(NO_PATH_BECAUSE))
def test_where_the_page_gives_no_path_the_pdf_and_the_json_give_none_and_say_the_same_why(client, db, case):
    """The page, the PDF and the download each chose on their own whether a path is given and why not: the download
    gave a picked role's steps on far too few answers, the PDF asked a reliable result with every role withdrawn for
    a reliable result (a code review)."""
    if case == "too_few":
        attempt = answer_all(start_assessment(), lambda item, options: None)
    elif case == "unreliable":
        rng = random.Random(5)
        attempt = answer_all(start_assessment(), lambda item, options: rng.choice(options))
    else:
        attempt = answer_all(start_assessment(), at_level_one)
        client.get(results_url(attempt))
        Role.objects.update(active=False, updated_at=timezone.now())
    page = client.get(results_url(attempt)).content.decode().replace("\u00ad", "")
    with translation.override("de"):
        context, _status = results_context(attempt)
        pdf_html = render_to_string("recommendations/result_pdf.html", {**context, "stylesheet": ""})
    document = json.loads(client.get(reverse("results-json", args=[attempt.token])).content)
    why = NO_PATH_BECAUSE[case]
    assert not context["path_settled"] and 'class="path-steps"' not in page
    assert why in page and why in pdf_html.replace("\u00ad", "")
    assert document["learning_path"]["steps"] == [] and document["learning_path"]["note"].startswith(why)
    if case == "no_roles":
        assert document["roles"] == []  # the page lists none of the withdrawn roles either


def test_the_download_leaves_out_a_role_withdrawn_since_the_result_was_stored(client, db):
    reliable = answer_all(start_assessment(), at_level_one)
    first = client.get(results_url(reliable)).context["fits"][0][0].slug
    Role.objects.filter(slug=first).update(active=False, updated_at=timezone.now())
    shown = [role.slug for role, *_rest in client.get(results_url(reliable)).context["fits"]]
    document = json.loads(client.get(reverse("results-json", args=[reliable.token])).content)
    listed = [role["slug"] for role in document["roles"]]
    assert first not in listed and listed[: len(shown)] == shown
    assert document["learning_path"]["target_role"] == shown[0]


def test_a_prerequisite_left_out_on_a_level_nobody_answered_for_says_the_level_is_a_placeholder(client, db):
    """A person who skipped every question of a competency read "only a neutral placeholder" in the profile and, on
    the path, that a course's prerequisite is left out "as your level already covers what it teaches" (a review):
    the level that covers it is that placeholder, and the step says so, on the page and in the PDF."""

    def at_level_two_but_security(item, options):
        if item.competency is not None and item.competency.slug == "security_compliance":
            return None  # every security question skipped
        if item.kind == item.Kind.SELF_RATING:
            return min(options, key=lambda o: abs(o.level - 2))
        if item.kind == item.Kind.KNOWLEDGE:
            return next(o for o in options if o.correct == (item.difficulty <= 2))
        return min(options, key=lambda o: abs(o.style))

    person = answer_all(start_assessment(), at_level_two_but_security)
    sentence = "Ihre Stufe in Informationssicherheit & Datenschutz, die das abdeckt, ist aber nur ein Platzhalter"
    page = client.get(results_url(person, "service_desk_lead"))
    assert page.context["profile"].competencies["security_compliance"].answered == 0
    text = page.content.decode().replace("\u00ad", "").replace("&amp;", "&")
    assert sentence in text and "Setzt " in text
    with translation.override("de"):
        context, _status = results_context(person, "service_desk_lead")
        pdf_html = render_to_string("recommendations/result_pdf.html", {**context, "stylesheet": ""})
    assert sentence in pdf_html.replace("\u00ad", "").replace("&amp;", "&")
    answered = answer_all(start_assessment(), at_level_one)  # a level with answers: no such sentence
    assert "nur ein Platzhalter" not in client.get(results_url(answered, "service_desk_lead")).content.decode()


def test_a_step_names_the_prerequisites_its_path_leaves_out(db):
    """TOGAF Practitioner came without Foundation and RHCE without RHCSA, unmentioned: the path leaves a
    prerequisite out when the person's level covers it (or it is no longer offered), but a provider may still
    ask for its certificate."""
    from recommendations.presentation import StepGaps, _with_left_out_prerequisites

    def step(slug, prerequisites=()):
        spec = CourseSpec(slug=slug, title=slug, hours=8, price_eur=None, develops=(), prerequisites=prerequisites)
        return (Step(course=spec, closes=(), requires=()), Course.objects.get(slug=slug), StepGaps((), ()))

    Course.objects.filter(slug="rhcsa").update(active=False)
    steps = [
        step("togaf-foundation"),
        step("togaf-practitioner", ("togaf-foundation",)),  # in the path: nothing to say
        step("rhce", ("rhcsa",)),
        step("psm-ii", ("psm-i",)),  # done
    ]
    with translation.override("de"):
        marked = _with_left_out_prerequisites(steps, done={"psm-i"})
    assert [gaps.left_out for _step, _course, gaps in marked] == [(), (), (), ()]
    assert [gaps.withdrawn for _step, _course, gaps in marked] == [
        (),
        (),
        (Course.objects.get(slug="rhcsa").title_de,),
        (),
    ]


def test_a_withdrawn_prerequisite_required_for_admission_is_said_to_be_required(db):
    """RHCSA no longer offered: the path leaves it out, and the step said "if the provider asks for its certificate,
    you need it first", though the catalogue knows that Red Hat admits to the RHCE exam only with it."""
    from recommendations.presentation import StepGaps, _with_left_out_prerequisites

    Course.objects.filter(slug="rhcsa").update(active=False)
    spec = CourseSpec(
        slug="rhce", title="rhce", hours=8, price_eur=None, develops=(), prerequisites=("rhcsa",), admission=("rhcsa",)
    )
    steps = [(Step(course=spec, closes=(), requires=()), Course.objects.get(slug="rhce"), StepGaps((), ()))]
    with translation.override("de"):
        [(_step, _course, gaps)] = _with_left_out_prerequisites(steps, done=set())
        assert (gaps.left_out, gaps.withdrawn) == ((), ())
        assert gaps.withdrawn_required == (Course.objects.get(slug="rhcsa").title_de,)
        # the lines of the page's and the PDF's templates that say why a step goes without a prerequisite
        for name in ("results.html", "result_pdf.html"):
            source = (Path(settings.BASE_DIR) / "templates" / "recommendations" / name).read_text(encoding="utf-8")
            lines = [line for line in source.splitlines() if "closes.left_out" in line or "closes.withdrawn" in line]
            html = Template("{% load i18n %}" + "".join(lines)).render(Context({"closes": gaps}))
            assert "Setzt für die Zulassung zur Prüfung Red Hat" in html, name
            assert "Verlangt der Anbieter" not in html, name


def test_a_prerequisite_left_out_is_said_with_the_one_reason_that_applies(client, db):
    """ "Setzt PRINCE2 7 Foundation voraus. Ihr Lernpfad lässt das aus, weil Ihre Stufe schon abdeckt, was dort gelehrt
    wird, oder weil es nicht mehr angeboten wird": Foundation is offered, so only the first reason applies; a
    prerequisite no longer offered is said to be that, and nothing about the person's level."""
    from recommendations.models import StoredResult
    from tests.conftest import weakest

    beginner = answer_all(start_assessment(), weakest)
    client.get(results_url(beginner))
    stored = StoredResult.objects.get(assessment=beginner)
    in_path = {s["course"]["slug"] for s in stored.document["path"]["steps"]}
    offered, retired = Course.objects.active().exclude(slug__in=in_path).order_by("slug")[:2]
    Course.objects.filter(pk=retired.pk).update(active=False)
    stored.document["path"]["steps"][0]["course"]["prerequisites"] = [offered.slug]
    stored.document["path"]["steps"][1]["course"]["prerequisites"] = [retired.slug]
    stored.save()
    text = client.get(results_url(beginner)).content.decode().replace("&amp;", "&")
    assert (
        f"Setzt {offered.title_de} voraus. Ihr Lernpfad lässt das aus, weil Ihre Stufe schon abdeckt, was dort gelehrt "
        "wird. Verlangt" in " ".join(text.split())
    )
    assert (
        f"Setzt {retired.title_de} voraus. Ihr Lernpfad lässt das aus, weil es nicht mehr angeboten wird. Verlangt"
        in " ".join(text.split())
    )
    assert "oder weil" not in text


def test_a_left_out_prerequisite_whose_title_has_a_colon_reads_as_one_sentence_in_english(client, db):
    """ "Requires ITIL Foundation (Version 5): exam with eLearning: left out of your path": the colon after the title
    read as a third part of it. The sentence now ends after the title, as the German one does."""
    from recommendations.models import StoredResult
    from tests.conftest import weakest

    beginner = answer_all(start_assessment(), weakest)
    client.get(results_url(beginner))
    stored = StoredResult.objects.get(assessment=beginner)
    in_path = {s["course"]["slug"] for s in stored.document["path"]["steps"]}
    titled = Course.objects.active().exclude(slug__in=in_path).filter(title_en__contains=":").order_by("slug").first()
    assert titled is not None  # the shipped catalogue has such titles
    stored.document["path"]["steps"][0]["course"]["prerequisites"] = [titled.slug]
    stored.save()
    client.cookies["django_language"] = "en"
    text = " ".join(client.get(results_url(beginner)).content.decode().replace("&amp;", "&").split())
    assert f"Requires {titled.title_en}. Your path leaves it out, as your level already covers" in text
    assert f"{titled.title_en}:" not in text


def test_the_page_and_the_pdf_say_which_prerequisite_a_step_goes_without(client, db):
    from recommendations.models import StoredResult
    from tests.conftest import weakest

    beginner = answer_all(start_assessment(), weakest)
    client.get(results_url(beginner))
    stored = StoredResult.objects.get(assessment=beginner)
    in_path = {s["course"]["slug"] for s in stored.document["path"]["steps"]}
    outside = Course.objects.active().exclude(slug__in=in_path).order_by("slug").first()
    stored.document["path"]["steps"][0]["course"]["prerequisites"] = [outside.slug]  # as a level that covers it
    stored.save()
    text = client.get(results_url(beginner)).content.decode()
    assert f"Setzt {outside.title_de} voraus. Ihr Lernpfad lässt das aus" in text.replace("&amp;", "&")
    context, _status = results_context(beginner)
    pdf_html = render_to_string("recommendations/result_pdf.html", {**context, "stylesheet": ""})
    assert f"Setzt {outside.title_de} voraus" in pdf_html.replace("&amp;", "&")
    document = json.loads(client.get(reverse("results-json", args=[beginner.token])).content)
    assert document["learning_path"]["steps"][0]["prerequisites_left_out"] == [outside.slug]
    assert all(step["prerequisites_left_out"] == [] for step in document["learning_path"]["steps"][1:])


def test_each_step_says_the_language_the_course_is_taught_in(client):
    """A third of the catalogue is taught in English only; it stood only inside "Mehr zum Kurs"."""
    from tests.conftest import weakest

    english = Course.objects.filter(active=True, language=Course.Language.ENGLISH).first()
    assert english is not None, "the shipped catalogue has courses in English"
    beginner = answer_all(start_assessment(), weakest)
    for role in Role.objects.filter(active=True):
        response = client.get(results_url(beginner, role.slug))
        steps = response.context["path_steps"]
        text = response.content.decode()
        for _step, course, _closes in steps:
            assert f"auf {course.get_language_display()}" in text
        if any(course.language == Course.Language.ENGLISH for _step, course, _closes in steps):
            assert "auf Englisch" in text
            return
    raise AssertionError("no path of a beginner takes an English course")


def test_an_unreliable_result_names_no_model_that_ranked_its_roles(client, random_clicker, finished_assessment):
    """It said "no ranking of the roles" and then "Rollen geordnet mit Modellversion …"."""
    assert 'class="model-note"' not in client.get(results_url(random_clicker)).content.decode()
    assert 'class="model-note"' in client.get(results_url(finished_assessment)).content.decode()


def test_each_level_toggle_of_the_profile_names_its_competency_for_screen_readers(client, finished_assessment):
    """Ten toggles read "Etwa Stufe 5 (Expertin / Experte)" with no competency named."""
    text = client.get(results_url(finished_assessment)).content.decode()
    summaries = re.findall(r'<details class="score-explanation"><summary>(.*?)</summary>', text, re.S)
    assert len(summaries) == 10
    assert all(
        s.startswith('<span class="visually-hidden">')
        and (": </span>Etwa Stufe" in s or ": </span>Zwischen Stufe" in s)
        for s in summaries
    )


def test_the_path_says_what_closed_means(client, modest):
    """A step "closes" a gap that the courses bring to within a quarter of a level (2.85 of 3): said under the path,
    in the page and the PDF, as the tolerance the path is built with."""
    from recommendations.paths import TOLERANCE

    assert TOLERANCE == 0.25  # "a quarter of a level", as the sentence says
    text = client.get(results_url(modest)).content.decode()
    assert "Eine Lücke gilt als geschlossen, wenn die Kurse Ihre Stufe bis auf eine Viertelstufe" in text
    context, _status = results_context(modest)
    pdf_html = render_to_string("recommendations/result_pdf.html", {**context, "stylesheet": ""})
    assert "bis auf eine Viertelstufe an die Anforderung heranbringen" in pdf_html


def test_the_path_says_it_starts_from_the_levels_shown_and_can_grow_when_one_falls(client, modest):
    """The path is planned from the shown levels (one decimal), and a higher answer in one area can lower another
    area's level: the page and the PDF say both under the path, where the hours are."""
    expected = "Der Pfad geht von Ihren Stufen aus, wie sie hier stehen, auf eine Nachkommastelle"
    text = client.get(results_url(modest)).content.decode()
    assert expected in text and "kann der Pfad länger werden" in text
    context, _status = results_context(modest)
    pdf_html = render_to_string("recommendations/result_pdf.html", {**context, "stylesheet": ""})
    assert expected in pdf_html


@pytest.mark.parametrize("template", ["recommendations/results.html", "recommendations/result_pdf.html"])
def test_two_prerequisites_left_out_are_spoken_of_in_the_plural(template):
    """The note joined every prerequisite left out into one sentence that said "das … es" of them."""
    import re

    from django.template import Context, Template
    from django.template.loader import get_template
    from django.utils import translation

    source = get_template(template).template.source
    note = re.search(
        r"\{% blocktranslate trimmed with courses=closes\.left_out.*?\{% endblocktranslate %\}", source, re.S
    )
    with translation.override("de"):
        text = Template("{% load i18n %}" + note.group(0)).render(
            Context({"closes": {"left_out": ["PSM I", "PSPO I"]}})
        )
    assert "Setzt PSM I; PSPO I voraus. Ihr Lernpfad lässt sie aus" in text
    assert "was dort gelehrt wird. Verlangt der Anbieter ihre Zertifikate, erwerben Sie sie zuerst" in text


def _named(line: str) -> set[str]:
    return {name.strip() for name in line.replace("&amp;", "&").replace("\xad", "").split(",")}


def _side_lines_of_steps(page: str, pdf: str) -> list[tuple[str, str, set[str], set[str]]]:
    """Each step of the page and of the PDF: where, its title, the side topics it contributes to, and those the
    path counts as enough for a gap."""
    steps = []
    for step in re.findall(r'<li class="path-step.*?</li>', page.replace("\xad", ""), re.S):
        heading = re.search(r"<h3>(?:<a [^>]*>)?(.*?)<", step)
        assert heading is not None
        title = heading[1]
        side = re.findall(r'class="(?:side-topic|part-way)">[^:]*: (.*?)</p>', step)
        reaches = SIDE_REACHES.findall(step) + PART_REACHES.findall(step)  # on its own the line says "in part"
        assert len(reaches) == step.count('class="side-topic-reaches"') + step.count('class="part-way-reaches"')
        steps.append(("page", title, _named(side[0]) if side else set(), _named(reaches[0]) if reaches else set()))
    for step in re.findall(r"<li><strong>(.*?)</li>", pdf, re.S):
        title = step.split("</strong>")[0]
        side = re.findall(r"(?:Trägt als Nebenthema auch bei zu|Bringt Sie ein Stück weiter in): ([^<]*)", step)
        reaches = SIDE_REACHES.findall(step) + PART_REACHES.findall(step)
        steps.append(("pdf", title, _named(side[0]) if side else set(), _named(reaches[0]) if reaches else set()))
    return steps


def test_a_course_s_own_subject_taught_in_part_is_not_called_a_side_topic():
    """Prosci's change-management certification (change 0.6, communication 0.4) said "Deckt als Nebenthema auch Ihre
    Lücke bei Veränderungsbegleitung ab" of its own subject (a review). A side topic is a competency another of the
    course's competencies outweighs; the subject itself, taught only part of the way, is said so."""
    names = {"change_resilience": "Veränderung", "communication": "Kommunikation", "troubleshooting": "Störungen"}
    required = {"change_resilience": 4.0, "communication": 4.0, "troubleshooting": 4.0}
    prosci = CourseSpec("prosci", "Prosci", 21, None, (("change_resilience", 0.6, 3, 4), ("communication", 0.4, 3, 4)))
    step = Step(prosci, ("change_resilience", "communication"), (), {"change_resilience": 3.9, "communication": 3.4})
    gaps = _step_gaps(step, required, names)
    assert (gaps.part_reaches, gaps.side, gaps.part, gaps.side_reaches, gaps.closes) == (
        ("Veränderung",),
        ("Kommunikation",),
        (),
        (),
        (),
    )
    step = Step(prosci, ("change_resilience", "communication"), (), {"change_resilience": 3.5, "communication": 3.9})
    gaps = _step_gaps(step, required, names)
    assert (gaps.part, gaps.side_reaches, gaps.part_reaches, gaps.side) == (
        ("Veränderung",),
        ("Kommunikation",),
        (),
        (),
    )
    # two subjects of equal weight below 1 are both the course's own; a course at weight 1 keeps "closes"
    both = CourseSpec("b", "B", 8, None, (("change_resilience", 0.5, 3, 4), ("communication", 0.5, 3, 4)))
    gaps = _step_gaps(Step(both, ("change_resilience", "communication"), (), {}), required, names)
    assert gaps.part == ("Veränderung", "Kommunikation") and not gaps.side
    full = CourseSpec("f", "F", 40, None, (("troubleshooting", 1.0, 3, 4), ("communication", 0.3, 3, 4)))
    gaps = _step_gaps(Step(full, ("troubleshooting", "communication"), (), {"troubleshooting": 4.0}), required, names)
    assert gaps.closes == ("Störungen",) and gaps.side == ("Kommunikation",) and not gaps.part


def test_a_side_topic_the_path_counts_as_enough_is_named_once(client):
    """The ISMS officer's path said of "ISO 27001 Lead Implementer" both "Trägt als Nebenthema auch bei zu:
    Projekt- und Rollout-Management" and "Nach der Rechnung des Lernpfads reicht das für Ihre Lücke bei: Projekt-
    und Rollout-Management". A side topic the path counts as enough for a gap now stands in that line alone (which
    says it is a side topic), on the page, the shared page and the PDF; a beginner's paths have such steps."""
    beginner = answer_all(start_assessment(), lambda item, options: options[0])
    shared = reverse("shared-results", args=[beginner.share()])
    reached = []
    for role in Role.objects.filter(active=True).values_list("slug", flat=True):
        context, _status = results_context(beginner, role)
        pdf = render_to_string("recommendations/result_pdf.html", {**context, "stylesheet": ""})
        for page in (client.get(results_url(beginner, role)), client.get(f"{shared}?role={role}")):
            for where, title, side, reaches in _side_lines_of_steps(page.content.decode(), pdf):
                assert not side & reaches, (role, where, title, side & reaches)
                reached += [(role, where, title)] if reaches else []
    assert ("it_coordinator", "page", "Azure-Grundlagen (Lernpfad) und Prüfung AZ-900") in reached
    assert {where for _role, where, _title in reached} == {"page", "pdf"}


@pytest.mark.parametrize(
    ("language", "words"),
    [("de", ("Passung", "Passung etwa")), ("en", ("match", "match about"))],
)
def test_the_role_chooser_gives_each_match_with_its_range_as_the_role_details_do(client, language, words):
    """It said "Passung 66 %" beside the cards' and the role details' "etwa 66 % (44–100 %)": the range is part of
    the match. As plain text, since an <option> holds no markup (the range's span would be dropped or shown)."""
    person = answer_all(start_assessment(language=language), at_level_one)
    client.cookies["django_language"] = language
    response = client.get(results_url(person))
    assert response.context["reliable"]
    options = re.findall(r'<option value="([a-z_]+)"[^>]*>(.*?)</option>', role_chooser(response.content.decode()))
    fits = dict((role.slug, fit) for role, fit in response.context["picker_fits"])
    assert [slug for slug, _text in options] == list(fits) and len(options) >= 5
    ranged = 0
    for slug, text in options:
        assert "<" not in text and "&lt;" not in text  # no markup, nor any escaped into the text
        match = fits[slug].match
        value, low, high = (str(whole_percent(number)) for number in (match.value, match.low, match.high))
        name = Role.objects.get(slug=slug).name_de if language == "de" else Role.objects.get(slug=slug).name_en
        sign = "\u00a0%" if language == "de" else "%"  # "83 %" in German, "83%" in English
        if low == high:
            assert text == f"{name} · {words[0]} {value}{sign}"
        else:
            assert text == f"{name} · {words[1]} {value}{sign} ({low}\u2013{high}{sign})"
            ranged += 1
    assert ranged  # the matches of a person at level 1 are uncertain: the ranges are there to be shown


def test_the_itil_foundation_is_in_the_path_to_the_managing_professional_modules_whatever_the_level(client, db):
    """A review got "ITIL (Version 5) Aufbaumodule: Managing Professional … 96 Stunden" for service management at
    2,1 with the Foundation left out ("Ihre Stufe deckt schon ab, was er vermittelt"), but PeopleCert admits to
    the modules only with the Foundation certificate: the path takes it, counts its hours, and says nothing of
    leaving it out."""
    from recommendations.catalogue import snapshot
    from recommendations.results import _path_document
    from tests.conftest import weakest

    current = snapshot()
    requirements = current.requirements("it_service_manager")
    levels = {**{slug: float(level) for slug, level in requirements.items()}, "service_management": 2.1}
    document = _path_document("it_service_manager", levels, current, set(), {})
    steps = [step["course"]["slug"] for step in document["steps"]]
    assert "itil5-managing-professional" in steps and "itil5-foundation" in steps
    assert steps.index("itil5-foundation") < steps.index("itil5-managing-professional")

    person = answer_all(start_assessment(), weakest)
    client.get(results_url(person))
    stored = StoredResult.objects.get(assessment=person)
    stored.document["path"] = document
    stored.save()
    text = " ".join(client.get(results_url(person)).content.decode().replace("&amp;", "&").split())
    foundation = Course.objects.get(slug="itil5-foundation")
    assert foundation.title_de in text
    assert f"Setzt {foundation.title_de} voraus" not in text and "lässt das aus" not in text
    context, _status = results_context(person)
    hours = sum(Course.objects.get(slug=slug).hours for slug in steps)
    assert context["path"].total_hours == float(hours)


def test_a_path_stored_before_a_course_on_it_got_its_admission_requirement_is_planned_again(client, db):
    """A path stored before the merge that marked the ITIL Foundation as required for admission to the Managing
    Professional modules took the modules alone, and the page went on saying the path leaves the Foundation out
    "weil Ihre Stufe schon abdeckt, was dort gelehrt wird": the review's very complaint, on every result stored
    before the deploy. Such a path is outdated and planned again."""
    from recommendations.catalogue import snapshot
    from recommendations.results import _path_document, path_outdated, result_for
    from tests.conftest import weakest

    modules = Course.objects.get(slug="itil5-managing-professional")
    foundation = Course.objects.get(slug="itil5-foundation")
    modules.admission_prerequisites.clear()  # the catalogue as it was before
    current = snapshot()
    requirements = current.requirements("it_service_manager")
    levels = {**{slug: float(level) for slug, level in requirements.items()}, "service_management": 2.1}
    document = _path_document("it_service_manager", levels, current, set(), {})
    assert [step["course"]["slug"] for step in document["steps"]][0] == "itil5-managing-professional"  # no Foundation
    for step in document["steps"]:
        del step["course"]["admission"]  # stored before the field existed
    person = answer_all(start_assessment(), weakest)
    client.get(results_url(person))
    stored = StoredResult.objects.get(assessment=person)
    stored.document["path"] = document
    stored.save()
    assert not path_outdated(result_for(person).recommendation.path, snapshot())

    modules.admission_prerequisites.add(foundation)  # load_content after the deploy

    assert path_outdated(result_for(person).recommendation.path, snapshot())
    text = " ".join(client.get(results_url(person)).content.decode().replace("&amp;", "&").split())
    assert f"Setzt {foundation.title_de} voraus" not in text
    again = result_for(Assessment.objects.get(pk=person.pk))  # as stored now
    assert not path_outdated(again.recommendation.path, snapshot())  # planned again, and stored


REASON_LINES = re.compile(
    r'class="(closes|narrows|part-way|part-way-reaches|side-topic|side-topic-reaches|needed-for)"'
)
NEEDED_FOR = re.compile(
    r'class="needed-for">(?:Voraussetzung für Schritt|Zur Prüfung von Schritt) (\d+) \((.*?)\)(?=\.</p>| wird nur zu)'
)


def test_every_step_of_every_path_says_why_it_is_there(client):
    """A step that closes no gap is there as a prerequisite of a later one: it said nothing at all (the ITIL
    Foundation (Version 5) before the Strategic Leader, RHCSA before RHCE in the PDF, a review). Every shipped role's
    path, for a beginner and for each persona of our own: every step closes, narrows or contributes to a gap, or
    names the later step that needs it, and that step is there under that number."""
    people = [answer_all(start_assessment(adaptive=False), lambda item, options: options[0])]
    for _name, _story, persona_levels, style, bias, _roles in PERSONAS[::3]:
        answers = answers_of(persona_levels, style, bias, items_with_options())
        people.append(
            answer_all(
                start_assessment(adaptive=False),
                lambda item, options, answers=answers: next(o for o in options if o.value == answers[item.slug]),
            )
        )
    prerequisites_named = 0
    for person in people:
        for role in Role.objects.filter(active=True).values_list("slug", flat=True):
            text = client.get(results_url(person, role)).content.decode().replace("&amp;", "&").replace("\xad", "")
            steps = re.findall(r'<li class="path-step.*?</li>', text, re.S)
            titles = [re.search(r"<h3>(?:<a [^>]*>)?(.*?)<", step).group(1) for step in steps]
            for number, step in enumerate(steps, 1):
                assert REASON_LINES.search(step), (person.pk, role, titles[number - 1])
                for later, title in NEEDED_FOR.findall(step):
                    assert int(later) > number and titles[int(later) - 1] == title, (role, number, later, title)
                    prerequisites_named += 1
    assert prerequisites_named  # the shipped paths do take prerequisites


def test_the_pdf_names_the_later_step_a_prerequisite_is_there_for(client):
    """The PDF leaves out the course details where the page's fold said "Voraussetzung für RHCE": each step that a
    later one needs says so in the PDF too, as on the page."""
    beginner = answer_all(start_assessment(adaptive=False), lambda item, options: options[0])
    said = 0
    for role in Role.objects.filter(active=True).values_list("slug", flat=True):
        page = client.get(results_url(beginner, role)).content.decode().replace("&amp;", "&").replace("\xad", "")
        with translation.override("de"):
            context, _status = results_context(beginner, role)
            pdf = render_to_string("recommendations/result_pdf.html", {**context, "stylesheet": ""})
        pdf = pdf.replace("&amp;", "&")
        on_page = [f"{kind} {number} ({title})" for kind, number, title in NEEDED_KIND.findall(page)]
        assert on_page == [f"{kind} {number} ({title})" for kind, number, title in NEEDED_KIND.findall(pdf)], role
        said += len(on_page)
    assert said


NEEDED_KIND = re.compile(r"(Voraussetzung für Schritt|Zur Prüfung von Schritt) (\d+) \((.*?)\)(?=\.| wird nur zu)")


def test_a_path_stored_with_the_optimisers_own_figure_without_limits_is_planned_again(client, db):
    """Until 6 Dec 2026 "Ohne Grenzen bräuchte der Pfad ..." gave the optimiser's own path without the limits, which
    the path shown without them could beat (164 hours said, 116 shown: a review). A path stored so is outdated and
    planned again, with the figure of the path shown without the limits."""
    from recommendations.catalogue import snapshot
    from recommendations.results import path_outdated, result_for
    from tests.conftest import weakest

    person = answer_all(start_assessment(), weakest)
    assert choose_path(client, person, max_hours="10").status_code == 200
    stored = StoredResult.objects.get(assessment=person)
    assert stored.document["path"]["unlimited"]["as_shown"] is True
    del stored.document["path"]["unlimited"]["as_shown"]  # stored before the field existed
    stored.save()
    assert path_outdated(result_for(person).recommendation.path, snapshot())
    client.get(results_url(person))
    again = result_for(Assessment.objects.get(pk=person.pk))  # as stored now
    assert again.recommendation.path.max_hours == 10 and again.recommendation.path.unlimited.as_shown
    assert not path_outdated(again.recommendation.path, snapshot())
