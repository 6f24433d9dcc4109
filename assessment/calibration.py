"""Learning the item model from real answers: marginal maximum likelihood for the knowledge checks and an
estimate of how far self-ratings scatter.

Pure functions on plain data (numpy and scipy). Import this module only where a calibration runs (the
`calibrate_items` command): scipy takes a while to load and no web process needs it.

**The knowledge checks.** The same three-parameter logistic model the measurement applies
(`assessment.measurement`): P(right | level) = c + (1 - c) * logistic(a * (level - b)), with the guessing
floor c fixed at 1 / number of options. Each check's location b and discrimination a are fitted by
marginal maximum likelihood (Bock and Aitkin's EM): the person's level is never known, so it is summed
out over a grid of levels 0-5, and each competency's distribution of levels over that grid is estimated
along with its items. The discrimination has a lognormal prior around the shipped value
(``DISCRIMINATION_PRIOR_SD`` on the log scale), the location a weak normal prior around its start value;
with hundreds of answers both priors matter little, with a handful they keep an item where it was.

**The scale.** A level means what the framework's level descriptors say, not "wherever these people
happen to be". Anchor items, whose difficulty experts reviewed against the descriptors, keep their
location; they pin the scale of each competency. Two anchors with different locations pin both its
origin and its unit; with a single anchor its discrimination is kept as well (the unit then comes from
the shipped discrimination). A competency without an anchor cannot be calibrated.

**Self-ratings.** said = round(level + bias + noise), clipped to 0-5, as in the measurement: the bias is
one number per person (normal around ``bias_mean`` with sd ``bias_sd``: whether people in general rate
themselves high or low, and how much that differs between people), the noise is normal with sd
``noise``. All three are fitted by maximum likelihood against the levels the knowledge checks imply,
with the fitted item parameters: each competency's level is summed out given its checks, the person's
levels vary around a personal mean as the measurement assumes (``PERSON_SPREADS``), and the bias and the
mean are summed out over grids. They are estimated twice: on the continuous level scale (what people
do), and with the levels on the six steps the measurement uses (the figures to plug into the
measurement, which treats levels as steps).

**Fit.** An item is flagged when its discrimination is low (``LOW_DISCRIMINATION``: the answer barely
depends on the level), when a right answer is not more common among people the other checks place
higher (``NOT_RISING``: a wrong key, or a question about something else), or when its observed share of
right answers at each level strays from the model's curve (root mean squared deviation above
``MISFIT_RMSD``, the item-fit statistic of large assessment programmes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.sparse import csr_matrix
from scipy.special import expit, log_ndtr, ndtr

from assessment.measurement import DEFAULT_DISCRIMINATION, LEVELS, MEAN_GRID, PERSON_SPREADS, _mean_log_prior

# The quadrature grid: levels 0-5 in quarter steps. Real people are not only on the six steps, so the
# items are fitted on a finer grid than the measurement's six points (which would bend the estimates).
GRID = np.linspace(0.0, 5.0, 21)

LOCATION_BOUNDS = (-1.0, 6.0)  # as Item.location's validators
DISCRIMINATION_BOUNDS = (0.1, 5.0)  # as Item.discrimination's validators
DISCRIMINATION_PRIOR_SD = 0.5  # lognormal prior: 95 % of items between a / 2.7 and a * 2.7
LOCATION_PRIOR_SD = 2.0  # weak: one level off costs as much as an eighth of a wrong answer
LATENT_PSEUDOCOUNT = 0.5  # per grid point, so no level becomes impossible for a small sample

MAX_ITERATIONS = 3000
TOLERANCE = 1e-4  # largest change of any parameter, in levels (or log discrimination)
MAX_STEP = 0.5  # per iteration, so a step from a poor start cannot overshoot

# Flags (codes; the command and the admin word them).
LOW_DISCRIMINATION = "low_discrimination"
NOT_RISING = "not_rising"
MISFIT = "misfit"
LOW_DISCRIMINATION_BELOW = 0.5
NOT_RISING_BELOW = 0.05  # correlation of the answer with the level the other checks imply
MISFIT_RMSD = 0.10

NOISE_BOUNDS = (0.05, 3.0)
BIAS_STEP = 0.1
BIAS_GRID = np.arange(-3.0, 3.0 + BIAS_STEP / 2, BIAS_STEP)
BIAS_MEANS = np.arange(-2.0, 2.0 + BIAS_STEP / 2, BIAS_STEP)
BIAS_SDS = np.arange(0.0, 2.51, 0.05)


@dataclass(frozen=True)
class CalibrationItem:
    """A knowledge check as the calibration starts from it."""

    slug: str
    competency: str
    options: int  # the guessing floor is 1 / options
    location: float  # the start value; an anchor keeps it
    discrimination: float = DEFAULT_DISCRIMINATION
    anchor: bool = False

    @property
    def guessing(self) -> float:
        return 1 / max(2, self.options)


@dataclass(frozen=True)
class Respondent:
    """One finished assessment: which checks were answered right, and the self-ratings."""

    checks: Mapping[str, bool]  # item slug -> right; a skipped or unasked check is absent
    self_ratings: Mapping[str, int] = field(default_factory=dict)  # competency slug -> level said, 0-5


@dataclass(frozen=True)
class ItemFit:
    slug: str
    competency: str
    anchor: bool
    answers: int
    right_share: float | None
    location: float
    discrimination: float
    location_se: float | None  # standard error; 0 for a fixed value, None without answers
    discrimination_se: float | None
    rmsd: float | None  # observed against modelled share right over the levels
    rest_correlation: float | None  # right answer against the level implied by the other checks
    flags: tuple[str, ...] = ()

    @property
    def fits(self) -> bool:
        return not self.flags


@dataclass(frozen=True)
class SelfRatingFit:
    noise: float  # on the continuous level scale
    noise_se: float | None
    noise_on_steps: float  # with levels restricted to the measurement's six steps
    bias_mean: float  # the population's average bias (positive: people rate themselves high)
    bias_sd: float  # how far the bias differs between people
    bias_mean_on_steps: float  # the same two with the levels on the six steps (what the measurement uses)
    bias_sd_on_steps: float
    ratings: int
    people: int


@dataclass(frozen=True)
class Calibration:
    items: tuple[ItemFit, ...]
    respondents: int
    answers: int
    self_ratings: SelfRatingFit | None
    latent: dict[str, tuple[float, ...]]  # per competency: the share of people at each point of GRID
    iterations: dict[str, int]
    converged: bool
    log_likelihood: float

    def item(self, slug: str) -> ItemFit:
        return next(i for i in self.items if i.slug == slug)


class CalibrationError(ValueError):
    """The answers or the item bank cannot be calibrated (the message says why and what to do)."""


def item_curves(grid: np.ndarray, locations, discriminations, guessing) -> np.ndarray:
    """P(right | level) for each item (rows) at each grid point (columns)."""
    locations, discriminations, guessing = (
        np.asarray(v, dtype=float)[:, None] for v in (locations, discriminations, guessing)
    )
    return guessing + (1 - guessing) * expit(discriminations * (grid[None, :] - locations))


@dataclass
class _Block:
    """One competency's items and the people who answered at least one of them."""

    competency: str
    items: list[CalibrationItem]
    right: np.ndarray  # (people, items) 1.0 for right, 0.0 otherwise
    asked: np.ndarray  # (people, items) 1.0 where answered
    people: np.ndarray  # indices into the respondents
    free_location: np.ndarray  # (items,) bool
    free_discrimination: np.ndarray


def _blocks(items: Sequence[CalibrationItem], respondents: Sequence[Respondent]) -> list[_Block]:
    by_competency: dict[str, list[CalibrationItem]] = {}
    for item in items:
        by_competency.setdefault(item.competency, []).append(item)
    unanchored = sorted(c for c, group in by_competency.items() if not any(i.anchor for i in group))
    if unanchored:
        raise CalibrationError(
            "no anchor item in " + ", ".join(unanchored) + ": mark at least one knowledge check of each "
            "competency (better two of different difficulty) as an anchor, whose difficulty experts have reviewed"
        )
    blocks = []
    for competency, group in by_competency.items():
        column = {item.slug: j for j, item in enumerate(group)}
        rows, right, asked = [], [], []
        for index, person in enumerate(respondents):
            answered = [(column[slug], ok) for slug, ok in person.checks.items() if slug in column]
            if not answered:
                continue
            r, a = np.zeros(len(group)), np.zeros(len(group))
            for j, ok in answered:
                a[j], r[j] = 1.0, float(bool(ok))
            rows.append(index)
            right.append(r)
            asked.append(a)
        anchors = [i for i in group if i.anchor]
        two_anchors = len({round(i.location, 6) for i in anchors}) >= 2
        blocks.append(
            _Block(
                competency=competency,
                items=group,
                right=np.array(right).reshape(-1, len(group)),
                asked=np.array(asked).reshape(-1, len(group)),
                people=np.array(rows, dtype=int),
                free_location=np.array([not i.anchor for i in group]),
                # With one anchor its discrimination is the unit of the scale, so it stays too.
                free_discrimination=np.array([two_anchors or not i.anchor for i in group]),
            )
        )
    return blocks


def logsumexp(values: np.ndarray, axis: int | None = None):
    """log(sum(exp(values))) without overflow (scipy's is slower for the small arrays of each iteration)."""
    top = np.max(values, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        total = np.log(np.sum(np.exp(values - top), axis=axis, keepdims=True)) + top
    return np.squeeze(total, axis=axis) if axis is not None else float(total.squeeze())


def _log_likelihoods(block: _Block, curves: np.ndarray) -> np.ndarray:
    """log P(a person's answers in this competency | level): (people, grid)."""
    log_p, log_q = np.log(curves), np.log1p(-curves)
    return block.right @ log_p + (block.asked - block.right) @ log_q


def _posterior(log_lik: np.ndarray, latent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    joint = log_lik + np.log(latent)[None, :]
    marginal = logsumexp(joint, axis=1)
    return np.exp(joint - marginal[:, None]), marginal


def _m_step(block: _Block, n: np.ndarray, r: np.ndarray, b: np.ndarray, log_a: np.ndarray, grid: np.ndarray):
    """One Fisher-scoring step per item on the expected complete-data log likelihood plus the priors
    (a generalised EM step: cheap, and EM needs no more than an improvement per iteration)."""
    guessing = np.array([i.guessing for i in block.items])[:, None]
    a = np.exp(log_a)[:, None]
    s = expit(a * (grid[None, :] - b[:, None]))
    p = np.clip(guessing + (1 - guessing) * s, 1e-9, 1 - 1e-9)
    dp_dz = (1 - guessing) * s * (1 - s)
    dp = np.stack([dp_dz * -a, dp_dz * a * (grid[None, :] - b[:, None])])  # d p / d (b, log a): (2, items, grid)
    weight = 1 / (p * (1 - p))
    gradient = np.einsum("kjq,jq->jk", dp, (r - n * p) * weight)
    information = np.einsum("kjq,ljq,jq->jkl", dp, dp, n * weight)
    b_prior = np.array([i.location for i in block.items])
    gradient[:, 0] -= (b - b_prior) / LOCATION_PRIOR_SD**2
    gradient[:, 1] -= (log_a - np.log(DEFAULT_DISCRIMINATION)) / DISCRIMINATION_PRIOR_SD**2
    information[:, 0, 0] += LOCATION_PRIOR_SD**-2
    information[:, 1, 1] += DISCRIMINATION_PRIOR_SD**-2
    free = np.stack([block.free_location, block.free_discrimination], axis=1)
    gradient = np.where(free, gradient, 0.0)
    information = np.where(free[:, :, None] & free[:, None, :], information, 0.0)
    information += np.eye(2)[None] * (~free)[:, :, None]  # a fixed parameter: a step of 0
    step = np.clip(np.linalg.solve(information, gradient[:, :, None])[:, :, 0], -MAX_STEP, MAX_STEP)
    new_b = np.clip(b + step[:, 0], *LOCATION_BOUNDS)
    new_log_a = np.clip(log_a + step[:, 1], *np.log(DISCRIMINATION_BOUNDS))
    return new_b, new_log_a


def _fit_block(block: _Block, grid: np.ndarray, max_iterations: int, tolerance: float):
    """EM for one competency: item locations, log discriminations, the distribution of levels."""
    b = np.array([i.location for i in block.items], dtype=float)
    log_a = np.log(np.array([i.discrimination for i in block.items], dtype=float))
    guessing = np.array([i.guessing for i in block.items])
    latent = np.full(len(grid), 1 / len(grid))
    converged = False
    iteration = 0
    for iteration in range(1, max_iterations + 1):  # noqa: B007 (the count is returned)
        curves = item_curves(grid, b, np.exp(log_a), guessing)
        posterior, _ = _posterior(_log_likelihoods(block, curves), latent)
        n = block.asked.T @ posterior  # expected answers per item and level
        r = block.right.T @ posterior  # expected right answers
        new_latent = (posterior.sum(axis=0) + LATENT_PSEUDOCOUNT) / (len(posterior) + LATENT_PSEUDOCOUNT * len(grid))
        new_b, new_log_a = _m_step(block, n, r, b, log_a, grid)
        change = max(np.abs(new_b - b).max(), np.abs(new_log_a - log_a).max(), np.abs(new_latent - latent).max() * 100)
        b, log_a, latent = new_b, new_log_a, new_latent
        if change < tolerance:
            converged = True
            break
    return b, log_a, latent, iteration, converged


def _standard_errors(block: _Block, posterior: np.ndarray, b, log_a, grid) -> tuple[np.ndarray, np.ndarray]:
    """From the cross-products of each person's score (the empirical information of the marginal
    likelihood) plus the priors: (location se, discrimination se) per item; 0 where fixed."""
    guessing = np.array([i.guessing for i in block.items])
    a = np.exp(log_a)
    s = expit(a[:, None] * (grid[None, :] - b[:, None]))  # (items, grid)
    p = guessing[:, None] + (1 - guessing[:, None]) * s
    dp_dz = (1 - guessing[:, None]) * s * (1 - s)
    # d log f(x | level) / dz for each person, item, level: (x - p) / (p (1 - p)) * dp/dz where asked.
    residual = (block.right[:, :, None] - block.asked[:, :, None] * p[None]) / (p * (1 - p))[None]
    d_z = residual * dp_dz[None]
    score_b = np.einsum("pjq,pq->pj", d_z * -a[None, :, None], posterior)
    score_log_a = np.einsum("pjq,pq->pj", d_z * (a[:, None] * (grid[None, :] - b[:, None]))[None], posterior)
    free_b, free_a = np.flatnonzero(block.free_location), np.flatnonzero(block.free_discrimination)
    scores = np.concatenate([score_b[:, free_b], score_log_a[:, free_a]], axis=1)
    information = scores.T @ scores
    information += np.diag(
        np.concatenate([np.full(len(free_b), LOCATION_PRIOR_SD**-2), np.full(len(free_a), DISCRIMINATION_PRIOR_SD**-2)])
    )
    try:
        covariance = np.linalg.inv(information)
    except np.linalg.LinAlgError:
        covariance = np.linalg.pinv(information)
    variances = np.clip(np.diag(covariance), 0, None)
    se_b, se_a = np.zeros(len(b)), np.zeros(len(b))
    se_b[free_b] = np.sqrt(variances[: len(free_b)])
    se_a[free_a] = np.sqrt(variances[len(free_b) :]) * a[free_a]  # delta method: se(a) = a * se(log a)
    return se_b, se_a


def _item_fit(block: _Block, posterior: np.ndarray, curves: np.ndarray, grid: np.ndarray, j: int):
    """RMSD of the observed share right against the curve, and the correlation of the answer with the
    level the other checks imply."""
    asked = block.asked[:, j] > 0
    if not asked.any():
        return None, None
    n = posterior[asked].sum(axis=0)
    r = posterior[asked].T @ block.right[asked, j]
    observed = np.divide(r, n, out=curves[j].copy(), where=n > 1e-9)
    rmsd = float(np.sqrt((n * (observed - curves[j]) ** 2).sum() / n.sum()))
    # The posterior without this item: divide its likelihood out again.
    own = np.where(block.right[asked, j][:, None] > 0, curves[j][None, :], 1 - curves[j][None, :])
    rest = posterior[asked] / own
    rest /= rest.sum(axis=1, keepdims=True)
    rest_level = rest @ grid
    answers = block.right[asked, j]
    if answers.std() < 1e-12 or rest_level.std() < 1e-12:
        return rmsd, None
    return rmsd, float(np.corrcoef(answers, rest_level)[0, 1])


def _flags(discrimination: float, rmsd: float | None, rest_correlation: float | None) -> tuple[str, ...]:
    flags = []
    if discrimination < LOW_DISCRIMINATION_BELOW:
        flags.append(LOW_DISCRIMINATION)
    if rest_correlation is not None and rest_correlation < NOT_RISING_BELOW:
        flags.append(NOT_RISING)
    if rmsd is not None and rmsd > MISFIT_RMSD:
        flags.append(MISFIT)
    return tuple(flags)


def calibrate(
    items: Sequence[CalibrationItem],
    respondents: Sequence[Respondent],
    *,
    grid: np.ndarray = GRID,
    max_iterations: int = MAX_ITERATIONS,
    tolerance: float = TOLERANCE,
) -> Calibration:
    """Fit every knowledge check's location and discrimination, and the self-rating noise, from answers."""
    if not items:
        raise CalibrationError("no knowledge checks to calibrate")
    slugs = [i.slug for i in items]
    if len(set(slugs)) != len(slugs):
        raise CalibrationError("an item slug appears twice")
    known = set(slugs)
    answers = sum(1 for person in respondents for slug in person.checks if slug in known)
    if not answers:
        raise CalibrationError("no answers to the knowledge checks to learn from")
    fits: dict[str, ItemFit] = {}
    latent: dict[str, tuple[float, ...]] = {}
    iterations: dict[str, int] = {}
    converged = True
    log_likelihood = 0.0
    fitted_blocks: dict[str, tuple[_Block, np.ndarray, np.ndarray, np.ndarray]] = {}
    for block in _blocks(items, respondents):
        if not len(block.people):  # nobody answered: the start values stay
            for item in block.items:
                fits[item.slug] = ItemFit(
                    item.slug,
                    item.competency,
                    item.anchor,
                    0,
                    None,
                    item.location,
                    item.discrimination,
                    None,
                    None,
                    None,
                    None,
                )
            latent[block.competency] = tuple(np.full(len(grid), 1 / len(grid)).round(4).tolist())
            iterations[block.competency] = 0
            continue
        b, log_a, weights, used, done = _fit_block(block, grid, max_iterations, tolerance)
        converged &= done
        iterations[block.competency] = used
        latent[block.competency] = tuple(np.round(weights, 4).tolist())
        guessing = np.array([i.guessing for i in block.items])
        curves = item_curves(grid, b, np.exp(log_a), guessing)
        log_lik = _log_likelihoods(block, curves)
        posterior, marginal = _posterior(log_lik, weights)
        log_likelihood += float(marginal.sum())
        fitted_blocks[block.competency] = (block, b, np.exp(log_a), weights)
        se_b, se_a = _standard_errors(block, posterior, b, log_a, grid)
        for j, item in enumerate(block.items):
            count = int(block.asked[:, j].sum())
            rmsd, rest_correlation = _item_fit(block, posterior, curves, grid, j)
            discrimination = float(np.exp(log_a[j]))
            fits[item.slug] = ItemFit(
                slug=item.slug,
                competency=item.competency,
                anchor=item.anchor,
                answers=count,
                right_share=round(float(block.right[:, j].sum() / count), 4) if count else None,
                location=round(float(b[j]), 4),
                discrimination=round(discrimination, 4),
                location_se=round(float(se_b[j]), 4) if count else None,
                discrimination_se=round(float(se_a[j]), 4) if count else None,
                rmsd=None if rmsd is None else round(rmsd, 4),
                rest_correlation=None if rest_correlation is None else round(rest_correlation, 4),
                flags=_flags(discrimination, rmsd, rest_correlation) if count else (),
            )
    fitted = [fits[slug] for slug in slugs]
    return Calibration(
        items=tuple(fitted),
        respondents=sum(1 for person in respondents if any(slug in known for slug in person.checks)),
        answers=answers,
        self_ratings=estimate_self_rating_noise(respondents, fitted_blocks, grid),
        latent=latent,
        iterations=iterations,
        converged=converged,
        log_likelihood=round(log_likelihood, 3),
    )


def _rating_table(noise: float, levels: np.ndarray) -> np.ndarray:
    """log P(says s | level, bias): shape (bias, level, said), rounding and clipping as the measurement does."""
    edges = np.concatenate([[-np.inf], np.arange(0.5, 5, 1.0), [np.inf]])
    centre = levels[None, :, None] + BIAS_GRID[:, None, None]
    z = (edges[None, None, :] - centre) / noise
    cdf = ndtr(z)
    probability = np.diff(cdf, axis=2)
    # Far in a tail the difference of two CDFs rounds to 0; the log CDF keeps a usable value there.
    tail = np.minimum(log_ndtr(z[:, :, 1:]), log_ndtr(-z[:, :, :-1]))
    return np.where(probability > 1e-300, np.log(np.maximum(probability, 1e-300)), tail)


def _person_level_prior(levels: np.ndarray) -> np.ndarray:
    """P(level | the person's own mean level): (mean, level), as the measurement assumes (levels of one
    person vary by PERSON_SPREADS around a mean on MEAN_GRID; the mean's prior is `_mean_log_prior`)."""
    if PERSON_SPREADS is None:
        return np.full((1, len(levels)), 1 / len(levels))
    rows = [np.exp(-0.5 * ((levels - mean) / spread) ** 2) for mean in MEAN_GRID for spread in PERSON_SPREADS]
    prior = np.array(rows)
    return prior / prior.sum(axis=1, keepdims=True)


@dataclass
class _RatingData:
    """The answers the self-rating fit needs, on one grid of levels."""

    levels: np.ndarray
    rated_people: np.ndarray  # (ratings,) index of the person (0..people-1) of each self-rating
    rated_likelihood: np.ndarray  # (ratings, level): the competency's checks, as a likelihood of the level
    said: np.ndarray  # (ratings,)
    unrated: np.ndarray  # (people, person mean): log P(checks of competencies without a rating | mean)
    mean_prior: np.ndarray  # (person mean, level)


def _rating_data(respondents: Sequence[Respondent], likelihoods: dict[str, tuple[_Block, np.ndarray]], levels):
    """Collect each self-rating with the likelihood of the level from the same competency's checks;
    the other competencies' checks tell about the person's mean level."""
    mean_prior = _person_level_prior(levels)
    rated = sorted({i for i, person in enumerate(respondents) if person.self_ratings})
    person_row = {index: k for k, index in enumerate(rated)}
    unrated = np.zeros((len(rated), len(mean_prior)))
    rows, weights, said = [], [], []
    for competency, (block, likelihood) in likelihoods.items():
        for position, index in enumerate(block.people):
            if index not in person_row:
                continue
            level = respondents[index].self_ratings.get(competency)
            if level is not None and 0 <= int(level) <= 5:
                rows.append(person_row[index])
                weights.append(likelihood[position])
                said.append(int(level))
            else:
                unrated[person_row[index]] += np.log(mean_prior @ likelihood[position])
    return _RatingData(
        levels=levels,
        rated_people=np.array(rows, dtype=int),
        rated_likelihood=np.array(weights).reshape(len(rows), len(levels)),
        said=np.array(said, dtype=int),
        unrated=unrated,
        mean_prior=mean_prior,
    )


def _profile_log_likelihood(noise: float, data: _RatingData) -> tuple[float, float, float]:
    """The log likelihood of the answers at this noise, maximised over the bias's mean and sd: (value, bias
    mean, bias sd).

    For each person the bias and the mean level are summed out over their grids: P(check answers and
    rating of a competency | mean, bias) = sum over the level of P(level | mean) P(checks | level)
    P(rating | level, bias)."""
    table = np.exp(_rating_table(noise, data.levels))  # (bias, level, said)
    people = len(data.unrated)
    per_person = np.repeat(data.unrated[:, :, None], len(BIAS_GRID), axis=2)  # (people, mean, bias)
    for s in range(6):
        chosen = np.flatnonzero(data.said == s)
        if not len(chosen):
            continue
        joint = data.rated_likelihood[chosen][:, None, :] * data.mean_prior[None, :, :]  # (ratings, mean, level)
        per_rating = np.log(np.maximum(joint @ table[:, :, s].T, 1e-300))  # (ratings, mean, bias)
        owners = csr_matrix(
            (np.ones(len(chosen)), (data.rated_people[chosen], np.arange(len(chosen)))), (people, len(chosen))
        )
        per_person += (owners @ per_rating.reshape(len(chosen), -1)).reshape(per_person.shape)
    per_person_mean = logsumexp(per_person + _mean_log_prior()[None, :, None], axis=1)  # (people, bias)
    if not people:
        return 0.0, 0.0, 0.0
    # log P(bias | its mean and sd) for every (mean, sd) on the grids: (mean, sd, bias); a sd of 0 puts all
    # the weight on the grid point nearest the mean.
    offset = BIAS_GRID[None, None, :] - BIAS_MEANS[:, None, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        log_prior = np.where(BIAS_SDS[None, :, None] > 0, -0.5 * (offset / BIAS_SDS[None, :, None]) ** 2, -np.inf)
    nearest = np.abs(offset[:, 0, :]).argmin(axis=1)
    log_prior[np.arange(len(BIAS_MEANS)), 0, nearest] = 0.0
    log_prior -= logsumexp(log_prior, axis=2)[:, :, None]
    # sum over people of log sum over the bias of P(answers | bias) P(bias | mean, sd): a matrix product,
    # scaled per person, in chunks of people so that the memory stays small for any number of them
    prior = np.exp(log_prior).reshape(-1, len(BIAS_GRID))  # (mean x sd, bias)
    values = np.zeros(len(prior))
    for start in range(0, people, 2000):
        chunk = per_person_mean[start : start + 2000]
        top = chunk.max(axis=1, keepdims=True)
        values += (np.log(np.maximum(np.exp(chunk - top) @ prior.T, 1e-300)) + top).sum(axis=0)
    table = values.reshape(len(BIAS_MEANS), len(BIAS_SDS))
    mean_at, sd_at = np.unravel_index(int(np.argmax(table)), table.shape)
    return float(table[mean_at, sd_at]), float(BIAS_MEANS[mean_at]), float(BIAS_SDS[sd_at])


def _best_noise(data: _RatingData) -> tuple[float, float, float, float | None]:
    """The noise, the bias's mean and sd, and the noise's standard error."""

    def negative(noise: float) -> float:
        return -_profile_log_likelihood(noise, data)[0]

    result = minimize_scalar(negative, bounds=NOISE_BOUNDS, method="bounded", options={"xatol": 2e-3})
    noise = float(result.x)
    _value, bias_mean, bias_sd = _profile_log_likelihood(noise, data)
    step = 0.02  # the curvature of the profile likelihood gives the standard error
    at = max(NOISE_BOUNDS[0] + step, noise)
    curvature = (negative(at + step) - 2 * negative(at) + negative(at - step)) / step**2
    se = float(1 / np.sqrt(curvature)) if curvature > 0 else None
    return noise, bias_mean, bias_sd, se


def estimate_self_rating_noise(
    respondents: Sequence[Respondent], fitted: dict[str, tuple[_Block, np.ndarray, np.ndarray, np.ndarray]], grid
) -> SelfRatingFit | None:
    """How far self-ratings scatter around level + personal bias, against the levels the checks imply.

    `fitted` maps a competency to its block and its items' locations and discriminations. The person's
    levels follow the measurement's own assumption (around a personal mean), so the figure is the one
    the measurement can use as it is."""
    on_grid: dict[str, tuple[_Block, np.ndarray]] = {}
    on_steps: dict[str, tuple[_Block, np.ndarray]] = {}
    for competency, (block, b, a, _latent) in fitted.items():
        guessing = [i.guessing for i in block.items]
        for levels, target in ((grid, on_grid), (LEVELS, on_steps)):
            log_lik = _log_likelihoods(block, item_curves(levels, b, a, guessing))
            target[competency] = (block, np.exp(log_lik - log_lik.max(axis=1, keepdims=True)))
    data = _rating_data(respondents, on_grid, grid)
    if len(np.unique(data.rated_people)) < 2:
        return None
    noise, bias_mean, bias_sd, se = _best_noise(data)
    noise_on_steps, bias_mean_on_steps, bias_sd_on_steps, _ = _best_noise(_rating_data(respondents, on_steps, LEVELS))
    return SelfRatingFit(
        noise=round(noise, 3),
        noise_se=None if se is None else round(se, 3),
        noise_on_steps=round(noise_on_steps, 3),
        bias_mean=round(bias_mean, 3),
        bias_sd=round(bias_sd, 3),
        bias_mean_on_steps=round(bias_mean_on_steps, 3),
        bias_sd_on_steps=round(bias_sd_on_steps, 3),
        ratings=len(data.said),
        people=len(np.unique(data.rated_people)),
    )
