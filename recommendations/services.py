"""Recommendations for a skills profile: role fit with reasons, and the learning path.

The active model's life (training, activation, loading) is `recommendations.lifecycle`.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TypeGuard

import numpy as np
from django.utils.translation import override

from assessment.measurement import STYLE_GRID, Profile
from assessment.models import Competency
from recommendations import recommender
from recommendations.catalogue import Snapshot, snapshot
from recommendations.lifecycle import active_model
from recommendations.matching import Match, gap_variance_table, role_matches
from recommendations.paths import LearningPath, learning_path_for
from recommendations.reasons import reasons_for_roles

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


def model_ranks_for(model: recommender.TrainedModel | None, current: Snapshot) -> TypeGuard[recommender.TrainedModel]:
    """Whether `model` may rank: it ranks at all, and was trained for the current roles and competencies, in whatever
    order the admin gives them (`recommender.trained_for`)."""
    return (
        model is not None
        and model.ranks
        and recommender.trained_for(model.roles, (r.slug for r in current.roles))
        and recommender.trained_for(model.competencies, current.competencies)
    )


def ranking_version(current: Snapshot) -> str:
    """What ranks the roles now (`Ranking.model_version`): the active model's version where it may rank, else
    the transparent ranking."""
    model = active_model(current.model_state)
    return model.version if model_ranks_for(model, current) else TRANSPARENT


def _fits(model, levels: np.ndarray, styles: np.ndarray, current: Snapshot) -> tuple[np.ndarray, str]:
    """The ranking score of every (person, role) pair, and what ranked them: the model where there is one
    that fits the current roles and competencies and may rank (README: "The ranking"), else the transparent ranking
    (a model trained for other competencies reads the levels in the wrong places)."""
    if model_ranks_for(model, current):
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
    names = current.names.get(language) or current.names.get("de") or competency_names(language)
    competencies = current.competencies
    levels = np.array([[p.competencies[c].expected for c in competencies] for p in profiles], dtype=float)
    styles = np.array([p.work_style for p in profiles], dtype=float)
    model = active_model(current.model_state)
    fits, version = _fits(model, levels, styles, current)
    unknown = [i for i, p in enumerate(profiles) if p.work_style_confidence == 0]
    if unknown:  # no work-style situation answered: every style on the grid alike (a flat prior), not the middle
        grid = len(STYLE_GRID)
        averaged, _version = _fits(
            model, np.repeat(levels[unknown], grid, axis=0), np.tile(STYLE_GRID, len(unknown)), current
        )
        fits[unknown] = averaged.reshape(len(unknown), grid, -1).mean(axis=1)
    requirements = np.array([spec.requirements for spec in current.roles], dtype=float).reshape(
        len(current.roles), len(competencies)
    )
    rankings = []
    with override(language):
        for row, person_levels, profile in zip(fits, levels, profiles):
            scores = [profile.competencies[c] for c in competencies]
            highs = np.array([s.level_high for s in scores], dtype=float)
            mixture = profile.level_mixture.ordered(competencies) if profile.level_mixture else None
            variances = None  # the range is the joint posterior's; without one (a profile read back from a stored
            if mixture is None:  # result), it comes from the per-competency posteriors
                posteriors = np.array([s.posterior or (0.0,) * 6 for s in scores], dtype=float).reshape(-1, 6)
                variances = gap_variance_table(posteriors)
            matches = role_matches(competencies, requirements, person_levels, highs, variances, mixture)
            person = dict(zip(competencies, person_levels.tolist()))
            fit = row.tolist()
            order = sorted(range(len(current.roles)), key=lambda i: (-round(fit[i], 6), i))
            specs = [current.roles[i] for i in order]
            ordered_matches = [matches[i] for i in order]
            skipped = [c for c, score in zip(competencies, scores) if not score.answered]
            unasked = [c for c, score in zip(competencies, scores) if not score.total]  # an admin added it
            self_rated = [c for c, score in zip(competencies, scores) if score.answered and not score.knowledge_checked]
            reasons = reasons_for_roles(
                specs,
                competencies,
                person,
                profile.work_style,
                names,
                ordered_matches,
                profile.work_style_range,
                skipped,
                style_known=profile.work_style_confidence > 0,
                unasked=unasked,
                self_rated=self_rated,
            )
            roles = [
                RoleFit(slug=spec.slug, fit=round(fit[i], 4), match=matches[i], reasons=tuple(texts))
                for i, spec, texts in zip(order, specs, reasons)
            ]
            rankings.append(Ranking(model_version=version, roles=tuple(roles), levels=person))
    return rankings


@dataclass(frozen=True)
class PathLimits:
    """A person's limits for the learning path (None: no limit)."""

    max_hours: float | None = None
    max_price_eur: float | None = None


def path_for(
    current: Snapshot, goal: str, levels: Mapping[str, float], done: Collection[str], **options
) -> LearningPath:
    """The learning path to `goal` (`Snapshot.goal`) from `levels`; `options` are `learning_path_for`'s limits."""
    return learning_path_for(goal, levels, current.requirements(goal), current.catalogue, done=done, **options)


def recommend(
    profiles: list[Profile],
    target_roles: list[str | None] | None = None,
    language: str = "de",
    done: list[set[str]] | None = None,
    limits: list[PathLimits | None] | None = None,
) -> list[Recommendation]:
    """Role match and fit, reasons and a learning path for each profile (a batch shares one model call)."""
    current: Snapshot = snapshot()
    role_slugs = [r.slug for r in current.roles]
    targets = target_roles or [None] * len(profiles)
    done = done or [set()] * len(profiles)
    limits = limits or [None] * len(profiles)
    for target in targets:
        if target is not None and target not in role_slugs:
            raise NoSuchRole(target)
    results = []
    for ranking, target, taken, limit in zip(rank_roles(profiles, language, current), targets, done, limits):
        goal = current.goal(target, (fit.slug for fit in ranking.roles))
        limit = limit or PathLimits()
        path = path_for(
            current, goal, ranking.levels, taken, max_hours=limit.max_hours, max_price_eur=limit.max_price_eur
        )
        results.append(Recommendation(model_version=ranking.model_version, roles=ranking.roles, path=path))
    return results
