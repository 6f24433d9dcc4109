"""A forgotten password is reset through a one-time link mailed to the address. The form tells nobody whether an
address has an account: the same page and one e-mail for every valid address. Choosing the new password logs the
person in and leads on to where they were going, if that is on this site."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from smtplib import SMTPException

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.assessment.test_signup import sign_up, without_tokens_and

pytestmark = pytest.mark.django_db
User = get_user_model()
OLD_PASSWORD = "Zollverein-2026!"
NEW_PASSWORD = "Phoenix-See-2027!"
RESET_LINK = re.compile(r"https?://[^/\s]+(/konto/passwort-neu/\S+)")


def registered(email: str = "eva@example.org", **extra):
    """An account as a confirmed signup leaves it: the address is the user name, active, with a password."""
    return User.objects.create_user(email, email, OLD_PASSWORD, **extra)


def ask_for_reset(client, email: str = "eva@example.org", **extra: str):
    """The "forgot your password?" form posted (`extra`: next)."""
    return client.post(reverse("password_reset"), {"email": email, **extra})


def reset_link(email: str = "eva@example.org") -> str:
    """The path (with its query) of the reset link in the newest mail to `email`."""
    body = next(str(message.body) for message in reversed(mail.outbox) if message.to == [email])
    match = RESET_LINK.search(body)
    assert match, body
    return match.group(1)


def choose_new_password(client, link: str, password: str = NEW_PASSWORD, repeated: str | None = None, **extra):
    """Open the link (Django moves it to its ".../set-password/" address) and post the new password twice there;
    the response to that post."""
    opened = client.get(link)
    if opened.status_code != 302:
        return opened
    data = {"new_password1": password, "new_password2": repeated or password, **extra}
    return client.post(opened["Location"].split("?")[0], data)


def test_the_login_page_links_to_the_reset_form_and_keeps_where_the_person_was_going(client):
    page = client.get(reverse("login"), {"next": "/konto/"}).content.decode()
    assert f'href="{reverse("password_reset")}?next=/konto/"' in page
    assert "Passwort vergessen?" in page
    form = client.get(reverse("password_reset"), {"next": "/konto/"}).content.decode()
    assert 'name="next" value="/konto/"' in form and "csrfmiddlewaretoken" in form


def test_an_address_with_and_without_an_account_gets_the_same_answer_and_one_mail_each():
    registered("eva@example.org")
    sign_up(Client(), "paul@example.org")  # signed up, never confirmed
    mail.outbox.clear()
    responses = [ask_for_reset(Client(), email) for email in ("eva@example.org", "paul@example.org", "kim@example.org")]
    assert {response.status_code for response in responses} == {302}
    assert {response["Location"] for response in responses} == {reverse("password_reset_done")}
    done = Client().get(reverse("password_reset_done"))
    assert done.status_code == 200 and "registration/password_reset_done.html" in [t.name for t in done.templates]
    assert [message.to for message in mail.outbox] == [["eva@example.org"], ["paul@example.org"], ["kim@example.org"]]
    with_link, *notes = mail.outbox
    assert "/konto/passwort-neu/" in with_link.body
    for note in notes:
        assert "/konto/passwort-neu/" not in note.body and "http://testserver/konto/registrieren/" in note.body


def test_a_request_costs_the_same_queries_and_changes_nothing_whether_or_not_the_address_has_an_account(settings):
    # one rate-limit window for the whole test: a request that opens a new one also deletes the old ones
    settings.RATELIMITS = {**settings.RATELIMITS, "password_reset": (10_000, 10**9)}
    registered("eva@example.org")
    ask_for_reset(Client(), "lena@example.org")  # the rate limit's first request in its window cleans up
    before = list(User.objects.order_by("pk").values())
    statements = []
    for email in ("eva@example.org", "kim@example.org"):
        with CaptureQueriesContext(connection) as queries:
            assert ask_for_reset(Client(), email).status_code == 302
        statements.append([query["sql"].split()[0].upper() for query in queries.captured_queries])
    assert statements[0] == statements[1]
    assert list(User.objects.order_by("pk").values()) == before
    assert not User.objects.filter(username="kim@example.org").exists()  # a reset never makes an account


def test_the_link_sets_the_new_password_logs_in_and_leads_on_to_next(client, finished_assessment):
    registered()
    result = reverse("results", args=[finished_assessment.token])
    ask_for_reset(client, "Eva@Example.org ", next=result)
    link = reset_link()
    assert "next=" not in link and finished_assessment.token not in mail.outbox[-1].body  # the browser keeps it
    opened = client.get(link)
    assert opened.status_code == 302 and "/set-password/" in opened["Location"]  # the token leaves the address
    page = client.get(opened["Location"])
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    text = page.content.decode()
    assert 'name="username" value="eva@example.org" autocomplete="username"' in text  # for password managers
    assert text.count('autocomplete="new-password"') == 2
    assert User.objects.get().check_password(OLD_PASSWORD)  # opening the link changes nothing
    response = client.post(opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == result
    assert User.objects.get().check_password(NEW_PASSWORD)
    assert "Ihr neues Passwort ist gespeichert" in client.get(result).content.decode()
    assert client.get(reverse("my-results")).status_code == 200  # logged in


def test_a_link_opened_in_another_browser_leads_to_my_results(client, finished_assessment):
    registered()
    ask_for_reset(client, next=reverse("results", args=[finished_assessment.token]))
    response = choose_new_password(Client(), reset_link())
    assert response.status_code == 302 and response["Location"] == reverse("my-results")


def test_without_a_next_the_new_password_leads_to_my_results(client):
    registered()
    ask_for_reset(client)
    response = choose_new_password(client, reset_link())
    assert response.status_code == 302 and response["Location"] == reverse("my-results")
    assert client.get(reverse("my-results")).status_code == 200


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "foo", "http://testserver@evil.example/"],
)
def test_the_reset_never_follows_a_next_address_off_the_site(client, target):
    registered()
    ask_for_reset(client, next=target)
    link = reset_link()
    assert "evil" not in link and "javascript" not in link and "next=" not in link
    opened = client.get(f"{link}?next={target}")  # put into the link afterwards
    assert opened.status_code == 302 and "evil" not in opened["Location"] and "next=" not in opened["Location"]
    response = client.post(
        opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD, "next": target}
    )
    assert response.status_code == 302 and response["Location"] == reverse("my-results")
    assert User.objects.get().check_password(NEW_PASSWORD)


def test_the_link_works_only_once(client):
    registered()
    ask_for_reset(client)
    link = reset_link()
    assert choose_new_password(client, link).status_code == 302
    stranger = Client()
    again = choose_new_password(stranger, link, "Zeche-Zollern-77")
    assert again.status_code == 400
    assert "registration/password_reset_invalid.html" in [t.name for t in again.templates]
    assert f'href="{reverse("password_reset")}"' in again.content.decode()
    assert User.objects.get().check_password(NEW_PASSWORD)
    assert stranger.get(reverse("my-results")).status_code == 302


def test_an_expired_link_gets_a_400_page_with_a_way_to_ask_again(client, monkeypatch):
    registered()
    four_days_ago = datetime.now() - timedelta(days=4)
    monkeypatch.setattr(default_token_generator, "_now", lambda: four_days_ago)
    ask_for_reset(client)
    monkeypatch.undo()
    response = client.get(reset_link())
    assert response.status_code == 400
    text = response.content.decode()
    assert 'role="alert"' in text and f'href="{reverse("password_reset")}"' in text
    assert User.objects.get().check_password(OLD_PASSWORD)


@pytest.mark.parametrize(
    "forge",
    [
        lambda uid, token: (uid, token[:-1] + ("a" if token[-1] != "a" else "b")),  # a changed token
        lambda uid, token: (uid, "set-password"),  # Django's own address, without the token in the session
        lambda uid, token: ("MTIzNDU2Nzg5", token),  # another account's id
        lambda uid, token: ("!!!", token),  # not base64
        lambda uid, token: ("OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5", token),  # an id too large for the database
        lambda uid, token: ("_w", token),  # decodes to bytes that are not UTF-8
    ],
)
def test_a_forged_link_gets_a_400_page_and_changes_nothing(client, forge):
    registered()
    ask_for_reset(client)
    uid, token = re.match(r"/konto/passwort-neu/([^/]+)/([^/?]+)/", reset_link()).groups()
    url = reverse("password_reset_confirm", args=forge(uid, token))
    for response in (client.get(url), client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})):
        assert response.status_code == 400
        assert "registration/password_reset_invalid.html" in [t.name for t in response.templates]
    assert User.objects.get().check_password(OLD_PASSWORD)


def test_a_link_sent_before_an_admin_closed_the_account_does_not_reopen_it(client):
    registered()
    ask_for_reset(client)
    User.objects.update(is_active=False)
    assert choose_new_password(client, reset_link()).status_code == 400
    assert User.objects.get().check_password(OLD_PASSWORD)


@pytest.mark.parametrize("account", ["pending", "deactivated", "admin named otherwise"])
def test_only_an_account_that_logs_in_with_its_address_gets_a_link(client, account):
    if account == "pending":
        sign_up(Client(), "eva@example.org")
    elif account == "deactivated":
        registered(is_active=False)
    else:
        User.objects.create_superuser("chef", "eva@example.org", OLD_PASSWORD)
    mail.outbox.clear()
    before = list(User.objects.values())
    assert ask_for_reset(client).status_code == 302
    (message,) = mail.outbox
    assert message.to == ["eva@example.org"] and "/konto/passwort-neu/" not in message.body
    assert list(User.objects.values()) == before


def test_a_weak_password_is_refused_at_the_new_password_field_and_a_mismatch_at_the_confirmation(client):
    """As on the page that confirms a signup (tests/assessment/test_signup.py): the validators judge the password,
    so their message stands at the password field, not at its confirmation."""
    registered("kim@example.org")
    ask_for_reset(client, "kim@example.org")
    url = client.get(reset_link("kim@example.org"))["Location"]
    weak = client.post(url, {"new_password1": "password123", "new_password2": "password123"})
    assert weak.status_code == 400
    assert list(weak.context["form"].errors) == ["new_password1"]
    text = weak.content.decode()
    assert "Neues Passwort: Dieses Passwort wird zu häufig verwendet." in text
    assert "bestätigen: Dieses Passwort wird zu häufig verwendet" not in text
    assert re.search(r'<ul class="errorlist" id="id_new_password1_error"><li>Dieses Passwort wird zu häufig', text)
    mismatch = client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"})
    assert mismatch.status_code == 400
    assert list(mismatch.context["form"].errors) == ["new_password2"]
    assert User.objects.get().check_password(OLD_PASSWORD)


def test_a_missing_or_invalid_address_is_refused_with_a_message_and_no_mail(client):
    for data in ({"email": "not-an-address"}, {"email": ""}, {}):
        response = client.post(reverse("password_reset"), data)
        assert response.status_code == 400
        text = response.content.decode()
        assert 'role="alert"' in text and 'id="id_email_error"' in text
    assert not mail.outbox


def test_both_forms_need_the_csrf_token(client):
    registered()
    person = Client(enforce_csrf_checks=True)
    assert person.post(reverse("password_reset"), {"email": "eva@example.org"}).status_code == 403
    assert not mail.outbox
    ask_for_reset(client)
    opened = person.get(reset_link())
    refused = person.post(opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert refused.status_code == 403
    assert User.objects.get().check_password(OLD_PASSWORD)


def test_a_mail_server_that_fails_gets_the_same_503_with_and_without_an_account(monkeypatch):
    registered()

    def refuse(self, fail_silently=False):
        raise SMTPException("connection refused")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with_account = ask_for_reset(Client(), "eva@example.org")
    without = ask_for_reset(Client(), "kim@example.org")
    assert with_account.status_code == without.status_code == 503
    assert without_tokens_and(with_account.content) == without_tokens_and(without.content)
    assert f'href="{reverse("password_reset")}"' in without.content.decode()


def test_the_mails_are_written_in_the_language_of_the_page(client):
    registered()
    client.cookies["django_language"] = "en"
    ask_for_reset(client, "eva@example.org")
    ask_for_reset(client, "kim@example.org")
    ask_for_reset(Client(), "eva@example.org")  # German, the default
    link, note, german = mail.outbox
    assert link.subject == "Revierpfad: choose a new password"
    assert "open this link within 3 days. The link works once:" in link.body
    assert note.subject == "Revierpfad: no account with this address"
    with translation.override("de"):
        assert german.subject == translation.gettext("Revierpfad: choose a new password") != link.subject
    assert "Der Link funktioniert einmal" in german.body


def test_the_reset_pages_and_mails_are_german_throughout(client):
    from tests.test_language_of_pages import english_on

    registered()
    pages = {
        "form refused": client.post(reverse("password_reset"), {"email": "not-an-address"}),
        "sent": client.post(reverse("password_reset"), {"email": "eva@example.org"}, follow=True),
        "invalid link": client.get(reverse("password_reset_confirm", args=["MQ", "forged"])),
    }
    ask_for_reset(client, "kim@example.org")
    assert "registration/password_reset_done.html" in [t.name for t in pages["sent"].templates]
    link_mail, note_mail = mail.outbox
    pages["new password"] = client.get(reset_link(), follow=True)
    pages["new password refused"] = client.post(pages["new password"].request["PATH_INFO"], {"new_password1": "1"})
    found = {name: english_on(response.content) for name, response in pages.items()}
    found |= {f"mail: {m.subject}": english_on(f"<p>{m.subject} {m.body}</p>") for m in (link_mail, note_mail)}
    assert {name: phrases for name, phrases in found.items() if phrases} == {}
    assert "Neues Passwort wählen" in link_mail.subject and "Kein Konto" in note_mail.subject
