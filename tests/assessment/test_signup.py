"""Signing up tells nobody whether an address is registered: the same answer and one e-mail for every valid
signup. It asks only for the address; the password is chosen on the page the link in the mail leads to, and the
account opens only by a POST there. So nobody who signs up with someone else's address decides its password."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from smtplib import SMTPException

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import get_hasher
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from assessment import accounts
from tests.security.test_production_settings import PRODUCTION, run

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "Ruhrpott-2026!"
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/konto/bestaetigen/\S+)")


def sign_up(client, email: str = "kim@example.org", **extra: str):
    """The signup form posted, as a person fills it in (`extra`: next, keep)."""
    return client.post(reverse("signup"), {"email": email, **extra})


def choose_password(client, link: str, password: str = PASSWORD, repeated: str | None = None, **extra: str):
    """The confirmation page's form posted: the password twice (`extra`: next, keep)."""
    return client.post(link, {"new_password1": password, "new_password2": repeated or password, **extra})


def confirmation_link(email: str = "kim@example.org") -> str:
    """The path (with its query) of the confirmation link in the newest mail to `email`."""
    body = next(str(message.body) for message in reversed(mail.outbox) if message.to == [email.lower()])
    match = CONFIRM_LINK.search(body)
    assert match, body
    return match.group(1)


def sign_up_and_confirm(client, email: str = "kim@example.org", password: str = PASSWORD, **extra: str):
    """Sign up, open the link from the mail and choose the password there; the response to that form."""
    assert sign_up(client, email, **extra).status_code == 200
    link = confirmation_link(email)
    assert client.get(link).status_code == 200
    return choose_password(client, link, password)


def without_tokens_and(content: bytes, *addresses: str) -> str:
    """A page with its CSRF tokens (64 letters and digits, fresh on each page) and the given addresses blanked."""
    text = re.sub(r"[A-Za-z0-9]{64}", "<csrf>", content.decode())
    for address in addresses:
        text = text.replace(address, "<address>")
    return text


def test_a_registered_and_a_new_address_get_the_same_answer_and_one_mail_each():
    User.objects.create_user("eva@example.org", "eva@example.org", "Zollverein-2026!")
    registered = sign_up(Client(), "eva@example.org")
    new = sign_up(Client(), "kim@example.org")
    assert registered.status_code == new.status_code == 200
    pages = [[t.name for t in response.templates if t.name.endswith(".html")] for response in (registered, new)]
    assert pages[0] == pages[1]
    assert "registration/signup_done.html" in [t.name for t in new.templates]
    assert without_tokens_and(registered.content, "eva@example.org") == without_tokens_and(
        new.content, "kim@example.org"
    )
    assert sorted(message.to[0] for message in mail.outbox) == ["eva@example.org", "kim@example.org"]


def test_a_new_address_gets_an_inactive_account_and_a_link_to_confirm_it(client):
    sign_up(client, "Kim@Example.org")
    user = User.objects.get()
    assert user.username == user.email == "kim@example.org" and not user.is_active
    assert not user.has_usable_password()  # the password is chosen on confirming
    (message,) = mail.outbox
    assert message.to == ["kim@example.org"]
    assert "/konto/bestaetigen/" in message.body and "/konto/anmelden/" not in message.body
    assert client.get(reverse("my-results")).status_code == 302  # not logged in yet


def test_a_registered_address_gets_a_note_with_the_login_link_and_nothing_changes(client):
    owner = User.objects.create_user("eva@example.org", "eva@example.org", "Zollverein-2026!")
    page = "/konto/"
    sign_up(client, "EVA@example.org", next=page)
    (message,) = mail.outbox
    assert message.to == ["eva@example.org"]
    assert "http://testserver/konto/anmelden/\n" in message.body  # no page to go on to: the mail may go astray
    assert "/konto/bestaetigen/" not in message.body
    assert User.objects.get().password == owner.password
    assert User.objects.get().check_password("Zollverein-2026!")


@pytest.mark.parametrize("account", ["registered", "pending", "new"])
def test_no_signup_hashes_a_password_whatever_the_address(client, monkeypatch, account):
    if account == "registered":
        User.objects.create_user("eva@example.org", "eva@example.org", "Zollverein-2026!")
    elif account == "pending":
        sign_up(Client(), "eva@example.org")
    hasher = type(get_hasher())
    calls = []
    encode = hasher.encode
    monkeypatch.setattr(hasher, "encode", lambda self, *args, **kw: calls.append(1) or encode(self, *args, **kw))
    assert sign_up(client, "eva@example.org", password1=PASSWORD, password2=PASSWORD).status_code == 200
    assert calls == []


def test_a_new_a_pending_and_a_registered_address_cost_the_same_queries_and_only_a_new_one_changes_anything(settings):
    """Except the time a pending account's last link was sent (it is kept until that link expires)."""
    # one rate-limit window for the whole test: a request that opens a new one also deletes the old ones
    settings.RATELIMITS = {**settings.RATELIMITS, "signup": (10_000, 10**9)}
    User.objects.create_user("eva@example.org", "eva@example.org", "Zollverein-2026!")
    sign_up(Client(), "kim@example.org")
    before = list(User.objects.order_by("pk").values())
    pending_since = before[1].pop("date_joined")
    statements = []
    for email in ("eva@example.org", "kim@example.org", "lena@example.org"):
        with CaptureQueriesContext(connection) as queries:
            assert sign_up(Client(), email).status_code == 200
        kinds = [query["sql"].split()[0].upper() for query in queries.captured_queries]
        statements.append(["WRITE" if kind in ("INSERT", "UPDATE") else kind for kind in kinds])
    assert statements[0] == statements[1] == statements[2]  # each writes one row, so each commits one write
    after = list(User.objects.order_by("pk").values())[:2]
    assert after[1].pop("date_joined") > pending_since
    assert after == before


def test_opening_the_link_asks_for_the_password_twice_and_does_not_activate_the_account(client):
    sign_up(client)
    page = client.get(confirmation_link())
    assert page.status_code == 200
    text = page.content.decode()
    assert 'method="post"' in text and "csrfmiddlewaretoken" in text
    assert text.count('autocomplete="new-password"') == 2
    assert 'name="new_password1"' in text and 'name="new_password2"' in text
    assert 'id="id_new_password1_helptext"' in text  # the rules, which the field's aria-describedby names
    assert 'name="username" value="kim@example.org" autocomplete="username"' in text  # for password managers
    assert "no-store" in page["Cache-Control"]
    assert not User.objects.get().is_active
    assert client.get(reverse("my-results")).status_code == 302


def test_confirming_activates_logs_in_and_keeps_the_result_it_started_from(client, finished_assessment):
    page = reverse("results", args=[finished_assessment.token])
    assert f"keep={finished_assessment.token}" in client.get(page).content.decode()  # the result page's link
    response = sign_up_and_confirm(client, next=page, keep=finished_assessment.token)
    assert response.status_code == 302 and response["Location"] == page
    user = User.objects.get()
    assert user.is_active
    finished_assessment.refresh_from_db()
    assert finished_assessment.user == user
    assert finished_assessment.token in client.get(reverse("my-results")).content.decode()


@pytest.mark.parametrize("registered", [False, True])
def test_no_mail_carries_the_link_of_the_attempt_it_was_asked_from(client, finished_assessment, registered):
    """The result page's address is the key to the attempt: a mistyped address would hand it to a stranger."""
    if registered:
        User.objects.create_user("kim@example.org", "kim@example.org", "Zollverein-2026!")
    page = reverse("results", args=[finished_assessment.token])
    sign_up(client, next=page, keep=finished_assessment.token)
    (message,) = mail.outbox
    assert finished_assessment.token not in message.body
    assert "next=" not in message.body and "keep=" not in message.body


def test_a_link_opened_in_another_browser_opens_the_account_and_keeps_nothing(client, finished_assessment):
    page = reverse("results", args=[finished_assessment.token])
    done = sign_up(client, "tippfehler@example.org", next=page, keep=finished_assessment.token)
    # the person is told so before (a review lost the result that way, and nothing had said why)
    assert "Öffnen Sie den Link in diesem Browser" in done.content.decode()
    assert "Öffnen Sie den Link in diesem Browser" not in sign_up(client, "ohne@example.org").content.decode()
    stranger = Client()
    link = confirmation_link("tippfehler@example.org")
    for extra in ({}, {"next": page, "keep": finished_assessment.token}):  # nor from what is added to the form
        assert stranger.get(link, extra).status_code == 200
    response = choose_password(stranger, link, next=page, keep=finished_assessment.token)
    assert response.status_code == 302 and response["Location"] == reverse("my-results")
    finished_assessment.refresh_from_db()
    assert finished_assessment.user is None  # still its owner's to keep
    assert finished_assessment.token not in stranger.get(reverse("my-results")).content.decode()


def test_confirming_without_a_next_leads_to_my_results(client):
    response = sign_up_and_confirm(client)
    assert response.status_code == 302 and response["Location"] == reverse("my-results")
    assert client.get(reverse("my-results")).status_code == 200


def test_confirming_needs_the_csrf_token():
    person = Client(enforce_csrf_checks=True)
    sign_up(Client(), "kim@example.org")
    response = choose_password(person, confirmation_link())
    assert response.status_code == 403
    assert not User.objects.get().is_active


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "foo", "http://testserver@evil.example/"],
)
def test_confirming_never_follows_a_next_address_off_the_site(client, target):
    sign_up(client, next=target)
    link = confirmation_link()
    assert "evil" not in link and "javascript" not in link
    # Even when the address is put into the link or the form afterwards.
    response = choose_password(client, link, next=target)
    assert response.status_code == 302
    assert response["Location"] == reverse("my-results")
    assert User.objects.get().is_active


def test_an_expired_link_gets_a_400_page_with_a_way_to_sign_up_again(client, monkeypatch):
    four_days_ago = datetime.now() - timedelta(days=4)
    monkeypatch.setattr(accounts.confirmation_tokens, "_now", lambda: four_days_ago)
    sign_up(client)
    monkeypatch.undo()
    link = confirmation_link()
    for response in (client.get(link), choose_password(client, link)):
        assert response.status_code == 400
        assert f'href="{reverse("signup")}"' in response.content.decode()
    assert not User.objects.get().is_active


def test_a_link_still_works_within_three_days(client, monkeypatch):
    almost_three_days_ago = datetime.now() - timedelta(days=3) + timedelta(minutes=5)
    monkeypatch.setattr(accounts.confirmation_tokens, "_now", lambda: almost_three_days_ago)
    sign_up(client)
    monkeypatch.undo()
    assert choose_password(client, confirmation_link()).status_code == 302
    assert User.objects.get().is_active


@pytest.mark.parametrize(
    "forge",
    [
        lambda uid, token: (uid, token[:-1] + ("a" if token[-1] != "a" else "b")),  # a changed token
        lambda uid, token: (uid, "1-" + "0" * 32),
        lambda uid, token: ("MTIzNDU2Nzg5", token),  # another account's id
        lambda uid, token: ("!!!", token),  # not base64
        lambda uid, token: ("OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5", token),  # an id too large for the database
        lambda uid, token: ("_w", token),  # decodes to bytes that are not UTF-8
    ],
)
def test_a_forged_link_gets_a_400_page_and_activates_nothing(client, forge):
    sign_up(client)
    match = re.match(r"/konto/bestaetigen/([^/]+)/([^/]+)/", confirmation_link())
    uid, token = forge(*match.groups())
    url = reverse("confirm-signup", args=[uid, token])
    for response in (client.get(url), choose_password(client, url)):
        assert response.status_code == 400
        assert "registration/confirm_invalid.html" in [t.name for t in response.templates]
    assert not User.objects.get().is_active


def test_a_link_works_only_once(client):
    sign_up(client)
    link = confirmation_link()
    assert choose_password(client, link).status_code == 302
    client.logout()
    assert choose_password(client, link, "Zeche-Zollern-77").status_code == 400
    assert client.get(reverse("my-results")).status_code == 302
    assert User.objects.get().check_password(PASSWORD)


def test_signing_up_again_before_confirming_sends_a_fresh_link_and_the_first_one_used_ends_all(client):
    sign_up(client)
    first = confirmation_link()
    again = sign_up(Client())
    assert again.status_code == 200 and "registration/signup_done.html" in [t.name for t in again.templates]
    assert len(mail.outbox) == 2 and User.objects.count() == 1
    second = confirmation_link()  # the same as the first when sent within the same second
    assert client.get(first).status_code == client.get(second).status_code == 200  # both still work
    assert choose_password(client, second).status_code == 302
    client.logout()
    assert choose_password(client, first, "Zeche-Zollern-77").status_code == 400
    assert User.objects.get().check_password(PASSWORD)


def test_someone_signing_up_with_anothers_address_cannot_decide_its_password():
    """Account pre-hijacking: an attacker signs up with the victim's address before and after the victim, with
    the password they would like the account to have. It is not asked for and not kept; the victim's link still
    works, and the account opens with the password the victim chooses, which only the victim knows."""
    attacker, victim = Client(), Client()
    wish = {"password1": "Attacker-Wish-2026", "password2": "Attacker-Wish-2026", "password": "Attacker-Wish-2026"}
    assert sign_up(attacker, "eva@example.org", **wish).status_code == 200
    assert not User.objects.get().has_usable_password()
    assert sign_up(victim, "eva@example.org").status_code == 200
    victims_link = confirmation_link("eva@example.org")
    assert sign_up(attacker, "eva@example.org", **wish).status_code == 200  # once more, to replace the link
    assert not User.objects.get().has_usable_password()
    response = choose_password(victim, victims_link, "Zollverein-2026!")
    assert response.status_code == 302
    user = User.objects.get()
    assert user.is_active and user.check_password("Zollverein-2026!")
    assert not user.check_password("Attacker-Wish-2026")
    as_attacker = attacker.post(reverse("login"), {"username": "eva@example.org", "password": "Attacker-Wish-2026"})
    assert as_attacker.status_code == 400 and attacker.get(reverse("my-results")).status_code == 302
    assert len(mail.outbox) == 3 and all(message.to == ["eva@example.org"] for message in mail.outbox)


def test_of_two_confirmations_at_once_only_the_first_sets_the_password(client):
    sign_up(client)
    link = confirmation_link()
    uid, token = re.match(r"/konto/bestaetigen/([^/]+)/([^/]+)/", link).groups()
    late = accounts.user_for_link(uid, token)  # read before the other confirmation was saved
    assert choose_password(client, link).status_code == 302
    assert not accounts.confirm_account(late, "Zeche-Zollern-77")
    assert User.objects.get().check_password(PASSWORD)


def test_an_unconfirmed_account_cannot_log_in_and_the_page_does_not_say_why(client):
    sign_up(client, password1=PASSWORD, password2=PASSWORD)  # a password sent along is not taken
    unconfirmed = client.post(reverse("login"), {"username": "kim@example.org", "password": PASSWORD})
    wrong = Client().post(reverse("login"), {"username": "kim@example.org", "password": "not-the-Password-1"})
    assert unconfirmed.status_code == wrong.status_code == 400
    assert 'role="alert"' in unconfirmed.content.decode()
    assert without_tokens_and(unconfirmed.content) == without_tokens_and(wrong.content)
    assert client.get(reverse("my-results")).status_code == 302


@pytest.mark.parametrize("data", [{"email": "not-an-address"}, {"email": ""}, {}])
def test_a_missing_or_invalid_address_is_refused_with_a_message_and_no_mail(client, data):
    response = client.post(reverse("signup"), data)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not mail.outbox and not User.objects.exists()


@pytest.mark.parametrize(
    ("password", "repeated", "message"),
    [
        ("123", None, "This password is too short"),
        ("kim@example.org", None, "too similar to the username"),
        ("password123", None, "This password is too common"),
        ("Ruhrpott-2026!", "Ruhrpott-2027!", "The two password fields didn"),
        ("", None, "This field is required"),
    ],
)
def test_a_refused_password_gets_a_400_with_the_reason_and_the_link_still_works(client, password, repeated, message):
    client.cookies["django_language"] = "en"
    sign_up(client)
    link = confirmation_link()
    response = choose_password(client, link, password, repeated)
    assert response.status_code == 400
    text = response.content.decode()
    assert 'role="alert"' in text and message in text
    assert 'aria-invalid="true"' in text
    user = User.objects.get()
    assert not user.is_active and not user.has_usable_password()
    assert client.get(reverse("my-results")).status_code == 302
    assert choose_password(client, link).status_code == 302  # the same link, now with a good password
    assert User.objects.get().check_password(PASSWORD)


def test_a_weak_password_is_refused_at_the_password_field_and_a_mismatch_at_the_confirmation(client):
    """The validators judge the password, so their message stands at the password field, where a person looks for
    it (Django's form put it at the confirmation: "Passwort bestätigen: Dieses Passwort wird zu häufig verwendet.")."""
    sign_up(client)
    link = confirmation_link()
    weak = choose_password(client, link, "password123")
    assert weak.status_code == 400
    assert list(weak.context["form"].errors) == ["new_password1"]
    text = weak.content.decode()
    assert "Passwort: Dieses Passwort wird zu häufig verwendet." in text
    assert "bestätigen: Dieses Passwort wird zu häufig verwendet" not in text
    assert re.search(r'<ul class="errorlist" id="id_new_password1_error"><li>Dieses Passwort wird zu häufig', text)
    mismatch = choose_password(client, link, PASSWORD, PASSWORD + "x")
    assert mismatch.status_code == 400
    assert list(mismatch.context["form"].errors) == ["new_password2"]
    assert not User.objects.get().is_active


def test_an_empty_confirmation_post_is_refused_with_a_message(client):
    sign_up(client)
    response = client.post(confirmation_link())
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    assert not User.objects.get().is_active


def test_the_mail_is_written_in_the_language_of_the_page(client):
    client.cookies["django_language"] = "en"
    sign_up(client, "kim@example.org")
    sign_up(Client(), "eva@example.org")  # German, the default
    english, german = mail.outbox
    assert english.subject == "Revierpfad: please confirm your e-mail address"
    assert "open this link within 3 days" in english.body
    # English begins the line after "Hello," with a capital (German's "Hallo,\n\njemand" does not)
    assert english.body.startswith("Hello,\n\nSomeone, probably you,")
    assert german.body.startswith("Guten Tag,\n\njemand")
    with translation.override("de"):
        assert german.subject == translation.gettext("Revierpfad: please confirm your e-mail address")


def test_a_mail_server_that_fails_gets_the_same_503_for_a_registered_and_a_new_address(monkeypatch):
    User.objects.create_user("eva@example.org", "eva@example.org", "Zollverein-2026!")

    def refuse(self, fail_silently=False):
        raise SMTPException("connection refused")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    registered = sign_up(Client(), "eva@example.org")
    new = sign_up(Client(), "kim@example.org")
    assert registered.status_code == new.status_code == 503
    assert without_tokens_and(registered.content) == without_tokens_and(new.content)


def test_signup_never_takes_over_an_attempt_kept_by_someone_else(client, finished_assessment):
    owner = User.objects.create_user("owner@example.org", "owner@example.org", PASSWORD)
    finished_assessment.user = owner
    finished_assessment.save(update_fields=["user"])
    sign_up_and_confirm(client, keep=finished_assessment.token)
    finished_assessment.refresh_from_db()
    assert finished_assessment.user == owner


SHOW_MAIL_SETTINGS = """
import json
import config.settings as s
print(json.dumps([s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD,
                  s.EMAIL_USE_TLS, s.DEFAULT_FROM_EMAIL]))
"""


def test_mail_goes_out_by_smtp_in_production_configured_from_the_environment():
    mail_env = {
        "EMAIL_HOST": "smtp.example.org",
        "EMAIL_PORT": "587",
        "EMAIL_HOST_USER": "revierpfad",
        "EMAIL_HOST_PASSWORD": "s3cret",
        "EMAIL_USE_TLS": "1",
        "DEFAULT_FROM_EMAIL": "Revierpfad <hallo@example.org>",
    }
    production = run(["-c", SHOW_MAIL_SETTINGS], **PRODUCTION, **mail_env)
    assert production.returncode == 0, production.stderr
    assert json.loads(production.stdout.strip().splitlines()[-1]) == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.org",
        587,
        "revierpfad",
        "s3cret",
        True,
        "Revierpfad <hallo@example.org>",
    ]
    development = run(["-c", SHOW_MAIL_SETTINGS])
    backend = json.loads(development.stdout.strip().splitlines()[-1])[0]
    assert backend == "django.core.mail.backends.console.EmailBackend"
    refused = run(["-c", SHOW_MAIL_SETTINGS], **PRODUCTION, EMAIL_PORT="smtp")
    assert refused.returncode != 0 and "EMAIL_PORT must be an integer" in refused.stderr


def test_signing_up_does_not_reopen_an_account_an_admin_deactivated(client):
    sign_up_and_confirm(client)  # confirmed and used
    link = confirmation_link()
    client.logout()
    User.objects.filter(username="kim@example.org").update(is_active=False)  # the admin closes it
    before = User.objects.get().password
    assert choose_password(client, link).status_code == 400  # the old link does not reopen it
    mail.outbox.clear()
    assert sign_up(Client()).status_code == 200
    (message,) = mail.outbox
    assert "/konto/bestaetigen/" not in message.body
    user = User.objects.get()
    assert not user.is_active and user.password == before


def test_signing_up_does_not_open_an_inactive_account_an_admin_made_with_a_password(client):
    User.objects.create_user("eva@example.org", "eva@example.org", "Zollverein-2026!", is_active=False)
    before = User.objects.get().password
    assert sign_up(client, "eva@example.org").status_code == 200
    (message,) = mail.outbox
    assert "/konto/bestaetigen/" not in message.body and "/konto/anmelden/" in message.body
    user = User.objects.get()
    assert not user.is_active and user.password == before
