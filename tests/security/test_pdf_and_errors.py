"""The PDF renderer fetches nothing from elsewhere; a refused permission gets the site's 403 page."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import include, path

from recommendations.documents import render_pdf


@pytest.fixture
def listening_server() -> Iterator[tuple[str, list[str]]]:
    """A server on this machine that notes every request: what a hostile link in the PDF would reach."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red; }")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def test_the_pdf_renderer_fetches_nothing_from_the_network(listening_server):
    base, seen = listening_server
    html = (
        f'<html><head><link rel="stylesheet" href="{base}/style.css"><link rel="stylesheet" href="/relative.css">'
        f'</head><body><p>Ergebnis</p><img src="{base}/tracker.png"><img src="file:///etc/hostname">'
        '<img src="data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=">'
        "</body></html>"
    )
    pdf = render_pdf(html, base_url=base + "/")
    assert pdf.startswith(b"%PDF")
    assert seen == []


def _forbidden(request):
    raise PermissionDenied


from config.urls import handler403  # noqa: E402,F401  (the site's own handler, as config.urls names it)

urlpatterns = [path("verboten/", _forbidden), path("", include("config.urls"))]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_refused_permission_renders_the_403_page():
    response = Client().get("/verboten/")
    assert response.status_code == 403
    text = response.content.decode()
    assert "<html" in text
    assert "Zugriff verweigert" in text or "Access denied" in text
