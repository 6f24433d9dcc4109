"""The adaptive assessment: which question to ask next, and when the result is settled.

Pure functions on plain data beside the measurement model (`assessment.measurement`): no database,
no request. The engine is a function of the answers so far; it keeps no state, so going back and
changing an answer simply re-plans, and a skipped item is never offered again.

API (what a view or a command calls after each saved answer)::

    bank = prepare_bank(competencies, items)            # once per question bank (cached)
    roles = role_table(bank, {role: {competency: level}}, styles={role: style})
    p = plan(bank, roles, answers, skipped, score_roles=...)
    p.next_item          # slug of the item to ask next, None when done
    p.done, p.reason     # e.g. True, "top roles stable"
    p.expected_remaining # an honest estimate of the questions still to come
    p.tied_roles         # the two roles that fit about equally well, when p.reason == "two roles tied"
    p.best_role, p.stability, p.best_share, p.runner_up, p.runner_up_share  # how settled (`Standing`)

`assessment` never imports `recommendations`: the caller hands in the role table (required levels per
role, and each role's work style) and, optionally, `score_roles(levels, styles) -> scores`, the
ranking the result will use (shape (samples, roles), higher is better). Without it the roles are
ranked by the transparent ranking, re-stated here (`transparent_scores`, `match_share`; tests check
them against `recommendations`).

How it decides:

* **Order.** The self-ratings first, in the bank's order. Then, among the knowledge checks and
  work-style scenarios not yet asked, the one whose answer is expected to say most about which roles
  are the person's best and top three. `SAMPLES` plausible profiles are drawn from the measurement's
  joint posterior (the self-rating bias and the person's mean level it shares across competencies,
  then each level given them; the work style from the scenarios) with fixed draws, so the same answers
  always give the same plan; each profile is ranked. An answer re-weights the profiles by how likely
  it is under each of them (a likelihood table per item, computed once per bank). The item with the
  largest expected fall in the uncertainty of "is role r best / in the top three" (summed Gini
  impurity), plus a smaller term for the variance of all levels weighted by how much the leading
  roles require them, is asked next.
* **Stopping** (`done` with a `reason`):
  - "question limit": `MAX_ITEMS` (30) questions asked or skipped;
  - "bank exhausted": nothing left to ask;
  - "no roles": the role table is empty, so there is nothing to settle beyond the self-ratings;
  - "answers inconsistent": the answers clearly do not hold together (the measurement's person fit
    is far below what consistent answers give); random clicking is caught here or at the limit;
  - "top roles stable": the best role (ranked on the current estimate) stays the best in at least
    `TOP1_STABLE` and in the top three in at least `TOP3_STABLE` of the plausible profiles;
  - "two roles tied": the top three are stable and the best two roles score level (within `TIE_GAP`)
    in nearly all plausible profiles, or share the first place between them and asking on has not
    separated them: the result says so ("two roles fit about equally well") instead of asking on.
  Before any of the last two: every self-rating has been asked; at least one knowledge check has been
  answered in every competency the current best role requires at level 4 or more (or at its highest
  requirement), and `MIN_CHECKS` checks in all, so self-ratings alone never decide; and the
  measurement's own prior explains the answers clearly (`Profile.prior_fit` at least `FIT_MARGIN`):
  while they look contradictory, or the profile is one the prior finds unlikely (a strong core and
  little else), it asks more before it concludes, since the plausible profiles come from that prior.
  A clear profile meets the stability rule after a few checks; a near-tie needs more.

Constants marked as fitted were chosen against simulated people who answer realistically (the
people of ../shared/tools/realistic_check.py, seeds 1-5, 300 sessions each): `TOP1_STABLE`, `MIN_CHECKS`,
`FIT_MARGIN`, `LEVEL_WEIGHT`; `TOP1_STABLE`, `TOP3_STABLE` and `FIT_MARGIN` re-checked under the mean-level prior
(seeds 1-9, every session recorded to the limit and scored where each setting stops: no setting gains top-1,
`bench/MEASUREMENT.md`). The
progress estimate (`REMAINING_SETTLED`, `REMAINING_SETTLING`) is measured by
`bench/progress.py`. To be re-checked when items are calibrated from real answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from enum import StrEnum
from functools import lru_cache

import numpy as np

from assessment import measurement
from assessment.measurement import (
    LEVELS,
    SCENARIO_TEMPERATURE,
    STYLE_GRID,
    ItemSpec,
    Profile,
    _scenario_table,
    score_profile,
)

MAX_ITEMS = 30  # the most questions (answered or skipped) an adaptive assessment asks
SAMPLES = 128  # plausible profiles drawn from the posteriors per step
SAMPLE_SEED = 20261202  # fixed draws: the same answers always give the same plan
CORE_LEVEL = 4  # a requirement of 4 or more is the core of a role (as the ranking model defines it)
CORE_ROLES = 1  # before stopping, a knowledge check in the core of each of this many leading roles
MIN_CHECKS = 3  # ... and at least this many knowledge checks answered in all (simulated early stops with
# two checks got the best role right markedly less often)

# Stopping rule (shares of the plausible profiles).
TOP1_STABLE = 0.50  # the best role stays the best this often ... (fitted: 0.6-0.8 lengthened sessions
# with no gain in top-1 on simulated people; the top three is what must be settled)
TOP3_STABLE = 0.95  # ... and in the top three this often
TIE_SHARE = 0.80  # two roles together hold the first place this often, each at least TIE_EACH
TIE_EACH = 0.25
TIE_AFTER = 14  # a split first place is called a tie only once this many questions have not separated it
TIE_GAP = 0.01  # two roles whose scores differ by at most this (match share or fit, 0-1) rank level
SETTLED = ("top roles stable", "two roles tied")  # the stops at which the answers settled the best roles

# Reliability before concluding (log Bayes factors against random answering, as `measurement.Profile`).
# A settled result needs the answers to fit the measurement's prior clearly, since the plausible profiles
# are drawn from it: `prior_fit` at least FIT_MARGIN. Below that it asks on; it concludes that the answers
# do not hold together only once they clearly do not (`person_fit`, the flag's test, at most
# -INCONSISTENT_MARGIN, odds of about 3000:1 for random answering) after at least MIN_TO_CONCLUDE
# questions, else at the question limit. Genuine people can start with a negative fit (a modest rater's
# self-ratings) and recover as the knowledge checks come in, hence the wide margin.
FIT_MARGIN = 0.5  # fitted: 1.0 kept genuine people with a modest fit asking (median 16 questions) without
# catching more random answerers; 0 let through a few more of them (55-56 of 60 flagged instead of 57-58)
INCONSISTENT_MARGIN = 8.0
MIN_TO_CONCLUDE = 16

# Weight of the level term against the role term in the choice of the next item; within it, every
# level counts LEVEL_FLOOR plus its mean requirement weight in the leading roles.
LEVEL_WEIGHT = 0.1  # fitted: keeps the level error of simulated people below 0.65 at little cost in questions
LEVEL_FLOOR = 0.5

# The progress estimate ("Frage 12 · noch etwa 6"): the questions still to come, counting the one put next: the
# median over simulated sessions in the same state (`bench/progress.py`: the project's role holders and as many
# people between roles, seeds 1-3, 792 sessions). The state is how many questions were asked beyond the
# self-ratings (index 0..19) and how settled the top three is: the share of plausible profiles with the best role
# among them (`Plan.stability`). One number per question count alone, as before, was right for role holders (41 %
# of them were done within it) and people between roles (18 %) far less often than a median is.
SETTLING = 0.8  # the top three "settling" from this share of plausible profiles, "settled" from TOP3_STABLE
REMAINING_SETTLED = (6, 4, 4, 4, 6, 7, 7, 7, 6, 6, 6, 5, 5, 5, 5, 5, 4, 3, 2, 1)  # stability >= TOP3_STABLE
REMAINING_SETTLING = (11, 10, 10, 10, 11, 14, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1)  # SETTLING ..
# Less settled than that, the median session runs to the question limit. While the self-ratings are asked, the
# questions after them: the start page's "half are done after at most 20 questions" less the ten self-ratings
# (the medians at that point: role holders 7, people between roles 16, both groups together 11).
REMAINING_AFTER_SELF_RATINGS = 10
# Up to OPEN_ENDED_AFTER a settling or settled session's estimate falls as questions are answered; after that the
# sessions still going are those that do not settle, whose estimate no longer falls, so the page does not give
# it: it says at most how many questions can still come (`Plan.open_ended`), as it does for an unsettled session.
OPEN_ENDED_AFTER = next(i for i in range(1, len(REMAINING_SETTLED)) if REMAINING_SETTLED[i] > REMAINING_SETTLED[i - 1])


def expected_remaining(beyond: int, stability: float, left: int) -> tuple[int, bool]:
    """The estimate of the questions still to come, the one put next included, after `beyond` questions past
    the self-ratings with the top three this `stability`, and whether the page should give it or only the
    most that can still come (`left`): (estimate, open-ended)."""
    index = min(beyond, len(REMAINING_SETTLED) - 1)
    if stability >= TOP3_STABLE:
        estimate = REMAINING_SETTLED[index]
    elif stability >= SETTLING:
        estimate = REMAINING_SETTLING[index]
    else:
        return left, True
    return max(1, min(left, estimate)), beyond >= OPEN_ENDED_AFTER


def settledness(stability: float) -> int:
    """Which of the progress estimate's states a top three this `stability` is in: 2 settled, 1 settling, 0 open."""
    return 2 if stability >= TOP3_STABLE else 1 if stability >= SETTLING else 0


class Withdrawn(StrEnum):
    """Why the page stopped giving "noch etwa N" (`open_on_page`), as it tells the person, once."""

    LESS_SETTLED = "less settled"  # the last answers left the top three less settled than before
    LONGER = "longer"  # as settled as before: sessions in this state simply run longer than the estimate said


def withdrawn_because(stability_before: float, stability: float) -> Withdrawn:
    """Why an estimate the page gave is withdrawn now: the answers moved the result only where the top three's
    state fell; else the estimate itself was short (a review was told its answers had left the result more open
    while every plan of the session had been settled: the measured medians do not fall by one a question)."""
    return Withdrawn.LESS_SETTLED if settledness(stability) < settledness(stability_before) else Withdrawn.LONGER


def open_on_page(
    estimate: int, open_ended: bool, before: tuple[int, int] | None, open_before: bool, asked: int
) -> bool:
    """Whether the page gives only the most that can still come rather than `estimate` (after `asked` questions):
    for an open-ended estimate; for one that does not fall by at least one a question from the estimate the page
    gave last (`before`: that estimate and the questions asked then; None when it has given none), so that the
    number it shows never stalls or counts up (a review read "noch etwa 9" on three pages in a row); and once it
    has given only the most (`open_before`), to the end, so that a number does not come and go."""
    if open_ended or open_before:
        return True
    return before is not None and estimate > before[0] - (asked - before[1])


@dataclass(frozen=True)
class Bank:
    """A question bank prepared for planning: items in order, and per-item likelihood tables."""

    competencies: tuple[str, ...]
    items: tuple[ItemSpec, ...]
    index: dict[str, int]  # item slug -> position in `items`
    self_ratings: tuple[int, ...]  # positions of the self-ratings, in the bank's order
    knowledge: np.ndarray  # positions of the knowledge checks
    knowledge_competency: np.ndarray  # competency index of each knowledge check
    p_right: np.ndarray  # (knowledge checks, levels): P(right | level)
    scenarios: tuple[int, ...]  # positions of the work-style scenarios with at least two styled options
    scenario_tables: tuple[np.ndarray, ...]  # per scenario: P(option | style) on STYLE_GRID, (style, option)
    scenario_options: tuple[tuple[str, ...], ...]  # the styled option values of each scenario
    groups: tuple[tuple[ItemSpec, ...], ...]  # per competency: its self-rating and knowledge checks
    raters: measurement.SelfRaters  # the self-rater model (noise, bias) the measurement uses for this bank

    def item(self, slug: str) -> ItemSpec | None:
        position = self.index.get(slug)
        return None if position is None else self.items[position]


@dataclass(frozen=True)
class RoleTable:
    slugs: tuple[str, ...]
    requirements: np.ndarray  # (roles, competencies) in the bank's competency order
    styles: np.ndarray  # (roles,) each role's work style (-1 firefighter .. 1 architect)


@dataclass(frozen=True)
class Plan:
    next_item: str | None
    done: bool
    reason: str
    items_answered: int  # answers given (skips not counted)
    items_asked: int  # answered or skipped
    expected_remaining: int
    tied_roles: tuple[str, ...] = ()
    best_role: str | None = None
    stability: float = 0.0  # share of plausible profiles with the best role in the top three
    best_share: float = 0.0  # share of plausible profiles with the best role first
    # the other role that comes first most often in the plausible profiles, and how often (None: none ever does)
    runner_up: str | None = None
    runner_up_share: float = 0.0
    # an unsettled top three, or past the typical length: the median session in this state runs long and the
    # estimate no longer falls; progress then says at most how many questions can still come (max_items less
    # those asked), not "about N" (`open_on_page` adds: nor where it would not fall, nor after such a page)
    open_ended: bool = False


def prepare_bank(competencies: Iterable[str], items: Iterable[ItemSpec]) -> Bank:
    """The bank with its likelihood tables (cached: call it freely with the same items)."""
    return _prepare_bank(tuple(competencies), tuple(items))


@lru_cache(maxsize=16)
def _prepare_bank(competencies: tuple[str, ...], items: tuple[ItemSpec, ...]) -> Bank:
    column = {c: i for i, c in enumerate(competencies)}
    knowledge, knowledge_competency, p_right = [], [], []
    scenarios, tables, values = [], [], []
    self_ratings = []
    for position, item in enumerate(items):
        if item.kind == "self_rating" and item.competency in column:
            self_ratings.append(position)
        elif item.kind == "knowledge" and item.competency in column:
            knowledge.append(position)
            knowledge_competency.append(column[item.competency])
            p_right.append(item.p_right())
        elif item.kind == "scenario":
            styled = [o for o in item.options if o.style is not None]
            if len(styled) >= 2:
                scenarios.append(position)
                log_table = _scenario_table(tuple(o.style for o in styled), SCENARIO_TEMPERATURE)
                tables.append(np.exp(log_table))
                values.append(tuple(o.value for o in styled))
    return Bank(
        competencies=competencies,
        items=items,
        index={item.slug: i for i, item in enumerate(items)},
        self_ratings=tuple(self_ratings),
        knowledge=np.array(knowledge, dtype=int),
        knowledge_competency=np.array(knowledge_competency, dtype=int),
        p_right=np.array(p_right, dtype=float).reshape(len(knowledge), len(LEVELS)),
        scenarios=tuple(scenarios),
        scenario_tables=tuple(tables),
        scenario_options=tuple(values),
        groups=tuple(tuple(i for i in items if i.kind != "scenario" and i.competency == c) for c in competencies),
        raters=measurement.self_raters(items),
    )


def role_table(
    bank: Bank, requirements: Mapping[str, Mapping[str, float]], styles: Mapping[str, float] | None = None
) -> RoleTable:
    """The roles as arrays: required levels per competency (missing: 0) and work styles (missing: 0)."""
    slugs = tuple(requirements)
    table = np.array(
        [[float(requirements[r].get(c, 0.0)) for c in bank.competencies] for r in slugs], dtype=float
    ).reshape(len(slugs), len(bank.competencies))
    return RoleTable(slugs, table, np.array([float((styles or {}).get(r, 0.0)) for r in slugs]))


def match_share(levels: np.ndarray, requirements: np.ndarray) -> np.ndarray:
    """The match (0-1) of profiles (n, competencies) with roles (roles, competencies).

    The role match of `recommendations.matching`: each missing level counts, weighted by how much the
    role needs the competency (its requirement over the role's highest)."""
    weight = requirements / np.maximum(requirements.max(axis=1, keepdims=True), 1e-9)
    missing = (np.clip(requirements[None, :, :] - levels[:, None, :], 0, None) * weight[None]).sum(axis=2)
    return 1 - missing / np.maximum((weight * requirements).sum(axis=1)[None, :], 1e-9)


# The transparent ranking (README "What the numbers mean"), the default when the caller passes no
# ranking: the match, less a penalty per level of over-qualification beyond half a level and per unit
# of work-style distance. Re-stated from `recommendations.recommender.transparent_fit` (a test checks
# that they agree), since `assessment` never imports `recommendations`.
OVERQUALIFICATION_SLACK = 0.5
OVERQUALIFICATION_PENALTY = 0.10
STYLE_PENALTY = 0.10


def transparent_scores(levels: np.ndarray, styles: np.ndarray, roles: RoleTable) -> np.ndarray:
    """The transparent ranking score (n, roles), 0-1, of profiles (n, competencies) with styles (n,)."""
    excess = levels.mean(axis=1)[:, None] - roles.requirements.mean(axis=1)[None, :]
    score = (
        match_share(levels, roles.requirements)
        - OVERQUALIFICATION_PENALTY * np.clip(excess - OVERQUALIFICATION_SLACK, 0, None)
        - STYLE_PENALTY * np.abs(styles[:, None] - roles.styles[None, :])
    )
    return np.clip(score, 0, 1)


ScoreRoles = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _core(requirements: np.ndarray) -> np.ndarray:
    """The competencies a role requires at CORE_LEVEL or more (or at its highest requirement)."""
    top = requirements.max()
    if top <= 0:
        return np.zeros(len(requirements), dtype=bool)
    return requirements >= min(CORE_LEVEL, top)


def _uniforms(samples: int, columns: int) -> np.ndarray:
    """Fixed stratified uniforms (a Latin hypercube) for the plausible profiles: the same answers, the same plan."""
    return measurement.stratified_uniforms(samples, columns, SAMPLE_SEED)


def _draw(cdfs: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Inverse-CDF draws: cdfs (columns, states), uniforms (samples, columns) -> state indices."""
    return (uniforms[:, :, None] > cdfs[None, :, :]).sum(axis=2).clip(0, cdfs.shape[1] - 1)


def _style_posterior(bank: Bank, answers: Mapping[str, str | None]) -> np.ndarray:
    log_post = np.zeros(len(STYLE_GRID))
    for position, table, values in zip(bank.scenarios, bank.scenario_tables, bank.scenario_options):
        chosen = answers.get(bank.items[position].slug)
        if chosen in values:
            log_post += np.log(table[:, values.index(chosen)])
    post = np.exp(log_post - log_post.max())
    return post / post.sum()


def _gini(shares: np.ndarray) -> np.ndarray:
    return (shares * (1 - shares)).sum(axis=-1)


def _expected_gini(likelihood: np.ndarray, indicators: np.ndarray) -> np.ndarray:
    """Expected impurity of the indicators after an answer: likelihood (outcomes, samples, items),
    indicators (samples, k) -> (items,)."""
    mass = likelihood.sum(axis=1)  # (outcomes, items)
    shares = np.einsum("osi,sk->oik", likelihood, indicators) / np.maximum(mass[:, :, None], 1e-12)
    return (mass / likelihood.shape[1] * _gini(shares)).sum(axis=0)


def _expected_variance(likelihood: np.ndarray, levels: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Expected weighted sum of the variances of all levels after each item's answer.

    likelihood (outcomes, samples, items), levels (samples, competencies), weights (competencies,).
    The draws are joint, so an answer in one competency also narrows the others (through the
    self-rating bias and the person's mean level the measurement shares across competencies)."""
    mass = likelihood.sum(axis=1)[:, :, None]  # (outcomes, items, 1)
    mean = np.einsum("osi,sc->oic", likelihood, levels) / np.maximum(mass, 1e-12)
    second = np.einsum("osi,sc->oic", likelihood, levels**2) / np.maximum(mass, 1e-12)
    return ((mass / likelihood.shape[1]) * (second - mean**2)).sum(axis=0) @ weights


def _draw_levels(bank: Bank, answers: Mapping[str, str | None], uniforms: np.ndarray) -> np.ndarray:
    """Plausible level profiles (samples, competencies) from the measurement's joint posterior.

    The measurement shares one self-rating bias and one mean level across a person's competencies, so
    the levels move together: a profile's shape is known better than its height. Each draw takes a
    (bias, mean) from their posterior (first uniform column), then every level from its posterior
    given them (the other columns), as `measurement._competency_levels` computes them."""
    evidence = [
        measurement._collect(slug, list(group), answers, bank.raters)
        for slug, group in zip(bank.competencies, bank.groups)
    ]
    prior = measurement._level_prior()  # (mean, level)
    knowledge = np.stack([e.knowledge for e in evidence])  # (competency, level)
    self_rating = np.stack([e.self_rating() for e in evidence])  # (competency, rater, level)
    joint = prior[None, None, :, :] * knowledge[:, None, None, :] * self_rating[:, :, None, :]
    marginal = np.maximum(joint.sum(axis=3), 1e-300)  # (competency, rater, mean)
    log_prior = measurement._rater_log_prior(bank.raters)[:, None] + measurement._mean_log_prior()[None, :]
    log_joint = log_prior + np.log(marginal).sum(axis=0)  # (rater, mean)
    weights = np.exp(log_joint - log_joint.max()).ravel()
    chosen = _draw(np.cumsum(weights / weights.sum())[None, :], uniforms[:, :1])[:, 0]  # (samples,)
    conditional = np.cumsum(joint / marginal[:, :, :, None], axis=3)  # (competency, rater, mean, level)
    conditional = conditional.reshape(len(evidence), -1, len(LEVELS))[:, chosen, :]  # (competency, samples, level)
    return (uniforms[:, 1:, None] > conditional.transpose(1, 0, 2)).sum(axis=2).clip(0, len(LEVELS) - 1)


@dataclass(frozen=True)
class PlausibleRanking:
    """The plausible profiles the answers allow, ranked: what the plan and a result's sureness are judged on."""

    levels: np.ndarray  # (samples, competencies) level indices
    styles: np.ndarray  # (samples,) work styles
    scores: np.ndarray  # (samples, roles) ranking scores
    current: np.ndarray  # (roles,) the current estimate's scores
    top1: np.ndarray  # (samples, roles) whether the role comes first in the sample
    top3: np.ndarray  # (samples, roles) whether the role is among the best three in the sample
    first: np.ndarray  # (roles,) share of samples with the role first
    best: int  # the current estimate's best role
    stability: float  # share of samples with the best role among the best three (`Plan.stability`)

    def standing(self, slugs: tuple[str, ...]) -> Standing:
        """How settled the best role is, named by `slugs` (the role table's)."""
        rival = self.first.copy()
        rival[self.best] = -1.0
        other = int(np.argmax(rival)) if len(slugs) > 1 else None
        if other is not None and rival[other] <= 0:  # no other role comes first in any of them
            other = None
        return Standing(
            best_role=slugs[self.best],
            stability=self.stability,
            best_share=float(self.first[self.best]),
            runner_up=None if other is None else slugs[other],
            runner_up_share=0.0 if other is None else float(self.first[other]),
        )


@dataclass(frozen=True)
class Standing:
    """How settled a ranking's best role is in the plausible profiles its answers allow: the share in which it stays
    among the best three (`stability`) and in which it comes first (`best_share`), and the other role that comes
    first most often instead, with its share (what `Plan` holds beside its decision, and a result of every question
    stores)."""

    best_role: str
    stability: float
    best_share: float | None = None  # None: stored before it was kept
    runner_up: str | None = None  # None when no other role comes first in any of them, or stored before it was kept
    runner_up_share: float = 0.0


def rank_plausible_profiles(
    bank: Bank,
    roles: RoleTable,
    answers: Mapping[str, str | None],
    profile: Profile,
    score_roles: ScoreRoles | None = None,
) -> PlausibleRanking:
    """`SAMPLES` plausible profiles drawn for these answers (`profile`: their measurement) and the current estimate,
    ranked with `score_roles` (default: the transparent ranking). `roles` must not be empty."""
    n_comp = len(bank.competencies)
    uniforms = _uniforms(SAMPLES, n_comp + 2)
    levels = _draw_levels(bank, answers, uniforms[:, : n_comp + 1])  # (samples, competencies) ints
    style_post = _style_posterior(bank, answers)
    styles = STYLE_GRID[_draw(np.cumsum(style_post)[None, :], uniforms[:, n_comp + 1 :])[:, 0]]

    def rank(lv: np.ndarray, st: np.ndarray) -> np.ndarray:
        if score_roles is not None:
            return np.asarray(score_roles(lv, st), dtype=float)
        return transparent_scores(lv, st, roles)

    expected = np.array([[profile.competencies[c].expected for c in bank.competencies]], dtype=float)
    # The current estimate's style: the person's, or, before any situation is answered, every style on the grid
    # alike (as the result ranks then: `recommendations.services.rank_roles`).
    own_styles = [profile.work_style] if profile.work_style_confidence > 0 else list(STYLE_GRID)
    # One call ranks the current estimate (first rows) and the plausible profiles.
    ranked = rank(
        np.vstack([np.repeat(expected, len(own_styles), axis=0), levels.astype(float)]),
        np.concatenate([own_styles, styles]),
    )
    current, scores = ranked[: len(own_styles)].mean(axis=0), ranked[len(own_styles) :]  # (roles,), (samples, roles)
    order = np.argsort(-scores, axis=1, kind="stable")
    top3 = np.zeros_like(scores, dtype=bool)
    np.put_along_axis(top3, order[:, : min(3, len(roles.slugs))], True, axis=1)
    top1 = np.zeros_like(scores, dtype=bool)
    np.put_along_axis(top1, order[:, :1], True, axis=1)
    best = int(np.argsort(-current, kind="stable")[0])
    return PlausibleRanking(
        levels, styles, scores, current, top1, top3, top1.mean(axis=0), best, float(top3[:, best].mean())
    )


def standing(
    bank: Bank,
    roles: RoleTable,
    answers: Mapping[str, str | None],
    *,
    score_roles: ScoreRoles | None = None,
    profile: Profile | None = None,
) -> Standing | None:
    """How settled the best role for these answers is (`Standing`), as the plan judges it (`Plan.best_role`,
    `Plan.stability`, `Plan.best_share`, `Plan.runner_up`), for any answers: also those of every question, where the
    plan stops before it ranks. None without roles."""
    if not roles.slugs:
        return None
    profile = profile or score_profile(bank.competencies, bank.items, answers)
    return rank_plausible_profiles(bank, roles, answers, profile, score_roles).standing(roles.slugs)


def plan(
    bank: Bank,
    roles: RoleTable,
    answers: Mapping[str, str | None],
    skipped: Iterable[str] = (),
    *,
    score_roles: ScoreRoles | None = None,
    max_items: int = MAX_ITEMS,
    profile: Profile | None = None,
    excluded: Iterable[str] = (),
) -> Plan:
    """The next question for these answers (item slug -> option value) and skips, or why it is done.

    `profile` may pass the measurement of exactly these answers when the caller has it already. `excluded` items
    are never asked and, unlike skips, not counted as asked (questions added to the bank since an attempt began)."""
    answered = {slug for slug, value in answers.items() if value is not None and slug in bank.index}
    asked = answered | {slug for slug in skipped if slug in bank.index}
    unavailable = asked | {slug for slug in excluded if slug in bank.index}
    n_answered, n_asked = len(answered), len(asked)
    left = max(0, max_items - n_asked)

    def finish(reason: str, **extra) -> Plan:
        return Plan(None, True, reason, n_answered, n_asked, 0, **extra)

    if n_asked >= max_items:
        return finish("question limit")
    open_self = [p for p in bank.self_ratings if bank.items[p].slug not in unavailable]
    if open_self:
        remaining = len(open_self) + REMAINING_AFTER_SELF_RATINGS
        return Plan(
            bank.items[open_self[0]].slug, False, "self-ratings first", n_answered, n_asked, min(left, remaining)
        )

    open_knowledge = np.array([bank.items[p].slug not in unavailable for p in bank.knowledge], dtype=bool)
    open_scenarios = [i for i, p in enumerate(bank.scenarios) if bank.items[p].slug not in unavailable]
    if not open_knowledge.any() and not open_scenarios:
        return finish("bank exhausted")

    if not roles.slugs:  # nothing to settle (no active role): the self-ratings are the assessment
        return finish("no roles")

    profile = profile or score_profile(bank.competencies, bank.items, answers)
    drawn = rank_plausible_profiles(bank, roles, answers, profile, score_roles)
    levels, styles, scores, current = drawn.levels, drawn.styles, drawn.scores, drawn.current
    top1, top3, first, best = drawn.top1, drawn.top3, drawn.first, drawn.best
    stability, best_first = drawn.stability, float(first[best])
    judged = asdict(drawn.standing(roles.slugs))  # how settled the best role is, which every plan from here holds
    n_comp, n_roles = len(bank.competencies), len(roles.slugs)

    # Knowledge checks still needed: the core of each leading role, each with an answered check.
    leading_now = np.argsort(-current, kind="stable")[: min(CORE_ROLES, n_roles)]
    core = np.logical_or.reduce([_core(roles.requirements[r]) for r in leading_now])
    checked = np.zeros(n_comp, dtype=bool)
    for position, competency in zip(bank.knowledge, bank.knowledge_competency):
        if bank.items[position].slug in answered:
            checked[competency] = True
    askable = np.zeros(n_comp, dtype=bool)
    np.logical_or.at(askable, bank.knowledge_competency[open_knowledge], True)
    missing_core = core & ~checked & askable
    checks_answered = sum(1 for p in bank.knowledge if bank.items[p].slug in answered)
    too_few_checks = checks_answered < MIN_CHECKS and open_knowledge.any()

    fit = profile.person_fit
    reliable_enough = profile.prior_fit >= FIT_MARGIN and profile.reliable
    if not missing_core.any() and n_asked >= MIN_TO_CONCLUDE and fit <= -INCONSISTENT_MARGIN:
        return finish("answers inconsistent", **judged)
    if not missing_core.any() and not too_few_checks and reliable_enough and stability >= TOP3_STABLE:
        runner_up = int(np.argsort(-current, kind="stable")[1]) if n_roles > 1 else best
        pair = [best, runner_up]
        level_pegging = float((np.abs(scores[:, best] - scores[:, runner_up]) <= TIE_GAP).mean())
        split = (
            n_asked >= TIE_AFTER
            and first[pair].sum() >= TIE_SHARE
            and first[pair].min() >= TIE_EACH
            and top3[:, pair].all(axis=1).mean() >= TOP3_STABLE
        )
        if runner_up != best and (level_pegging >= TIE_SHARE or (best_first < TOP1_STABLE and split)):
            tied = tuple(roles.slugs[i] for i in pair)
            return finish("two roles tied", tied_roles=tied, **judged)
        if best_first >= TOP1_STABLE:
            return finish("top roles stable", **judged)

    # The next item: the largest expected fall in the uncertainty about the best and top-three roles.
    indicators = np.concatenate([top1, top3], axis=1).astype(float)  # (samples, 2 * roles)
    # How much each competency decides among the leading roles: their requirement weights.
    leading = np.argsort(-(first + top3.mean(axis=0)), kind="stable")[: min(3, n_roles)]
    req = roles.requirements[leading]
    competency_weight = (req / np.maximum(req.max(axis=1, keepdims=True), 1e-9)).mean(axis=0)
    before = _gini(indicators.mean(axis=0))

    candidates: list[tuple[float, str, int]] = []
    k_positions = np.flatnonzero(open_knowledge)
    if missing_core.any():
        k_positions = k_positions[missing_core[bank.knowledge_competency[k_positions]]]
    if len(k_positions):
        comps = bank.knowledge_competency[k_positions]
        right = bank.p_right[k_positions[None, :], levels[:, comps]]  # (samples, items)
        likelihood = np.stack([right, 1 - right])
        gain = before - _expected_gini(likelihood, indicators)
        all_levels = levels.astype(float)
        weights = LEVEL_FLOOR + competency_weight
        variance = all_levels.var(axis=0) @ weights
        gain = gain + LEVEL_WEIGHT * (variance - _expected_variance(likelihood, all_levels, weights))
        candidates.extend((float(g), bank.items[bank.knowledge[k]].slug, 0) for g, k in zip(gain, k_positions))
    if open_scenarios and not missing_core.any():
        style_index = np.searchsorted(STYLE_GRID, styles - 1e-9)
        for i in open_scenarios:
            table = bank.scenario_tables[i][style_index]  # (samples, options)
            likelihood = table.T[:, :, None]  # (options, samples, 1)
            gain = before - _expected_gini(likelihood, indicators)[0]
            candidates.append((float(gain), bank.items[bank.scenarios[i]].slug, 1))
    if not candidates:  # only scenarios were left, all of them asked
        return finish("bank exhausted")
    gain, slug, _ = max(candidates, key=lambda c: (c[0], -bank.index[c[1]]))

    if not (profile.reliable and fit >= FIT_MARGIN) and not missing_core.any():
        reason = "answers contradict each other"
    elif not reliable_enough and not missing_core.any():  # they hold together; the prior finds them unusual
        reason = "unusual profile"
    elif missing_core.any():
        reason = "knowledge check in a core competency"
    elif too_few_checks:
        reason = "more knowledge checks"
    elif stability < TOP3_STABLE:
        reason = "top three roles not settled"
    else:
        reason = "best role not settled"
    beyond = max(n_asked - len(bank.self_ratings), 0)
    typical, open_ended = expected_remaining(beyond, stability, left)
    remaining = max(int(missing_core.sum()) + max(0, MIN_CHECKS - checks_answered), typical)
    return Plan(
        slug,
        False,
        reason,
        n_answered,
        n_asked,
        max(1, min(left, remaining)),
        open_ended=open_ended,
        **judged,
    )
