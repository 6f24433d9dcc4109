"""The role-fit model: build, train, save, load and apply one scikit-learn pipeline.

The model answers "how well does this person fit this role?" for any (profile, role) pair. It
sees the pair through features relative to the role's requirements (gaps weighted by how much
the role needs each competency, the largest gap in its core, over-qualification, the shape of
the profile against the role's, the work-style distance, how far along the person is and how
senior the role is). Gradient-boosted trees learn how these combine, with the direction of each
fixed (a bigger gap never raises a fit); a sigmoid calibration turns the score into the fit, a
probability between 0 and 1. Because the features are relative to a role, the model also works
for roles an admin adds later (retraining sharpens it).

Training data come from `generate_profiles`: a documented, seeded generator of people who hold
each role, varied the way real people vary (see its docstring), plus confirmed real outcomes.
Persisted with skops (no pickle) and an explicit list of trusted types.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import sklearn
import skops.io as sio
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import brier_score_loss, log_loss
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

FORMAT_VERSION = 1
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
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
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


def pair_features(levels: np.ndarray, styles: np.ndarray, roles: Sequence[RoleSpec]) -> np.ndarray:
    """Features of every (profile, role) pair: shape (n_profiles, n_roles, n_features).

    `levels` is (n_profiles, n_competencies) on the 0-5 scale, `styles` is (n_profiles,)."""
    req = np.array([r.requirements for r in roles], dtype=float)  # (m, c)
    role_style = np.array([r.work_style for r in roles], dtype=float)  # (m,)
    p = levels[:, None, :]  # (n, 1, c)
    r = req[None, :, :]  # (1, m, c)
    core = (r >= np.minimum(CORE_LEVEL, r.max(axis=2, keepdims=True))).astype(float)
    deficit = np.clip(r - p, 0, None)
    importance = r / np.maximum(r.max(axis=2, keepdims=True), 1)
    p_centered = p - p.mean(axis=2, keepdims=True)
    r_centered = r - r.mean(axis=2, keepdims=True)
    r_spread = np.maximum(np.sqrt((r_centered**2).mean(axis=2)), 1e-9)
    overqualification = np.clip(p.mean(axis=2) - r.mean(axis=2) - OVERQUALIFICATION_SLACK, 0, None)
    return np.stack(
        [
            (deficit * importance).sum(axis=2),
            (deficit * core).max(axis=2),
            overqualification,
            (p_centered * r_centered).mean(axis=2) / r_spread,
            np.abs(styles[:, None] - role_style[None, :]),
            np.broadcast_to(p.mean(axis=2), (levels.shape[0], len(roles))),
            np.broadcast_to(r.mean(axis=2), (levels.shape[0], len(roles))),
        ],
        axis=2,
    )


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
    * the work style scatters around the role's preference (sd 0.3);
    * the product measures levels with error, so every level gets measurement noise (sd 0.3).
    People new to IT (low everywhere, most with some communication and perseverance from an
    earlier job, any work style) are added as holders of the entry role, as the framework
    directs a career changer there.
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
        person += rng.normal(0, 0.3, size=person.shape)
        levels.append(np.clip(person, 0, 5))
        styles.append(np.clip(role.work_style + rng.normal(0, 0.3, size=per_role), -1, 1))
        labels.append(np.full(per_role, index))
    entry = [i for i, r in enumerate(roles) if r.slug == CAREER_CHANGER_ROLE]
    if entry:
        count = per_role // 2
        changers = rng.uniform(0, 1.2, size=(count, n_comp))
        soft = [i for i in range(n_comp) if req[:, i].mean() >= 3]  # communication-like skills
        brought = rng.random(count) < 0.6  # most bring people skills from their earlier job
        changers[np.ix_(brought, soft)] += rng.uniform(0.5, 2.5, size=(brought.sum(), len(soft)))
        levels.append(np.clip(changers, 0, 5))
        styles.append(rng.uniform(-1, 1, size=count))
        labels.append(np.full(count, entry[0]))
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


def build() -> Pipeline:
    """The untrained pipeline: gradient-boosted trees over the pair features, with the direction
    of each feature fixed (a bigger gap never raises the fit), and sigmoid calibration."""
    return Pipeline(
        [
            (
                "fit",
                CalibratedClassifierCV(
                    HistGradientBoostingClassifier(
                        max_iter=60,
                        learning_rate=0.1,
                        monotonic_cst=[MONOTONIC[name] for name in FEATURES],
                        random_state=RANDOM_STATE,
                    ),
                    method="sigmoid",
                    cv=3,
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
    rng = np.random.default_rng(RANDOM_STATE)
    fold_of = rng.integers(0, folds, size=len(labels))
    top1 = top3 = 0
    losses, briers = [], []
    for fold in range(folds):
        train, test = fold_of != fold, fold_of == fold
        pipeline = build().fit(*_pairs(levels[train], styles[train], labels[train], roles))
        features, targets = _pairs(levels[test], styles[test], labels[test], roles)
        proba = pipeline.predict_proba(features)[:, 1]
        losses.append(log_loss(targets, proba, labels=[0, 1]))
        briers.append(brier_score_loss(targets, proba))
        ranked = np.argsort(-proba.reshape(test.sum(), len(roles)), axis=1)
        top1 += int((ranked[:, 0] == labels[test]).sum())
        top3 += int((ranked[:, :3] == labels[test][:, None]).any(axis=1).sum())
    return {
        "cv_folds": folds,
        "cv_top1_accuracy": round(top1 / len(labels), 4),
        "cv_top3_accuracy": round(top3 / len(labels), 4),
        "cv_log_loss": round(float(np.mean(losses)), 4),
        "cv_brier": round(float(np.mean(briers)), 4),
    }


def train(
    roles: Sequence[RoleSpec],
    competencies: Sequence[str],
    outcomes: Sequence[tuple[Sequence[float], float, str]] = (),
    per_role: int = PROFILES_PER_ROLE,
    seed: int = RANDOM_STATE,
) -> TrainedModel:
    """Generate the training people, add confirmed outcomes, cross-validate, fit on everything."""
    started = time.perf_counter()
    with threadpool_limits(limits=1):  # see predict()
        return _train(roles, competencies, outcomes, per_role, seed, started)


def _train(roles, competencies, outcomes, per_role, seed, started) -> TrainedModel:
    levels, styles, labels = generate_profiles(roles, per_role=per_role, seed=seed)
    index = {r.slug: i for i, r in enumerate(roles)}
    real = [(lv, st, index[slug]) for lv, st, slug in outcomes if slug in index]
    if real:
        levels = np.vstack([levels, np.array([r[0] for r in real], dtype=float)])
        styles = np.concatenate([styles, np.array([r[1] for r in real], dtype=float)])
        labels = np.concatenate([labels, np.array([r[2] for r in real])])
    metrics = evaluate(levels, styles, labels, roles)
    pipeline = build().fit(*_pairs(levels, styles, labels, roles))
    metrics["real_outcomes"] = len(real)
    metrics["train_seconds"] = round(time.perf_counter() - started, 2)
    data_digest = data_hash(levels, styles, labels, roles)
    return TrainedModel(
        pipeline=pipeline,
        competencies=tuple(competencies),
        roles=tuple(r.slug for r in roles),
        training_data_hash=data_digest,
        training_size=len(labels),
        metrics=metrics,
        version=f"{time.strftime('%Y%m%d-%H%M%S')}-{data_digest[:8]}",
    )


def save(model: TrainedModel) -> bytes:
    """The model as bytes: a skops archive of the pipeline plus its metadata."""
    return sio.dumps(
        {
            "format_version": FORMAT_VERSION,
            "sklearn_version": sklearn.__version__,
            "pipeline": model.pipeline,
            "competencies": list(model.competencies),
            "roles": list(model.roles),
        }
    )


class IncompatibleModel(Exception):
    """The stored model cannot be used here: retrain."""


def load(payload: bytes, training_data_hash: str = "", version: str = "") -> TrainedModel:
    """Load bytes written by `save`, constructing only trusted types."""
    try:
        untrusted = set(sio.get_untrusted_types(data=payload)) - set(TRUSTED_TYPES)
        if untrusted:
            raise IncompatibleModel(f"untrusted types in the model: {sorted(untrusted)}")
        data = sio.loads(payload, trusted=TRUSTED_TYPES)
    except IncompatibleModel:
        raise
    except Exception as exc:  # a corrupt archive or one from another library version
        raise IncompatibleModel(f"the model cannot be read: {exc}") from exc
    if data.get("format_version") != FORMAT_VERSION or data.get("sklearn_version") != sklearn.__version__:
        raise IncompatibleModel("the model was saved by another format or scikit-learn version")
    return TrainedModel(
        pipeline=data["pipeline"],
        competencies=tuple(data["competencies"]),
        roles=tuple(data["roles"]),
        training_data_hash=training_data_hash,
        training_size=0,
        version=version,
    )


def predict(model: TrainedModel, levels: np.ndarray, styles: np.ndarray, roles: Sequence[RoleSpec]) -> np.ndarray:
    """Fit (0..1) of each profile for each role: shape (n_profiles, n_roles)."""
    features = pair_features(levels, styles, roles)
    n, m, k = features.shape
    # One thread: the data are small, and OpenMP threads that spin-wait beside other processes
    # (web workers, a test run, a retrain) slow everything on a small machine by orders of magnitude.
    with threadpool_limits(limits=1):
        return model.pipeline.predict_proba(features.reshape(n * m, k))[:, 1].reshape(n, m)
