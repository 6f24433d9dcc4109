"""The database unavailable: a clear 503 page with Retry-After, never a traceback."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db.utils import InterfaceError, OperationalError
from django.test import Client, RequestFactory
from django.urls import reverse

from assessment.models import Answer, Item
from assessment.services import record_answer
from core.views import database_unavailable
from tests.servers import free_port, production_env

ROOT = Path(__file__).resolve().parents[2]
HTMX = {"HTTP_HX_REQUEST": "true"}


def refuse(*args, **kwargs):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


def assert_outage_page(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    text = response.content.decode()
    assert "nicht erreichbar" in text and "temporarily unavailable" in text
    assert "Traceback" not in text and "OperationalError" not in text and "5432" not in text


@pytest.mark.django_db
def test_a_page_whose_query_fails_shows_the_outage_page(client, monkeypatch):
    monkeypatch.setattr("assessment.models.ItemQuerySet.active", refuse)  # the start page counts the items
    response = client.get("/")
    assert_outage_page(response)
    assert response["X-Request-ID"] in response.content.decode()  # a reference to quote to the operators
    assert "default-src" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_an_interface_error_counts_as_an_outage_too(client, monkeypatch):
    def closed(*args, **kwargs):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr("assessment.views.start_assessment", closed)
    assert_outage_page(client.post(reverse("assessment:start")))


@pytest.mark.django_db
def test_an_answer_during_an_outage_asks_htmx_to_reload_and_loses_nothing(client, assessment, monkeypatch):
    first = Item.objects.get(pk=assessment.item_ids[0])
    earlier = record_answer(assessment, first, first.options.first())
    second = Item.objects.get(pk=assessment.item_ids[1])
    monkeypatch.setattr("assessment.views.record_answer", refuse)
    response = client.post(
        assessment.step_url(2), {"item": second.slug, "option": second.options.first().value}, **HTMX
    )
    assert_outage_page(response)
    assert response["HX-Refresh"] == "true"  # htmx swaps no 5xx: it reloads and shows this page
    assert list(Answer.objects.filter(assessment=assessment)) == [earlier]


@pytest.mark.django_db
def test_an_outage_after_the_view_when_the_session_is_saved_still_gets_the_outage_page(monkeypatch):
    monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore.save", refuse)
    response = Client(raise_request_exception=False).post(reverse("assessment:start"))
    assert_outage_page(response)


@pytest.mark.django_db
def test_other_errors_keep_the_ordinary_error_page(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("assessment.models.ItemQuerySet.active", broken)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_the_outage_page_is_rendered_without_the_database():
    # no django_db mark: any query here would fail the test
    response = database_unavailable(RequestFactory().get("/a/x/frage/1/"))
    assert_outage_page(response)


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def server_without_database(tmp_path):
    """gunicorn with production settings and a DATABASE_URL that points at a closed port."""
    port, closed = free_port(), free_port()
    env = production_env(f"postgres://revierpfad:nothing@127.0.0.1:{closed}/revierpfad")
    log = (tmp_path / "gunicorn.log").open("w")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "-c", "config/gunicorn.py", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                fetch(base + "/healthz")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((tmp_path / "gunicorn.log").read_text()) from None
                time.sleep(0.2)
        yield base, tmp_path / "gunicorn.log"
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_a_real_server_without_its_database_answers_503_pages_and_json(server_without_database):
    base, log = server_without_database
    status, body = fetch(base + "/")
    assert status == 503
    assert "nicht erreichbar" in body and "Traceback" not in body
    status, body = fetch(base + "/healthz")
    assert status == 503
    assert '"database": "unavailable"' in body and '"status": "degraded"' in body
    assert "the database is unavailable" in log.read_text()  # and the operators are told, in the log
