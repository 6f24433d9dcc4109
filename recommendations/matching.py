"""The role match: how much of a role's requirements a person meets, in percent, with its range.

Pure functions on plain data. For a role with requirement r_c in competency c and a person at level
l_c (the measurement's estimate):

    match = 100 * (1 - sum_c w_c * max(0, r_c - l_c) / sum_c w_c * r_c),   w_c = r_c / max_c r_c

so a requirement weighs by its own height: the core of a role (its highest requirements) counts
most, a requirement of 1 hardly. Raising a level never raises a gap, so raising any competency never
lowers any role's match (monotone by construction). The match uses the level estimate, not the range,
so a less certain measurement never raises it.

The range (90 %) is where the match lies in 90 % of the plausible profiles of the measurement's joint
posterior (from its 5th to its 95th percentile; it always holds the match itself). The competencies' levels
are not independent there: one self-rating bias and one mean level are shared by all of them
(`assessment.measurement.LevelMixture`), so their errors move together, and a person who over-rates
themselves is over-rated in every competency at once. (Adding the per-competency variances as if the
competencies were measured apart gave ranges about half as wide: a simulated person's true match lay within
them for 37-74 % of people instead of 90 %.) Without the joint posterior (a caller with per-competency
posteriors only) the range is the match +- 1.645 standard deviations of the summed per-competency gaps. A
gap whose level range reaches the requirement is "about met": the measurement cannot tell it from none.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from core.numbers import CLEARLY_BELOW, shown_gap
from core.rounding import half_up

if TYPE_CHECKING:
    from assessment.measurement import LevelMixture

Z90 = 1.6449
RANGE_MASS = 0.90


@dataclass(frozen=True)
class Gap:
    competency: str
    required: float
    level: float
    missing: float  # levels missing, from the estimate (0 when met)
    about_met: bool  # the 90 % range of the level reaches the requirement

    @property
    def shown(self) -> float:
        """The gap as the page writes it (`core.numbers.shown_gap`): 0 for a level met at one decimal."""
        return shown_gap(self.required, self.level)

    @property
    def possibly_met(self) -> bool:
        """A small gap the level's 90 % range reaches, as the chart, its table, the cards and the PDF say it (one
        rule: `core.numbers.CLEARLY_BELOW`)."""
        return self.about_met and 0 < self.shown <= CLEARLY_BELOW


@dataclass(frozen=True)
class Match:
    value: float  # 0-100
    low: float
    high: float
    gaps: tuple[Gap, ...]  # the requirements not clearly met, biggest weighted gap first

    @property
    def open_gaps(self) -> tuple[Gap, ...]:
        """The gaps the measurement can tell apart from none."""
        return tuple(g for g in self.gaps if not g.about_met)


def _rounded(value: float, gap_open: bool) -> float:
    """A match to one decimal, as stored and downloaded, that never reads 100 while a gap is open (99.96 is 99.9,
    so the page's whole percent says 99, not "100 %" beside a requirement it lists as missing)."""
    shown = half_up(value, 1)
    return min(shown, 99.9) if gap_open else shown


def weights(requirements: Mapping[str, float]) -> dict[str, float]:
    top = max(requirements.values(), default=0) or 1
    return {c: r / top for c, r in requirements.items()}


LEVELS = np.arange(6, dtype=float)  # the levels 0-5

# GAPS[r, l] = max(0, r - l): the gap to a requirement r of a person at level l (r, l = 0..5).
GAPS = np.clip(np.arange(6)[:, None] - np.arange(6)[None, :], 0, None).astype(float)


def gap_variance_table(posteriors: np.ndarray) -> np.ndarray:
    """`gap_variances` for many posteriors at once: shape (n, 6) from posteriors of shape (n, 6)."""
    mean = posteriors @ GAPS.T
    return np.clip(posteriors @ (GAPS**2).T - mean**2, 0, None)


def gap_variances(posterior: Sequence[float]) -> tuple[float, ...]:
    """The variance of the gap max(0, r - level) under a posterior over the levels, for r = 0..5."""
    result = []
    for required in range(6):
        draws = [max(0.0, required - lv) for lv in range(len(posterior))]
        mean = sum(p * d for p, d in zip(posterior, draws))
        result.append(sum(p * (d - mean) ** 2 for p, d in zip(posterior, draws)))
    return tuple(result)


def role_match(
    requirements: Mapping[str, float],
    levels: Mapping[str, float],
    posteriors: Mapping[str, Sequence[float]] | None = None,
    level_high: Mapping[str, float] | None = None,
    variances: Mapping[str, Sequence[float]] | None = None,
) -> Match:
    """The match of one person with one role (see the module docstring). `variances` are the
    `gap_variances` of the posteriors, computed once per person when many roles are matched."""
    w = weights(requirements)
    total = sum(w[c] * r for c, r in requirements.items())
    if total <= 0:
        return Match(100.0, 100.0, 100.0, ())
    missing = 0.0
    variance = 0.0
    gaps = []
    for c, required in requirements.items():
        level = float(levels.get(c, 0.0))
        gap = max(0.0, required - level)
        missing += w[c] * gap
        known = (variances or {}).get(c)
        if known is not None and float(required).is_integer() and 0 <= required <= 5:
            variance += w[c] ** 2 * known[int(required)]
        elif posterior := (posteriors or {}).get(c):
            draws = [max(0.0, required - lv) for lv in range(len(posterior))]
            mean = sum(p * d for p, d in zip(posterior, draws))
            variance += w[c] ** 2 * sum(p * (d - mean) ** 2 for p, d in zip(posterior, draws))
        if gap > 0:
            high = (level_high or {}).get(c, level)
            gaps.append(Gap(c, required, level, round(gap, 3), about_met=high >= required))
    value = 100 * (1 - missing / total)
    spread = Z90 * 100 * math.sqrt(variance) / total
    gaps.sort(key=lambda g: (-w[g.competency] * g.missing, g.competency))
    shown = _rounded(value, bool(gaps))
    return Match(
        value=shown,
        low=min(half_up(max(0.0, value - spread), 1), shown),
        high=max(half_up(min(100.0, value + spread), 1), shown),
        gaps=tuple(gaps),
    )


def distinct_rows(rows: np.ndarray, top: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of an array of small non-negative integers (column c at most top[c]), in order, and how
    often each occurs: `np.unique(rows, axis=0, return_counts=True)`, which sorts the rows as records (about 2 ms
    for the 1,024 draws), from one integer key per row (the row's digits in a mixed radix; tens of microseconds)."""
    radices = np.asarray(top, dtype=np.int64) + 1
    if math.prod(radices.tolist()) >= 2**62:  # the keys would overflow
        return np.unique(rows, axis=0, return_counts=True)
    places = np.cumprod(np.concatenate([[1], radices[::-1]]))[-2::-1]  # the first column the most significant
    keys = np.sort(rows @ places)
    starts = np.flatnonzero(np.diff(keys, prepend=-1))  # where each distinct key begins
    counts = np.diff(starts, append=len(keys))
    return keys[starts, None] // places % radices, counts


# Multiples of 1/1024 add up exactly, in any order (while the sums stay below 2**43; a role's gaps are at most 5 levels
# per competency).
EXACT_STEP = 1024


@dataclass(frozen=True)
class MatchTable:
    """What the matches need from the roles' requirements (roles x competencies) alone, worked out once per
    requirement table (`match_table`): a ranking matches every person with the same roles."""

    requirements: np.ndarray
    weights: np.ndarray  # w (see the module docstring)
    total: np.ndarray  # sum_c w_c * r_c per role
    ceiling: np.ndarray  # (competency,): the highest requirement, rounded up (a level at or above it misses nothing)
    # The roles whose weighted gaps w_c * max(0, r_c - level) are all multiples of 1/EXACT_STEP (a highest requirement
    # of 1, 2 or 4), and those gaps: a row for each competency and level (c * 6 + level), a column for each such role.
    exact: np.ndarray
    exact_terms: np.ndarray


@lru_cache(maxsize=16)
def _match_table(data: bytes, shape: tuple[int, ...]) -> MatchTable:
    requirements = np.frombuffer(data).reshape(shape)
    top = requirements.max(axis=1, keepdims=True)
    weights = requirements / np.where(top > 0, top, 1)
    terms = np.clip(requirements[:, :, None] - LEVELS[None, None, :], 0, None) * weights[:, :, None]
    exact = np.all(terms * EXACT_STEP == np.floor(terms * EXACT_STEP), axis=(1, 2))
    table = MatchTable(
        requirements=requirements,
        weights=weights,
        total=(weights * requirements).sum(axis=1),
        ceiling=np.ceil(requirements.max(axis=0, initial=0)).astype(np.intp),
        exact=exact,
        exact_terms=np.ascontiguousarray(terms[exact].transpose(1, 2, 0).reshape(shape[1] * len(LEVELS), -1)),
    )
    for array in (table.weights, table.total, table.ceiling, table.exact, table.exact_terms):
        array.setflags(write=False)
    return table


def match_table(requirements: np.ndarray) -> MatchTable:
    """The `MatchTable` of these requirements (cached on their values)."""
    requirements = np.ascontiguousarray(requirements, dtype=float)
    return _match_table(requirements.tobytes(), requirements.shape)


def match_range(requirements: np.ndarray, mixture: LevelMixture) -> tuple[np.ndarray, ...]:
    """The 5th and 95th percentiles of every role's match (0-100) over the plausible profiles of a joint
    posterior (`mixture.draws()`): `requirements` (roles x competencies) -> (low, high), each (roles,)."""
    roles = match_table(requirements)
    draws = mixture.draws()  # (draws, competencies)
    # A level at or above every role's requirement in its competency leaves all gaps there at 0, so the draws are cut
    # there: then they repeat (about 400 distinct of 1,024), and each distinct profile's match is worked out once, to
    # the same number (the percentiles count each as often as it was drawn).
    profiles, counts = distinct_rows(np.minimum(draws, roles.ceiling), roles.ceiling)
    missing = np.empty((len(profiles), len(requirements)))  # (profiles, roles)
    # Sums of multiples of 1/1024 are exact, so for such a role the gaps are looked up and added competency by
    # competency; the other roles' are added as numpy's sum adds them (pairwise), to the same last bit.
    rows = (profiles + len(LEVELS) * np.arange(profiles.shape[1])).T  # (competency, profile): rows of exact_terms
    missing[:, roles.exact] = roles.exact_terms.take(rows, axis=0).sum(axis=0)
    rest = ~roles.exact
    gaps = np.clip(roles.requirements[rest][None, :, :] - profiles[:, None, :].astype(float), 0, None)
    missing[:, rest] = (gaps * roles.weights[rest][None]).sum(axis=2)
    shares = 100 * (1 - missing / np.where(roles.total > 0, roles.total, 1)[None, :])
    tail = 100 * (1 - RANGE_MASS) / 2
    low, high = percentiles(shares.T, counts, (tail, 100 - tail))
    return low, high


def percentiles(values: np.ndarray, counts: np.ndarray, shares: Sequence[float]) -> np.ndarray:
    """`np.percentile(np.repeat(values, counts, axis=1), shares, axis=1)` to the last bit, without repeating: shape
    (shares, rows). Each row's values are sorted once, the ranks a percentile falls between are found by counting,
    and the two values there are interpolated as numpy does (from the nearer one). np.percentile partitions the
    repeated values along the first axis, where the many equal values slow its selection down: five times as long
    for the ranges' 1,024 draws."""
    total = int(counts.sum())
    virtual = (total - 1) * (np.asarray(shares, dtype=float) / 100)
    below = np.floor(virtual)
    fraction = (virtual - below)[:, None]
    ranks = np.concatenate([below, np.minimum(below + 1, total - 1)])
    order = np.argsort(values, axis=1)
    rows = np.arange(len(values))[:, None]
    reached = counts[order].cumsum(axis=1)  # (rows, values): how many repeated values are at most each
    at = (reached[:, None, :] <= ranks[None, :, None]).sum(axis=2)  # (rows, ranks): where each rank falls
    low, high = np.split(values[rows, order[rows, at]].T, 2)
    step = high - low
    return np.where(fraction >= 0.5, high - step * (1 - fraction), low + step * fraction)


def role_matches(
    competencies: Sequence[str],
    requirements: np.ndarray,
    levels: np.ndarray,
    level_high: np.ndarray,
    variances: np.ndarray | None,
    mixture: LevelMixture | None = None,
) -> list[Match]:
    """`role_match` for every role at once, for one person: `requirements` (roles x competencies, whole
    levels 0-5), the person's `levels` and `level_high` per competency, and `variances` (competencies x 6)
    from `gap_variance_table` (rows of zeros where nothing is known). The same numbers as `role_match`; with
    the measurement's joint posterior (`mixture`, an `assessment.measurement.LevelMixture`) the range is that
    of the joint posterior instead (see the module docstring), and `variances` are not needed (None)."""
    roles = match_table(requirements)
    w, total = roles.weights, roles.total
    gap = np.clip(requirements - levels[None, :], 0, None)
    missing = (w * gap).sum(axis=1)
    safe_total = np.where(total > 0, total, 1)
    value = 100 * (1 - missing / safe_total)
    if mixture is not None:  # the range of the joint posterior, holding the match itself
        low, high = match_range(requirements, mixture)
        low, high = np.minimum(low, value), np.maximum(high, value)
    elif variances is not None:
        index = np.clip(requirements, 0, 5).astype(int)
        variance = (w**2 * variances[np.arange(len(competencies))[None, :], index]).sum(axis=1)
        spread = Z90 * 100 * np.sqrt(variance) / safe_total
        low, high = np.clip(value - spread, 0, None), np.clip(value + spread, None, 100)
    else:
        raise ValueError("role_matches needs the gaps' variances or the joint posterior for the range")
    # The per-role work below is on plain Python numbers (the same doubles as the arrays'): faster than
    # indexing the arrays element by element.
    person = levels.tolist()
    rows = zip(
        total.tolist(),
        value.tolist(),
        low.tolist(),
        high.tolist(),
        requirements.tolist(),
        w.tolist(),
        gap.tolist(),
        np.round(gap, 3).tolist(),
        (level_high[None, :] >= requirements).tolist(),
    )
    matches = []
    for role_total, v, role_low, role_high, required, weight, role_gap, short, reached in rows:
        if role_total <= 0:
            matches.append(Match(100.0, 100.0, 100.0, ()))
            continue
        open_ = [c for c, g in enumerate(role_gap) if g > 0]
        # mypy cannot infer the type of a lambda with default arguments (they bind this row's lists)
        open_.sort(key=lambda c, weight=weight, short=short: (-weight[c] * short[c], competencies[c]))  # type: ignore[misc]
        matches.append(
            Match(
                value=(shown := _rounded(v, bool(open_))),
                low=min(half_up(role_low, 1), shown),
                high=max(half_up(role_high, 1), shown),
                gaps=tuple(Gap(competencies[c], required[c], person[c], short[c], about_met=reached[c]) for c in open_),
            )
        )
    return matches
