"""What the adaptive assessment (`assessment.adaptive`) needs from the roles: the role table and the
ranking the result will use. Registered with `assessment.services` when the apps are ready, since
`assessment` never imports `recommendations`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from assessment.adaptive import Bank, RoleTable, ScoreRoles, Standing, prepare_bank, role_table, standing
from assessment.bank import item_spec, items_with_options
from assessment.measurement import ItemSpec, Profile
from recommendations import recommender
from recommendations.catalogue import Snapshot, snapshot
from recommendations.lifecycle import active_model
from recommendations.services import model_ranks_for


def role_scorer(current: Snapshot) -> ScoreRoles:
    """The ranking the result will use, as `score_roles(levels, styles)`: the active model where it may
    rank the current roles, else the transparent ranking."""
    model = active_model(current.model_state)
    if model_ranks_for(model, current):
        return lambda levels, styles: recommender.predict(model, levels, styles, current.roles)
    return lambda levels, styles: recommender.transparent_fit(levels, styles, current.roles)


def engine_inputs(current: Snapshot | None = None) -> tuple[Bank, RoleTable, ScoreRoles]:
    """The prepared bank (the active items), the role table and the ranking for `assessment.adaptive.plan`."""
    current = current or snapshot()
    bank = prepare_bank(current.competencies, (item_spec(item) for item in items_with_options()))
    return bank, _roles(bank, current), role_scorer(current)


def _roles(bank: Bank, current: Snapshot) -> RoleTable:
    return role_table(
        bank,
        {r.slug: dict(zip(current.competencies, r.requirements)) for r in current.roles},
        {r.slug: r.work_style for r in current.roles},
    )


def standing_of(
    items: Iterable[ItemSpec], answers: Mapping[str, str | None], profile: Profile, current: Snapshot
) -> Standing | None:
    """How settled the best role for an attempt's answers over its own `items` is in the profiles they allow, ranked as
    the result is: what the adaptive test judges its own results by (`assessment.adaptive.standing`), for a result of
    every question. `profile`: the answers' measurement. None without roles."""
    bank = prepare_bank(current.competencies, items)
    given = {slug: value for slug, value in answers.items() if value is not None}  # skips: no evidence
    measured = profile if list(profile.competencies) == list(bank.competencies) else None  # else scored again
    return standing(bank, _roles(bank, current), given, score_roles=role_scorer(current), profile=measured)
