from __future__ import annotations

import io
import json
from collections.abc import Set
from pathlib import Path

import jsonschema
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from assessment.adaptive import MAX_ITEMS
from assessment.bank import items_with_options
from tests.recommendations.personas import PERSONAS, answers_of

pytestmark = pytest.mark.django_db
CONTRACTS = Path(__file__).parent
NEXT_ITEMS_SCHEMA = json.loads((CONTRACTS / "next_items.schema.json").read_text())
ANSWERS_SCHEMA = json.loads((CONTRACTS / "answers.schema.json").read_text())


def next_items(payload, monkeypatch) -> list[dict]:
    monkeypatch.setattr("sys.stdin", io.StringIO(payload if isinstance(payload, str) else json.dumps(payload)))
    out = io.StringIO()
    call_command("next_items", "-", stdout=out)
    result = json.loads(out.getvalue())
    jsonschema.validate(result, NEXT_ITEMS_SCHEMA)
    return result


def drive(answer_of: dict[str, str], monkeypatch, skip: Set[str] = frozenset()) -> tuple[dict, dict]:
    """One adaptive session through the command, answering from `answer_of` (skipping `skip`)."""
    session: dict = {"answers": {}, "skipped": []}
    for _ in range(MAX_ITEMS + 1):
        jsonschema.validate([session], {"type": "array", "items": ANSWERS_SCHEMA["$defs"]["answers"]})
        [reply] = next_items([session], monkeypatch)
        if reply["done"]:
            return session, reply
        slug = reply["next_item"]
        assert slug not in session["answers"] and slug not in session["skipped"]
        if slug in skip:
            session["skipped"].append(slug)
        else:
            session["answers"][slug] = answer_of[slug]
    raise AssertionError("no end")


def test_a_new_session_starts_with_a_self_rating(monkeypatch):
    [reply] = next_items([{"answers": {}}], monkeypatch)
    assert reply == {
        "next_item": "svc-self",
        "done": False,
        "reason": "self-ratings first",
        "items_answered": 0,
        "expected_remaining": reply["expected_remaining"],
    }
    assert 10 <= reply["expected_remaining"] <= MAX_ITEMS


def test_a_batch_gives_one_reply_per_session_in_order(monkeypatch):
    items = items_with_options()
    full = answers_of(PERSONAS[0][2], PERSONAS[0][3], 0, items)
    self_ratings = {slug: value for slug, value in full.items() if slug.endswith("-self")}
    replies = next_items([{"answers": {}}, {"answers": self_ratings}, {"answers": full}], monkeypatch)
    assert [r["items_answered"] for r in replies] == [0, len(self_ratings), len(full)]
    assert replies[0]["next_item"].endswith("-self")
    assert not replies[1]["done"] and not replies[1]["next_item"].endswith("-self")
    assert replies[2] == {
        "next_item": None,
        "done": True,
        "reason": "question limit",
        "items_answered": len(full),
        "expected_remaining": 0,
    }


def test_a_clear_persona_is_done_well_before_the_limit_with_its_role_on_top(monkeypatch):
    items = items_with_options()
    name, _, levels, style, bias, roles = PERSONAS[7]  # the enterprise architect
    session, reply = drive(answers_of(levels, style, bias, items), monkeypatch)
    assert reply["reason"] in {"top roles stable", "two roles tied"}
    asked = len(session["answers"]) + len(session["skipped"])
    assert asked < MAX_ITEMS
    out = io.StringIO()
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(session)))
    call_command("assess", "-", stdout=out)
    assert json.loads(out.getvalue())["roles"][0]["slug"] in roles


def test_skipped_items_are_never_asked_again(monkeypatch):
    items = items_with_options()
    answers = answers_of(PERSONAS[1][2], PERSONAS[1][3], 0, items)
    skip = {item.slug for item in items if item.kind == "knowledge" and item.competency.slug == "troubleshooting"}
    session, reply = drive(answers, monkeypatch, skip=skip)
    assert reply["done"]
    assert len(session["skipped"]) == len(set(session["skipped"]))


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("not json", "not valid JSON"),
        ('{"answers": {}}', "expected a JSON array"),
        ("[1]", 'expected an object with "answers"'),
        ('[{"answers": []}]', 'expected an object with "answers"'),
        ('[{"answers": {"no-such-item": "a"}}]', "unknown item 'no-such-item'"),
        ('[{"answers": {}, "skipped": ["no-such-item"]}]', "unknown skipped item 'no-such-item'"),
        ('[{"answers": {}, "skipped": "svc-self"}]', "skipped must be a list"),
        ('[{"answers": {"svc-self": "99"}}]', "'99' is not an option of item 'svc-self'"),
        ('[{"answers": {"svc-self": 3}}]', "3 is not an option of item 'svc-self'"),
        ('[{"answers": {"svc-self": "3"}, "skipped": ["svc-self"]}]', "both answered and skipped"),
        ('[{"answers": {}}, {"answers": {"nope": "a"}}]', "entry 1: unknown item 'nope'"),
        ('[{"answers": {"svc-self": "3", "svc-self": "1"}}]', "names the key 'svc-self' twice in one object"),
    ],
)
def test_bad_input_gets_a_clear_message_and_nothing_on_stdout(payload, message, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(payload))
    out = io.StringIO()
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace("[", r"\[")):
        call_command("next_items", "-", stdout=out)
    assert out.getvalue() == ""


def test_bad_input_exits_non_zero_with_the_message_on_stderr(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "bad.json"
    path.write_text('{"answers": {}}')  # an object, not an array of them
    done = subprocess.run(
        [sys.executable, "manage.py", "next_items", str(path)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    assert done.returncode != 0
    assert done.stdout == ""
    assert "expected a JSON array of answers objects" in done.stderr
