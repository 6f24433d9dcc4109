"""Plain-language reasons why a role fits a person (or does not yet)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from functools import lru_cache
from types import MappingProxyType

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from core.numbers import number_text, one_decimal, whole_percent
from recommendations.matching import Match
from recommendations.paths import TOLERANCE
from recommendations.recommender import CORE_LEVEL, OVERQUALIFICATION_SLACK, RoleSpec

STYLE_MATCH = 0.35
OVERQUALIFIED = 1.0
# From here on the ranking holds a role's being below the person against it (the transparent ranking's slack, the
# model's over-qualification feature), so the reasons say so too: a 99 % match ranked third said only what fits, and
# nothing on its card explained its place.
SOMEWHAT_OVERQUALIFIED = OVERQUALIFICATION_SLACK


# A core competency within the learning path's tolerance of its requirement (a quarter level: no course needed) is
# what the person brings.
MET_WITHIN = TOLERANCE


@lru_cache(maxsize=8)
def _texts(language: str | None) -> dict[str, str]:
    """Every text of a reason in `language`, translated once per process (a ranking writes about 80)."""
    return {
        "firefighter": _("more of a firefighter"),
        "architect": _("more of an architect"),
        "balanced": _("balanced"),
        "strength": _("What you bring fits this role: %(names)s."),
        # a strength no knowledge check has tested yet: the card said it as firmly as a tested one (a review: a
        # self-rating of 5 in security, never asked a security question, read "Was Sie mitbringen ...: Security")
        "self_rated": _("%(name)s (self-rating only, no knowledge question)"),
        "gap": _("%(name)s: level %(level)s (required: %(required)s)"),
        "gap_skipped": _("%(name)s: skipped, counted as level %(level)s (required: %(required)s)"),
        "gap_unasked": _(
            "%(name)s: no question asks about it yet, counted as level %(level)s (required: %(required)s)"
        ),
        "missing": _("What is missing most: %(gaps)s."),
        # the same for one, two or more in both languages ("1 more", "1 weitere")
        "missing_more": _("What is missing most: %(gaps)s; and %(more)s more."),
        "about_all": _(
            "No requirement is clearly missed. Possibly met (at most half a level below, and the range of your level "
            "reaches the requirement): %(gaps)s."
        ),
        "below": _(
            "Below the requirement by more than half a level, even though the range of your level reaches up to it: "
            "%(gaps)s."
        ),
        "all": _("You meet every requirement of this role."),
        "all_rounded": _(
            "Your levels as written here (to one decimal) meet every requirement of this role; unrounded, "
            "some lie a little below, so the match is %(match)s%% and may be as low as %(low)s%%."
        ),
        "all_rounded_sure": _(
            "Your levels as written here (to one decimal) meet every requirement of this role; unrounded, "
            "some lie a little below, so the match is %(match)s%%."
        ),
        "all_unsure": _(
            "As measured, your levels meet every requirement of this role; that is not yet certain (the match may "
            "be as low as %(low)s%%)."
        ),
        "about": _(
            "Possibly met (at most half a level below, and the range of your level reaches the requirement): %(gaps)s."
        ),
        "about_more": _(
            "Possibly met (at most half a level below, and the range of your level reaches the requirement): "
            "%(gaps)s; and %(more)s more."
        ),
        "style_suits": _("Your work style (%(style)s) suits the role."),
        # the bracket names the person's style: "a work style that is more firefighting than yours (more of an
        # architect)" read as if it described the role (a review)
        "style_differs": _("The role asks for %(role_style)s than your work style shows (your style: %(style)s)."),
        "more_firefighting": _("more firefighting"),
        "more_architectural": _("more architectural thinking"),
        "even_more_firefighting": _("even more firefighting"),
        "even_more_architectural": _("even more architectural thinking"),
        "overqualified": _("You bring clearly more than this role asks for; a more senior role may suit you better."),
        "overqualified_top": _("You bring clearly more than this role asks for."),
        "somewhat_overqualified": _(
            "You bring more than this role asks for: on average %(excess)s levels above its requirements, which "
            "ranks it lower."
        ),
        # without the clause: no role above it asks more (the first role of a ranking, or one behind roles that ask
        # as little or less), so its asking less than the person brings is not why it stands where it does
        "somewhat_overqualified_only": _(
            "You bring more than this role asks for: on average %(excess)s levels above its requirements."
        ),
        # the same average where some requirement is still missed: "you bring more than this role asks for" beside
        # the gaps it lists was not true (a review read it on a role missed by two levels in its core)
        "above_on_average": _(
            "Averaged over all competencies you lie %(excess)s levels above this role's requirements (above "
            "them in some, below in others), which ranks it lower."
        ),
        "above_on_average_only": _(
            "Averaged over all competencies you lie %(excess)s levels above this role's requirements (above "
            "them in some, below in others)."
        ),
    }


def _join(names: Sequence[str]) -> str:
    """Names in a list: separated by semicolons, since many of them contain "and" themselves."""
    return "; ".join(names)


@lru_cache(maxsize=4096)
def _number(value: float, digits: int, language: str | None) -> str:
    """`number_text` in `language` (the active one: the key of the cache): a level has 51 values at one decimal,
    and formatting each anew was a quarter of ranking a person (15 calls for each of the ten roles). The cache takes
    0.0 and -0.0 for one key, so the text must not depend on the sign of a zero (`number_format` wrote "-0,0", and
    every later 0 of the process read so)."""
    return number_text(value, digits)


def _levels(
    competencies: Sequence[str],
    levels: Mapping[str, float],
    requirements,
    names,
    t,
    language: str | None,
    placeholders: Mapping[str, str] = MappingProxyType({}),
) -> str:
    """Each competency's level against the requirement, as the chart's table shows it (one decimal), in `language`
    (the active one, asked once per ranking); one whose level is the measurement's placeholder says why
    (`placeholders`: its text, every question skipped or none asked yet)."""
    return _join(
        [
            t[placeholders.get(c, "gap")]
            % {
                "name": names[c],
                "level": _number(one_decimal(levels.get(c, 0)), 1, language),
                "required": _number(requirements[c], 0, language),
            }
            for c in competencies
        ]
    )


def _style_word(style: float, t: Mapping[str, str]) -> str:
    if style <= -0.15:
        return t["firefighter"]
    if style >= 0.15:
        return t["architect"]
    return t["balanced"]


@lru_cache(maxsize=256)
def _role_facts(role: RoleSpec, competencies: tuple[str, ...]) -> tuple[Mapping[str, float], tuple[str, ...], float]:
    """What the reasons need from the role alone, worked out once per role (a ranking writes reasons for
    every role): its requirement per competency, the competencies it asks 3 or more of (highest first),
    and its mean requirement."""
    requirements = MappingProxyType(dict(zip(competencies, role.requirements)))  # shared: read-only
    demanding = tuple(c for c in sorted(competencies, key=lambda c: -requirements[c]) if requirements[c] >= 3)
    return requirements, demanding, sum(role.requirements) / max(1, len(role.requirements))


def reasons_for(
    role: RoleSpec,
    competencies: Sequence[str],
    levels: Mapping[str, float],
    work_style: float,
    names: Mapping[str, str],
    match: Match,
    style_range: tuple[float, float] | None = None,
) -> list[str]:
    """Why this role fits: matching strengths, the gaps that matter most (as the role's `match` found them,
    those within the measurement's range as "possibly met"), work style, over-qualification. Texts come in
    the active language."""
    return reasons_for_roles([role], competencies, levels, work_style, names, [match], style_range)[0]


def reasons_for_roles(
    roles: Sequence[RoleSpec],
    competencies: Sequence[str],
    levels: Mapping[str, float],
    work_style: float,
    names: Mapping[str, str],
    matches: Sequence[Match],
    style_range: tuple[float, float] | None = None,
    unanswered: Collection[str] = (),
    style_known: bool = True,
    unasked: Collection[str] = (),
    self_rated: Collection[str] = (),
) -> list[list[str]]:
    """`reasons_for` each role with its match, for one person (what depends on the person alone is worked
    out once). With the work style's 90 % range (`style_range`), a role's style is said to differ only when
    it lies outside that range: after one or two situations the range is wide, and nothing is said. A
    competency whose every question was skipped (`unanswered`) is never named as something the person brings:
    its level is the measurement's placeholder; one that no question asks about yet (`unasked`, an admin added
    it) is named as such, not as skipped; one answered by self-rating alone (`self_rated`, no knowledge check yet)
    is named as a strength with that said. Without any work-style situation answered (`style_known` false)
    nothing is said about the work style. The roles come best first: a card says that the role's asking less than
    the person brings ranks it lower only when a role above it asks more on average (is less below the person). The
    first one's card never says so, since it stands at the top; nor did a second card behind a role that asked as
    little and stood first for other reasons (a review read "deshalb steht sie weiter hinten" on a role less
    over-qualified than the one above it)."""
    language = get_language()
    t = _texts(language)
    competencies = tuple(competencies)
    unasked = frozenset(unasked)
    # the text for a level that is the measurement's placeholder, by competency (the same for every role)
    placeholders = {c: "gap_unasked" if c in unasked else "gap_skipped" for c in frozenset(unanswered) | unasked}
    mean_level = sum(levels.get(c, 0) for c in competencies) / max(1, len(competencies))
    # ... and of the levels as the page writes them (to one decimal): the figure "on average 0.8 of a level above"
    # is this one, which a person can work out from the page (from the unrounded levels it read 0.8 where the
    # page's levels give 0.74, a review)
    shown_mean_level = sum(one_decimal(levels.get(c, 0)) for c in competencies) / max(1, len(competencies))
    # the most senior of these roles (the highest mean requirement): no "more senior role may suit you" on its card
    required = [_role_facts(role, competencies)[2] for role in roles]
    most_senior = max(required, default=0.0)
    return [
        _reasons(
            role,
            competencies,
            levels,
            work_style,
            names,
            match,
            t,
            language,
            (mean_level, shown_mean_level),
            style_range,
            placeholders,
            style_known,
            most_senior,
            behind_a_role_asking_more=any(earlier > required[index] + 1e-9 for earlier in required[:index]),
            self_rated=self_rated,
        )
        for index, (role, match) in enumerate(zip(roles, matches))
    ]


def _reasons(
    role: RoleSpec,
    competencies: tuple[str, ...],
    levels: Mapping[str, float],
    work_style: float,
    names: Mapping[str, str],
    match: Match,
    t: Mapping[str, str],
    language: str | None,
    mean_levels: tuple[float, float],  # the person's mean level, and the mean of the levels as the page writes them
    style_range: tuple[float, float] | None = None,
    placeholders: Mapping[str, str] = MappingProxyType({}),
    style_known: bool = True,
    most_senior: float = 0.0,
    behind_a_role_asking_more: bool = False,
    self_rated: Collection[str] = (),
) -> list[str]:
    requirements, demanding, mean_required = _role_facts(role, competencies)
    reasons = []
    # A gap is one where the chart and its table show one: at their one decimal ("3,0 von 3" is met there, also for
    # a level of 2,95).
    gap = {g.competency: g.shown for g in match.gaps}
    ranked = [g.competency for g in match.open_gaps if gap[g.competency] > 0]
    about = [g.competency for g in match.gaps if g.about_met and gap[g.competency] > 0]
    # "possibly met" only for a small gap (`Gap.possibly_met`): beside "0,7 von 2" it read as within reach; a larger
    # one is said to be below the requirement, by how much the answers leave open
    possibly = [g.competency for g in match.gaps if g.possibly_met]
    below = [c for c in about if c not in possibly]
    named = {*ranked[:2], *about}  # never both what the person brings and what may be missing
    strengths = [
        c
        for c in demanding
        if c not in placeholders and c not in named and levels.get(c, 0) >= requirements[c] - MET_WITHIN
    ]
    if strengths:
        said = [t["self_rated"] % {"name": names[c]} if c in self_rated else names[c] for c in strengths]
        reasons.append(t["strength"] % {"names": _join(said)})
    if ranked:
        # the two that weigh most by name, and how many more (a review counted 1,950 gaps no card mentioned); naming
        # every one pushed the path and the main actions off the first screen
        named_gaps = _levels(ranked[:2], levels, requirements, names, t, language, placeholders)
        if len(ranked) > 2:
            reasons.append(t["missing_more"] % {"gaps": named_gaps, "more": len(ranked) - 2})
        else:
            reasons.append(t["missing"] % {"gaps": named_gaps})
    elif not about:
        if whole_percent(match.value) < 100:
            # met as the page writes the levels, not by the unrounded ones the match counts: "99 %" beside "you
            # meet every requirement" read as a contradiction (a level of 1,98 is written "2,0" against 2)
            shown, low = whole_percent(match.value), whole_percent(match.low)
            reasons.append(t["all_rounded" if low < shown else "all_rounded_sure"] % {"match": shown, "low": low})
        elif whole_percent(match.low) < 100:  # met as measured, not in every plausible profile: not said as certain
            reasons.append(t["all_unsure"] % {"low": whole_percent(match.low)})
        else:
            reasons.append(t["all"])
    if below:
        reasons.append(t["below"] % {"gaps": _levels(below, levels, requirements, names, t, language, placeholders)})
    if possibly and (ranked or below):
        # beside what is missing: two by name and how many more, as the gaps (a beginner at 0,9 against three
        # requirements of 1 pushed the main actions off the first screen)
        named_possibly = _levels(possibly[:2], levels, requirements, names, t, language, placeholders)
        if len(possibly) > 2:
            reasons.append(t["about_more"] % {"gaps": named_possibly, "more": len(possibly) - 2})
        else:
            reasons.append(t["about"] % {"gaps": named_possibly})
    elif possibly:
        # "nothing clearly missed" only when nothing else is missing; then this is the card's whole account of the
        # role, and names every one (the core of the role among them)
        reasons.append(
            t["about_all"] % {"gaps": _levels(possibly, levels, requirements, names, t, language, placeholders)}
        )
    if style_known:  # else no situation was answered: the style is the scale's middle by default, not the person's
        reasons += _style_reason(role.work_style, work_style, style_range, t)
    reasons += _seniority_reason(
        mean_levels, mean_required, most_senior, any(gap.values()), behind_a_role_asking_more, t, language
    )
    return reasons


def _style_reason(
    role_style: float, work_style: float, style_range: tuple[float, float] | None, t: Mapping[str, str]
) -> list[str]:
    """What a card says of the work style: that it suits the role, that the role asks for more of one end, or
    nothing where the range of the person's style cannot tell."""
    distance = abs(work_style - role_style)
    if distance <= STYLE_MATCH:
        # said only when the whole range of the person's style is that close: after one situation the estimate
        # may lie near the role's while the range reaches far from it
        if style_range is None or (
            role_style - STYLE_MATCH <= style_range[0] and style_range[1] <= role_style + STYLE_MATCH
        ):
            return [t["style_suits"] % {"style": _style_word(work_style, t)}]
        return []
    if style_range is not None and style_range[0] <= role_style <= style_range[1]:
        return []  # the role's style lies within the range of the person's: the answers cannot tell
    # "even more" where the person leans that way already: "asks for more architectural thinking than your work style
    # shows (your style: more of an architect)" read as a contradiction (a review)
    further = _style_word(work_style, t) == t["firefighter" if role_style < work_style else "architect"]
    if role_style < work_style:
        asked = t["even_more_firefighting" if further else "more_firefighting"]
    else:
        asked = t["even_more_architectural" if further else "more_architectural"]
    return [t["style_differs"] % {"role_style": asked, "style": _style_word(work_style, t)}]


def _seniority_reason(
    mean_levels: tuple[float, float],
    mean_required: float,
    most_senior: float,
    missing: bool,
    behind_a_role_asking_more: bool,
    t: Mapping[str, str],
    language: str | None,
) -> list[str]:
    """What a card says of the person bringing more than the role asks on average (`mean_levels`: the person's mean
    level, and the mean of the levels as the page writes them, from which the figure said is worked out); with a
    requirement still `missing`, only that the average lies above."""
    excess = mean_levels[0] - mean_required
    shown_excess = _number(one_decimal(mean_levels[1] - mean_required), 1, language)
    if excess >= SOMEWHAT_OVERQUALIFIED and missing:
        text = t["above_on_average" if behind_a_role_asking_more else "above_on_average_only"]
        return [text % {"excess": shown_excess}]
    if excess >= OVERQUALIFIED:
        return [t["overqualified" if mean_required < most_senior else "overqualified_top"]]
    if excess >= SOMEWHAT_OVERQUALIFIED:
        text = t["somewhat_overqualified" if behind_a_role_asking_more else "somewhat_overqualified_only"]
        return [text % {"excess": shown_excess}]
    return []


# When a role stands above one whose match the page shows higher, the page says what speaks for it besides the
# match (under its question why a higher match stands further down, in the role's details and in the PDF), as far
# as the terms the order weighs tell the two apart (a review read a 79 % role above an 86 % one with only the general
# paragraph on the model as the reason). A term counts from these differences on: a gap at the core
# of the lower role larger by half a level; the lower role asking less on average by a fifth of a level while the
# person lies above it (the model weighs how far along a person is against how senior a role is; the transparent
# ranking only an over-qualification beyond the slack, and any difference of it); a work-style distance larger by a
# quarter of the axis's half (the transparent ranking: any, since it takes 10 points a unit off the match).
ORDER_CORE_GAP = 0.5
ORDER_SENIORITY = 0.2
ORDER_STYLE = 0.25
ORDER_EXACT = 0.05


def _core_gap(requirements: Mapping[str, float], levels: Mapping[str, float]) -> tuple[float, str | None]:
    """The largest gap, at the levels as the page writes them, among the role's core requirements (4 or more, or
    its highest), and where."""
    top = max(requirements.values(), default=0)
    core = [c for c, required in requirements.items() if required >= min(CORE_LEVEL, top) and required > 0]
    gaps = [(requirements[c] - one_decimal(levels.get(c, 0)), c) for c in core]
    gap, where = max(gaps, default=(0.0, None))
    return (gap, where) if gap > 0 else (0.0, None)


def _asks_less(mean_level: float, mean_required: float, other_mean_required: float, by_model: bool) -> bool:
    """Whether the lower role's asking less than the person brings speaks for the upper one (see ORDER_SENIORITY):
    the person lies above it beyond the slack, as the page's "a role far below your level ranks lower" says."""
    excess = max(0.0, mean_level - mean_required - OVERQUALIFICATION_SLACK)
    other_excess = max(0.0, mean_level - other_mean_required - OVERQUALIFICATION_SLACK)
    if by_model:
        return other_mean_required <= mean_required - ORDER_SENIORITY and other_excess > 0
    return other_excess - excess >= ORDER_EXACT


def above_a_higher_match(
    ranked: Sequence[tuple[RoleSpec, str, Match]],
    competencies: Sequence[str],
    levels: Mapping[str, float],
    work_style: float,
    names: Mapping[str, str],
    *,
    style_known: bool = True,
    by_model: bool = True,
    tied: Collection[str] = (),
) -> dict[str, str]:
    """For each role (`ranked`: spec, its name and its match, best first) that stands above one whose match the page
    shows higher: the sentence that names it, and what speaks for the role above besides the match (more missed at
    the other's core, the other asking less than the person brings, the work style nearer), by slug. Where none of
    these tells the two apart, it says so: the model then orders by the whole profile. Of the two roles the result
    calls level in the order (`tied`: the adaptive test's "two roles tied"), the sentence says that first: the answers
    do not tell which comes first, and what it gives is why the order on the levels as measured is so (the page
    said "your answers do not tell which comes first" and, below, what put one first, as if that had decided it: a
    review). Texts in the active language."""
    language = get_language()
    competencies = tuple(competencies)
    mean_level = sum(one_decimal(levels.get(c, 0)) for c in competencies) / max(1, len(competencies))
    least_style = ORDER_STYLE if by_model else ORDER_EXACT
    shown = [whole_percent(match.value) for _spec, _name, match in ranked]
    sentences = {}
    for index, (spec, _name, _match) in enumerate(ranked):
        higher = [j for j in range(index + 1, len(ranked)) if shown[j] > shown[index]]
        if not higher:
            continue
        chosen = max(higher, key=lambda j: (shown[j], -j))
        other, other_name, other_match = ranked[chosen]
        requirements, _demanding, mean_required = _role_facts(spec, competencies)
        other_requirements, _other_demanding, other_mean_required = _role_facts(other, competencies)
        why = []
        gap, _where = _core_gap(requirements, levels)
        other_gap, other_where = _core_gap(other_requirements, levels)
        # the model weighs a core gap besides the match; the transparent ranking has it in the match only
        if by_model and other_where is not None and other_gap - gap >= ORDER_CORE_GAP:
            missed = _levels([other_where], levels, other_requirements, names, _texts(language), language)
            why.append(_("more is missing at the other role's core – %(gap)s") % {"gap": missed})
        if _asks_less(mean_level, mean_required, other_mean_required, by_model):
            why.append(
                _(
                    "the other asks for level %(other)s on average, this one %(this)s, and you bring %(level)s: a role "
                    "below your level ranks lower"
                )
                % {
                    "other": _number(one_decimal(other_mean_required), 1, language),
                    "this": _number(one_decimal(mean_required), 1, language),
                    "level": _number(one_decimal(mean_level), 1, language),
                }
            )
        if style_known and abs(work_style - other.work_style) - abs(work_style - spec.work_style) >= least_style:
            why.append(_("your work style lies nearer to this role's than to the other's"))
        named = {"role": other_name, "match": whole_percent(other_match.value), "why": "; ".join(why)}
        kind = "why" if why else "model" if by_model else "deductions"
        level = len(tied) == 2 and set(tied) == {spec.slug, other.slug}
        sentence = (_LEVEL_IN_THE_ORDER if level else _ABOVE_A_HIGHER_MATCH)[kind]() % named
        # the others below it with a higher match, named too: "88 %" above "89 %" stood unexplained where the
        # sentence named only the 96 % role below both (a review)
        also = sorted((j for j in higher if j != chosen), key=lambda j: (-shown[j], j))
        if also:
            others = _join([_("%(role)s (%(match)s%%)") % {"role": ranked[j][1], "match": shown[j]} for j in also])
            sentence += " " + ngettext(
                "It also stands above %(roles)s, whose match is higher as well.",
                "It also stands above %(roles)s, whose matches are higher as well.",
                len(also),
            ) % {"roles": others}
        sentences[spec.slug] = sentence
    return sentences


# What `above_a_higher_match` says, by what tells the two roles apart: something besides the match ("why"), nothing
# on its own where the model ranks ("model"), or, in the transparent ranking, its small deductions together.
_ABOVE_A_HIGHER_MATCH: dict[str, Callable[[], str]] = {
    "why": lambda: _(
        "This role stands above %(role)s, whose match is higher (%(match)s%%). What speaks for this one: %(why)s."
    ),
    "model": lambda: _(
        "This role stands above %(role)s, whose match is higher (%(match)s%%). None of what the order weighs besides "
        "the match (the core of a role, how senior it is against your level, the work style) tells the two apart "
        "clearly on its own: the model orders by the whole profile."
    ),
    "deductions": lambda: _(
        "This role stands above %(role)s, whose match is higher (%(match)s%%): small differences in the deductions "
        "for a role far below your level and for the distance of the work styles together outweigh the difference "
        "of the matches."
    ),
}
# ... of two roles the result calls level in the order
_LEVEL_IN_THE_ORDER: dict[str, Callable[[], str]] = {
    "why": lambda: _(
        "This role and %(role)s (match %(match)s%%) are about level in the order: your answers do not tell which "
        "comes first. On the levels as measured, what puts this one first: %(why)s."
    ),
    "model": lambda: _(
        "This role and %(role)s (match %(match)s%%) are about level in the order: your answers do not tell which "
        "comes first. On the levels as measured, none of what the order weighs besides the match (the core of a "
        "role, how senior it is against your level, the work style) tells the two apart clearly on its own: the "
        "model orders by the whole profile."
    ),
    "deductions": lambda: _(
        "This role and %(role)s (match %(match)s%%) are about level in the order: your answers do not tell which "
        "comes first. On the levels as measured, small differences in the deductions for a role far below your "
        "level and for the distance of the work styles together outweigh the difference of the matches."
    ),
}
