"""Feedback becomes at most one confirmed outcome per assessment, and only reliable, not excluded
outcomes of people who hold a role are learnt from."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from assessment.models import Assessment
from assessment.services import start_assessment
from recommendations import lifecycle, recommender
from recommendations.models import ConfirmedOutcome, Role
from tests.conftest import answer_all, strongest

HOLDS_ARCHITECT = {"fits": "yes", "role": "it_architect", "relation": "holds", "consent": "on"}


def feedback_url(assessment: Assessment) -> str:
    return reverse("feedback", args=[assessment.token])


@pytest.mark.django_db
def test_an_outcome_is_keyed_to_its_assessment_without_revealing_the_token(client, finished_assessment):
    client.post(feedback_url(finished_assessment), HOLDS_ARCHITECT)
    outcome = ConfirmedOutcome.objects.get()
    assert outcome.assessment_key == ConfirmedOutcome.key_for(finished_assessment.token)
    assert finished_assessment.token not in outcome.assessment_key
    assert len(outcome.assessment_key) == 64 and outcome.reliable and not outcome.excluded


@pytest.mark.django_db
def test_a_second_post_that_slipped_past_the_check_stores_no_second_outcome(client, finished_assessment):
    client.post(feedback_url(finished_assessment), HOLDS_ARCHITECT)
    # As when two posts arrive together: both read "no feedback yet" before either saved it.
    Assessment.objects.filter(pk=finished_assessment.pk).update(feedback_given_at=None)
    response = client.post(feedback_url(finished_assessment), HOLDS_ARCHITECT | {"fits": "no"})
    assert response.status_code == 302
    assert ConfirmedOutcome.objects.count() == 1
    assert ConfirmedOutcome.objects.get().top_role_fits == "yes"


@pytest.mark.django_db(transaction=True)
def test_parallel_feedback_posts_store_one_outcome(content_and_model):
    assessment = answer_all(start_assessment(), strongest)
    statuses: list[int] = []
    barrier = threading.Barrier(3)

    def post() -> None:
        try:
            client = Client()
            barrier.wait(timeout=30)
            statuses.append(client.post(feedback_url(assessment), HOLDS_ARCHITECT).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == [302, 302, 302]
    assert ConfirmedOutcome.objects.count() == 1


@pytest.mark.django_db
def test_feedback_on_far_too_few_answers_is_not_stored(client):
    """It was stored, marked unreliable (so never learnt from); now the result that names no roles refuses it."""
    skipped_everything = answer_all(start_assessment(), lambda item, options: None)
    profile = client.get(reverse("results", args=[skipped_everything.token])).context["profile"]
    assert getattr(profile, "reliable", True) is False
    assert client.post(feedback_url(skipped_everything), HOLDS_ARCHITECT).status_code == 409
    assert not ConfirmedOutcome.objects.exists()


@pytest.mark.django_db
def test_training_learns_only_from_reliable_not_excluded_holders_of_a_role(monkeypatch):
    architect, coordinator = Role.objects.get(slug="it_architect"), Role.objects.get(slug="it_coordinator")

    def outcome(role, relation="holds", **fields):
        return ConfirmedOutcome.objects.create(
            role=role, relation=relation, levels={"communication": 3}, work_style=0.5, **fields
        )

    outcome(architect)
    outcome(coordinator, reliable=False)
    outcome(coordinator, excluded=True)
    outcome(coordinator, relation="aims")
    outcome(None, relation="")
    seen = []

    def record(roles, competencies, outcomes, **kwargs):
        seen.extend(outcomes)
        raise RuntimeError("enough: the training data are what this test looks at")

    monkeypatch.setattr(recommender, "train", record)
    with pytest.raises(RuntimeError, match="enough"):
        lifecycle.train_and_activate()
    assert [role for _levels, _style, role in seen] == ["it_architect"]


@pytest.mark.django_db
def test_deleting_the_answers_and_results_deletes_the_feedback_given_on_them(client, finished_assessment):
    """The delete page says it deletes the result "for good"; the feedback, stored apart and keyed to the link,
    stayed, and the consent given with it could not be withdrawn in the app."""
    from tests.conftest import answer_all, weakest

    other = answer_all(start_assessment(), weakest)
    client.post(feedback_url(finished_assessment), HOLDS_ARCHITECT)
    client.post(feedback_url(other), HOLDS_ARCHITECT)
    assert ConfirmedOutcome.objects.count() == 2
    client.post(reverse("delete-results", args=[finished_assessment.token]))
    assert list(ConfirmedOutcome.objects.values_list("assessment_key", flat=True)) == [
        ConfirmedOutcome.key_for(other.token)
    ]


@pytest.mark.django_db
def test_feedback_on_a_result_that_names_no_roles_is_refused_and_stores_nothing(client):
    """The form is only on a reliable result's page; one sent from a tab left open while the result became one that
    names no roles ("Ergebnis schärfen") was stored, its `top_role` a role the person never saw first (a code
    review)."""
    import random

    rng = random.Random(5)
    clicker = answer_all(start_assessment(), lambda item, options: rng.choice(options))
    assert not client.get(reverse("results", args=[clicker.token])).context["reliable"]  # the test can tell
    whole = client.post(feedback_url(clicker), HOLDS_ARCHITECT)
    part = client.post(feedback_url(clicker), HOLDS_ARCHITECT, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="feedback")
    assert whole.status_code == part.status_code == 409
    for response in (whole, part):
        assert "wurde Ihre Rückmeldung nicht gespeichert" in response.content.decode().replace("\u00ad", "")
    assert 'id="feedback-refused"' in part.content.decode() and "<html" not in part.content.decode()
    assert not ConfirmedOutcome.objects.exists()
    clicker.refresh_from_db()
    assert clicker.feedback_given_at is None


@pytest.mark.django_db
def test_the_top_role_stored_with_feedback_is_the_one_the_page_puts_first(client, finished_assessment):
    from django.utils import timezone

    first = client.get(reverse("results", args=[finished_assessment.token])).context["fits"][0][0].slug
    Role.objects.filter(slug=first).update(active=False, updated_at=timezone.now())  # withdrawn since
    shown_first = client.get(reverse("results", args=[finished_assessment.token])).context["fits"][0][0].slug
    assert shown_first != first
    client.post(feedback_url(finished_assessment), {"fits": "yes", "consent": "on"})
    assert ConfirmedOutcome.objects.get().top_role == shown_first


@pytest.mark.django_db
def test_feedback_on_a_reliable_result_with_every_role_withdrawn_is_refused_and_the_form_not_offered(
    client, finished_assessment
):
    """The check was on the result's reliability alone: a reliable result whose every role was withdrawn showed the
    form, and a "yes" was stored with an empty top role (a code review)."""
    from django.utils import timezone

    client.get(reverse("results", args=[finished_assessment.token]))
    Role.objects.update(active=False, updated_at=timezone.now())
    page = client.get(reverse("results", args=[finished_assessment.token])).content.decode()
    assert page.count('id="feedback"') == 0
    assert client.post(feedback_url(finished_assessment), {"fits": "yes", "consent": "on"}).status_code == 409
    assert not ConfirmedOutcome.objects.exists()


@pytest.mark.django_db
def test_feedback_already_given_is_not_called_unstored_when_the_result_names_no_roles_since(client):
    """Given before the result became one that names no roles, a form sent again from an old tab heard "your feedback
    was not stored" (a code review): it was."""
    import random

    from django.utils import timezone

    rng = random.Random(5)
    clicker = answer_all(start_assessment(), lambda item, options: rng.choice(options))
    Assessment.objects.filter(pk=clicker.pk).update(feedback_given_at=timezone.now())
    response = client.post(feedback_url(clicker), HOLDS_ARCHITECT, follow=True)
    assert response.status_code == 200
    assert "bereits" in response.content.decode() and "nicht gespeichert" not in response.content.decode()


@pytest.mark.django_db
def test_feedback_given_after_the_attempt_was_read_is_deleted_with_it(client, finished_assessment):
    """The attempt is read, feedback comes in from another tab, then the attempt is deleted: the feedback went only
    if the row read before said it had some (a code review)."""
    read_before = Assessment.objects.get(pk=finished_assessment.pk)
    assert read_before.feedback_given_at is None
    client.post(feedback_url(finished_assessment), HOLDS_ARCHITECT)  # the other tab
    assert ConfirmedOutcome.objects.count() == 1
    read_before.delete()
    assert not ConfirmedOutcome.objects.exists()
