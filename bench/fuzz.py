"""Fuzz and concurrency against gunicorn (3 workers) on PostgreSQL, with the production cache settings.

    make fuzz    (= .venv/bin/python -m bench.fuzz [--requests 5000] [--seed 1]); CI runs it

1. Rate limits under concurrency: 40 parallel starts against the default limit (20 per 10 minutes)
   let at most 20 through. Then the database cache is filled far past its MAX_ENTRIES (so that it
   culls), and 40 more parallel starts must all be refused: culling does not reset a limit.
2. A bounded fuzz run: --requests random and hostile requests over every form and endpoint (NUL
   bytes, overlong and odd unicode values, numbers of every shape, unknown tokens and slugs, missing
   CSRF tokens, wrong methods), from 8 threads at once. No answer may be a 5xx, and every request
   must be answered.

Its own fresh PostgreSQL database (dropped afterwards); exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import secrets
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.load import RESULTS, ROOT, VENV_BIN, drop_database, fresh_database, log, manage, wait_healthy, warm_up

PORT = 8771
HOST = f"http://127.0.0.1:{PORT}"
HOSTILE = [
    "",
    "a",
    "\x00",
    "a\x00b",
    "%00",
    "x" * 300,
    "y" * 30_000,
    "-1",
    "0",
    "12,5",
    "1e400",
    "NaN",
    "inf",
    "9" * 40,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "https://evil.example/",
    "//evil.example",
    "javascript:alert(1)",
    "Ünïcödé ✓ 😀",
    "\u202e\u200b",
    '=HYPERLINK("http://x")',
    "de",
    "en",
    "answer",
    "skip",
    "all",
    "holds",
    "aims",
    "on",
]


def value(rng: random.Random, known: list[str]) -> str:
    return rng.choice(known) if known and rng.random() < 0.5 else rng.choice(HOSTILE)


def plain_http(session) -> None:
    """The production settings mark the cookies Secure; this run speaks plain HTTP on 127.0.0.1, as a TLS
    proxy in front would not, so the client sends them back all the same."""
    for cookie in session.cookies:
        cookie.secure = False


def _value(tag: str) -> str:
    """The value attribute of an <input> tag."""
    import re

    found = re.search(r'value="([^"]*)"', tag)
    assert found is not None, tag
    return found.group(1)


def session_with_csrf():
    import requests

    session = requests.Session()
    get(session, HOST + "/", timeout=30)
    plain_http(session)
    return session, session.cookies.get("csrftoken", "")


def get(session, url: str, **kwargs):
    try:
        return session.get(url, **kwargs)
    finally:
        plain_http(session)


def request(session, method: str, url: str, **kwargs):
    try:
        return session.request(method, url, **kwargs)
    finally:
        plain_http(session)


def post(session, token: str, path: str, data: dict, **kwargs):
    try:
        return _post(session, token, path, data, **kwargs)
    finally:
        plain_http(session)


def _post(session, token: str, path: str, data: dict, **kwargs):
    return session.post(
        HOST + path, data={"csrfmiddlewaretoken": token, **data}, allow_redirects=False, timeout=60, **kwargs
    )


def parallel_starts(count: int) -> collections.Counter:
    sessions = [session_with_csrf() for _ in range(count)]
    barrier = threading.Barrier(count)

    def one(pair) -> int:
        session, token = pair
        barrier.wait(timeout=60)
        return post(session, token, "/start/", {}).status_code

    with ThreadPoolExecutor(max_workers=count) as pool:
        return collections.Counter(pool.map(one, sessions))


def finished_attempt(rng: random.Random) -> tuple[str, str]:
    """An adaptive attempt answered to the end through the pages; its token and a share token."""
    import re

    session, token = session_with_csrf()
    response = post(session, token, "/start/", {})
    started = re.search(r"/a/([^/]+)/frage/1/", response.headers["Location"])
    assert started is not None, response.headers["Location"]
    attempt = started.group(1)
    for step in range(1, 40):
        reply = get(session, f"{HOST}/a/{attempt}/frage/{step}/", timeout=30)
        page = reply.text
        if 'name="item"' not in page:
            raise SystemExit(f"question {step} of the fuzz attempt: {reply.status_code} {page[:300]!r}")
        inputs = re.findall(r"<input[^>]*>", page)
        item = next(_value(i) for i in inputs if 'name="item"' in i)
        options = [_value(i) for i in inputs if 'name="option"' in i]
        response = post(
            session,
            token,
            f"/a/{attempt}/frage/{step}/",
            {"item": item, "option": rng.choice(options), "action": "answer"},
        )
        if response.status_code != 302:
            raise SystemExit(f"answer {step} of the fuzz attempt: {response.status_code} {item} {options}")
        if "/ergebnis/" in response.headers.get("Location", ""):
            break
    get(session, f"{HOST}/a/{attempt}/ergebnis/", timeout=60)
    post(session, token, f"/a/{attempt}/teilen/", {"action": "share"})
    shared = re.search(r"/geteilt/([^/\"]+)/", get(session, f"{HOST}/a/{attempt}/ergebnis/", timeout=60).text)
    return attempt, shared.group(1) if shared else "none"


def fuzz(
    count: int, seed: int, attempt: str, share: str, slugs: dict[str, list[str]]
) -> tuple[collections.Counter, list]:
    statuses: collections.Counter = collections.Counter()
    failures: list = []
    lock = threading.Lock()

    def one(index: int) -> None:
        rng = random.Random(seed * 100_003 + index)
        session, token = session_with_csrf()
        if rng.random() < 0.15:
            token = rng.choice(["", "x" * 64, token[:-1] + "A"])  # a forged or missing CSRF token
        pick = lambda kind: value(rng, slugs[kind])  # noqa: E731
        any_token = rng.choice([attempt, attempt, "x" * 32, pick("any")])
        n = rng.choice(["1", "2", "5", "0", "999999"])
        requests_to_make = [
            ("GET", "/", {}),
            ("POST", "/start/", {"mode": pick("any")}),
            ("GET", f"/a/{any_token}/", {}),
            ("GET", f"/a/{any_token}/frage/{n}/", {}),
            (
                "POST",
                f"/a/{any_token}/frage/{n}/",
                {"item": pick("items"), "option": pick("options"), "action": pick("any")},
            ),
            (
                "GET",
                f"/a/{attempt}/ergebnis/",
                {"role": pick("roles"), "max_hours": pick("any"), "max_price_eur": pick("any")},
            ),
            ("GET", f"/a/{any_token}/ergebnis/antworten/", {}),
            ("POST", f"/a/{attempt}/ergebnis/neu/", {}),
            ("GET", f"/a/{attempt}/daten.json", {}),
            ("POST", f"/a/{attempt}/kurs/{pick('courses')}/erledigt/", {"role": pick("roles")}),
            ("POST", f"/a/{any_token}/teilen/", {"action": pick("any")}),
            (
                "POST",
                f"/a/{attempt}/rueckmeldung/",
                {"fits": pick("any"), "role": pick("roles"), "relation": pick("any"), "consent": pick("any")},
            ),
            ("GET", f"/geteilt/{rng.choice([share, pick('any')])}/", {"role": pick("roles"), "max_hours": pick("any")}),
            ("GET", "/konto/vergleich/", {"vorher": pick("any"), "nachher": pick("any")}),
            (
                "POST",
                "/konto/registrieren/",
                {
                    "email": pick("any") + "@example.org",
                    "password1": pick("any"),
                    "password2": pick("any"),
                    "next": pick("any"),
                    "keep": pick("any"),
                },
            ),
            ("POST", "/konto/anmelden/", {"username": pick("any"), "password": pick("any"), "next": pick("any")}),
            ("POST", "/konto/passwort-vergessen/", {"email": pick("any") + "@example.org", "next": pick("any")}),
            (
                "POST",
                f"/konto/passwort-neu/{pick('any')}/{rng.choice(['set-password', pick('any')])}/",
                {"new_password1": pick("any"), "new_password2": pick("any"), "next": pick("any")},
            ),
            ("POST", f"/a/{rng.choice(['x' * 32, pick('any')])}/loeschen/", {}),
            ("POST", f"/a/{any_token}/speichern/", {}),
            ("POST", f"/a/{any_token}/schaerfen/", {}),
            ("POST", f"/a/{any_token}/schaerfen/beenden/", {}),
            ("POST", "/i18n/setlang/", {"language": pick("any"), "next": pick("any")}),
            ("GET", "/healthz", {}),
            ("POST", "/admin/login/", {"username": pick("any"), "password": pick("any")}),
            ("GET", rng.choice(["/nichts/", "/a/", "/static/../../etc/passwd", "/a/%00/frage/1/"]), {}),
        ]
        if rng.random() < 0.01:
            requests_to_make.append(("GET", f"/a/{attempt}/ergebnis.pdf", {"role": pick("roles")}))
        method, path, data = rng.choice(requests_to_make)
        if rng.random() < 0.05:
            method = rng.choice(["PUT", "DELETE", "PATCH"])
        try:
            if method == "GET":
                response = get(session, HOST + path, params=data, allow_redirects=False, timeout=60)
            elif method == "POST":
                response = post(session, token, path, data)
            else:
                response = request(session, method, HOST + path, allow_redirects=False, timeout=60)
            status = response.status_code
        except Exception as exc:  # noqa: BLE001 - any failure to answer counts
            status = f"no answer: {type(exc).__name__}"
        with lock:
            statuses[status] += 1
            if not isinstance(status, int) or status >= 500:
                failures.append((method, path[:120], {k: v[:40] for k, v in data.items()}, status))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, range(count)))
    return statuses, failures


def known_slugs(env: dict) -> dict[str, list[str]]:
    code = (
        "import json; from assessment.models import Item, Option; from recommendations.models import Role, Course;"
        "print(json.dumps({'items': list(Item.objects.values_list('slug', flat=True)),"
        "'options': list(Option.objects.values_list('value', flat=True).distinct()),"
        "'roles': list(Role.objects.values_list('slug', flat=True)),"
        "'courses': list(Course.objects.values_list('slug', flat=True)[:40])}))"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    slugs = __import__("json").loads(out.stdout.strip().splitlines()[-1])
    slugs["any"] = []
    return slugs


def start_server(env: dict, log_path: Path) -> subprocess.Popen:
    command = [str(VENV_BIN / "gunicorn"), "-c", "config/gunicorn.py", "--bind", f"127.0.0.1:{PORT}", "--workers", "3"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT)
    wait_healthy(HOST, process)
    warm_up(HOST, 12)
    return process


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", default="revierpfad_fuzz")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    failed: list[str] = []
    server = None
    try:
        database_url = fresh_database(args.database)
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "REDIS_URL"}
        env.update(
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_SECURE_SSL_REDIRECT="0",
            DATABASE_URL=database_url,
            DJANGO_LOG_LEVEL="WARNING",
            GUNICORN_LOG_LEVEL="warning",
            EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",  # signups and resets mail; no server here
        )
        log("migrate, load_content, createcachetable, collectstatic, ensure_model")
        for command in (("migrate", "--no-input", "-v", "0"), ("load_content", "-v", "0"), ("createcachetable",)):
            manage(env, *command)
        manage(env, "collectstatic", "--no-input", "-v", "0")
        manage(env, "ensure_model")

        log("1. 40 parallel starts against the default limit of 20 (gunicorn, 3 workers, PostgreSQL)")
        server = start_server(env, RESULTS / "fuzz-gunicorn-limits.log")
        # Both rounds within one of the start limit's 600 s windows: in the next one the first round's starts
        # begin to fade out of the sliding window and a few further starts would rightly pass.
        window = 600
        left = window - time.time() % window
        if left < 120:
            log(f"   waiting {left:.0f} s for the next rate-limit window, so that both rounds share one")
            time.sleep(left + 1)
        first = parallel_starts(40)
        log(f"   statuses: {dict(first)}")
        if first[302] > 20 or first[302] + first[429] != 40:
            failed.append(f"parallel starts: {dict(first)} (at most 20 may pass)")
        fill = "from django.core.cache import cache\nfor i in range(6000): cache.set(f'fill-{i}', 'x' * 200, 600)"
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", fill], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )
        second = parallel_starts(40)
        log(f"   after filling the cache with 6,000 entries (it culls above 5,000): {dict(second)}")
        if second[302] > 0:
            failed.append(f"after the cache was filled, {second[302]} starts passed")
        stop(server)

        log(f"2. fuzz: {args.requests} requests from 8 threads (limits raised so that the requests reach the views)")
        env.update(
            DJANGO_RATELIMIT_START="1000000/600",
            DJANGO_RATELIMIT_ANSWER="1000000/60",
            DJANGO_RATELIMIT_SIGNUP="1000000/600",
            DJANGO_RATELIMIT_PASSWORD_RESET="1000000/600",
            DJANGO_RATELIMIT_LOGIN_FAILURES="1000000/3600",
            DJANGO_RATELIMIT_PDF="1000000/600",
            DJANGO_RATELIMIT_RESULTS="1000000/600",
        )
        server = start_server(env, RESULTS / "fuzz-gunicorn.log")
        rng = random.Random(args.seed)
        attempt, share = finished_attempt(rng)
        started = time.monotonic()
        statuses, failures = fuzz(args.requests, args.seed, attempt, share, known_slugs(env))
        seconds = time.monotonic() - started
        log(f"   {sum(statuses.values())} requests in {seconds:.0f} s: {dict(sorted(statuses.items(), key=str))}")
        for failure in failures[:20]:
            log(f"   FAILED: {failure}")
        if failures:
            failed.append(f"{len(failures)} of {args.requests} fuzzed requests gave a 5xx or no answer")
    finally:
        if server is not None:
            stop(server)
        drop_database(args.database)
    if failed:
        for line in failed:
            print(f"FAIL: {line}")
        return 1
    print("PASS: parallel starts limited, not reset by culling; no 5xx in the fuzz run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
