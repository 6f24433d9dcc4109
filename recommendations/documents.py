"""The result of an assessment as documents: JSON (the `assess` contract, also offered as a download) and PDF."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from assessment.measurement import Profile, Reliability
from assessment.presentation import reliability_note
from core.hyphenation import without_soft_hyphens
from recommendations.paths import LearningPath, step_outcomes
from recommendations.services import Recommendation

# The in-house "provider" (shadowing, drills, mentoring) in the reader's language, as the page names it; its stored
# name is German.
IN_HOUSE = gettext_noop("In your own organisation")
# What stands in place of the path of an unreliable result towards a role nobody chose (as on the results page).
PATH_NEEDS_RELIABLE_RESULT = gettext_noop(
    "A learning path needs a reliable result. You can still choose a target role yourself to see a path towards it."
)
# ... in place of the path of a result on far too few answers, even towards a role the person picked (as on the page)
PATH_NEEDS_ANSWERS = gettext_noop(
    "A learning path needs answers to build on: with this few, your levels are not known. Start a new attempt and "
    "answer more questions."
)
# ... and when no role is offered to lead towards (every role withdrawn)
PATH_NEEDS_A_ROLE = gettext_noop("A learning path leads towards a target role, and none is offered at the moment.")
# ... and what a path towards a role the person picked on an unreliable result says first (as the page and PDF do).
PATH_ON_AN_UNRELIABLE_RESULT = gettext_noop(
    "Your result is not reliable (see above): the levels the learning path starts from may be off, and so may the gaps "
    "it finds. Take it as a first orientation."
)


def result_document(
    profile: Profile,
    recommendation: Recommendation,
    language: str = "de",
    *,
    requirements: Mapping[str, float] | None = None,
    path_given: bool = True,
    offered: Sequence[str] | None = None,
    page_order: bool = False,
    done: Collection[str] = (),
) -> dict[str, Any]:
    """The result as plain data. `requirements`: the target role's, to tell the gaps a step closes from those it
    narrows; `path_given`: whether the page gives the path (`results.path_shown`); when not, the document gets no
    path either, only the page's note why; `offered`: the roles on offer in their own order (None: every role of the
    recommendation), the only ones listed, as on the page (one withdrawn since the result was stored is left out);
    `page_order`: an unreliable result's roles in that order, as the page gives them instead of the ranking it refuses
    to show (the download; "roles_ranked" says which), else best fit first as the `assess` contract asks; `done`:
    the courses marked done, which a step's prerequisites the path leaves out do not count."""
    path = recommendation.path
    note = ""
    if not path_given:
        path = LearningPath(target_role="", steps=(), open_gaps=())
        if offered is not None and not offered:  # the page's order of reasons
            why = PATH_NEEDS_A_ROLE
        elif profile.reliability == Reliability.TOO_FEW:
            why = PATH_NEEDS_ANSWERS
        elif not profile.reliable:
            why = PATH_NEEDS_RELIABLE_RESULT
        else:
            why = PATH_NEEDS_A_ROLE
        with translation.override(language):
            note = gettext(why)
    elif not profile.reliable:
        with translation.override(language):
            note = gettext(PATH_ON_AN_UNRELIABLE_RESULT)
    with translation.override(language):
        in_house = gettext(IN_HOUSE)
    outcomes = step_outcomes(path, requirements)
    in_path = {step.course.slug for step in path.steps}
    roles = list(recommendation.roles)
    if offered is not None:
        position = {slug: i for i, slug in enumerate(offered)}
        roles = [role for role in roles if role.slug in position]
    ranked = profile.reliable or not page_order or offered is None
    if not ranked:
        roles.sort(key=lambda r: position[r.slug])
    return {
        "model_version": recommendation.model_version,
        "competencies": [
            {
                "slug": slug,
                "score": score.score,
                "level": round(score.level, 2),
                # the posterior mean behind the score, the table, the role match ("2,7 von 3") and the page's "About
                # level 3" (it rounded to one decimal, then half up); "level" is the step in the middle of the
                # posterior (its median), which can differ from that on a skewed posterior (README). Not rounded:
                # rounded to two decimals, 0.749 read 0.75 beside the page's 0,7, which the field note says is this
                # value written with one decimal (a review), and any rounding leaves such a case near x,x5
                "expected_level": score.expected,
                "level_low": score.level_low,
                "level_high": score.level_high,
                "confidence": score.confidence,
            }
            for slug, score in profile.competencies.items()
        ],
        "work_style": profile.work_style,
        # its 90 % range (None when no situation was answered, or for a result stored before the range was)
        "work_style_low": profile.work_style_range[0] if profile.work_style_range else None,
        "work_style_high": profile.work_style_range[1] if profile.work_style_range else None,
        "reliable": profile.reliable,
        "reliability_note": reliability_note(profile, language),
        "items_answered": profile.answered,
        "roles": [
            {
                "slug": r.slug,
                "fit": r.fit,  # the score roles are ranked by (of a result not ranked too: the contract's number)
                "match": r.match.value,
                "match_low": r.match.low,
                "match_high": r.match.high,
                "reasons": list(r.reasons),
            }
            for r in roles
        ],
        "roles_ranked": ranked,
        "learning_path": {
            "target_role": path.target_role,
            "steps": [
                {
                    "course": step.course.slug,
                    "title": step.course.title_in(language),
                    "closes": list(closes),
                    "narrows": list(narrows),
                    "requires": list(step.requires),
                    # its course's prerequisites the path leaves out (the level covers them, or no longer offered):
                    # a provider may still ask for their certificate
                    "prerequisites_left_out": [
                        p for p in step.course.prerequisites if p not in in_path and p not in done
                    ],
                    "hours": step.course.hours,
                    "price_eur": step.course.price_eur,
                    "provider": in_house if step.course.in_house else step.course.provider,
                    "url": step.course.url or None,
                }
                for step, (closes, narrows) in zip(path.steps, outcomes)
            ],
            "total_hours": path.total_hours,
            "total_price_eur": path.total_price_eur,
            "courses_price_on_request": path.courses_price_on_request,
            "open_gaps": list(path.open_gaps),
            # of those, the gaps no path closes (the others: the limits or the path's length leave them open)
            **({"unreachable_gaps": list(path.unreachable)} if path.unreachable is not None else {}),
            **({"note": note} if note else {}),
            "limits": {"max_hours": path.max_hours, "max_price_eur": path.max_price_eur},
            # what the path without the limits would take, when the limits leave a gap open that it closes
            "without_limits": None
            if path.unlimited is None
            else {
                "total_hours": path.unlimited.hours,
                "total_price_eur": path.unlimited.price_eur,
                "courses_price_on_request": path.unlimited.courses_price_on_request,
                "open_gaps": list(path.unlimited.open_gaps),
            },
        },
    }


def field_notes(language: str) -> dict[str, str]:
    """What the download's numbers are, in the person's language, where one differs from what the page writes: a
    review read "level": 2 beside the page's "2,5, about level 3" and could not tell why."""
    with translation.override(language):
        return {
            "level": gettext(
                "The median of the levels your answers allow, each weighted by how likely it is: at least half of "
                "that weight lies at or below it. It can differ from expected_level where the weights lean to one side."
            ),
            "expected_level": gettext(
                "The average of the levels your answers allow, each weighted by how likely it is: the level the "
                "page, its charts and the role match use, written there with one decimal."
            ),
            "level_low": gettext(
                "With level_high, the range of the level (90%). Where reliability_note says that the answers do not "
                "hold together, the ranges may be off too."
            ),
            "score": gettext("The level (expected_level) on a scale of 0 to 100: 20 points per level."),
            "confidence": gettext(
                "How much the answers narrow the level down, from 0 (no more than knowing nothing) to 1 (one level "
                "for certain): one less the level's spread against the spread without any answer."
            ),
            "fit": gettext(
                "The score the roles are ranked by (0 to 1), not a probability. With a model (model_version other than "
                '"transparent"): how much the profile looks like those of people who hold the role, as the model '
                "learned them from simulated role holders. Without one: the match as a share, less the penalties for "
                "over-qualification and work style that the page explains."
            ),
            "match": gettext(
                "The share of the role's requirements you meet, in percent; match_low to match_high is its range "
                "(90%). Where reliability_note says that the answers do not hold together, the ranges may be off too."
            ),
        }


# Everything the PDF shows is in its HTML (the stylesheet inlined, the charts as SVG, images as data: URLs).
PDF_ALLOWED_PROTOCOLS = frozenset({"data"})


def local_only_url_fetcher():
    """A WeasyPrint URL fetcher that fetches nothing from the network or the file system: a link in the
    content (a course's address, an imported text) can never make the server call another host."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=PDF_ALLOWED_PROTOCOLS, allow_redirects=False, timeout=1)


def render_pdf(html: str, base_url: str) -> bytes:
    """The PDF of an HTML page, rendered without any fetch from elsewhere."""
    from weasyprint import HTML  # heavy import, only where a PDF is made

    # The page's soft hyphens (core.hyphenation) are for browsers without a German dictionary; WeasyPrint
    # hyphenates with the same dictionaries itself (`hyphens: auto` in the template), and text copied or
    # searched in the PDF keeps its words whole.
    html = without_soft_hyphens(html)
    # Tagged (headings, paragraphs, lists, tables in a structure tree, and the document's language), so that a
    # screen reader reads the PDF in order, as it reads the page.
    return HTML(string=html, base_url=base_url, url_fetcher=local_only_url_fetcher()).write_pdf(pdf_tags=True)
