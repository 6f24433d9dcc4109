"""How long a mailed link works is said where it is sent, in the mail, and where it no longer works, from the
setting the tokens expire by (PASSWORD_RESET_TIMEOUT). The six texts said "3 days" in fixed words, true only as
long as nobody changed the setting."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from tests.assessment.test_password_reset import ask_for_reset, registered
from tests.assessment.test_signup import sign_up

pytestmark = pytest.mark.django_db
DAY = 24 * 3600


@pytest.mark.parametrize(("days", "said"), [(1, "1 Tag"), (5, "5 Tagen")])
def test_every_page_and_mail_about_a_link_says_how_long_it_works(client, settings, days, said):
    settings.PASSWORD_RESET_TIMEOUT = days * DAY
    texts = {
        "signup page": sign_up(client, "kim@example.org").content.decode(),
        "confirmation mail": str(mail.outbox[-1].body),
    }
    registered()
    texts["reset page"] = client.get(ask_for_reset(client)["Location"]).content.decode()
    texts["reset mail"] = str(mail.outbox[-1].body)
    texts["broken confirmation link"] = client.get(reverse("confirm-signup", args=["MTIz", "x-y"])).content.decode()
    texts["broken reset link"] = client.get(reverse("password_reset_confirm", args=["MTIz", "x-y"])).content.decode()
    for where, text in texts.items():
        assert f"innerhalb von {said}" in text or f"(nach {said})" in text, where
        assert "3 Tagen" not in text, where
