"""The role ranking model: build, train, save, load and apply one scikit-learn pipeline.

The model ranks roles for a person: it scores every (profile, role) pair from features relative to
the role's requirements (gaps weighted by how much the role needs each competency, the largest gap
in its core, over-qualification, the shape of the profile against the role's, the work-style
distance, how far along the person is and how senior the role is). Gradient-boosted trees learn how
these combine, with the direction of each fixed (a bigger gap never raises a fit). The fit (0-1) is a
ranking score: how much the person looks like the people who hold the role in the training data. It
is not calibrated against real outcomes and never shown as a probability. Because the features are
relative to a role, the model also works for roles an admin adds later (retraining sharpens it).

Training data come from `generate_profiles` (a documented, seeded generator of people who hold each
role), measured the way the product measures people (`train(measure=...)`), plus confirmed real
outcomes; the generated people are a prior that is weighted down as outcomes accumulate. Persisted
with skops (no pickle) and an explicit list of trusted types.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

# One OpenMP thread, set before scikit-learn is first imported: the data are small, and OpenMP threads
# that spin-wait beside other processes (web workers, the task worker, a test run) slow the first fit in a
# process by a factor of 10-300 on a 2-core machine; threadpool_limits alone comes too late for it.
os.environ.setdefault("OMP_NUM_THREADS", "1")

if TYPE_CHECKING:  # scikit-learn, skops and scipy take seconds to import: only where a model is used
    from sklearn.pipeline import Pipeline

# The payload's format: 2, the metrics travel with the model; 3, plain trees, no calibration wrapper. Only a change
# that makes an older model unreadable raises it: a model that no longer loads leaves every database ranking by the
# transparent match until one is retrained (a measurement change that does not change the features is no reason:
# bench/MEASUREMENT.md, thirty-fourth session).
FORMAT_VERSION = 3
RANDOM_STATE = 20261124
PROFILES_PER_ROLE = 300
CORE_LEVEL = 4  # a requirement of 4 or more is the core of a role
CAREER_CHANGER_ROLE = "it_coordinator"

FEATURES = (
    "weighted_deficit",  # missing levels, each weighted by how much the role needs it (core counts most)
    "core_deficit",  # the largest gap in the core of the role (required 4+, or the role's maximum)
    "overqualification",  # how far the person's mean level exceeds the role's, beyond half a level
    "shape_match",  # covariance of the profile with the role's shape, in levels (flat profiles: 0)
    "style_distance",  # |person's work style - role's preferred style|
    "person_level",  # the person's mean level: how far along they are at all
    "role_level",  # the role's mean required level: how senior the role is
)
OVERQUALIFICATION_SLACK = 0.5

# What skops may construct beyond its own safe defaults when it loads a model: exactly the
# parts of the pipeline built below (a test checks the list against a freshly saved model).
TRUSTED_TYPES = [
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
]


@dataclass(frozen=True)
class RoleSpec:
    slug: str
    requirements: tuple[float, ...]  # one level per competency, in `competencies` order
    work_style: float


@dataclass
class TrainedModel:
    pipeline: Pipeline
    competencies: tuple[str, ...]
    roles: tuple[str, ...]
    training_data_hash: str
    training_size: int
    metrics: dict = field(default_factory=dict)
    version: str = ""

    @property
    def ranks(self) -> bool:
        """May this model rank the roles? Not where it lost to the transparent ranking on held-out outcomes."""
        return bool(self.metrics.get("ranks", True))

    @cached_property
    def forest(self) -> _Forest | None:
        """The trained trees as flat arrays (see `_Forest`), built once per loaded model."""
        return _Forest.of(self.pipeline[-1])


class _Forest:
    """The boosted trees of a fitted binary `HistGradientBoostingClassifier` as flat arrays, walked for
    every row and every tree at once.

    scikit-learn walks each of the 60 trees in its own call, and checks its input on each prediction:
    for the ten rows of one person that is most of the time a ranking takes. The walk here makes the
    same comparisons (go left when the feature is at most the node's threshold), adds the leaves tree
    after tree onto the baseline in scikit-learn's order and applies the same logistic function, so the
    fit is the same number to the last bit (tests/recommendations/test_speed_ranking.py). It reads the
    estimator's fitted trees, which belong to the scikit-learn version a model is loaded with (checked in
    `load`); `of` returns None for any estimator it does not know how to walk (categorical splits, more
    than one tree per iteration), and `predict` then asks scikit-learn."""

    def __init__(self, nodes: Sequence[np.ndarray], baseline: float):
        sizes = [len(tree) for tree in nodes]
        starts = np.cumsum([0, *sizes[:-1]])
        flat = np.concatenate(nodes)
        leaf = flat["is_leaf"].astype(bool)
        index = np.arange(len(flat))
        shift = np.repeat(starts, sizes)  # a tree's child indices are its own; make them global
        self.roots = starts.astype(np.intp)
        self.feature = flat["feature_idx"].astype(np.intp)
        self.threshold = flat["num_threshold"].astype(float)
        # A leaf is its own child. Children side by side: node n's are at 2n (left) and 2n + 1 (right).
        self.children = np.empty(2 * len(flat), dtype=np.intp)
        self.children[0::2] = np.where(leaf, index, flat["left"].astype(np.intp) + shift)
        self.children[1::2] = np.where(leaf, index, flat["right"].astype(np.intp) + shift)
        self.leaf = leaf
        self.value = flat["value"].astype(float)
        self.depth = int(flat["depth"].max())
        self.baseline = baseline

    @classmethod
    def of(cls, estimator) -> _Forest | None:
        predictors = getattr(estimator, "_predictors", None)
        if not predictors or getattr(estimator, "n_trees_per_iteration_", None) != 1:
            return None
        nodes = [trees[0].nodes for trees in predictors]
        if any(tree["is_categorical"].any() for tree in nodes):
            return None
        return cls(nodes, float(np.ravel(estimator._baseline_prediction)[0]))

    def proba(self, features: np.ndarray) -> np.ndarray:
        """P(class 1) for each row of `features` (rows, features), without missing values."""
        from scipy.special import expit

        rows, width = features.shape
        trees = len(self.roots)
        # One walk per row and tree, row after row. `at` holds the nodes of the walks still going (their
        # positions: `walking`; where their row's features begin in `flat`: `start`). A leaf is its own
        # child, so a walk that reached one stays there; each time half the walks still going have reached
        # one, the rest go on alone (most trees are shallow: after three levels a third of the walks are
        # left), and `node` keeps where each walk ended.
        flat = features.ravel()
        walking = np.arange(rows * trees)
        at = np.tile(self.roots, rows)
        start = np.repeat(np.arange(rows) * width, trees)
        node = np.empty_like(at)
        for _ in range(self.depth):
            goes_right = flat.take(start + self.feature.take(at)) > self.threshold.take(at)
            at = self.children.take(2 * at + goes_right)
            on = ~self.leaf.take(at)
            going = np.count_nonzero(on)
            if not going:
                break
            if going <= len(at) // 2:
                node[walking] = at
                walking, at, start = walking[on], at[on], start[on]
        node[walking] = at
        # A running sum adds the trees one after the other onto the baseline, as scikit-learn does (`sum`
        # may add in pairs, which can differ in the last bit).
        raw = np.empty((trees + 1, rows))
        raw[0] = self.baseline
        raw[1:] = self.value.take(node).reshape(rows, trees).T
        return expit(np.cumsum(raw, axis=0)[-1])


@lru_cache(maxsize=16)
def _role_side(roles: tuple[RoleSpec, ...]) -> dict[str, np.ndarray]:
    """What the pair features need from the roles alone, computed once per role table."""
    req = np.array([r.requirements for r in roles], dtype=float)  # (m, c)
    top = req.max(axis=1, keepdims=True)
    centered = req - req.mean(axis=1, keepdims=True)
    parts = {
        "req": req,
        "style": np.array([r.work_style for r in roles], dtype=float),  # (m,)
        "core": (req >= np.minimum(CORE_LEVEL, top)).astype(float),
        "importance": req / np.maximum(top, 1),
        "centered": centered,
        "spread": np.maximum(np.sqrt((centered**2).mean(axis=1)), 1e-9),
        "mean": req.mean(axis=1),
    }
    for array in parts.values():
        array.setflags(write=False)
    return parts


def pair_features(levels: np.ndarray, styles: np.ndarray, roles: Sequence[RoleSpec]) -> np.ndarray:
    """Features of every (profile, role) pair: shape (n_profiles, n_roles, n_features).

    `levels` is (n_profiles, n_competencies) on the 0-5 scale, `styles` is (n_profiles,)."""
    r = _role_side(tuple(roles))
    n, m = levels.shape[0], len(roles)
    deficit = np.clip(r["req"][None, :, :] - levels[:, None, :], 0, None)  # (n, m, c)
    person_mean = levels.mean(axis=1)  # (n,)
    p_centered = levels - person_mean[:, None]
    features = np.empty((n, m, len(FEATURES)))
    features[:, :, 0] = (deficit * r["importance"][None]).sum(axis=2)
    features[:, :, 1] = (deficit * r["core"][None]).max(axis=2)
    features[:, :, 2] = np.clip(person_mean[:, None] - r["mean"][None, :] - OVERQUALIFICATION_SLACK, 0, None)
    features[:, :, 3] = (p_centered @ r["centered"].T) / levels.shape[1] / r["spread"][None, :]
    features[:, :, 4] = np.abs(styles[:, None] - r["style"][None, :])
    features[:, :, 5] = person_mean[:, None]
    features[:, :, 6] = r["mean"][None, :]
    return features


def trained_for(trained: Iterable[str], current: Iterable[str]) -> bool:
    """Whether a model trained for the slugs `trained` (its roles, or its competencies) serves `current`: the same
    slugs in any order. It reads each (person, role) pair by features that no order changes (`pair_features`: sums,
    maxima and means over the competencies, levels and requirements side by side), so the admin's "order", which
    sorts the lists, must not switch the model off (a review: renumbering one competency ranked every result by the
    transparent match, with no word)."""
    return sorted(trained) == sorted(current)


# A model version is named by when it was trained and what it learned from: "20261204-185630-e6967010".
VERSION_TIME = "%Y%m%d-%H%M%S"

# The transparent ranking, used without a usable model and as the yardstick a model must beat:
# the match (0-1), less a published penalty per level of over-qualification and per unit of
# work-style distance (the style axis runs from -1 to 1).
TRANSPARENT_OVERQUALIFICATION_PENALTY = 0.10
TRANSPARENT_STYLE_PENALTY = 0.10


def match_share(levels: np.ndarray, roles: Sequence[RoleSpec]) -> np.ndarray:
    """The match (0-1) of every profile with every role, as `recommendations.matching` defines it."""
    req = np.array([r.requirements for r in roles], dtype=float).reshape(len(roles), levels.shape[1])  # (m, c)
    w = req / np.maximum(req.max(axis=1, keepdims=True), 1e-9)
    missing = (np.clip(req[None, :, :] - levels[:, None, :], 0, None) * w[None, :, :]).sum(axis=2)
    return 1 - missing / np.maximum((w * req).sum(axis=1)[None, :], 1e-9)


def transparent_fit(levels: np.ndarray, styles: np.ndarray, roles: Sequence[RoleSpec]) -> np.ndarray:
    """The ranking score without a model: shape (n_profiles, n_roles), 0-1."""
    req = np.array([r.requirements for r in roles], dtype=float).reshape(len(roles), levels.shape[1])  # none: (0, c)
    role_style = np.array([r.work_style for r in roles], dtype=float)
    excess = levels.mean(axis=1)[:, None] - req.mean(axis=1)[None, :]
    overqualification = np.clip(excess - OVERQUALIFICATION_SLACK, 0, None)
    style_distance = np.abs(styles[:, None] - role_style[None, :])
    score = (
        match_share(levels, roles)
        - TRANSPARENT_OVERQUALIFICATION_PENALTY * overqualification
        - TRANSPARENT_STYLE_PENALTY * style_distance
    )
    return np.clip(score, 0, 1)


def generate_profiles(
    roles: Sequence[RoleSpec], per_role: int = PROFILES_PER_ROLE, seed: int = RANDOM_STATE
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Simulated people who hold each role: (levels, styles, role index).

    How real people vary around a role's requirements, as the generator models it:
    * seniority: the whole profile shifts by a person-wide offset (normal, sd 0.5 levels):
      juniors and seniors hold the same role;
    * the core of the role (required 4+) is held firmly: sd 0.5 around the requirement;
      everything else varies more (sd 0.8), and one in four people has one side strength
      (+1 to +2 levels in a random competency) from an earlier job;
    * the work style scatters around the role's preference (sd 0.3).
    These are true levels: `train` passes them through the measurement (`measure`) before learning.
    People new to IT (low everywhere, most with some communication and perseverance from an
    earlier job, any work style) are added as holders of the entry role, as the framework
    directs a career changer there. Broad experts (a mean level of 4 to 5, any work style), whom
    no role's holders resemble, are added as holders of the role the framework's rule gives them:
    no gap, the least over-qualification, the nearest work style (`transparent_fit`). Without them
    the trees' first role for such a person was close to arbitrary.
    """
    rng = np.random.default_rng(seed)
    req = np.array([r.requirements for r in roles], dtype=float)
    n_roles, n_comp = req.shape
    levels, styles, labels = [], [], []
    for index, role in enumerate(roles):
        base = np.repeat(req[index][None, :], per_role, axis=0)
        core = base >= min(CORE_LEVEL, base.max())
        seniority = rng.normal(0, 0.5, size=(per_role, 1))
        spread = np.where(core, 0.5, 0.8)
        person = base + seniority + rng.normal(0, 1, size=base.shape) * spread
        side = rng.random(per_role) < 0.25
        which = rng.integers(0, n_comp, size=per_role)
        person[side, which[side]] += rng.uniform(1, 2, size=side.sum())
        levels.append(np.clip(person, 0, 5))
        styles.append(np.clip(role.work_style + rng.normal(0, 0.3, size=per_role), -1, 1))
        labels.append(np.full(per_role, index))
    entry = [i for i, r in enumerate(roles) if r.slug == CAREER_CHANGER_ROLE]
    if entry:
        count = per_role // 2
        changers = rng.uniform(0, 1.2, size=(count, n_comp))
        soft = [i for i in range(n_comp) if req[:, i].mean() >= 3]  # communication-like skills
        brought = rng.random(count) < 0.6  # most bring people skills from their earlier job
        changers[np.ix_(brought, np.asarray(soft, dtype=np.intp))] += rng.uniform(
            0.5, 2.5, size=(brought.sum(), len(soft))
        )
        levels.append(np.clip(changers, 0, 5))
        styles.append(rng.uniform(-1, 1, size=count))
        labels.append(np.full(count, entry[0]))
    count = per_role // 2
    if count:
        mean = rng.uniform(4.0, 5.0, size=(count, 1))  # broad experts (see above)
        experts = np.clip(mean + rng.normal(0, 0.5, size=(count, n_comp)), 0, 5)
        expert_styles = rng.uniform(-1, 1, size=count)
        levels.append(experts)
        styles.append(expert_styles)
        labels.append(transparent_fit(experts, expert_styles, roles).argmax(axis=1))
    return np.vstack(levels), np.concatenate(styles), np.concatenate(labels)


# +1: fit may only rise with the feature, -1: only fall, 0: free (see FEATURES).
MONOTONIC = {
    "weighted_deficit": -1,
    "core_deficit": -1,
    "overqualification": -1,
    "shape_match": 1,
    "style_distance": -1,
    "person_level": 0,
    "role_level": 0,
}


def sklearn_version() -> str:
    import sklearn

    return sklearn.__version__


def build() -> Pipeline:
    """The untrained pipeline: gradient-boosted trees over the pair features, with the direction of each
    feature fixed (a bigger gap never raises the fit). Its probability is a ranking score, not calibrated
    against real outcomes, and never shown as a probability."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import Pipeline

    return Pipeline(
        [
            (
                "fit",
                HistGradientBoostingClassifier(
                    max_iter=60,
                    learning_rate=0.1,
                    max_leaf_nodes=15,
                    monotonic_cst=[MONOTONIC[name] for name in FEATURES],
                    random_state=RANDOM_STATE,
                ),
            ),
        ]
    )


def _pairs(levels: np.ndarray, styles: np.ndarray, labels: np.ndarray, roles: Sequence[RoleSpec]):
    features = pair_features(levels, styles, roles)
    n, m, k = features.shape
    targets = (labels[:, None] == np.arange(m)[None, :]).astype(int)
    return features.reshape(n * m, k), targets.reshape(n * m)


def data_hash(levels: np.ndarray, styles: np.ndarray, labels: np.ndarray, roles: Sequence[RoleSpec]) -> str:
    digest = hashlib.sha256()
    for array in (np.round(levels, 6), np.round(styles, 6), labels):
        digest.update(np.ascontiguousarray(array).tobytes())
    digest.update(json.dumps([(r.slug, r.requirements, r.work_style) for r in roles]).encode())
    return digest.hexdigest()


def evaluate(levels, styles, labels, roles: Sequence[RoleSpec], folds: int = 5) -> dict:
    """Cross-validated metrics over people (all of one person's pairs stay in one fold)."""
    from sklearn.metrics import brier_score_loss, log_loss

    rng = np.random.default_rng(RANDOM_STATE)
    fold_of = rng.integers(0, folds, size=len(labels))
    top1 = top3 = 0
    losses, briers = [], []
    fold_top1, fold_top3 = [], []  # each fold's accuracy: their spread says how sure the figures are
    for fold in range(folds):
        train, test = fold_of != fold, fold_of == fold
        pipeline = build().fit(*_pairs(levels[train], styles[train], labels[train], roles))
        features, targets = _pairs(levels[test], styles[test], labels[test], roles)
        proba = pipeline.predict_proba(features)[:, 1]
        losses.append(log_loss(targets, proba, labels=[0, 1]))
        briers.append(brier_score_loss(targets, proba))
        ranked = np.argsort(-proba.reshape(test.sum(), len(roles)), axis=1)
        hits1 = int((ranked[:, 0] == labels[test]).sum())
        hits3 = int((ranked[:, :3] == labels[test][:, None]).any(axis=1).sum())
        top1, top3 = top1 + hits1, top3 + hits3
        fold_top1.append(round(hits1 / max(int(test.sum()), 1), 4))
        fold_top3.append(round(hits3 / max(int(test.sum()), 1), 4))
    return {
        "cv_folds": folds,
        "cv_top1_accuracy": round(top1 / len(labels), 4),
        "cv_top3_accuracy": round(top3 / len(labels), 4),
        "cv_log_loss": round(float(np.mean(losses)), 4),
        "cv_brier": round(float(np.mean(briers)), 4),
        "cv_top1_folds": fold_top1,
        "cv_top3_folds": fold_top3,
    }


def cv_range(metrics: Mapping[str, Any], name: str) -> tuple[float, float] | None:
    """The 90 % range of a cross-validated accuracy (`name`: "top1" or "top3"): a t interval around the figure from
    the spread of its folds. None for a version trained before the folds were stored."""
    value, folds = metrics.get(f"cv_{name}_accuracy"), metrics.get(f"cv_{name}_folds")
    if value is None or not folds or len(folds) < 2:
        return None
    from scipy.stats import t

    half = float(t.ppf(0.95, len(folds) - 1)) * float(np.std(folds, ddof=1)) / len(folds) ** 0.5
    return max(0.0, value - half), min(1.0, value + half)


Measure = Callable[[np.ndarray, np.ndarray, int], tuple[np.ndarray, np.ndarray]]

# The generated people are a prior, weighted down as confirmed outcomes accumulate: together they
# count as PRIOR_STRENGTH real outcomes while there are none, and as PRIOR_STRENGTH**2 / (PRIOR_STRENGTH + n)
# with n real ones.
PRIOR_STRENGTH = 300
# From this many confirmed outcomes on, the model is judged on held-out outcomes against the
# transparent ranking, and ranks only where it is at least as good.
JUDGE_FROM_OUTCOMES = 300
HELD_OUT_SHARE = 0.2


def _fit(levels, styles, labels, n_generated: int, roles) -> Pipeline:
    """Fit on the generated people (the first n_generated rows) and the real outcomes after them.

    The prior's weight is applied by repeating each real outcome so that the generated people together
    weigh PRIOR_STRENGTH**2 / (PRIOR_STRENGTH + n) real ones (integer weights by repetition: the trees'
    sample_weight path bins hundreds of times slower)."""
    n_real = len(labels) - n_generated
    if n_real:
        prior_total = PRIOR_STRENGTH * PRIOR_STRENGTH / (PRIOR_STRENGTH + n_real)
        repeat = max(1, round(n_generated / prior_total))
        take = np.concatenate([np.arange(n_generated), np.repeat(np.arange(n_generated, len(labels)), repeat)])
        levels, styles, labels = levels[take], styles[take], labels[take]
    return build().fit(*_pairs(levels, styles, labels, roles))


def _top1(scores: np.ndarray, labels: np.ndarray) -> float:
    return float((np.argmax(scores, axis=1) == labels).mean()) if len(labels) else 0.0


def train(
    roles: Sequence[RoleSpec],
    competencies: Sequence[str],
    outcomes: Sequence[tuple[Sequence[float], float, str]] = (),
    per_role: int = PROFILES_PER_ROLE,
    seed: int = RANDOM_STATE,
    measure: Measure | None = None,
) -> TrainedModel:
    """Learn the ranking from generated holders of each role (measured as the product measures people)
    plus confirmed outcomes (measured profiles of people who hold a role); cross-validate; judge against
    the transparent ranking on held-out outcomes once there are enough; fit on everything."""
    from threadpoolctl import threadpool_limits

    started = time.perf_counter()
    with threadpool_limits(limits=1):  # see predict()
        return _train(roles, competencies, outcomes, per_role, seed, measure, started)


def _train(roles, competencies, outcomes, per_role, seed, measure, started) -> TrainedModel:
    levels, styles, labels = generate_profiles(roles, per_role=per_role, seed=seed)
    if measure is not None:
        levels, styles = measure(levels, styles, seed)
    n_generated = len(labels)
    index = {r.slug: i for i, r in enumerate(roles)}
    real = [(lv, st, index[slug]) for lv, st, slug in outcomes if slug in index]
    real_levels = np.array([r[0] for r in real], dtype=float).reshape(len(real), len(competencies))
    real_styles = np.array([r[1] for r in real], dtype=float)
    real_labels = np.array([r[2] for r in real], dtype=int)
    metrics = evaluate(levels, styles, labels, roles)  # agreement with the generator (see README)
    metrics["generated_people"] = n_generated
    metrics["measured_generator"] = measure is not None
    metrics["real_outcomes"] = len(real)
    metrics["ranks"] = True
    if len(real) >= JUDGE_FROM_OUTCOMES:
        rng = np.random.default_rng(seed)
        held = rng.random(len(real)) < HELD_OUT_SHARE
        pipeline = _fit(
            np.vstack([levels, real_levels[~held]]),
            np.concatenate([styles, real_styles[~held]]),
            np.concatenate([labels, real_labels[~held]]),
            n_generated,
            roles,
        )
        model_scores = _predict(pipeline, real_levels[held], real_styles[held], roles)
        transparent_scores = transparent_fit(real_levels[held], real_styles[held], roles)
        model_top1 = _top1(model_scores, real_labels[held])
        transparent_top1 = _top1(transparent_scores, real_labels[held])
        metrics["held_out"] = {
            "outcomes": int(held.sum()),
            "model_top1": round(model_top1, 4),
            "transparent_top1": round(transparent_top1, 4),
        }
        metrics["ranks"] = model_top1 >= transparent_top1
    all_levels = np.vstack([levels, real_levels])
    all_styles = np.concatenate([styles, real_styles])
    all_labels = np.concatenate([labels, real_labels])
    pipeline = _fit(all_levels, all_styles, all_labels, n_generated, roles)
    metrics["train_seconds"] = round(time.perf_counter() - started, 2)
    data_digest = data_hash(all_levels, all_styles, all_labels, roles)
    return TrainedModel(
        pipeline=pipeline,
        competencies=tuple(competencies),
        roles=tuple(r.slug for r in roles),
        training_data_hash=data_digest,
        training_size=len(all_labels),
        metrics=metrics,
        version=f"{time.strftime(VERSION_TIME)}-{data_digest[:8]}",
    )


def save(model: TrainedModel) -> bytes:
    """The model as bytes: a skops archive of the pipeline plus its metadata."""
    import skops.io as sio

    return sio.dumps(
        {
            "format_version": FORMAT_VERSION,
            "sklearn_version": sklearn_version(),
            "pipeline": model.pipeline,
            "competencies": list(model.competencies),
            "roles": list(model.roles),
            "metrics": json.dumps(model.metrics),
        }
    )


class IncompatibleModel(Exception):
    """The stored model cannot be used here: retrain."""


def load(payload: bytes, training_data_hash: str = "", version: str = "") -> TrainedModel:
    """Load bytes written by `save`, constructing only trusted types."""
    import skops.io as sio

    try:
        untrusted = set(sio.get_untrusted_types(data=payload)) - set(TRUSTED_TYPES)
        if untrusted:
            raise IncompatibleModel(f"untrusted types in the model: {sorted(untrusted)}")
        data = sio.loads(payload, trusted=TRUSTED_TYPES)
    except IncompatibleModel:
        raise
    except Exception as exc:  # a corrupt archive or one from another library version
        raise IncompatibleModel(f"the model cannot be read: {exc}") from exc
    if data.get("format_version") != FORMAT_VERSION or data.get("sklearn_version") != sklearn_version():
        raise IncompatibleModel("the model was saved by another format or scikit-learn version")
    return TrainedModel(
        pipeline=data["pipeline"],
        competencies=tuple(data["competencies"]),
        roles=tuple(data["roles"]),
        training_data_hash=training_data_hash,
        training_size=0,
        metrics=json.loads(data.get("metrics") or "{}"),
        version=version,
    )


def _predict(pipeline: Pipeline, levels: np.ndarray, styles: np.ndarray, roles: Sequence[RoleSpec]) -> np.ndarray:
    features = pair_features(levels, styles, roles)
    n, m, k = features.shape
    # The pipeline is one step: its estimator directly, without the pipeline's per-call checks.
    return pipeline[-1].predict_proba(features.reshape(n * m, k))[:, 1].reshape(n, m)


def predict(model: TrainedModel, levels: np.ndarray, styles: np.ndarray, roles: Sequence[RoleSpec]) -> np.ndarray:
    """Fit (0..1) of each profile for each role: shape (n_profiles, n_roles). One OpenMP thread (see the
    top of this module); no threadpool_limits here: it scans the loaded libraries on every call."""
    features = pair_features(levels, styles, roles)
    n, m, k = features.shape
    features = features.reshape(n * m, k)
    forest = model.forest
    if forest is None or np.isnan(features).any():  # missing values take scikit-learn's own path
        return model.pipeline[-1].predict_proba(features)[:, 1].reshape(n, m)
    return forest.proba(features).reshape(n, m)
