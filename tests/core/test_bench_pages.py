"""The pure helpers of `make pages` (bench/pages.py): reading wrk's output, the ratios and the verdict.

No server is started here; `make pages` itself is the end-to-end check.
"""

from __future__ import annotations

import json

import pytest

from bench.pages import (
    _Forms,
    duration_ms,
    markdown_table,
    masked,
    non_2xx_in_log,
    parse_wrk,
    ratios_to_start,
    verdict,
)

# wrk 4.1's output as it prints it with --latency, with socket errors and error statuses
WRK_OUTPUT = """\
Running 10s test @ http://127.0.0.1:43731/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    16.90ms    5.12ms   1.02s    85.00%
    Req/Sec   237.12     30.40   300.00     70.00%
  Latency Distribution
     50%  812.00us
     75%   18.40ms
     90%   21.00ms
     99%    1.02s
  4736 requests in 10.00s, 40.12MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 5
Requests/sec:    473.60
Transfer/sec:      4.01MB
"""


def test_it_reads_throughput_latency_and_errors_from_wrk():
    result = parse_wrk(WRK_OUTPUT)
    assert result.requests == 4736
    assert result.requests_per_s == 473.60
    assert result.p50_ms == pytest.approx(0.812)
    assert result.p99_ms == pytest.approx(1020.0)
    assert result.status_errors == 5
    assert result.socket_errors == 3


def test_a_clean_wrk_run_has_no_errors():
    clean = "\n".join(line for line in WRK_OUTPUT.splitlines() if "Socket errors" not in line and "Non-2xx" not in line)
    result = parse_wrk(clean)
    assert (result.status_errors, result.socket_errors) == (0, 0)


def test_it_refuses_wrk_output_without_the_latency_distribution():
    without = "\n".join(line for line in WRK_OUTPUT.splitlines() if "%" not in line or "Latency " in line)
    with pytest.raises(ValueError, match="--latency"):
        parse_wrk(without)


@pytest.mark.parametrize(
    ("text", "ms"),
    [("812.00us", 0.812), ("1.23ms", 1.23), ("2.01s", 2010.0), ("1.50m", 90_000.0), ("7ms", 7.0)],
)
def test_it_turns_wrk_durations_into_milliseconds(text, ms):
    assert duration_ms(text) == pytest.approx(ms)


def test_it_refuses_a_duration_it_cannot_read():
    with pytest.raises(ValueError):
        duration_ms("fast")


def test_ratios_are_to_the_start_page():
    ratios = ratios_to_start({"healthz": 900.0, "start": 400.0, "question": 300.0, "results": 100.0})
    assert ratios == {"healthz": 2.25, "start": 1.0, "question": 0.75, "results": 0.25}


def test_it_passes_when_both_pages_reach_their_share_of_the_start_page():
    passed, line = verdict({"start": 1.0, "question": 0.87, "results": 0.42}, failed_requests=0)
    assert passed
    assert line == "PASS: question 0.87 of the start page (target 0.5), results 0.42 (target 0.25)"


@pytest.mark.parametrize(("question", "results"), [(0.49, 0.9), (0.9, 0.24)])
def test_it_fails_when_one_page_falls_short(question, results):
    passed, line = verdict({"start": 1.0, "question": question, "results": results}, failed_requests=0)
    assert not passed
    assert line.startswith(f"FAIL: question {question:.2f} of the start page (target 0.5), results {results:.2f}")


def test_it_fails_on_any_response_that_is_not_2xx_however_fast():
    passed, line = verdict({"start": 1.0, "question": 0.9, "results": 0.9}, failed_requests=3)
    assert not passed
    assert line.startswith("FAIL") and line.endswith("3 responses were not 2xx")


def test_it_counts_the_apps_request_lines_outside_2xx():
    def entry(status: int, logger: str = "revierpfad.requests") -> str:
        return json.dumps({"logger": logger, "method": "GET", "path": "/", "status": status, "duration_ms": 3})

    lines = [
        entry(200),
        entry(204),
        entry(302),
        entry(429),
        entry(500),
        entry(500, logger="django.request"),  # the same failure told again by Django: not a request
        "[2026-12-02 08:34:50 +0100] [1234] [INFO] Booting worker with pid: 1234",
        '{"truncated',
    ]
    assert non_2xx_in_log(lines) == (5, 3)


def test_the_table_shows_every_page_with_its_ratio():
    row = {"requests_per_s": 473.6, "p50_ms": 16.2, "p99_ms": 27.6, "non_2xx": 0, "ratio_to_start": 1.0}
    table = markdown_table(
        {
            "start": {**row, "label": "start page"},
            "results": {**row, "label": "results page", "requests_per_s": 165.5, "ratio_to_start": 0.349},
        }
    )
    lines = table.splitlines()
    assert lines[0] == "| page | requests/s | p50 ms | p99 ms | non-2xx | ÷ start page |"
    assert lines[2] == "| start page | 473.6 | 16.2 | 27.6 | 0 | 1.00 |"
    assert lines[3] == "| results page | 165.5 | 16.2 | 27.6 | 0 | 0.35 |"


def test_no_token_is_printed_or_stored():
    assert masked("/a/Xk3_secret-token/frage/6/") == "/a/<token>/frage/6/"
    assert masked("/a/Xk3_secret-token/ergebnis/") == "/a/<token>/ergebnis/"
    assert masked("/healthz") == "/healthz"


def test_it_reads_a_question_form_as_a_browser_would_send_it():
    page = """
    <form method="post" action="/i18n/setlang/"><input type="hidden" name="csrfmiddlewaretoken" value="t1">
      <button name="language" value="en">English</button></form>
    <form method="post" action="/a/tok/frage/3/" hx-post="/a/tok/frage/3/">
      <input type="hidden" name="csrfmiddlewaretoken" value="t2">
      <input type="hidden" name="item" value="itil-basics" id="id_item">
      <input type="radio" name="option" value="a" id="o1"><input type="radio" name="option" value="b" id="o2">
      <button type="submit" name="action" value="answer">Weiter</button>
      <button type="submit" name="action" value="skip">Überspringen</button>
    </form>"""
    language, question = _Forms(page).forms
    assert language["radios"] == {}
    assert question["action"] == "/a/tok/frage/3/"
    assert question["hidden"] == {"csrfmiddlewaretoken": "t2", "item": "itil-basics"}
    assert question["radios"] == {"option": ["a", "b"]}
    assert question["buttons"] == [("action", "answer"), ("action", "skip")]
