"""Plain-language reasons why a role fits a person (or does not yet)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.translation import gettext as _

from recommendations.matching import Match
from recommendations.recommender import RoleSpec

STYLE_MATCH = 0.35
OVERQUALIFIED = 1.0


def _join(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def _style_word(style: float) -> str:
    if style <= -0.15:
        return _("more of a firefighter")
    if style >= 0.15:
        return _("more of an architect")
    return _("balanced")


def reasons_for(
    role: RoleSpec,
    competencies: Sequence[str],
    levels: Mapping[str, float],
    work_style: float,
    names: Mapping[str, str],
    match: Match,
) -> list[str]:
    """Why this role fits: matching strengths, the gaps that matter most (as the role's `match` found them,
    those within the measurement's range as "about met"), work style, over-qualification. Texts come in
    the active language."""
    requirements = dict(zip(competencies, role.requirements))
    reasons = []
    strengths = [
        c
        for c in sorted(competencies, key=lambda c: -requirements[c])
        if requirements[c] >= 3 and levels.get(c, 0) >= requirements[c] - 0.25
    ]
    if strengths:
        reasons.append(
            _("Your strength in %(names)s fits this role.") % {"names": _join([names[c] for c in strengths[:3]])}
        )
    ranked = [g.competency for g in match.open_gaps]
    about = [g.competency for g in match.gaps if g.about_met]
    if ranked:
        parts = [
            _("%(name)s: %(level)s of %(required)s")
            % {"name": names[c], "level": int(levels.get(c, 0) + 0.5), "required": int(requirements[c])}
            for c in ranked[:2]
        ]
        reasons.append(_("What is missing most: %(gaps)s.") % {"gaps": "; ".join(parts)})
    elif about:
        reasons.append(
            _("You about meet every requirement: %(names)s lie within the range of the measurement.")
            % {"names": _join([names[c] for c in about[:3]])}
        )
    else:
        reasons.append(_("You meet every requirement of this role."))
    if ranked and about:
        reasons.append(
            _("About met, within the range of the measurement: %(names)s.")
            % {"names": _join([names[c] for c in about[:3]])}
        )
    distance = abs(work_style - role.work_style)
    if distance <= STYLE_MATCH:
        reasons.append(
            _("Your work style (%(style)s) suits the role.") % {"style": _style_word(work_style)}
        )
    else:
        reasons.append(
            _("The role asks for a work style that is %(role_style)s than yours (%(style)s).")
            % {
                "role_style": _("more firefighting") if role.work_style < work_style else _("more architectural"),
                "style": _style_word(work_style),
            }
        )
    mean_level = sum(levels.get(c, 0) for c in competencies) / max(1, len(competencies))
    mean_required = sum(role.requirements) / max(1, len(role.requirements))
    if mean_level - mean_required >= OVERQUALIFIED:
        reasons.append(_("You bring clearly more than this role asks for; a more senior role may suit you better."))
    return reasons
