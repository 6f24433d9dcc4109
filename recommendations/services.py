"""Recommendations for a skills profile: role fit with reasons, and the learning path.

The active model's life (training, activation, loading) is `recommendations.lifecycle`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from django.utils.translation import override

from assessment.measurement import Profile
from assessment.models import Competency
from recommendations import recommender
from recommendations.catalogue import Snapshot, snapshot
from recommendations.lifecycle import active_model
from recommendations.matching import Match, gap_variances, role_match
from recommendations.paths import LearningPath, learning_path_for
from recommendations.reasons import reasons_for

log = logging.getLogger(__name__)


# The model version a result names when the roles were ranked without a model (see `recommender.transparent_fit`).
TRANSPARENT = "transparent"


@dataclass(frozen=True)
class RoleFit:
    slug: str
    fit: float  # the ranking score 0-1 (README: "The ranking")
    match: Match  # how much of the role's requirements the person meets, with its range
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Recommendation:
    model_version: str
    roles: tuple[RoleFit, ...]
    path: LearningPath


class NoSuchRole(ValueError):
    pass


def competency_names(language: str) -> dict[str, str]:
    field = "name_en" if language == "en" else "name_de"
    return dict(Competency.objects.values_list("slug", field))


def _fits(model, levels: np.ndarray, styles: np.ndarray, current: Snapshot) -> tuple[np.ndarray, str]:
    """The ranking score of every (person, role) pair, and what ranked them: the model where there is one
    that fits the current roles and may rank (README: "The ranking"), else the transparent ranking."""
    if model is not None and model.ranks and model.roles == tuple(r.slug for r in current.roles):
        return recommender.predict(model, levels, styles, current.roles), model.version
    return recommender.transparent_fit(levels, styles, current.roles), TRANSPARENT


@dataclass(frozen=True)
class Ranking:
    """The roles for one profile, best first, and what ranked them."""

    model_version: str
    roles: tuple[RoleFit, ...]
    levels: dict[str, float]  # the expected levels the match and the path use


def rank_roles(profiles: list[Profile], language: str = "de", current: Snapshot | None = None) -> list[Ranking]:
    """Every active role for each profile, with its match (and range), fit and reasons, best first."""
    if not profiles:
        return []
    current = current or snapshot()
    names = competency_names(language)
    levels = np.array([[p.competencies[c].expected for c in current.competencies] for p in profiles], dtype=float)
    styles = np.array([p.work_style for p in profiles], dtype=float)
    fits, version = _fits(active_model(), levels, styles, current)
    rankings = []
    with override(language):
        for row, person_levels, profile in zip(fits, levels, profiles):
            person = dict(zip(current.competencies, (float(v) for v in person_levels)))
            variances = {c: gap_variances(s.posterior) for c, s in profile.competencies.items() if s.posterior}
            highs = {c: s.level_high for c, s in profile.competencies.items()}
            order = sorted(range(len(current.roles)), key=lambda i: (-round(float(row[i]), 6), i))
            roles = []
            for i in order:
                spec = current.roles[i]
                requirements = dict(zip(current.competencies, spec.requirements))
                match = role_match(requirements, person, level_high=highs, variances=variances)
                reasons = reasons_for(spec, current.competencies, person, profile.work_style, names, match)
                roles.append(RoleFit(slug=spec.slug, fit=round(float(row[i]), 4), match=match, reasons=tuple(reasons)))
            rankings.append(Ranking(model_version=version, roles=tuple(roles), levels=person))
    return rankings


def recommend(
    profiles: list[Profile],
    target_roles: list[str | None] | None = None,
    language: str = "de",
    done: list[set[str]] | None = None,
) -> list[Recommendation]:
    """Role match and fit, reasons and a learning path for each profile (a batch shares one model call)."""
    current: Snapshot = snapshot()
    role_slugs = [r.slug for r in current.roles]
    targets = target_roles or [None] * len(profiles)
    done = done or [set()] * len(profiles)
    for target in targets:
        if target is not None and target not in role_slugs:
            raise NoSuchRole(target)
    results = []
    for ranking, target, taken in zip(rank_roles(profiles, language, current), targets, done):
        goal = target or (ranking.roles[0].slug if ranking.roles else "")
        spec = next((r for r in current.roles if r.slug == goal), None)
        requirements = dict(zip(current.competencies, spec.requirements)) if spec else {}
        path = learning_path_for(goal, ranking.levels, requirements, current.catalogue, done=taken)
        results.append(Recommendation(model_version=ranking.model_version, roles=ranking.roles, path=path))
    return results
