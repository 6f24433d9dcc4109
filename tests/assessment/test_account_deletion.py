"""A person deletes their own account (Art. 17 GDPR) after their password: with it go the attempts kept in it,
their answers, results, share links and the feedback given on them, and django-axes' records of logins with its
address. A wrong password counts as a failed login. Admin accounts are deleted by another admin, not here."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from assessment.models import Answer, Assessment
from assessment.services import start_assessment
from recommendations.models import ConfirmedOutcome, StoredResult
from tests.conftest import answer_all, keep_in, strongest, weakest
from tests.recommendations.test_feedback_outcomes import HOLDS_ARCHITECT, feedback_url

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "Zollverein-2026!"
DELETE = reverse("delete-account")


def account(email: str = "eva@example.org", **extra):
    return User.objects.create_user(email, email, PASSWORD, **extra)


def kept_attempt(client: Client, user, choose=strongest) -> Assessment:
    """A finished attempt kept in `user`'s account, with its stored result, a share link and feedback on it."""
    attempt = answer_all(start_assessment(), choose)
    assert client.get(reverse("results", args=[attempt.token])).status_code == 200  # stores the result
    attempt.share()
    client.post(feedback_url(attempt), HOLDS_ARCHITECT)
    keep_in(user, attempt)
    return attempt


def logged_in(user, address: str = "198.51.100.7") -> Client:
    """A browser from `address` that logged in through the login form, as a person does."""
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("login"), {"username": user.get_username(), "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_deleting_the_account_deletes_its_attempts_results_share_links_and_feedback_and_nothing_else(client):
    eva, kim = account(), account("kim@example.org")
    mine = [kept_attempt(client, eva), kept_attempt(client, eva, weakest)]
    kims = kept_attempt(client, kim)
    anonymous = kept_attempt(client, None)
    assert ConfirmedOutcome.objects.count() == StoredResult.objects.count() == 4
    browser = logged_in(eva)

    response = browser.post(DELETE, {"password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == reverse("assessment:home")
    assert not User.objects.filter(pk=eva.pk).exists()
    ids = [attempt.pk for attempt in mine]
    assert not Assessment.objects.filter(pk__in=ids).exists()
    assert not Answer.objects.filter(assessment_id__in=ids).exists()
    assert not StoredResult.objects.filter(assessment_id__in=ids).exists()
    for attempt in mine:
        assert client.get(reverse("results", args=[attempt.token])).status_code == 404
        assert client.get(reverse("shared-results", args=[attempt.share_token])).status_code == 404
    # the feedback on them is gone (recommendations.models.forget_feedback), the others' stays
    assert set(ConfirmedOutcome.objects.values_list("assessment_key", flat=True)) == {
        ConfirmedOutcome.key_for(kims.token),
        ConfirmedOutcome.key_for(anonymous.token),
    }
    # another person's attempt and one nobody keeps are untouched
    for attempt, keeper in ((kims, kim), (anonymous, None)):
        attempt.refresh_from_db()
        assert attempt.user == keeper and attempt.answers.exists() and attempt.share_token
        assert StoredResult.objects.filter(assessment=attempt).exists()
    assert User.objects.filter(pk=kim.pk).exists()


def test_deleting_the_account_deletes_the_login_records_of_its_address_only(settings):
    settings.AXES_ENABLE_ACCESS_FAILURE_LOG = True
    eva, kim = account(), account("kim@example.org")
    wrong = {"username": "Eva@Example.org", "password": "not-it"}
    assert Client(REMOTE_ADDR="203.0.113.5").post(reverse("login"), wrong).status_code == 400
    logged_in(kim)
    Client(REMOTE_ADDR="203.0.113.5").post(reverse("login"), {"username": "kim@example.org", "password": "x"})
    browser = logged_in(eva)
    for records in (AccessAttempt, AccessLog, AccessFailureLog):
        assert records.objects.filter(username="eva@example.org").exists(), records

    browser.post(DELETE, {"password": PASSWORD})

    for records in (AccessAttempt, AccessLog, AccessFailureLog):
        assert not records.objects.filter(username__iexact="eva@example.org").exists(), records
        assert records.objects.filter(username="kim@example.org").exists(), records


def test_after_deleting_the_account_the_person_is_logged_out_on_the_start_page_with_a_confirmation(client):
    eva = account()
    browser = logged_in(eva)
    session = browser.session
    session["assessment_token"] = kept_attempt(client, eva).token
    session.save()

    response = browser.post(DELETE, {"password": PASSWORD}, follow=True)

    assert response.redirect_chain == [(reverse("assessment:home"), 302)]
    assert "Ihr Konto und alle darin aufbewahrten Ergebnisse sind gelöscht." in response.content.decode()
    assert "_auth_user_id" not in browser.session and "assessment_token" not in browser.session
    assert browser.get(reverse("my-results")).status_code == 302  # to the login
    assert browser.post(reverse("login"), {"username": "eva@example.org", "password": PASSWORD}).status_code == 400


def test_a_wrong_password_keeps_everything_and_says_so_at_the_field(client):
    eva = account()
    attempt = kept_attempt(client, eva)
    browser = logged_in(eva)

    response = browser.post(DELETE, {"password": "Zollverein-2025!"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Das ist nicht das Passwort Ihres Kontos." in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="id_password_error"' in html
    assert "Zollverein-2025!" not in html  # a password is never written back into the page
    assert User.objects.filter(pk=eva.pk).exists()
    assert Assessment.objects.filter(pk=attempt.pk, user=eva).exists()
    assert ConfirmedOutcome.objects.filter(assessment_key=ConfirmedOutcome.key_for(attempt.token)).exists()
    assert browser.get(reverse("my-results")).status_code == 200  # still logged in
    # django-axes counted it as a failed login of this account from this address
    assert AccessAttempt.objects.get(username="eva@example.org").failures_since_start == 1


def test_wrong_passwords_lock_the_account_out_as_failed_logins_do(settings):
    eva = account()
    browser = logged_in(eva, "203.0.113.20")
    assert settings.AXES_FAILURE_LIMIT == 5
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert browser.post(DELETE, {"password": f"guess-{attempt}"}).status_code == 400
    locked = browser.post(DELETE, {"password": "guess-last"})
    assert locked.status_code == 429
    assert "Anmeldung vorübergehend gesperrt" in locked.content.decode()
    # now even the right password neither deletes the account nor logs in from that address
    assert browser.post(DELETE, {"password": PASSWORD}).status_code == 429
    assert User.objects.filter(pk=eva.pk).exists()
    again = Client(REMOTE_ADDR="203.0.113.20")
    assert again.post(reverse("login"), {"username": "eva@example.org", "password": PASSWORD}).status_code == 429


def test_wrong_passwords_count_towards_the_failed_login_limit_per_client(settings):
    settings.RATELIMITS = {**settings.RATELIMITS, "login_failures": (2, 3600)}
    eva = account()
    browser = logged_in(eva, "203.0.113.21")
    assert browser.post(DELETE, {"password": "guess-1"}).status_code == 400
    assert browser.post(DELETE, {"password": "guess-2"}).status_code == 400
    refused = browser.post(DELETE, {"password": PASSWORD})
    assert refused.status_code == 429 and refused["Retry-After"]
    assert User.objects.filter(pk=eva.pk).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_logged_out_the_page_leads_to_the_login(client, method):
    eva = account()
    response = getattr(client, method)(DELETE, {"password": PASSWORD} if method == "post" else {})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert User.objects.filter(pk=eva.pk).exists()


@pytest.mark.parametrize("role", [{"is_staff": True}, {"is_superuser": True}])
def test_an_admin_account_is_refused_with_an_explanation(client, role):
    admin = account("chefin@example.org", **role)
    browser = logged_in(admin)
    assert 'href="' + DELETE not in browser.get(reverse("my-results")).content.decode()
    for response in (browser.get(DELETE), browser.post(DELETE, {"password": PASSWORD})):
        assert response.status_code == 403
        html = response.content.decode()
        assert "Dieses Konto wird nicht hier gelöscht" in html
        assert "Admin-Bereich" in html
        assert 'name="password"' not in html
    assert User.objects.filter(pk=admin.pk).exists()


def test_the_form_needs_its_csrf_token():
    eva = account()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(eva)
    page = browser.get(DELETE)
    assert page.status_code == 200 and 'name="csrfmiddlewaretoken"' in page.content.decode()
    assert browser.post(DELETE, {"password": PASSWORD}).status_code == 403
    assert User.objects.filter(pk=eva.pk).exists()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    assert browser.post(DELETE, {"password": PASSWORD, "csrfmiddlewaretoken": token}).status_code == 302
    assert not User.objects.filter(pk=eva.pk).exists()


def test_the_confirmation_page_says_what_goes_and_is_linked_from_my_results(client):
    eva = account()
    kept_attempt(client, eva)
    kept_attempt(client, eva)
    browser = logged_in(eva)
    assert f'href="{DELETE}"' in browser.get(reverse("my-results")).content.decode()
    html = browser.get(DELETE).content.decode()
    assert "<strong>eva@example.org</strong>" in html
    assert "mit den 2 darin aufbewahrten Durchgängen" in html
    assert 'autocomplete="current-password"' in html
