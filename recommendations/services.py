"""Recommendations for a skills profile: role fit with reasons, and the learning path.

Also owns the active model: trained from the database, stored in a ModelVersion row, loaded
once per process per version.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils.translation import override

from assessment.models import Competency
from assessment.scoring import Profile
from recommendations import recommender
from recommendations.catalogue import Snapshot, snapshot
from recommendations.models import ConfirmedOutcome, ModelVersion
from recommendations.paths import LearningPath, learning_path_for
from recommendations.reasons import reasons_for

log = logging.getLogger(__name__)
_model_lock = threading.Lock()
_loaded: dict[str, recommender.TrainedModel] = {}


@dataclass(frozen=True)
class RoleFit:
    slug: str
    fit: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Recommendation:
    model_version: str
    roles: tuple[RoleFit, ...]
    path: LearningPath


class NoSuchRole(ValueError):
    pass


def train_and_activate(per_role: int = recommender.PROFILES_PER_ROLE) -> ModelVersion:
    """Train on the current roles plus confirmed outcomes and make the new version the active one.
    If training fails, the previous version stays active."""
    current = snapshot()
    outcomes = [
        (tuple(float(o.levels.get(c, 0)) for c in current.competencies), o.work_style, o.role.slug)
        for o in ConfirmedOutcome.objects.filter(
            relation=ConfirmedOutcome.Relation.HOLDS, role__isnull=False
        ).select_related("role")
    ]
    model = recommender.train(current.roles, current.competencies, outcomes, per_role=per_role)
    with transaction.atomic():
        ModelVersion.objects.filter(active=True).update(active=False)
        version, _ = ModelVersion.objects.update_or_create(
            version=model.version,
            defaults={
                "active": True,
                "format_version": recommender.FORMAT_VERSION,
                "sklearn_version": recommender.sklearn.__version__,
                "training_data_hash": model.training_data_hash,
                "training_size": model.training_size,
                "metrics": model.metrics,
                "roles": list(model.roles),
                "payload": recommender.save(model),
            },
        )
    log.info("trained and activated model %s: %s", version.version, model.metrics)
    return version


def ensure_model() -> ModelVersion:
    """The model version to use: the active one if it loads here; else the newest earlier version that
    loads and fits the current competencies, made active again; else a newly trained one. The log
    says which it did."""
    version = ModelVersion.objects.filter(active=True).first()
    if version is not None:
        try:
            recommender.load(bytes(version.payload))
            return version
        except recommender.IncompatibleModel as exc:
            log.warning("active model %s is unusable (%s)", version.version, exc)
    elif not ModelVersion.objects.exists():
        log.info("no model version yet: training the first one")
        return train_and_activate()
    else:
        log.warning("no model version is active")
    competencies = snapshot().competencies
    earlier = ModelVersion.objects.exclude(pk=version.pk if version else None).order_by("-created_at")
    for candidate in earlier[:5]:
        try:
            model = recommender.load(bytes(candidate.payload))
        except recommender.IncompatibleModel:
            continue
        if model.competencies != tuple(competencies):
            continue
        with transaction.atomic():
            ModelVersion.objects.filter(active=True).update(active=False)
            ModelVersion.objects.filter(pk=candidate.pk).update(active=True)
        candidate.active = True
        log.warning("fell back to the earlier model version %s", candidate.version)
        return candidate
    log.warning("no earlier model version is usable: training a new one")
    return train_and_activate()


def active_model() -> recommender.TrainedModel:
    """The active model, loaded once per process per version (one small query to check the version).
    An active version that cannot be loaded is replaced as `ensure_model` says."""
    row = ModelVersion.objects.filter(active=True).values_list("version", flat=True).first()
    if row is None or row not in _loaded:
        with _model_lock:
            if row is None or row not in _loaded:
                version = ModelVersion.objects.filter(version=row).first() if row else None
                model = None
                if version is not None:
                    try:
                        model = recommender.load(bytes(version.payload), version.training_data_hash, version.version)
                    except recommender.IncompatibleModel:
                        model = None  # ensure_model says why, and what it did instead
                if model is None:
                    version = ensure_model()
                    model = recommender.load(bytes(version.payload), version.training_data_hash, version.version)
                _loaded.clear()
                _loaded[version.version] = model
                row = version.version
    return _loaded[row]


def competency_names(language: str) -> dict[str, str]:
    field = "name_en" if language == "en" else "name_de"
    return dict(Competency.objects.values_list("slug", field))


def recommend(
    profiles: list[Profile],
    target_roles: list[str | None] | None = None,
    language: str = "de",
    done: list[set[str]] | None = None,
) -> list[Recommendation]:
    """Role fit, reasons and a learning path for each profile (a batch shares one model call)."""
    model = active_model()
    current: Snapshot = snapshot()
    names = competency_names(language)
    role_slugs = [r.slug for r in current.roles]
    targets = target_roles or [None] * len(profiles)
    done = done or [set()] * len(profiles)
    for target in targets:
        if target is not None and target not in role_slugs:
            raise NoSuchRole(target)
    if not profiles:
        return []
    levels = np.array([[p.competencies[c].level for c in current.competencies] for p in profiles], dtype=float)
    styles = np.array([p.work_style for p in profiles], dtype=float)
    fits = recommender.predict(model, levels, styles, current.roles)
    results = []
    with override(language):
        for row, person_levels, profile, target, taken in zip(fits, levels, profiles, targets, done):
            person = dict(zip(current.competencies, (float(v) for v in person_levels)))
            order = sorted(range(len(current.roles)), key=lambda i: (-round(float(row[i]), 6), i))
            roles = tuple(
                RoleFit(
                    slug=current.roles[i].slug,
                    fit=round(float(row[i]), 4),
                    reasons=tuple(
                        reasons_for(current.roles[i], current.competencies, person, profile.work_style, names)
                    ),
                )
                for i in order
            )
            goal = target or (roles[0].slug if roles else "")
            spec = next((r for r in current.roles if r.slug == goal), None)
            requirements = dict(zip(current.competencies, spec.requirements)) if spec else {}
            path = learning_path_for(goal, person, requirements, current.catalogue, done=taken)
            results.append(Recommendation(model_version=model.version, roles=roles, path=path))
    return results
