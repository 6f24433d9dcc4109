"""'Ergebnis schärfen': a few more questions for a finished adaptive attempt, where the ranges are widest.

Pure functions on plain data. The next question is the knowledge check (not yet asked) of the
competency whose 90 % range is widest, the one whose difficulty lies nearest the person's current
level there (it tells most about that level); it stops after SHARPEN_QUESTIONS more questions, or when
no competency has a check left.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from assessment.adaptive import Bank, Plan
from assessment.measurement import DIFFICULTY_OFFSET, Profile

SHARPEN_QUESTIONS = 5


def _location(item) -> float:
    return item.location if item.location is not None else (item.difficulty or 3) - DIFFICULTY_OFFSET


def sharpen_plan(
    bank: Bank,
    profile: Profile,
    answers: Mapping[str, str | None],
    skipped: Collection[str],
    until: int,
) -> Plan:
    """The next question while sharpening, or done when `until` questions were put or none is left."""
    asked = {slug for slug in answers} | set(skipped)
    answered = sum(1 for value in answers.values() if value is not None)
    left = max(0, until - len(asked))

    def plan(next_item: str | None, reason: str) -> Plan:
        return Plan(next_item, next_item is None, reason, answered, len(asked), left if next_item else 0)

    if not left:
        return plan(None, "sharpened")
    widest = sorted(
        profile.competencies.values(), key=lambda s: (-(s.level_high - s.level_low), bank.competencies.index(s.slug))
    )
    for score in widest:
        open_checks = [
            item
            for item in bank.items
            if item.kind == "knowledge" and item.competency == score.slug and item.slug not in asked
        ]
        if open_checks:
            best = min(open_checks, key=lambda item: (abs(_location(item) - score.expected), item.slug))
            return plan(best.slug, "widest range")
    return plan(None, "bank exhausted")
