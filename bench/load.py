"""Load test: simulated people against gunicorn on 127.0.0.1, on PostgreSQL, measured with locust.

    make load        (= .venv/bin/python -m bench.load --servers 1)
    make load-two    (= .venv/bin/python -m bench.load --servers 2: two gunicorns, one PostgreSQL, Redis)

Makes a fresh database (revierpfad_load) on this machine's PostgreSQL (`.ci/postgres` starts it),
migrates it, trains the model, starts the server(s) with production settings (DEBUG off, JSON logs)
and, for two servers, a Redis on 127.0.0.1:6390 as the shared cache. Then runs bench/locustfile.py
headless (50 users, 60 s by default), and reports per page type the requests, throughput and
p50/p95/p99 latency, each page's figures against /healthz served alongside, and checks:
no failed request, every acknowledged answer in the database (and no other), no token in the logs.
Writes bench/results/load-<n>-server(s).json; exits non-zero when a check fails. Stops everything it
started. Rate limits are raised for the run (all simulated people come from 127.0.0.1).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
VENV_BIN = Path(sys.executable).parent
PG: dict[str, Any] = {"host": "127.0.0.1", "port": 5432, "user": "revierpfad", "password": "revierpfad"}
REDIS_PORT = 6390
PAGES = ["start page", "start POST", "question GET", "answer POST", "answer POST (htmx)", "results", "/healthz"]


def log(message: str) -> None:
    print(f"[load] {message}", flush=True)


def fresh_database(name: str) -> str:
    import psycopg

    subprocess.run(["bash", str(ROOT / ".ci" / "postgres")], check=True, stdout=subprocess.DEVNULL)
    with psycopg.connect(dbname="revierpfad", autocommit=True, **PG) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" OWNER revierpfad')
    return f"postgres://{PG['user']}:{PG['password']}@{PG['host']}:{PG['port']}/{name}"


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(dbname="revierpfad", autocommit=True, **PG) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_redis(processes: list[subprocess.Popen]) -> str:
    server = shutil.which("redis-server")
    if server is None:
        log("redis-server is missing: installing Debian's package (apt-get install -y redis-server)")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "redis-server"],
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        server = shutil.which("redis-server") or "/usr/bin/redis-server"
    args = [server, "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    processes.append(subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    import redis

    client = redis.Redis(host="127.0.0.1", port=REDIS_PORT)
    for _ in range(100):
        try:
            client.ping()
            client.flushall()
            return f"redis://127.0.0.1:{REDIS_PORT}/0"
        except redis.exceptions.ConnectionError:
            time.sleep(0.1)
    raise SystemExit("redis-server did not start")


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def wait_healthy(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn for {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url}/healthz did not answer 200 within {seconds} s")


def warm_up(host: str, requests: int = 48) -> None:
    """Concurrent /healthz requests until every worker has loaded the model (once per process)."""
    from concurrent.futures import ThreadPoolExecutor

    def one(_: int) -> None:
        with urllib.request.urlopen(host + "/healthz", timeout=30) as response:
            response.read()

    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(one, range(requests)))


def stats(prefix: Path) -> dict[str, dict]:
    """Per request name: count, failures, req/s, mean and p50/p95/p99 in ms (locust's CSV)."""

    def number(text: str) -> float:
        return float(text) if text not in {"", "N/A"} else float("nan")

    rows = {}
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": round(number(row["Requests/s"]), 2),
                "mean_ms": round(number(row["Average Response Time"]), 1),
                "p50_ms": number(row["50%"]),
                "p95_ms": number(row["95%"]),
                "p99_ms": number(row["99%"]),
            }
    return rows


def stored_answers(database_url: str) -> dict[str, dict[str, str | None]]:
    import psycopg

    query = """
        SELECT a.token, i.slug, o.value
        FROM assessment_answer ans
        JOIN assessment_assessment a ON a.id = ans.assessment_id
        JOIN assessment_item i ON i.id = ans.item_id
        LEFT JOIN assessment_option o ON o.id = ans.option_id
    """
    stored: dict[str, dict[str, str | None]] = {}
    with psycopg.connect(database_url) as conn:
        for token, slug, value in conn.execute(query):
            stored.setdefault(token, {})[slug] = value
        assessments = conn.execute("SELECT token FROM assessment_assessment").fetchall()
    for (token,) in assessments:
        stored.setdefault(token, {})
    return stored


def compare_answers(record: dict, stored: dict) -> dict:
    posted = record["answers"]
    missing = sum(1 for t, answers in posted.items() for s, v in answers.items() if stored.get(t, {}).get(s, "?") != v)
    extra = sum(1 for t, answers in stored.items() for s in answers if s not in posted.get(t, {}))
    return {
        "acknowledged_answers": sum(len(a) for a in posted.values()),
        "answers_in_database": sum(len(a) for a in stored.values()),
        "lost_or_changed": missing,
        "unacknowledged_in_database": extra,
        "assessments_started": record["counts"]["started"],
        "assessments_in_database": len(stored),
        "results_pages": record["counts"]["finished"],
    }


def page_type(method: str, path: str, status: int) -> str | None:
    """The locust name of a request from the app's log line (paths are masked there)."""
    if path == "/healthz":
        return "/healthz"
    if path == "/":
        return "start page"
    if path == "/start/":
        return "start POST"
    if "/frage/" in path:
        if method == "GET":
            return "question GET"
        return "answer POST" if status == 302 else "answer POST (htmx)"
    if path.endswith("/ergebnis/"):
        return "results"
    return None


def server_times(logs: list[Path], offsets: list[int]) -> dict[str, dict]:
    """Per page type, the time the app spent on it (duration_ms of its request log): the service time,
    without the time a request waited for a free worker. Lines before `offsets` (the warm-up) are skipped."""
    durations: dict[str, list[float]] = {}
    for path, offset in zip(logs, offsets):
        with path.open("rb") as handle:
            handle.seek(offset)
            text = handle.read().decode(errors="replace")
        for line in text.splitlines():
            if not line.startswith("{"):
                continue  # gunicorn's own lines
            entry = json.loads(line)
            if entry.get("logger") != "revierpfad.requests":
                continue
            name = page_type(entry["method"], entry["path"], entry["status"])
            if name:
                durations.setdefault(name, []).append(entry["duration_ms"])
    times = {}
    for name, values in durations.items():
        values.sort()

        def at(share: float, values=values) -> float:
            return values[min(len(values) - 1, int(share * len(values)))]

        times[name] = {
            "count": len(values),
            "mean_ms": round(sum(values) / len(values), 1),
            "p50_ms": at(0.50),
            "p95_ms": at(0.95),
        }
    return times


def tokens_in_logs(tokens: list[str], logs: list[Path]) -> int:
    text = "\n".join(path.read_text(errors="replace") for path in logs)
    return sum(1 for token in tokens if token in text)


def report(servers: int, workers: int, args, rows: dict, service: dict, checks: dict, leaks: int) -> str:
    health, health_service = rows.get("/healthz", {}), service.get("/healthz", {})
    lines = [
        f"### {servers} server{'s' if servers > 1 else ''} x {workers} gunicorn workers, "
        f"{args.users} users, {args.run_time} s",
        "",
        "| page | requests | failures | req/s | p50 ms | p95 ms | p99 ms | req/s ÷ /healthz "
        "| app ms (mean / p95) | throughput vs /healthz |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in [*PAGES, "Aggregated"]:
        row = rows.get(name)
        if not row:
            continue
        ratio = row["rps"] / health["rps"] if health.get("rps") else float("nan")
        own = service.get(name)
        app = f"{own['mean_ms']:.1f} / {own['p95_ms']:.0f}" if own else ""
        capacity = f"{health_service['mean_ms'] / own['mean_ms']:.2f}" if own and health_service else ""
        lines.append(
            f"| {name} | {row['requests']} | {row['failures']} | {row['rps']:.1f} | {row['p50_ms']:.0f} "
            f"| {row['p95_ms']:.0f} | {row['p99_ms']:.0f} | {ratio:.1f} | {app} | {capacity} |"
        )
    lines += [
        "",
        f"Answers acknowledged {checks['acknowledged_answers']}, in the database {checks['answers_in_database']}, "
        f"lost or changed {checks['lost_or_changed']}, unacknowledged extra {checks['unacknowledged_in_database']}; "
        f"assessments started {checks['assessments_started']} ({checks['assessments_in_database']} in the database), "
        f"results pages {checks['results_pages']}; tokens found in the logs: {leaks}; "
        f"requests logged per server: {checks['requests_per_server']}"
        + (
            f"; rate-limit counters in the shared Redis: {checks['rate_limit_counters_in_redis']}."
            if "rate_limit_counters_in_redis" in checks
            else "."
        ),
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--servers", type=int, choices=[1, 2], default=1)
    parser.add_argument("--workers", type=int, help="gunicorn workers per server (default: 4 in all, split)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--run-time", type=int, default=60, help="seconds")
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--base-port", type=int, default=8101)
    parser.add_argument("--database", default="revierpfad_load")
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()
    workers = args.workers or max(1, 4 // args.servers)
    RESULTS.mkdir(exist_ok=True)
    tag = f"{args.servers}-server{'s' if args.servers > 1 else ''}"
    processes: list[subprocess.Popen] = []
    logs: list[Path] = []
    try:
        log(f"fresh database {args.database}")
        database_url = fresh_database(args.database)
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "REDIS_URL"}
        env.update(
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DATABASE_URL=database_url,
            # every simulated person comes from 127.0.0.1: the per-client limits would stop them at once
            DJANGO_RATELIMIT_START="1000000/600",
            DJANGO_RATELIMIT_ANSWER="1000000/60",
            WEB_CONCURRENCY=str(workers),
        )
        if args.servers > 1:
            log(f"starting Redis on 127.0.0.1:{REDIS_PORT} as the shared cache")
            env["REDIS_URL"] = start_redis(processes)
        log("migrate, createcachetable, collectstatic, ensure_model (trains the model)")
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "load_content", "-v", "0")
        manage(env, "createcachetable")
        manage(env, "collectstatic", "--no-input", "-v", "0")
        manage(env, "ensure_model")
        hosts = []
        for n in range(args.servers):
            port = args.base_port + n
            path = RESULTS / f"load-{tag}-gunicorn-{port}.log"
            logs.append(path)
            command = [str(VENV_BIN / "gunicorn"), "-c", "config/gunicorn.py", "--bind", f"127.0.0.1:{port}"]
            handle = path.open("w")
            processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT))
            hosts.append(f"http://127.0.0.1:{port}")
        for host, process in zip(hosts, processes[-args.servers :]):
            wait_healthy(host, process)
            warm_up(host)
        time.sleep(0.5)
        offsets = [path.stat().st_size for path in logs]
        log(f"servers up: {', '.join(hosts)} ({workers} workers each); locust: {args.users} users, {args.run_time} s")
        prefix = RESULTS / f"load-{tag}"
        record_file = RESULTS / f"load-{tag}-answers.json"
        record_file.unlink(missing_ok=True)
        locust_env = {
            **os.environ,
            "LOAD_HOSTS": ",".join(hosts),
            "LOAD_RECORD_FILE": str(record_file),
            "LOAD_MAX_REQUESTS": str(args.max_requests),
        }
        locust = [
            str(VENV_BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless",
            "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{args.run_time}s",
            "--stop-timeout", "30", "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
            "--host", hosts[0],
        ]  # fmt: skip
        subprocess.run(locust, cwd=ROOT, env=locust_env, timeout=args.run_time + 180, check=False)
        rows = stats(prefix)
        record = json.loads(record_file.read_text())
        for process in processes[-args.servers :]:
            process.send_signal(signal.SIGTERM)  # flush the logs before they are read
        for process in processes[-args.servers :]:
            process.wait(timeout=60)
        checks = compare_answers(record, stored_answers(database_url))
        checks["requests_per_server"] = [
            sum(1 for line in path.read_text(errors="replace").splitlines() if '"revierpfad.requests"' in line)
            for path in logs
        ]
        if "REDIS_URL" in env:
            import redis

            shared = redis.Redis(host="127.0.0.1", port=REDIS_PORT)
            checks["rate_limit_counters_in_redis"] = sum(1 for _ in shared.scan_iter(match="*ratelimit:*"))
        leaks = tokens_in_logs(list(record["answers"]), logs)
        service = server_times(logs, offsets)
        text = report(args.servers, workers, args, rows, service, checks, leaks)
        print("\n" + text + "\n", flush=True)
        failures = sum(row["failures"] for name, row in rows.items() if name != "Aggregated")
        (RESULTS / f"load-{tag}.json").write_text(
            json.dumps(
                {
                    "servers": args.servers,
                    "workers_per_server": workers,
                    "users": args.users,
                    "run_time_s": args.run_time,
                    "machine": f"{os.cpu_count()} cores",
                    "pages": rows,
                    "app_time": service,
                    "checks": {**checks, "failed_requests": failures, "tokens_in_logs": leaks},
                },
                indent=2,
            )
        )
        problems = []
        if failures:
            problems.append(f"{failures} failed requests")
        if checks["lost_or_changed"] or checks["unacknowledged_in_database"]:
            problems.append("the answers in the database differ from the acknowledged ones")
        if leaks:
            problems.append(f"{leaks} tokens in the logs")
        if not rows.get("results", {}).get("requests"):
            problems.append("no simulated person reached the results")
        for problem in problems:
            log(f"FAILED: {problem}")
        if not problems:
            log("no errors, no lost answers, no tokens in the logs")
        return 1 if problems else 0
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        if not args.keep_database:
            try:
                drop_database(args.database)
            except Exception as exc:  # the report matters more than the tidy-up
                log(f"could not drop {args.database}: {exc}")


if __name__ == "__main__":
    sys.exit(main())
