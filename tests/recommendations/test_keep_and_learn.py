from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from assessment.models import Assessment
from assessment.services import start_assessment
from recommendations.models import CompletedCourse, ConfirmedOutcome, Course, Role
from tests.conftest import answer_all, keep_in, weakest

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def path_slugs(client, assessment, role="it_architect"):
    response = client.get(reverse("results", args=[assessment.token]), {"role": role})
    return [course.slug for _, course, _ in response.context["path_steps"]]


@pytest.fixture
def beginner(db):
    from assessment.services import start_assessment
    from tests.conftest import answer_all, weakest

    return answer_all(start_assessment(), weakest)


def test_marking_a_course_done_takes_it_out_of_the_path(client, beginner):
    before = path_slugs(client, beginner)
    first = before[0]
    response = client.post(reverse("course-done", args=[beginner.token, first]), {})
    assert response.status_code == 302
    after = path_slugs(client, beginner)
    assert first not in after
    assert CompletedCourse.objects.filter(assessment=beginner, course__slug=first).exists()


def test_with_htmx_marking_done_swaps_the_path_only(client, beginner):
    first = path_slugs(client, beginner)[0]
    response = client.post(reverse("course-done", args=[beginner.token, first]), {}, **HTMX)
    text = response.content.decode()
    assert 'id="learning-path"' in text and "<html" not in text
    # the swapped-in path is the one just stored (it showed the state before the click, one click behind)
    title = Course.objects.get(slug=first).title_de
    steps, done = text.split('class="path-steps"')[1].split('class="done-list"')
    assert title not in steps and title in done
    undone = client.post(reverse("course-done", args=[beginner.token, first]), {}, **HTMX)
    text = undone.content.decode()
    assert 'class="done-list"' not in text and title in text.split('class="path-steps"')[1]
    assert first in path_slugs(client, beginner)


def test_with_htmx_marking_done_updates_the_summary_at_the_top_out_of_band(client, db):
    from assessment.services import start_assessment
    from tests.conftest import answer_all, at_level_one

    person = answer_all(start_assessment(), at_level_one)  # a path of fewer courses than the most it shows
    before = client.get(reverse("results", args=[person.token]), {"role": "it_coordinator"}).context
    first = before["path_steps"][0][1].slug
    response = client.post(reverse("course-done", args=[person.token, first]), {}, **HTMX)
    after = response.context["path_summary"]
    assert after.steps < before["path_summary"].steps
    summary = re.search(r'<p id="path-summary" hx-swap-oob="true">(.*?)</p>', response.content.decode(), re.S)
    assert summary and after.text in summary.group(1) and before["path_summary"].text not in summary.group(1)


def test_marking_an_unknown_course_is_a_404(client, beginner):
    assert client.post(reverse("course-done", args=[beginner.token, "no-such-course"])).status_code == 404


def test_a_share_link_shows_the_result_read_only_and_can_be_revoked(client, finished_assessment):
    client.post(reverse("share", args=[finished_assessment.token]), {"action": "share"})
    finished_assessment.refresh_from_db()
    shared_url = reverse("shared-results", args=[finished_assessment.share_token])
    page = client.get(shared_url).content.decode()
    assert 'class="role-card"' in page
    assert finished_assessment.token not in page  # no way back to the private link or the answers
    assert "course-done" not in page and "rueckmeldung" not in page
    client.post(reverse("share", args=[finished_assessment.token]), {"action": "revoke"})
    gone = client.get(shared_url)
    assert gone.status_code == 404
    text = gone.content.decode()
    assert "<h1>Dieser geteilte Link funktioniert nicht</h1>" in text and "widerrufen" in text
    assert "<title>Dieser geteilte Link funktioniert nicht · Revierpfad</title>" in text
    picked = client.get(shared_url, {"role": "it_architect"}, HTTP_HX_REQUEST="true")  # the open page's picker
    assert picked.status_code == 404 and picked["HX-Refresh"] == "true"


def test_a_share_post_that_is_neither_button_says_so_and_shares_nothing(client, finished_assessment):
    """A tampered `action` was taken as "share": the link was made, and the person was told it was ready."""
    response = client.post(reverse("share", args=[finished_assessment.token]), {"action": "explode"})
    assert response.status_code == 400
    assert "mit den Schaltflächen der Seite" in response.content.decode()
    finished_assessment.refresh_from_db()
    assert finished_assessment.share_token is None
    # a page from before the button had a name shares, as it did
    assert client.post(reverse("share", args=[finished_assessment.token])).status_code == 302


def test_feedback_with_consent_is_stored_anonymously_and_once(client, finished_assessment):
    url = reverse("feedback", args=[finished_assessment.token])
    data = {"fits": "yes", "role": "it_architect", "relation": "holds", "consent": "on"}
    assert client.post(url, data).status_code == 302
    outcome = ConfirmedOutcome.objects.get()
    assert outcome.role.slug == "it_architect" and outcome.relation == "holds"
    assert outcome.top_role_fits == "yes" and outcome.top_role
    assert len(outcome.levels) == 10
    assert finished_assessment.token not in str(outcome.levels)
    client.post(url, data)
    assert ConfirmedOutcome.objects.count() == 1


def test_feedback_without_consent_stores_nothing_and_says_why(client, finished_assessment):
    response = client.post(reverse("feedback", args=[finished_assessment.token]), {"fits": "no"})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not ConfirmedOutcome.objects.exists()


def test_a_role_needs_to_say_whether_it_is_held_or_aimed_at(client, finished_assessment):
    data = {"fits": "partly", "role": "agile_coach", "consent": "on"}
    response = client.post(reverse("feedback", args=[finished_assessment.token]), data)
    assert response.status_code == 400
    assert not ConfirmedOutcome.objects.exists()


def test_a_mark_sent_twice_stays_done_and_an_undo_sent_twice_stays_undone(client, beginner):
    """The forms say which state they want: a double click or a stale tab no longer flips a mark back."""
    first = path_slugs(client, beginner)[0]
    url = reverse("course-done", args=[beginner.token, first])
    page = client.get(reverse("results", args=[beginner.token])).content.decode()
    form = page.split(f'action="{url}"')[1].split("</form>")[0]
    assert '<input type="hidden" name="done" value="1">' in form
    for _ in range(2):
        client.post(url, {"done": "1"})
        assert CompletedCourse.objects.filter(assessment=beginner, course__slug=first).count() == 1
    page = client.get(reverse("results", args=[beginner.token])).content.decode()
    undo = page.split('class="done-list"')[1].split(f'action="{url}"')[1].split("</form>")[0]
    assert '<input type="hidden" name="done" value="0">' in undo
    for _ in range(2):
        client.post(url, {"done": "0"})
        assert not CompletedCourse.objects.filter(course__slug=first).exists()
    assert first in path_slugs(client, beginner)


def test_not_done_after_all_undoes_a_mark_made_in_another_attempt_of_the_account(client, beginner):
    """A kept attempt counts the courses marked done in every attempt of the account; its undo undid only its own
    marks, so a course marked in another attempt stayed done whatever one clicked."""
    user = get_user_model().objects.create_user("kept@example.org", "kept@example.org", "x-Secret-123")
    other = answer_all(start_assessment(), weakest)
    keep_in(user, beginner, other)
    first = path_slugs(client, beginner)[0]
    CompletedCourse.objects.create(assessment=other, course=Course.objects.get(slug=first))
    client.post(reverse("course-done", args=[beginner.token, first]), {"done": "0"})
    assert first in path_slugs(client, beginner)
    assert not CompletedCourse.objects.filter(course__slug=first).exists()


def test_a_mark_that_is_neither_done_nor_undone_is_a_400_that_changes_nothing(client, beginner):
    first = path_slugs(client, beginner)[0]
    response = client.post(reverse("course-done", args=[beginner.token, first]), {"done": "yes"})
    assert response.status_code == 400
    assert "Schaltflächen des Lernpfads" in response.content.decode()
    assert not CompletedCourse.objects.exists()


def at_level(level: int):
    def choose(item, options):
        if item.kind == "self_rating":
            return min(options, key=lambda o: abs(o.level - level))
        if item.kind == "knowledge":
            return next(o for o in options if o.correct == (item.difficulty <= level))
        return min(options, key=lambda o: abs(o.style))

    return choose


@pytest.mark.parametrize("level", [3, 4])
def test_a_path_the_courses_marked_done_cover_does_not_say_every_requirement_is_met(client, level):
    """A reviewer marked the only course towards a role done: the page said "Sie erfüllen jede Anforderung dieser
    Rolle …: kein Kurs nötig" beside a measured gap of 0,4."""
    person = answer_all(start_assessment(), at_level(level))
    url = reverse("results", args=[person.token])
    covered = []
    for role in Role.objects.active():
        steps = client.get(url, {"role": role.slug}).context["path_steps"]
        for _step, course, _gaps in steps:
            client.post(reverse("course-done", args=[person.token, course.slug]), {"done": "1"})
        response = client.get(url, {"role": role.slug})
        context, text = response.context, response.content.decode()
        if steps and not context["path_steps"] and not context["path"].open_gaps:
            covered.append(role.slug)
            assert context["met_through_done"] is True
            assert "Mit den Kursen, die Sie als erledigt markiert haben, ist jede Lücke" in text
            assert "Sie erfüllen jede Anforderung" not in text
        for _step, course, _gaps in steps:
            client.post(reverse("course-done", args=[person.token, course.slug]), {"done": "0"})
    assert covered  # the case happened


def test_the_feedback_form_sent_empty_names_its_question_in_the_error(client, beginner):
    response = client.post(reverse("feedback", args=[beginner.token]), {"consent": "on"})
    assert response.status_code == 400
    assert "Bitte beantworten Sie: Passen die Rollen oben zu Ihnen?" in response.content.decode()


def test_marking_a_course_done_chooses_no_role(client):
    """The done forms sent the path's role, so the first mark turned the best-fitting role into one the person had
    chosen: "Compute again" with a newer model then kept the old role, and the JSON said `role_chosen`."""
    from tests.conftest import at_level_one

    person = answer_all(start_assessment(), at_level_one)
    response = client.get(reverse("results", args=[person.token]))
    assert response.context["result"].chosen_role == ""
    url = reverse("course-done", args=[person.token, response.context["path_steps"][0][1].slug])
    form = response.content.decode().split(f'action="{url}"')[1].split("</form>")[0]
    sent = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))  # what the form sends
    client.post(url, sent)
    person.result.refresh_from_db()
    assert person.result.document["chosen_role"] == ""


def test_a_mark_made_in_another_kept_attempt_shows_on_this_attempts_page(client, beginner):
    """Marks count for every attempt kept in the account, but the page showed the path stored with the result,
    built again only when this attempt's own path was: the other attempt's mark never appeared here."""
    user = get_user_model().objects.create_user("two@example.org", "two@example.org", "x-Secret-123")
    other = answer_all(start_assessment(), weakest)
    keep_in(user, beginner, other)
    client.force_login(user)
    first = path_slugs(client, beginner)[0]
    assert first in path_slugs(client, other)
    client.post(reverse("course-done", args=[beginner.token, first]), {"done": "1"})
    page = client.get(reverse("results", args=[other.token])).context
    assert first not in [course.slug for _, course, _ in page["path_steps"]]
    assert first in [course.slug for course in page["done_courses"]]


def test_two_marks_sent_at_once_both_show(client, beginner, monkeypatch):
    """Two clicks in flight at once: each stored the path built from the marks it had read, and the later save
    dropped the other's mark from the stored path, which the page kept showing as a step."""
    from recommendations import results

    first, second = path_slugs(client, beginner)[:2]
    real, sent = results.completed_courses, []

    def while_the_second_click_is_served(assessment):
        done = real(assessment)
        if not sent:
            sent.append(second)
            client.post(reverse("course-done", args=[beginner.token, second]), {"done": "1"})
        return done

    monkeypatch.setattr(results, "completed_courses", while_the_second_click_is_served)
    response = client.post(reverse("course-done", args=[beginner.token, first]), {"done": "1"}, **HTMX)
    monkeypatch.setattr(results, "completed_courses", real)
    shown = {course.slug for course in response.context["done_courses"]}
    assert shown == {first, second}
    assert not {first, second} & set(path_slugs(client, beginner))


def test_the_pdf_lists_the_courses_marked_done_and_each_courses_format(client, beginner):
    """A review: the PDF left out the courses marked done, and each course's format ("Online"), which the page shows."""
    from django.template.loader import render_to_string

    from recommendations.presentation import results_context

    first = path_slugs(client, beginner)[0]
    client.post(reverse("course-done", args=[beginner.token, first]), {"done": "1"})
    context, _status = results_context(beginner)
    pdf_html = render_to_string("recommendations/result_pdf.html", {**context, "stylesheet": ""})
    assert f"Erledigt: {Course.objects.get(slug=first).title_de}" in pdf_html
    step = context["path_steps"][0][1]
    assert f"{step.get_format_display()} · " in pdf_html


def test_a_shared_result_counts_the_marks_made_since_in_another_kept_attempt(client, beginner):
    """The share link rebuilt the outdated path with the marks stored with the result, so it still led through a
    course the owner had marked done in another attempt of the account; the owner's own page did not."""
    user = get_user_model().objects.create_user("share@example.org", "share@example.org", "x-Secret-123")
    other = answer_all(start_assessment(), weakest)
    keep_in(user, beginner, other)
    client.force_login(user)
    client.get(reverse("results", args=[other.token]))  # its path stored before the mark
    client.post(reverse("share", args=[other.token]), {"action": "share"})
    other.refresh_from_db()
    first = path_slugs(client, other, role="")[0]
    client.post(reverse("course-done", args=[beginner.token, first]), {"done": "1"})
    shared = client.get(reverse("shared-results", args=[other.share_token])).context
    assert first not in [course.slug for _, course, _ in shared["path_steps"]]
    assert first in [course.slug for course in shared["done_courses"]]


def test_feedback_given_before_the_secret_key_was_rotated_is_deleted_with_the_attempt(client, settings):
    """The outcome is found by an HMAC of the attempt's token under SECRET_KEY: after a rotation, "Delete my answers
    and results" no longer found it, and feedback given with consent outlived its withdrawal."""
    person = answer_all(start_assessment(), weakest)
    url = reverse("feedback", args=[person.token])
    data = {"fits": "yes", "role": "it_architect", "relation": "holds", "consent": "on"}
    assert client.post(url, data).status_code == 302
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "k" * 60, [old_key]
    Assessment.objects.get(pk=person.pk).delete()
    assert not ConfirmedOutcome.objects.exists()


def test_feedback_stores_the_outcome_and_the_mark_that_deletes_it_together(client, monkeypatch):
    """Two writes in two transactions: an attempt deleted between them (another tab) kept an outcome nothing would
    ever find to delete."""
    from django.db.models import QuerySet

    person = answer_all(start_assessment(), weakest)
    monkeypatch.setattr(QuerySet, "update", lambda self, **kw: (_ for _ in ()).throw(RuntimeError("stopped")))
    url = reverse("feedback", args=[person.token])
    data = {"fits": "yes", "role": "it_architect", "relation": "holds", "consent": "on"}
    with pytest.raises(RuntimeError):
        client.post(url, data)
    assert not ConfirmedOutcome.objects.exists()  # the outcome went back with the failed mark


def test_without_javascript_a_mark_comes_back_at_the_courses_other_button(client, beginner):
    """Without JavaScript a course marked done came back at the path's top, and a keyboard user tabbed through
    every step before it again (an accessibility review): the address names the button that undoes the mark, and
    after an undo the course's mark button, where it is on the path again."""
    first = path_slugs(client, beginner)[0]
    marked = client.post(reverse("course-done", args=[beginner.token, first]), {"done": "1"})
    assert marked["Location"].endswith(f"#undone-{first}")
    assert f'id="undone-{first}"' in client.get(marked["Location"]).content.decode()
    undone = client.post(reverse("course-done", args=[beginner.token, first]), {"done": "0"})
    assert undone["Location"].endswith(f"#done-{first}")
    assert f'id="done-{first}"' in client.get(undone["Location"]).content.decode()


def test_without_javascript_an_undo_where_the_page_shows_no_steps_comes_back_at_the_paths_top(client, beginner):
    """Every role withdrawn: the page shows the courses marked done but no steps, so the course's mark button is not
    there to come back to (a code review)."""
    from recommendations.models import Role

    first = path_slugs(client, beginner)[0]
    client.post(reverse("course-done", args=[beginner.token, first]), {"done": "1"})
    for role in Role.objects.all():  # as the admin deactivates them (saved: the catalogue sees the change)
        role.active = False
        role.save()
    undone = client.post(reverse("course-done", args=[beginner.token, first]), {"done": "0"})
    assert undone["Location"].endswith("#learning-path")
    assert f'id="done-{first}"' not in client.get(undone["Location"]).content.decode()


def test_a_course_no_longer_offered_is_marked_done_only_from_the_path_that_holds_it(client, beginner):
    """A POST naming a withdrawn course that is not on the person's path is tampered with: refused with a message.
    One withdrawn while on the path (it keeps its button there: the person may have taken it) is marked done, and
    any course marked done can be marked not done again."""
    retired = Course.objects.filter(active=False).first()
    assert retired is not None  # the shipped catalogue keeps withdrawn offers inactive
    url = reverse("course-done", args=[beginner.token, retired.slug])
    refused = client.post(url, {"done": "1"})
    assert refused.status_code == 400
    assert "wird nicht mehr angeboten und steht nicht in Ihrem Lernpfad" in refused.content.decode()
    assert not CompletedCourse.objects.filter(assessment=beginner, course=retired).exists()
    CompletedCourse.objects.create(assessment=beginner, course=retired)
    assert client.post(url, {"done": "0"}).status_code == 302
    assert not CompletedCourse.objects.filter(assessment=beginner, course=retired).exists()
    on_path = Course.objects.get(slug=path_slugs(client, beginner)[0])
    on_path.active = False
    on_path.save()
    assert client.post(reverse("course-done", args=[beginner.token, on_path.slug]), {"done": "1"}).status_code == 302
    assert CompletedCourse.objects.filter(assessment=beginner, course=on_path).exists()
