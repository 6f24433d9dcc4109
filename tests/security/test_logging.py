"""Logs are JSON lines with a request id, and never hold a token, an answer or an address."""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config.logging import mask_tokens
from tests.servers import free_port, production_env

ROOT = Path(__file__).resolve().parents[2]

# A request through the whole middleware stack in a process configured for JSON logs; the path is
# not routed, so no database is needed, and Django logs "Not Found: <path>" as well as our line.
REQUEST = """
import django
django.setup()
from django.test import Client
response = Client().get("/a/{token}/nirgends/?role=x", HTTP_X_REQUEST_ID="trace-0123456789")
print(response.status_code, response["X-Request-ID"])
"""


@pytest.fixture(scope="module")
def json_log(tmp_path_factory) -> tuple[str, str, str]:
    token = secrets.token_urlsafe(24)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_LOG_FORMAT="json",
        DJANGO_ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"sqlite:///{tmp_path_factory.mktemp('log') / 'empty.sqlite3'}",
    )
    result = subprocess.run(
        [sys.executable, "-c", REQUEST.format(token=token)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return token, result.stdout, result.stderr


def test_each_log_line_is_json_with_the_request_id(json_log):
    _token, stdout, stderr = json_log
    assert stdout.split() == ["404", "trace-0123456789"]
    records = [json.loads(line) for line in stderr.splitlines() if line.strip()]
    served = [r for r in records if r["request_id"] == "trace-0123456789"]
    loggers = {r["logger"] for r in served}
    assert {"revierpfad.requests", "django.request"} <= loggers
    access = next(r for r in served if r["logger"] == "revierpfad.requests")
    assert access["status"] == 404 and access["method"] == "GET"
    assert access["path"] == "/a/<masked>/nirgends/"  # no query string either
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)


def test_no_log_line_holds_the_token(json_log):
    token, _stdout, stderr = json_log
    assert token not in stderr
    assert "<masked>" in stderr


@pytest.mark.django_db
def test_the_request_id_is_sent_back_and_a_strange_one_is_replaced(client):
    given = client.get("/", HTTP_X_REQUEST_ID="lb-1234abcd")
    assert given["X-Request-ID"] == "lb-1234abcd"
    forged = client.get("/", HTTP_X_REQUEST_ID='x" injected\nline')
    assert forged["X-Request-ID"] != 'x" injected\nline'
    assert len(forged["X-Request-ID"]) == 32
    assert client.get("/")["X-Request-ID"] != client.get("/")["X-Request-ID"]


@pytest.mark.django_db
def test_request_lines_name_no_answer_and_no_address(client, assessment, caplog):
    from assessment.models import Item
    from config.logging import MaskedJsonFormatter, logging_config

    item = Item.objects.get(pk=assessment.item_ids[0])
    with caplog.at_level("INFO"):
        client.post(
            assessment.step_url(1),
            {"item": item.slug, "option": item.options.last().value},
            REMOTE_ADDR="203.0.113.99",
        )
    records = [r for r in caplog.records if r.name == "revierpfad.requests"]
    assert len(records) == 1
    spec = logging_config(json_lines=True, level="INFO")["formatters"]["json"]
    line = json.loads(MaskedJsonFormatter(fmt=spec["fmt"], rename_fields=spec["rename_fields"]).format(records[0]))
    assert line["message"].startswith("POST /a/<masked>/frage/1/ 302")
    extra = set(line) - {"time", "level", "logger", "message", "request_id"}
    assert extra == {"method", "path", "status", "duration_ms"}
    assert assessment.token not in json.dumps(line) and "203.0.113.99" not in json.dumps(line)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("GET /a/AbC-123_xyz/frage/2/", "GET /a/<masked>/frage/2/"),
        ("Not Found: /a/AbC-123_xyz/", "Not Found: /a/<masked>/"),
        ("/geteilt/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/", "/geteilt/<masked>/"),
        ("<WSGIRequest: GET '/a/abc/ergebnis/?role=x'>", "<WSGIRequest: GET '/a/<masked>/ergebnis/?role=x'>"),
        ('"path": "/a/abc"', '"path": "/a/<masked>"'),
        ("/static/css/app.fe948a1ab9de.css", "/static/css/app.fe948a1ab9de.css"),
        ("/konto/registrieren/", "/konto/registrieren/"),
        (
            "Invalid request from ip=192.0.2.7: Invalid HTTP method: 'G@T'",
            "Invalid request from ip=<masked>: Invalid HTTP method: 'G@T'",
        ),
        (
            "Invalid request from ip=2001:db8::1: Invalid HTTP Version",
            "Invalid request from ip=<masked>: Invalid HTTP Version",
        ),
        ("Invalid request from ip=::1: x", "Invalid request from ip=<masked>: x"),
        # in a query (a review found `?keep=<token>` in runserver's lines)
        ("GET /konto/anmelden/?keep=AbCdEfGhIjKlMnOpQrStUv_-12 302", "GET /konto/anmelden/?keep=<masked> 302"),
        (
            "GET /konto/?next=%2Fa%2FAbCdEfGhIjKlMnOpQrStUv12%2Fergebnis%2F&x=1",
            "GET /konto/?next=%2Fa%2F<masked>%2Fergebnis%2F&x=1",
        ),
        (
            "GET /a/x/ergebnis/?role=it_service_manager&max_hours=40",
            "GET /a/<masked>/ergebnis/?role=it_service_manager&max_hours=40",
        ),
        (  # an encoded "=" inside an encoded next=, and a token before a full stop
            "next=%2Fkonto%2Fvergleich%2F%3Fvorher%3DAbCdEfGhIjKlMnOpQrStUv12 ?keep=AbCdEfGhIjKlMnOpQrStUv12.",
            "next=%2Fkonto%2Fvergleich%2F%3Fvorher%3D<masked> ?keep=<masked>.",
        ),
    ],
)
def test_tokens_in_paths_and_queries_and_client_addresses_are_masked_and_nothing_else(text, masked):
    assert mask_tokens(text) == masked


def test_gunicorn_lines_are_json_and_name_no_client_address(tmp_path):
    """gunicorn answers a malformed request itself (400) and logs it naming the client: its lines go through the
    application's formatters, the address masked, each time with its offset (master and workers differ in zone)."""
    port = free_port()
    env = production_env(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "-c",
                "config/gunicorn.py",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            replies = [
                send_raw(port, b"G@T /a/" + secrets.token_urlsafe(24).encode() + b"/ HTTP/1.1\r\nHost: x\r\n\r\n"),
                send_raw(port, b"GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n"),
            ]
        finally:
            process.terminate()
            process.wait(timeout=30)
    assert all(reply.startswith(b"HTTP/1.1 400") for reply in replies), replies
    records = [json.loads(line) for line in log_path.read_text().splitlines() if line.strip()]
    invalid = [r["message"] for r in records if r["message"].startswith("Invalid request")]
    assert len(invalid) == 2 and all(m.startswith("Invalid request from ip=<masked>: ") for m in invalid), invalid
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", r["time"]) for r in records), records


def send_raw(port: int, request: bytes) -> bytes:
    """Send bytes as they are (no HTTP library would send a malformed request line) and read the reply."""
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
                connection.sendall(request)
                return connection.recv(200)
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
