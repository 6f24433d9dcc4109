"""The candidate knowledge checks (bench/candidate_checks.json, measured but not shipped) are ready to ship:
the shipped items' format, no clash with the bank, feedback that explains the right answer shown above it."""

from __future__ import annotations

import json

from assessment.content import read_content
from bench.accuracy import CANDIDATES
from tests.assessment.test_content import restates_the_right_answer


def candidates() -> list[dict]:
    return json.loads(CANDIDATES.read_text(encoding="utf-8"))["items"]


def test_the_candidates_are_knowledge_checks_in_the_shipped_format_beside_the_bank():
    framework, shipped = read_content()
    competencies = {c["slug"] for c in framework["competencies"]}
    shipped_slugs = {item["slug"] for item in shipped}
    slugs = [item["slug"] for item in candidates()]
    assert len(slugs) == len(set(slugs)) and not set(slugs) & shipped_slugs
    for item in candidates():
        assert item["kind"] == "knowledge" and item["competency"] in competencies, item["slug"]
        assert 1 <= item["difficulty"] <= 5, item["slug"]
        assert all(item[f].strip() for f in ("text_de", "text_en", "feedback_de", "feedback_en")), item["slug"]
        options = item["options"]
        assert len(options) == 4 and sum(o["correct"] is True for o in options) == 1, item["slug"]
        assert all(o["label_de"].strip() and o["label_en"].strip() for o in options), item["slug"]
        texts = [item[f] for f in ("text_de", "text_en", "feedback_de", "feedback_en")]
        texts += [o[f] for o in options for f in ("label_de", "label_en")]
        assert not any("<" in text for text in texts), item["slug"]  # plain text, as the shipped content


def test_the_feedback_explains_without_repeating_the_right_answer_and_the_answer_is_not_given_away_by_length():
    positions = []
    for item in candidates():
        right = next(o for o in item["options"] if o["correct"])
        positions.append(right["value"])
        for language in ("de", "en"):
            feedback, label = item[f"feedback_{language}"], right[f"label_{language}"]
            assert not restates_the_right_answer(feedback, label), f"{item['slug']} ({language})"
        others = [len(o["label_de"]) for o in item["options"] if not o["correct"]]
        assert len(right["label_de"]) <= max(others), item["slug"]  # the right answer is never the longest
    assert max(positions.count(letter) for letter in "abcd") <= len(positions) / 4 + 3  # letters balanced
