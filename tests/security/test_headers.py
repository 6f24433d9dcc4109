"""Every page we serve carries the Content Security Policy and needs no inline code to work under it."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.utils import OperationalError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from assessment.models import Assessment, Item
from assessment.services import record_answer, start_assessment
from tests.conftest import answer_all, strongest

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


class InlineCode(HTMLParser):
    """Collects what a strict CSP (script-src/style-src 'self', no eval) would block."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.problems.append("<script> without src")
        if tag == "style":
            self.problems.append("<style> element")
        if "style" in names:
            self.problems.append(f"style= on <{tag}>")
        for name in names:
            if name.startswith("on") or name.startswith("hx-on"):
                self.problems.append(f"{name}= on <{tag}>")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.problems


def assert_strict_policy(response, where: str) -> None:
    policy = response.get("Content-Security-Policy", "")
    assert "script-src 'self'" in policy or "default-src 'none'" in policy, f"{where}: no CSP header"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, where
    assert response["X-Content-Type-Options"] == "nosniff", where
    if response.get("Content-Type", "").startswith("text/html"):
        assert inline_code(response.content.decode()) == [], where


def test_the_parser_finds_inline_code():
    html = '<p style="color:red" onclick="x()">a</p><script>alert(1)</script><script src="/a.js"></script>'
    assert inline_code(html) == ["style= on <p>", "onclick= on <p>", "<script> without src"]


def public_routes(resolver=None, prefix: str = "") -> list[tuple[str, URLPattern]]:
    """Every route outside the admin, with its full pattern string."""
    resolver = resolver or get_resolver()
    routes = []
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if pattern.startswith("admin/"):
            continue
        if isinstance(entry, URLResolver):
            routes += public_routes(entry, pattern)
        else:
            routes.append((pattern, entry))
    return routes


def account_pages(client, django_user_model) -> dict:
    """The account pages that only a form post or a mailed link reaches, with their refusals."""
    from django.core import mail

    django_user_model.objects.create_user("eva@example.org", "eva@example.org", "Zollverein-2026!")
    pages = {
        "signup refused (400)": client.post(reverse("signup"), {"email": "not-an-address"}),
        "login refused": client.post(reverse("login"), {"username": "eva@example.org", "password": "wrong"}),
        "password reset refused (400)": client.post(reverse("password_reset"), {"email": "not-an-address"}),
        "password reset sent": client.post(reverse("password_reset"), {"email": "eva@example.org"}, follow=True),
        "password reset link invalid (400)": client.get(reverse("password_reset_confirm", args=["MQ", "forged"])),
    }
    found = re.search(r"https?://[^/\s]+(/konto/passwort-neu/\S+)", str(mail.outbox[-1].body))
    assert found is not None
    link = found.group(1)
    pages["new password"] = client.get(link, follow=True)
    pages["new password refused (400)"] = client.post(
        pages["new password"].request["PATH_INFO"], {"new_password1": "123", "new_password2": "1234"}
    )
    assert pages["new password"].status_code == 200 and pages["new password refused (400)"].status_code == 400
    member = Client()  # logged in apart: the routes below are checked as a visitor first
    member.force_login(django_user_model.objects.get(username="eva@example.org"))
    pages["delete account refused (400)"] = member.post(reverse("delete-account"), {"password": "wrong"})
    admin = Client()
    admin.force_login(django_user_model.objects.create_user("chefin", password="Zollverein-2026!", is_staff=True))
    pages["delete account of an admin (403)"] = admin.get(reverse("delete-account"))
    assert [pages[name].status_code for name in pages if name.startswith("delete account")] == [400, 403]
    return pages


def test_every_page_of_the_flow_and_of_each_route_has_the_policy_and_no_inline_code(client, django_user_model):
    open_one = start_assessment()
    record_answer(open_one, Item.objects.get(pk=open_one.item_ids[0]), None)
    finished = answer_all(start_assessment(), strongest)
    share = finished.share()
    values = {"token": finished.token, "share_token": share, "step": "1"}
    pages = {
        "start page": client.get("/"),
        "question": client.get(open_one.step_url(2)),
        "question card (htmx)": client.get(open_one.step_url(2), **HTMX),
        "answer error (400)": client.post(open_one.step_url(2), {"item": "x", "option": "nope"}),
        "finished (409)": client.get(finished.step_url(1)),
        "results": client.get(reverse("results", args=[finished.token])),
        "results path (htmx)": client.get(reverse("results", args=[finished.token]) + "?role=it_architect", **HTMX),
        "not found (404)": client.get("/a/no-such-token/"),
        "form only (405)": client.get(reverse("assessment:start")),
        "health check": client.get("/healthz"),
        **account_pages(client, django_user_model),
    }
    checked = set()
    for pattern, entry in public_routes():
        names = set(entry.pattern.converters) if hasattr(entry.pattern, "converters") else set()
        if not names <= set(values) or "(?P" in pattern:
            continue
        path = "/" + pattern
        for name in names:
            path = path.replace(f"<str:{name}>", values[name]).replace(f"<int:{name}>", values[name])
        checked.add(path)
        pages[f"route {pattern}"] = client.get(path)
    for where, response in pages.items():
        assert response.status_code < 500, where
        assert_strict_policy(response, where)
    client.force_login(django_user_model.objects.create_user("reader", password="a-long-passphrase-9"))
    for path in sorted(checked):
        assert_strict_policy(client.get(path), f"signed in: {path}")


def test_the_error_pages_have_the_policy_and_no_inline_code(client, settings, monkeypatch, django_user_model):
    from django.test import Client

    settings.RATELIMITS = {"start": (1, 600), "answer": (1, 60)}
    client.post(reverse("assessment:start"))
    assert_strict_policy(client.post(reverse("assessment:start")), "too many requests (429)")

    forged = Client(enforce_csrf_checks=True)
    assert_strict_policy(forged.post(reverse("assessment:start")), "CSRF failure (403)")

    django_user_model.objects.create_superuser("chef", "chef@example.org", "correct-horse-battery-9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/admin/login/?next=/admin/", {"username": "chef", "password": "wrong"})
    assert_strict_policy(response, "locked out")

    def mail_server_down(self, fail_silently=False):
        raise OSError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr("django.core.mail.EmailMessage.send", mail_server_down)
        mail_failed = client.post(reverse("password_reset"), {"email": "chef@example.org"})
    assert mail_failed.status_code == 503
    assert_strict_policy(mail_failed, "password reset mail not sent (503)")

    def unavailable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("assessment.models.ItemQuerySet.active", unavailable)  # the start page counts the items
    outage = client.get("/")
    assert outage.status_code == 503
    assert_strict_policy(outage, "database unavailable (503)")


def test_responses_keep_tokens_to_this_site_and_forbid_framing(client, assessment):
    response = client.get(assessment.step_url(1))
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "form-action 'self'" in response["Content-Security-Policy"]


def test_a_request_larger_than_the_upload_limit_is_refused_before_it_is_read(client, assessment, settings):
    item = Item.objects.get(pk=assessment.item_ids[0])
    huge = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(assessment.step_url(1), {"item": item.slug, "option": huge})
    assert response.status_code == 400
    assert not assessment.answers.exists()


def test_a_request_with_too_many_fields_is_refused(client, assessment, settings):
    fields = {f"f{i}": "1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.post(assessment.step_url(1), fields)
    assert response.status_code == 400
    assert not assessment.answers.exists()


def test_pages_reached_through_a_token_are_never_stored_by_a_cache(client, finished_assessment):
    unfinished = start_assessment()
    finished_assessment.share()
    urls = [
        reverse("assessment:question", args=[unfinished.token, 1]),
        reverse("results", args=[finished_assessment.token]),
        reverse("results-json", args=[finished_assessment.token]),
        reverse("shared-results", args=[finished_assessment.share_token]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"], url
    assert "no-store" not in client.get("/").get("Cache-Control", "")


def test_answers_on_a_token_address_before_any_view_are_never_stored_either(client, finished_assessment):
    """The slash appended (a 301, which browsers keep on disk) and the 404 of a mistyped or control-character
    address (its language switch writes the address into the page) carried the token without no-store."""
    results = reverse("results", args=[finished_assessment.token])
    responses = {
        "slash appended": client.get(results.rstrip("/")),
        "control character": client.get(results + "%01"),
        "mistyped": client.get(results + "nicht-da/"),
    }
    assert [r.status_code for r in responses.values()] == [301, 404, 404]
    for name, response in responses.items():
        assert "no-store" in response.get("Cache-Control", ""), name


def test_a_file_sent_to_a_public_form_is_refused_before_it_is_read(client, settings):
    upload = SimpleUploadedFile("big.bin", b"x" * (2 * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))
    response = client.post(reverse("assessment:start"), {"file": upload})
    assert response.status_code == 413
    assert "größer, als ein Formular hier annimmt" in response.content.decode()
    assert not Assessment.objects.exists()
    small = SimpleUploadedFile("small.bin", b"x" * 1000)  # a small stray file part is simply ignored
    assert client.post(reverse("assessment:start"), {"file": small}).status_code == 302


def test_the_admins_larger_limit_is_for_staff_only(client, admin_client, settings):
    upload = SimpleUploadedFile("big.bin", b"x" * (2 * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))
    assert client.post(reverse("admin:login"), {"file": upload}).status_code == 413
    upload.seek(0)
    response = admin_client.post(reverse("admin:recommendations_course_import"), {"import_file": upload})
    assert response.status_code != 413


def test_a_file_too_large_for_the_admin_is_told_the_limit_in_megabytes(admin_client, settings):
    """Just over the limit, an admin got the public "larger than any form here accepts" (an admin review)."""
    settings.IMPORT_MAX_UPLOAD_BYTES = 100_000
    upload = SimpleUploadedFile("katalog.csv", b"x" * 1_200_000)
    response = admin_client.post(reverse("admin:recommendations_course_import"), {"import_file": upload})
    assert response.status_code == 413
    text = response.content.decode()
    assert "Dieser Upload ist etwa 1,2 MB groß; eine Datei für die Verwaltung darf höchstens 0,1 MB haben." in text


def test_every_page_that_shows_a_private_token_is_never_stored_by_a_cache(client):
    """The class of the pages above: not only pages reached through a token, but every page whose body holds one
    (the account's list of attempts and its comparison, the start page's link back to an open attempt). A browser
    kept them, so Back after logging out on a shared computer showed every token."""
    from tests.pages import public_pages

    pages = {}
    public_pages(client, "de")  # two attempts kept in an account, one shared, one open; logged in afterwards
    for name in ("my-results",):
        pages[name] = client.get(reverse(name))
    earlier, later = Assessment.objects.filter(user__isnull=False, finished_at__isnull=False).order_by("finished_at")
    pages["compare"] = client.get(reverse("compare"), {"vorher": earlier.token, "nachher": later.token})
    client.post(reverse("assessment:start"))  # an open attempt in this browser: the start page links back to it
    pages["start, attempt open"] = client.get(reverse("assessment:home"))
    tokens = {a.token for a in Assessment.objects.all()} | {
        a.share_token for a in Assessment.objects.exclude(share_token=None)
    }
    # ... and every page a result links to with its token in the address ("Create an account": next=, keep=)
    results = client.get(reverse("results", args=[later.token])).content.decode()
    for href in sorted(set(re.findall(r'href="([^"#]*\?[^"#]*)"', results))):
        if later.token in href and not href.startswith(reverse("results", args=[later.token])):
            pages[f"linked: {href.split('?')[0]}"] = client.get(html.unescape(href))
    client.logout()
    pages["signup with next"] = client.get(
        reverse("signup"), {"next": f"/a/{later.token}/ergebnis/", "keep": later.token}
    )
    pages["password reset with next"] = client.get(reverse("password_reset"), {"next": f"/a/{later.token}/ergebnis/"})
    pages["signup refused, with next"] = client.post(
        reverse("signup"), {"email": "not-an-address", "next": f"/a/{later.token}/ergebnis/", "keep": later.token}
    )
    showing = {name: r for name, r in pages.items() if any(t in r.content.decode() for t in tokens)}
    assert set(showing) == set(pages)  # each of them does show one
    for name, response in showing.items():
        assert response.status_code == (400 if "refused" in name else 200), name
        assert "no-store" in response.get("Cache-Control", "") and "private" in response["Cache-Control"], name


def test_every_page_answers_head_as_it_answers_get(client):
    """HEAD is what monitors and link checkers send: it got 405 everywhere, /healthz included."""
    from tests.pages import public_pages

    public_pages(client, "de")  # logged in, with two kept attempts, one shared
    earlier, later = Assessment.objects.filter(user__isnull=False, finished_at__isnull=False).order_by("finished_at")
    open_attempt = start_assessment()
    urls = [
        "/",
        "/healthz",
        open_attempt.step_url(1),
        open_attempt.resume_url(),
        reverse("results", args=[later.token]),
        reverse("results-json", args=[later.token]),
        reverse("assessment:profile", args=[later.token]),
        reverse("shared-results", args=[later.share_token]),
        reverse("delete-results", args=[later.token]),
        reverse("legal-notice"),
        reverse("privacy-notice"),
        reverse("my-results"),
        f"{reverse('compare')}?vorher={earlier.token}&nachher={later.token}",
    ]
    for url in urls:
        got, head = client.get(url), client.head(url)
        assert got.status_code in (200, 302) and head.status_code == got.status_code, (url, head.status_code)
        # the same headers as GET (the body a HEAD leaves out is gunicorn's to drop; the test client drops it itself)
        assert head.get("Content-Type") == got.get("Content-Type"), url
