"""Page throughput, page by page, as ratios to the start page: one gunicorn, one run, measured with wrk.

    make pages      (= .venv/bin/python -m bench.pages [--seconds 10] [--connections 8] [--workers 3])

Serves the app as `make serve` does (gunicorn with config/gunicorn.py, DEBUG off, WhiteNoise, JSON logs) on
a free port on 127.0.0.1, on a fresh SQLite database in a temporary folder (migrate, load_content,
createcachetable, ensure_model). Then, over HTTP like a browser, it makes one unfinished assessment (a
question page after a few answers) and one finished one (every question answered, up to the results page),
and measures /healthz, the start page, that question page and that results page one after the other:
each warmed for 2 s, then `wrk -t2 -c<connections> -d<seconds>s --latency`.

Prints a Markdown table and a last line PASS or FAIL: the results page must serve at least 25 % of the
start page's requests per second, the question page at least 50 %. Exits non-zero on FAIL and on any
response that is not a 2xx (counted by the app's own request log, and wrk's socket errors). Writes
bench/results/pages.json. Stops everything it started, whatever happens. See bench/LOAD.md.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from html.parser import HTMLParser
from pathlib import Path

from bench.load import wait_healthy, warm_up

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
VENV_BIN = Path(sys.executable).parent

# The share of the start page's requests per second each page must reach (issue 10).
TARGETS = {"question": 0.50, "results": 0.25}
PAGES = ["healthz", "start", "question", "results"]
WARM_SECONDS = 2
ANSWERS_BEFORE_QUESTION = 5  # the unfinished assessment: a question page a few answers in
MOST_STEPS = 500  # a safety stop for the finished one (the bank has 72 items)
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_TOKEN_IN_PATH = re.compile(r"/a/[^/]+/")


def log(message: str) -> None:
    print(f"[pages] {message}", flush=True)


# --- reading wrk's output (pure) ---------------------------------------------------------------------------


@dataclass
class WrkResult:
    """What one wrk run says: throughput, latency percentiles, and what went wrong."""

    requests: int
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    status_errors: int  # wrk's "Non-2xx or 3xx responses": in fact every status of 400 and above
    socket_errors: int  # connect, read, write and timeout together


def duration_ms(text: str) -> float:
    """wrk's duration ("812.00us", "1.23ms", "2.01s", "1.00m") in milliseconds."""
    match = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)(us|ms|s|m|h)", text.strip())
    if match is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    """The figures of `wrk --latency` output; a ValueError names what is missing."""

    def find(pattern: str, what: str) -> re.Match:
        match = re.search(pattern, output, flags=re.MULTILINE)
        if match is None:
            raise ValueError(f"wrk's output has no {what}:\n{output}")
        return match

    requests = int(find(r"^\s*(\d+) requests in ", "request count").group(1))
    per_second = float(find(r"^Requests/sec:\s*([0-9.]+)", "Requests/sec line").group(1))
    p50 = duration_ms(find(r"^\s*50%\s+(\S+)", "50% latency (run it with --latency)").group(1))
    p99 = duration_ms(find(r"^\s*99%\s+(\S+)", "99% latency (run it with --latency)").group(1))
    status = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return WrkResult(
        requests=requests,
        requests_per_s=per_second,
        p50_ms=p50,
        p99_ms=p99,
        status_errors=int(status.group(1)) if status else 0,
        socket_errors=sum(int(n) for n in sockets.groups()) if sockets else 0,
    )


def ratios_to_start(per_second: dict[str, float]) -> dict[str, float]:
    """Each page's requests per second divided by the start page's."""
    start = per_second["start"]
    return {page: (value / start if start else 0.0) for page, value in per_second.items()}


def verdict(ratios: dict[str, float], failed_requests: int) -> tuple[bool, str]:
    """PASS when every page reaches its share of the start page's throughput and no request failed."""
    reached = all(ratios[page] >= share for page, share in TARGETS.items())
    passed = reached and failed_requests == 0
    line = (
        f"{'PASS' if passed else 'FAIL'}: question {ratios['question']:.2f} of the start page "
        f"(target {TARGETS['question']}), results {ratios['results']:.2f} (target {TARGETS['results']})"
    )
    if failed_requests:
        line += f"; {failed_requests} responses were not 2xx"
    return passed, line


def non_2xx_in_log(lines: list[str]) -> tuple[int, int]:
    """(requests, responses outside 2xx) in the app's JSON request log lines."""
    served = failed = 0
    for line in lines:
        if not line.startswith("{"):
            continue  # gunicorn's own lines
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if entry.get("logger") != "revierpfad.requests":
            continue
        served += 1
        if not 200 <= int(entry.get("status", 0)) <= 299:
            failed += 1
    return served, failed


def markdown_table(rows: dict[str, dict]) -> str:
    """The figures per page as a Markdown table."""
    lines = [
        "| page | requests/s | p50 ms | p99 ms | non-2xx | ÷ start page |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows.values():
        lines.append(
            f"| {row['label']} | {row['requests_per_s']:.1f} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} "
            f"| {row['non_2xx']} | {row['ratio_to_start']:.2f} |"
        )
    return "\n".join(lines)


def masked(path: str) -> str:
    """A path without the assessment's token (the token is the only key to it)."""
    return _TOKEN_IN_PATH.sub("/a/<token>/", path)


# --- a browser, as far as needed --------------------------------------------------------------------------


class _Forms(HTMLParser):
    """The forms of a page: action, hidden fields, radio options by name, and submit buttons."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._open: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._open = {"action": a.get("action", ""), "hidden": {}, "radios": {}, "buttons": []}
            self.forms.append(self._open)
        elif self._open is None:
            return
        elif tag == "input" and a.get("type") == "hidden" and a.get("name"):
            self._open["hidden"][a["name"]] = a.get("value", "")
        elif tag == "input" and a.get("type") == "radio" and a.get("name"):
            self._open["radios"].setdefault(a["name"], []).append(a.get("value", ""))
        elif tag == "button" and a.get("name"):
            self._open["buttons"].append((a["name"], a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = None


class _SecureCookiesOverHttp(http.cookiejar.DefaultCookiePolicy):
    # With DEBUG off the app marks its cookies Secure; on 127.0.0.1 nothing terminates TLS, and a browser
    # behind a TLS proxy would send them, so they are sent over plain HTTP here.
    def return_ok_secure(self, cookie, request) -> bool:
        return True


class Browser:
    """One visitor: keeps its cookies, sends forms with their CSRF token and Origin, follows redirects."""

    def __init__(self, base: str) -> None:
        self.base = base
        jar = http.cookiejar.CookieJar(policy=_SecureCookiesOverHttp())
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def get(self, path: str) -> tuple[str, str]:
        return self._open(urllib.request.Request(urllib.parse.urljoin(self.base, path)))

    def post(self, path: str, fields: dict[str, str]) -> tuple[str, str]:
        request = urllib.request.Request(
            urllib.parse.urljoin(self.base, path),
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Origin": self.base, "Referer": urllib.parse.urljoin(self.base, path)},
        )
        return self._open(request)

    def _open(self, request: urllib.request.Request) -> tuple[str, str]:
        """(the path reached after redirects, the page)"""
        try:
            with self.opener.open(request, timeout=60) as response:
                return urllib.parse.urlsplit(response.geturl()).path, response.read().decode()
        except urllib.error.HTTPError as error:
            raise SystemExit(f"{request.get_method()} {masked(request.selector)} answered {error.code}") from None


def take_assessment(base: str, answers: int) -> str:
    """Start an assessment from the start page and answer up to `answers` questions with the first option;
    the path reached then (a question page, or the results page once every question is answered)."""
    browser = Browser(base)
    path, page = browser.get("/")
    start = next((f for f in _Forms(page).forms if f["action"].endswith("/start/")), None)
    if start is None:
        raise SystemExit("the start page has no form that starts an assessment")
    path, page = browser.post(start["action"], start["hidden"])  # the first button: the default test
    for _ in range(answers):
        if "/frage/" not in path:
            break
        form = next((f for f in _Forms(page).forms if f["radios"]), None)
        if form is None:
            raise SystemExit(f"{masked(path)} shows no question with options")
        fields = dict(form["hidden"])
        for name, values in form["radios"].items():
            fields[name] = values[0]
        fields["action"] = "answer"
        path, page = browser.post(form["action"] or path, fields)
    return path


def status_of(url: str) -> int:
    """The status of one GET, without following a redirect (a page measured must answer 200 itself)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(url, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


# --- the run ----------------------------------------------------------------------------------------------


def ensure_wrk() -> str:
    """The path of wrk; Debian's package is installed when it is missing (as root), else a clear stop."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("wrk is missing, and only root can install it: sudo apt-get install -y wrk")
    log("wrk is missing: installing Debian's package (apt-get install -y wrk)")
    try:
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"],
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    except (OSError, subprocess.CalledProcessError) as error:
        raise SystemExit(f"wrk is missing and could not be installed ({error}): apt-get install -y wrk") from None
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is still missing after apt-get install -y wrk")
    return found


def quietly(env: dict, *args: str) -> None:
    """A manage.py command whose output is shown only when it fails."""
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-3000:], sep="\n", file=sys.stderr)
        raise SystemExit(f"manage.py {' '.join(args)} failed with {done.returncode}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_wrk(wrk: str, url: str, seconds: int, connections: int) -> WrkResult:
    command = [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    if done.returncode != 0:
        raise SystemExit(f"wrk exited with {done.returncode}: {done.stderr.strip()}")
    return parse_wrk(done.stdout)


def log_lines_since(path: Path, offset: int) -> list[str]:
    with path.open("rb") as handle:
        handle.seek(offset)
        return handle.read().decode(errors="replace").splitlines()


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to gunicorn's process group (master and workers), SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="measured seconds per page (default 10)")
    parser.add_argument("--connections", type=int, default=8, help="wrk's open connections (default 8)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3, as make serve)")
    args = parser.parse_args()
    if args.seconds < 1 or args.connections < 2 or args.workers < 1:
        parser.error("--seconds and --workers must be at least 1, --connections at least 2 (one per wrk thread)")
    wrk = ensure_wrk()
    # A plain kill of this process still runs the `finally` below: the server is never left behind.
    for stop_signal in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop_signal, lambda number, frame: sys.exit(128 + number))
    RESULTS.mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="revierpfad-pages-"))
    server: subprocess.Popen | None = None
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "REDIS_URL"}
        env.update(
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_SECURE_SSL_REDIRECT="0",  # as make serve: nothing terminates TLS on 127.0.0.1
            DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
            # every request comes from 127.0.0.1: the per-client limits would stop the assessments
            DJANGO_RATELIMIT_START="1000000/600",
            DJANGO_RATELIMIT_ANSWER="1000000/60",
            WEB_CONCURRENCY=str(args.workers),
        )
        log(f"fresh SQLite database in {folder}: migrate, load_content, createcachetable, ensure_model")
        quietly(env, "collectstatic", "--no-input", "-v", "0")
        quietly(env, "migrate", "--no-input", "-v", "0")
        quietly(env, "load_content", "-v", "0")
        quietly(env, "createcachetable")
        quietly(env, "ensure_model")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server_log = folder / "gunicorn.log"
        with server_log.open("w") as handle:
            server = subprocess.Popen(
                [str(VENV_BIN / "gunicorn"), "-c", "config/gunicorn.py", "--bind", f"127.0.0.1:{port}"],
                cwd=ROOT,
                env=env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped with its workers
            )
        try:
            wait_healthy(base, server)
        except SystemExit:
            print(server_log.read_text(errors="replace")[-3000:], file=sys.stderr)
            raise
        warm_up(base)
        log(f"gunicorn on {base} ({args.workers} workers); making an unfinished and a finished assessment")
        question = take_assessment(base, ANSWERS_BEFORE_QUESTION)
        results = take_assessment(base, MOST_STEPS)
        if "/frage/" not in question or not results.endswith("/ergebnis/"):
            raise SystemExit(f"unexpected pages: {masked(question)} and {masked(results)}")
        paths = {"healthz": "/healthz", "start": "/", "question": question, "results": results}
        rows: dict[str, dict] = {}
        for page in PAGES:
            url = base + paths[page]
            status = status_of(url)
            if status != 200:
                raise SystemExit(f"{masked(paths[page])} answers {status}, not 200: nothing to measure")
            run_wrk(wrk, url, WARM_SECONDS, args.connections)
            offset = server_log.stat().st_size
            log(f"{page}: {masked(paths[page])}, {args.seconds} s, {args.connections} connections")
            figures = run_wrk(wrk, url, args.seconds, args.connections)
            time.sleep(0.3)  # the last responses' log lines
            served, failed = non_2xx_in_log(log_lines_since(server_log, offset))
            rows[page] = {
                "label": "/healthz" if page == "healthz" else f"{page} page",
                "path": masked(paths[page]),
                **asdict(figures),
                "served_by_app": served,
                "non_2xx": max(failed, figures.status_errors) + figures.socket_errors,
            }
        ratios = ratios_to_start({page: row["requests_per_s"] for page, row in rows.items()})
        for page, row in rows.items():
            row["ratio_to_start"] = ratios[page]  # unrounded: the table and the verdict round alike
        failed_requests = sum(row["non_2xx"] for row in rows.values())
        passed, line = verdict(ratios, failed_requests)
        print(
            f"\n### {args.workers} gunicorn workers, SQLite, wrk -t2 -c{args.connections} -d{args.seconds}s, "
            f"{os.cpu_count()} cores\n\n{markdown_table(rows)}\n",
            flush=True,
        )
        (RESULTS / "pages.json").write_text(
            json.dumps(
                {
                    "seconds": args.seconds,
                    "connections": args.connections,
                    "workers": args.workers,
                    "machine": f"{os.cpu_count()} cores",
                    "targets": TARGETS,
                    "pages": rows,
                    "passed": passed,
                    "verdict": line,
                },
                indent=2,
            )
        )
        print(line, flush=True)
        return 0 if passed else 1
    finally:
        if server is not None:
            stop(server)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
