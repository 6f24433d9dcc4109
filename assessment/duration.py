"""How long an assessment takes, as the start page says it (pure functions).

Measured where it can be: once enough people have finished an attempt in one sitting, the median time from the
first page to the result. Until then estimated from what there is to read: the words of the questions and
their answers at a reading speed for non-fiction, plus a few seconds to choose. The self-ratings, which every
adaptive test asks first, describe six levels each and are the longest pages, so the estimate counts them all
and the rest of a typical test at the median length of the other questions.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from core.rounding import half_up_int

# Silent reading of non-fiction by adults: about 240 words a minute (Brysbaert, "How many words do we read per
# minute?", Journal of Memory and Language 109, 2019: 238). German words are longer; the answers are read and
# compared rather than read once, so this is the fast end: the estimate does not promise less than it takes.
READING_WORDS_PER_MINUTE = 240
SECONDS_TO_CHOOSE = 5  # per question, after reading it
MIN_MEASURED = 30  # finished attempts before their median replaces the estimate
ONE_SITTING = timedelta(hours=2)  # an attempt that took longer was resumed later: not a time to answer in
MEASURED_DAYS = 180  # attempts finished within this many days count
# An attempt finished in less than this share of the reading time was clicked through, not read: not a time to
# promise (random clickers, whose results are refused, made the start page say "about 1 minute").
CLICKED_THROUGH = 0.25


@dataclass(frozen=True)
class Duration:
    minutes: int
    measured_from: int  # finished attempts the minutes are the median of; 0: estimated from the reading time


@dataclass(frozen=True)
class StartPageTimes:
    """What the start page says of the time the tests take. While estimated, the adaptive test's minutes are said
    with the share of its self-ratings, the longest questions, so that a reader can check them against the whole
    questionnaire's: the rest of either is read at the same pace."""

    adaptive: Duration  # the adaptive test at the length the start page names
    self_ratings: int  # how many self-ratings every adaptive test begins with
    self_rating_minutes: int  # their reading time, part of `adaptive.minutes` while that is estimated
    every: Duration  # every question


def estimated_minutes(words: Sequence[float]) -> float:
    """Reading and answering questions of these lengths (words of the question and its answers, each)."""
    return sum(words) / READING_WORDS_PER_MINUTE + len(words) * SECONDS_TO_CHOOSE / 60


def typical_adaptive_words(self_ratings: Sequence[int], others: Sequence[int], questions: int) -> list[float]:
    """The lengths of a typical adaptive test of `questions` questions: every self-rating, then the other
    questions at their median length."""
    rest = max(0, questions - len(self_ratings))
    return [*map(float, self_ratings), *([float(statistics.median(others))] * rest if others else [])]


def duration(estimate: float, sittings: Sequence[timedelta]) -> Duration:
    """The minutes to show: the median of the attempts finished in one sitting, and not clicked through
    (`CLICKED_THROUGH`), once there are MIN_MEASURED of them, else the estimate; at least one minute."""
    fastest = timedelta(minutes=estimate * CLICKED_THROUGH)
    kept = [s for s in sittings if timedelta(0) < s <= ONE_SITTING and s >= fastest]
    if len(kept) >= MIN_MEASURED:
        median = statistics.median(s.total_seconds() for s in kept) / 60
        return Duration(max(1, half_up_int(median)), len(kept))
    return Duration(max(1, half_up_int(estimate)), 0)
