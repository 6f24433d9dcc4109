"""Simulated people for the load test: bench/load.py runs this file (see bench/LOAD.md).

A Person opens the start page, starts an assessment, answers every question (reading the item and
its options from the page's form, like a browser), and opens the results; then starts again as
the next person. Half of them use htmx (the answer POST returns the next question card), half plain
forms (POST, redirect, GET). A HealthCheck user asks /healthz once a second on the same server.

Bounded: users and time by locust's -u and -t, requests by LOAD_MAX_REQUESTS. The hosts come from
LOAD_HOSTS (comma-separated; each person keeps to one, as behind a load balancer with sticky
connections it would not need to). Every answer the server acknowledged is written to
LOAD_RECORD_FILE at the end, so load.py can check the database holds exactly these.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
from html.parser import HTMLParser
from urllib.parse import urlsplit

from locust import HttpUser, between, constant, events, task

HOSTS = [h.strip() for h in os.environ.get("LOAD_HOSTS", "").split(",") if h.strip()]
RECORD_FILE = os.environ.get("LOAD_RECORD_FILE", "")
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "200000"))
SKIP_SHARE = 0.1  # people skip about one question in ten

_lock = threading.Lock()
_answers: dict[str, dict[str, str | None]] = {}  # token -> item slug -> option value (None: skipped)
_counts = {"started": 0, "finished": 0, "acknowledged": 0, "requests": 0}
_host_cycle = itertools.cycle(range(max(1, len(HOSTS))))


class QuestionForm(HTMLParser):
    """The question form of a page or card: its action, hidden fields (CSRF token, item slug) and options."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._current: dict | None = None
        self.feed(html)
        question = next((f for f in self.forms if "item" in f["fields"] and f["options"]), None)
        self.action = question["action"] if question else ""
        self.fields: dict[str, str] = question["fields"] if question else {}
        self.options: list[str] = question["options"] if question else []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._current = {"action": a.get("action", ""), "fields": {}, "options": []}
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None:
            if a.get("type") == "radio" and a.get("name") == "option":
                self._current["options"].append(a.get("value", ""))
            elif a.get("type") == "hidden" and a.get("name"):
                self._current["fields"][a["name"]] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def csrf_token(html: str) -> str:
    marker = 'name="csrfmiddlewaretoken" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


class BrowserLike(HttpUser):
    abstract = True
    host = HOSTS[0] if HOSTS else "http://127.0.0.1:8000"

    def on_start(self) -> None:
        if HOSTS:
            with _lock:
                self.client.base_url = HOSTS[next(_host_cycle)]
        netloc = urlsplit(self.client.base_url).netloc
        self.origin = f"https://{netloc}"
        # As behind the TLS-terminating proxy of a real deployment (SECURE_PROXY_SSL_HEADER).
        self.client.headers["X-Forwarded-Proto"] = "https"

    def insecure_cookies(self) -> None:
        # The app sets Secure cookies (as in production); requests sends those over https only,
        # and here TLS ends before the app. A browser behind the proxy would send them.
        for cookie in self.client.cookies:
            cookie.secure = False

    def post(self, path: str, data: dict, name: str, referer: str, expect: set[int], **headers: str):
        """A form post as a browser sends it (Origin, Referer); a status outside `expect` is a failure."""
        headers = {"Origin": self.origin, "Referer": self.origin + referer, **headers}
        with self.client.post(
            path, data=data, headers=headers, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code in expect:
                response.success()
            else:
                response.failure(f"{name}: HTTP {response.status_code}")
        self.insecure_cookies()
        return response

    def get(self, path: str, name: str, **headers: str):
        response = self.client.get(path, headers=headers, name=name, allow_redirects=False)
        self.insecure_cookies()
        return response


class Person(BrowserLike):
    weight = 24
    wait_time = between(0.1, 0.5)  # far quicker than a real reader (5 to 20 s a question): a stress test

    def on_start(self) -> None:
        super().on_start()
        self.htmx = random.random() < 0.5
        self.token = ""
        self.next_path = ""  # the question to answer next, or the results
        self.card = ""  # with htmx: the card the last answer brought

    @task
    def step(self) -> None:
        """One thing a person does: start, answer one question, or read the results."""
        if not self.token:
            self.begin()
        elif "/frage/" in self.next_path:
            self.answer()
        else:
            self.results()

    def begin(self) -> None:
        page = self.get("/", name="start page")
        if page.status_code != 200:
            return
        response = self.post("/start/", {"csrfmiddlewaretoken": csrf_token(page.text)}, "start POST", "/", {302})
        if response.status_code != 302:
            return
        self.next_path = urlsplit(response.headers["Location"]).path
        self.token = self.next_path.split("/")[2]
        self.card = ""
        with _lock:
            _answers[self.token] = {}
            _counts["started"] += 1

    def answer(self) -> None:
        path = self.next_path
        if not self.card:
            page = self.get(path, name="question GET", **({"HX-Request": "true"} if self.htmx else {}))
            if page.status_code != 200:
                return
            self.card = page.text
        form = QuestionForm(self.card)
        if not form.options:
            self.card = ""
            return
        skip = random.random() < SKIP_SHARE
        data = {**form.fields, "action": "skip" if skip else "answer"}
        if not skip:
            data["option"] = random.choice(form.options)
        headers = {"HX-Request": "true", "HX-Current-URL": self.origin + path} if self.htmx else {}
        name = "answer POST (htmx)" if self.htmx else "answer POST"
        response = self.post(form.action or path, data, name, path, {200} if self.htmx else {302}, **headers)
        self.card = ""
        if self.htmx and response.status_code == 200:
            following = response.headers.get("HX-Redirect") or response.headers.get("HX-Push-Url")
            if "HX-Push-Url" in response.headers:
                self.card = response.text
        elif not self.htmx and response.status_code == 302:
            following = response.headers["Location"]
        else:
            return  # counted as a failure by locust if >= 400; the same question is tried again
        with _lock:
            _answers[self.token][form.fields["item"]] = data.get("option")
            _counts["acknowledged"] += 1
        self.next_path = urlsplit(following).path

    def results(self) -> None:
        response = self.get(self.next_path, name="results")
        if response.status_code == 200:
            with _lock:
                _counts["finished"] += 1
            self.token = ""  # the next person


class HealthCheck(BrowserLike):
    weight = 1
    wait_time = constant(1)

    @task
    def healthz(self) -> None:
        self.get("/healthz", name="/healthz")


@events.request.add_listener
def _count_requests(**kwargs) -> None:
    with _lock:
        _counts["requests"] += 1
        over = _counts["requests"] >= MAX_REQUESTS
    if over and _runner is not None:
        _runner.quit()


_runner = None


@events.init.add_listener
def _keep_runner(environment, **kwargs) -> None:
    global _runner
    _runner = environment.runner


@events.quitting.add_listener
def _write_record(**kwargs) -> None:
    if not RECORD_FILE:
        return
    with _lock:
        document = {"counts": dict(_counts), "answers": _answers}
    with open(RECORD_FILE, "w", encoding="utf-8") as out:
        json.dump(document, out)
