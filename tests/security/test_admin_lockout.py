"""django-axes on the admin login: after N failures that username from that address is locked out."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser("chef", "chef@example.org", PASSWORD)


def log_in(client: Client, password: str, username: str = "chef"):
    return client.post(LOGIN, {"username": username, "password": password})


def fail_until_locked(client: Client, limit: int):
    for attempt in range(1, limit + 1):
        response = log_in(client, f"wrong-{attempt}")
    return response


def test_the_right_password_still_signs_in_before_the_limit(client, admin_user, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, f"wrong-{attempt}").status_code == 400  # the form again, with an error
    response = log_in(client, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_after_the_limit_even_the_right_password_gets_the_lockout_page(client, admin_user, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    locked = fail_until_locked(client, settings.AXES_FAILURE_LIMIT)
    assert locked.status_code == 429
    response = log_in(client, PASSWORD)
    assert response.status_code == 429
    text = response.content.decode()
    assert "Anmeldung vorübergehend gesperrt" in text
    assert "15 Minuten" in text
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still not signed in: back to the login


def test_the_lockout_is_for_that_username_from_that_address_only(admin_user, django_user_model, settings):
    django_user_model.objects.create_superuser("kollegin", "k@example.org", PASSWORD)
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    fail_until_locked(attacker, settings.AXES_FAILURE_LIMIT)
    assert log_in(attacker, PASSWORD).status_code == 429
    # the real admin from the office is not locked out by someone guessing elsewhere
    assert log_in(Client(REMOTE_ADDR="198.51.100.20"), PASSWORD).status_code == 302
    # another account from the attacker's address is not locked either
    assert log_in(attacker, PASSWORD, username="kollegin").status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, admin_user, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt

    fail_until_locked(client, settings.AXES_FAILURE_LIMIT)
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16))
    assert log_in(client, PASSWORD).status_code == 302


def test_the_log_does_not_name_the_user_or_the_address(client, admin_user, settings, caplog):
    with caplog.at_level("INFO"):
        fail_until_locked(Client(REMOTE_ADDR="203.0.113.77"), settings.AXES_FAILURE_LIMIT)
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "AXES" in text  # the attempts are logged...
    assert "chef" not in text and "203.0.113.77" not in text  # ...pseudonymously
