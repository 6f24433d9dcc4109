"""Turn a scored profile into what a person reads: sections, sentences, and answer feedback."""

from __future__ import annotations

import functools
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import connection
from django.utils.translation import get_language, ngettext, override
from django.utils.translation import gettext as _

from assessment.adaptive import MAX_ITEMS, SAMPLES, SETTLED, TIE_EACH, Withdrawn
from assessment.bank import items_with_options
from assessment.measurement import CompetencyScore, Profile, Reliability
from assessment.models import Assessment, Competency, Item, Level, LevelDescriptor, Section
from core.numbers import number_text, one_decimal, whole_percent
from core.rounding import half_up_int
from core.rows import columns, fetch, quote, table

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def shown_level(score: CompetencyScore) -> int:
    """The whole level a person reads beside a score ("About level 4"): the level the score and the role cards
    show to one decimal (the posterior mean, `expected`), rounded half up. The posterior's median step
    (`score.level`, what the JSON gives) can differ from it where the posterior is skewed: beside "4,5 von 5"
    it read "about level 5", beside a score of 30 "about level 1" and of 32 "about level 2"."""
    return half_up_int(one_decimal(score.expected))


def between_levels(written: float) -> tuple[int, int] | None:
    """The two whole levels a level `written` to one decimal lies halfway between ("2,5": 2 and 3), else None."""
    doubled = round(written * 2, 6)
    if doubled.is_integer() and int(doubled) % 2 == 1:
        return int(doubled) // 2, int(doubled) // 2 + 1
    return None


@dataclass
class ScoredCompetency:
    competency: Competency
    score: CompetencyScore
    descriptor: str
    ranges_sure: bool = True  # the profile's answers hold together, so its ranges hold with 90 % (`holds_together`)
    lower_descriptor: str = ""  # the level below's, for a level written halfway between two (`between`)

    @property
    def rounded_level(self) -> int:
        return shown_level(self.score)

    @property
    def between(self) -> tuple[int, int] | None:
        """The two whole levels a level written "x,5" lies halfway between, else None. Such a level was read "Etwa
        Stufe 3" with level 3's description quoted, beside "2,5", also for a mean of 2.46, which is nearer to 2 (a
        review): halfway, neither level is the nearer one."""
        return between_levels(self.level_shown)

    @property
    def lower_label(self) -> StrOrPromise:
        between = self.between
        return Level(between[0]).label if between else ""

    @property
    def level_shown(self) -> float:
        """The level as the role cards and the charts write it (`one_decimal`): "1,4", where the raw mean 1.45
        formatted on its own reads "1,5" beside a card's "1,4"."""
        return one_decimal(self.score.expected)

    @property
    def level_label(self) -> StrOrPromise:
        return Level(self.rounded_level).label

    @property
    def explanation(self) -> str:
        if self.score.total == 0:  # an admin added the competency, and no question asks about it yet
            return _("No question asks about this competency yet, so this is only a neutral placeholder.")
        if self.score.answered == 0:
            return _("You skipped every question about this competency, so this is only a neutral placeholder.")
        # the level's description in quotes: in the first person, as the self-ratings offer it, it read as the
        # person's own words where they had said less (an area no check tested, read higher)
        between = self.between
        if between and self.lower_descriptor:
            text = _(
                "Between level %(low)s (%(low_label)s), described as: “%(low_descriptor)s”, and level %(high)s "
                "(%(high_label)s): “%(high_descriptor)s”"
            ) % {
                "low": between[0],
                "low_label": self.lower_label,
                "low_descriptor": self.lower_descriptor,
                "high": between[1],
                "high_label": self.level_label,
                "high_descriptor": self.descriptor,
            }
        else:
            text = _("About level %(level)s (%(label)s), described as: “%(descriptor)s”") % {
                "level": self.rounded_level,
                "label": self.level_label,
                "descriptor": self.descriptor,
            }
        if self.rating_note:
            text += " " + self.rating_note
        elif self.self_rating_only:
            text += " " + _(
                "No knowledge question has checked this competency: its level rests on your self-rating (level "
                "%(said)s), adjusted by your other answers."
            ) % {"said": self.score.self_level}
        return text

    @property
    def self_rating_only(self) -> bool:
        """No knowledge check answered here: the level rests on the self-rating, read in the light of the other
        answers (a review could not tell which levels had been checked: only those that moved said so)."""
        return self.score.self_level is not None and not self.score.knowledge_posterior

    @property
    def rating_note(self) -> str:
        """Why the level shown differs from the self-rating, where it does: the knowledge checks clearly show less
        or more, or it lies half a level or more from the rating (`unchecked_note`, `checked_note`); empty
        otherwise. Every level the person can see moved from what they said says why."""
        if self.score.rates_self_higher:
            return _("You rate yourself higher here than the knowledge questions show.")
        if self.score.rates_self_lower:
            return _("The knowledge questions show more than you give yourself credit for.")
        return self.unchecked_note or self.checked_note

    @property
    def checked_note(self) -> str:
        """Why a level that knowledge checks tested comes out half a level or more from its rating where the checks
        do not clearly show less or more (`rating_note` says that first): the level is the mean of the levels the
        answers allow (a review saw a rating of 5 with a right answer to the hardest check read "4,2" beside no word
        of why)."""
        moved, said = self.score.moved_checked, self.score.self_level
        if not moved or said is None:  # moved only from a rating
            return ""
        # the 90 % range as the page writes it: where it leaves out the rating, "also allow" was false (a review saw
        # "2,4 (1,5-3,5)" beside "they also allow levels below 5" after five of six checks right, the hardest too)
        # (answers that do not hold together claim no 90 % for it: `ranges_sure`)
        low, high = one_decimal(self.score.level_low), one_decimal(self.score.level_high)
        if moved > 0 and low > said and not self.ranges_sure:
            text = _(
                "You rated yourself level %(said)s. The level's range lies wholly above %(said)s here (an unsure "
                "range, as your answers do not hold together): each level is read from all your answers, also in the "
                "light of your other areas' levels and of how your self-ratings compare with the knowledge questions "
                "overall."
            )
        elif moved > 0 and low > said:
            text = _(
                "You rated yourself level %(said)s. The level's 90%% range lies wholly above %(said)s here: each level "
                "is read from all your answers, also in the light of your other areas' levels and of how your "
                "self-ratings compare with the knowledge questions overall."
            )
        elif moved > 0:
            text = _(
                "You rated yourself level %(said)s. The level shown is the average of the levels all your answers "
                "allow, and they also allow levels above %(said)s."
            )
        elif high < said and not self.ranges_sure:
            text = _(
                "You rated yourself level %(said)s. The level's range lies wholly below %(said)s here (an unsure "
                "range, as your answers do not hold together): each level is read from all your answers, also in the "
                "light of your other areas' levels and of how your self-ratings compare with the knowledge questions "
                "overall."
            )
        elif high < said:
            text = _(
                "You rated yourself level %(said)s. The level's 90%% range lies wholly below %(said)s here: each level "
                "is read from all your answers, also in the light of your other areas' levels and of how your "
                "self-ratings compare with the knowledge questions overall."
            )
        else:
            text = _(
                "You rated yourself level %(said)s. The level shown is the average of the levels all your answers "
                "allow, and they also allow levels below %(said)s."
            )
        return text % {"said": self.score.self_level}

    @property
    def unchecked_note(self) -> str:
        """Why an area no knowledge check tested comes out half a level or more from its self-rating; empty
        otherwise."""
        moved = self.score.moved_unchecked
        if not moved:
            return ""
        if moved > 0:
            text = _(
                "No knowledge question has checked this competency: its level rests on your self-rating (level "
                "%(said)s), adjusted by your other answers, and so comes out higher."
            )
        else:
            text = _(
                "No knowledge question has checked this competency: its level rests on your self-rating (level "
                "%(said)s), adjusted by your other answers, and so comes out lower."
            )
        return text % {"said": self.score.self_level}


def withdrawn_note(stored: object) -> str:
    """Why the progress no longer says "noch etwa N", from the reason a plan stored (`adaptive.Withdrawn`; True in a
    plan stored before the reason was, which said the answers had left the result more open), or "": "noch etwa 3"
    on one page and "höchstens noch 17" on the next, without a word, read as a broken promise; blaming the answers
    where only the estimate was short, as false."""
    reason = Withdrawn.LESS_SETTLED if stored is True else stored
    if reason not in tuple(Withdrawn):
        return ""
    if reason == Withdrawn.LESS_SETTLED:
        return _("Your last answers left your result more open than expected, so the test asks on.")
    # not "the test takes longer than last estimated": a review was told so and the test ended six questions before
    # the most the page had given; what is known is only that the estimate stopped counting down
    return _(
        "From here the page gives only the most questions that can still come: how many it will be depends on your "
        "next answers."
    )


def reliability_note(profile: Profile, language: str | None = None) -> str:
    """One sentence on whether the answers hold together well enough for a result, in `language` (default: the
    active one; `override(None)` would switch translation off and answer in English)."""
    with override(language or get_language()):
        if profile.reliability == Reliability.TOO_FEW:
            if not profile.answered:
                return _(
                    "You did not answer any questions: too few to say where you stand. "
                    "Start a new attempt and answer some of them, and the result becomes meaningful."
                )
            return ngettext(
                "You answered %(count)s question: too few to say where you stand. "
                "Start a new attempt and answer more of them, and the result becomes meaningful.",
                "You answered %(count)s questions: too few to say where you stand. "
                "Start a new attempt and answer more of them, and the result becomes meaningful.",
                profile.answered,
            ) % {"count": profile.answered}
        if profile.reliability == Reliability.UNCHECKED:
            return _(
                "Your self-ratings could not be checked against any knowledge question, so we cannot yet "
                "say how far they hold. Start a new attempt and answer a few knowledge questions for a result."
            )
        if profile.reliability == Reliability.INCONSISTENT:
            apart = self_ratings_apart(profile)
            if apart >= FAR_APART:
                return _(
                    "Your self-ratings lie far above what your answers to the knowledge questions show: where "
                    "questions tested them, by about %(amount)s levels on average against the levels those answers "
                    "alone point to (the levels in your profile also weigh your self-ratings and lie nearer to "
                    "them). Answers that far apart do not "
                    "fit together the way answers usually do, so we show no role ranking. In a new attempt, read "
                    "the descriptions of the levels again and rate yourself by what you do on your own at work; "
                    "then the result becomes meaningful."
                ) % {"amount": number_text(apart, 1)}
            if apart <= -FAR_APART:
                return _(
                    "Your self-ratings lie far below what your answers to the knowledge questions show: where "
                    "questions tested them, by about %(amount)s levels on average against the levels those answers "
                    "alone point to (the levels in your profile also weigh your self-ratings and lie nearer to "
                    "them). Answers that far apart do not "
                    "fit together the way answers usually do, so we show no role ranking. In a new attempt, read "
                    "the descriptions of the levels again and rate yourself by them: your answers suggest you can "
                    "do more than you say. Then the result becomes meaningful."
                ) % {"amount": number_text(-apart, 1)}
            return _(
                "Your answers do not fit together the way answers usually do: they look much like answers "
                "given at random. That happens when you click through quickly. We therefore show no role "
                "ranking. Take the assessment again without hurrying and the result becomes meaningful."
            )
        # Self-ratings far from the checks the same way everywhere fit together as a consistent rater's (the shared
        # self-rating bias explains them), but not as "a consistent picture": a review read that beside "you rate
        # yourself higher by about 2,8 levels" for ten ratings of 5 and knowledge checks answered at chance.
        apart = self_ratings_apart(profile)
        # named only where it runs the way the figure before it does (a profile's tendency the other way, or none,
        # keeps the sentence without it)
        bias = profile.self_bias
        same_way = bias is not None and bias != 0 and (bias > 0) == (apart > 0)
        tendency = {"tendency": number_text(abs(bias), 1)} if same_way and bias is not None else None
        # "read lower by the same tendency" was taken for the figure just given, not the profile's (a review read
        # 1,9 beside the profile's 1,4): the profile's is named with its figure, where the result holds one
        if apart >= FAR_APART and tendency:
            return _(
                "Your self-ratings lie far above what your answers to the knowledge questions show: where questions "
                "tested them, by about %(amount)s levels on average against the levels those answers alone point to. "
                "The tendency your profile takes into account, about %(tendency)s levels, is read from all your "
                "answers together. Where questions tested you, the levels in your profile therefore rest mostly on "
                "your answers to them, elsewhere on your self-ratings read lower by that tendency of your profile, "
                "and the roles rest on those levels. If you rated yourself by the descriptions of the levels, a new "
                "attempt answered without hurrying will show whether the questions missed what you can do."
            ) % {"amount": number_text(apart, 1), **tendency}
        if apart <= -FAR_APART and tendency:
            return _(
                "Your self-ratings lie far below what your answers to the knowledge questions show: where questions "
                "tested them, by about %(amount)s levels on average against the levels those answers alone point to. "
                "The tendency your profile takes into account, about %(tendency)s levels, is read from all your "
                "answers together. Where questions tested you, the levels in your profile therefore rest mostly on "
                "your answers to them, elsewhere on your self-ratings read higher by that tendency of your profile, "
                "and the roles rest on those levels: you can probably do more than you say."
            ) % {"amount": number_text(-apart, 1), **tendency}
        if apart >= FAR_APART:  # a result stored before the tendency was
            return _(
                "Your self-ratings lie far above what your answers to the knowledge questions show: where questions "
                "tested them, by about %(amount)s levels on average against the levels those answers alone point to "
                "(the tendency in your profile is read from all your answers together). Where questions tested you, "
                "the levels in your "
                "profile therefore rest mostly on your answers to them, elsewhere on your self-ratings read lower by "
                "the same tendency, and the roles rest on those levels. If you rated yourself by the descriptions of "
                "the levels, a new attempt answered without hurrying will show whether the questions missed what you "
                "can do."
            ) % {"amount": number_text(apart, 1)}
        if apart <= -FAR_APART:
            return _(
                "Your self-ratings lie far below what your answers to the knowledge questions show: where questions "
                "tested them, by about %(amount)s levels on average against the levels those answers alone point to "
                "(the tendency in your profile is read from all your answers together). Where questions tested you, "
                "the levels in your "
                "profile therefore rest mostly on your answers to them, elsewhere on your self-ratings read higher by "
                "the same tendency, and the roles rest on those levels: you can probably do more than you say."
            ) % {"amount": number_text(-apart, 1)}
        return _(
            "Your answers fit together: the %(count)s answers give a consistent picture, within the ranges shown."
        ) % {"count": profile.answered}


# Answers that do not hold together because the self-ratings lie this far (levels, on average) from what the
# knowledge checks alone show, the same way in every competency checked, are told so, not as if given at random.
FAR_APART = 1.5


# The knowledge checks speak against the self-ratings when they make the rated levels, taken together, this many
# times less likely than the levels they make most likely. A rating of 5 with every check right is the most likely
# level of those checks: a review was told "your self-ratings lie far above what your answers show, by about 1,8
# levels" (the mean level of the checks' likelihood, always below 5), after answering the hardest checks right.
# Taken together, not competency by competency: ten ratings of 0 with the two easiest checks right each make 0 only
# about 2.4 times less likely one by one (the guessing floor), but all together clearly.
AGAINST_THE_RATINGS = 3.0


def _rating_odds(score: CompetencyScore) -> tuple[int, float]:
    """Which way the knowledge checks alone point from the self-rating (+1: the rating lies above the level they make
    most likely, -1: below, 0: at it, or no rating or no check), and the log of how many times less likely they make
    the rated level than that one."""
    likelihood = score.knowledge_posterior
    if score.self_level is None or not likelihood:
        return 0, 0.0
    rated = min(max(score.self_level, 0), len(likelihood) - 1)
    best = max(range(len(likelihood)), key=lambda level: likelihood[level])
    if best == rated or likelihood[rated] >= likelihood[best]:
        return 0, 0.0
    return (1 if best < rated else -1), math.log(likelihood[best] / max(likelihood[rated], 1e-300))


def checks_against_ratings(profile: Profile) -> int:
    """+1 where the knowledge checks, taken together, speak against the self-ratings as too high
    (`AGAINST_THE_RATINGS`) and not against any as too low, -1 the other way round, else 0."""
    odds = {1: 0.0, -1: 0.0}
    for score in profile.competencies.values():
        way, log_odds = _rating_odds(score)
        if way:
            odds[way] += log_odds
    sure = math.log(AGAINST_THE_RATINGS)
    if odds[1] >= sure and odds[-1] < sure:
        return 1
    if odds[-1] >= sure and odds[1] < sure:
        return -1
    return 0


def self_ratings_apart(profile: Profile) -> float:
    """How far the self-ratings lie above (+) or below (-) what the knowledge checks alone show (the expected level
    of their likelihood), on average over the competencies with both, when at least two have both, all lie the same
    way, and the checks taken together speak against the ratings that way (`checks_against_ratings`); else 0."""
    scores = [s for s in profile.competencies.values() if s.self_level is not None and s.knowledge_posterior]
    gaps = [
        (score.self_level or 0) - sum(level * p for level, p in enumerate(score.knowledge_posterior))
        for score in scores
    ]
    if len(gaps) < 2 or not (all(g > 0 for g in gaps) or all(g < 0 for g in gaps)):
        return 0.0
    if checks_against_ratings(profile) != (1 if gaps[0] > 0 else -1):
        return 0.0
    return sum(gaps) / len(gaps)


TENDENCY_SHOWN = 0.25  # the self-rating bias is told when its 90 % range lies this far from 0 (levels) ...
TENDENCY_SEEN = 0.5  # ... and the self-ratings lie this far from the levels shown, on average, the same way


def self_rating_tendency(profile: Profile) -> str:
    """One sentence on how the self-ratings run against the knowledge checks across all areas, when the
    answers show it clearly: the whole 90 % range of the bias on one side, and the person's own ratings that
    far from the levels the page shows, on average (at the ends of the scale the bias can be unsure without
    anything to see: ten ratings of 5 with every check right). It is what moves every level, and why one
    area's answers move the others (by up to about half a level after a short test). Empty otherwise."""
    if not profile.reliable or not profile.self_bias_range:
        return ""
    # said only where the checks speak against the ratings that way: the bias can lie clearly above 0 with no check
    # against any rating (ten ratings of 5 with the hardest checks right, where the checks cannot tell 4 from 5 and
    # the prior reads every level lower)
    against = checks_against_ratings(profile)
    gaps = [
        score.self_level - score.expected
        for score in profile.competencies.values()
        if score.self_level is not None and score.knowledge_checked
    ]
    seen = sum(gaps) / len(gaps) if gaps else 0.0
    low, high = profile.self_bias_range
    if low >= TENDENCY_SHOWN and seen >= TENDENCY_SEEN and against == 1:
        text = _(
            "Across all competencies you rate yourself higher than the knowledge questions show: by about %(amount)s "
            "levels (90%% range: %(low)s to %(high)s). Every level shown takes that into account, so a competency "
            "can come out below your own rating, and what you answer about one competency moves the others too (one "
            "knowledge answer by up to about half a level after a short test)."
        )
    elif high <= -TENDENCY_SHOWN and seen <= -TENDENCY_SEEN and against == -1:
        text = _(
            "Across all competencies you rate yourself lower than the knowledge questions show: by about %(amount)s "
            "levels (90%% range: %(low)s to %(high)s). Every level shown takes that into account, so a competency "
            "can come out above your own rating, and what you answer about one competency moves the others too (one "
            "knowledge answer by up to about half a level after a short test)."
        )
        low, high = -high, -low
    else:
        return ""
    amount = abs(profile.self_bias or 0.0)
    return text % {
        "amount": number_text(amount, 1),
        "low": number_text(low, 1),
        "high": number_text(high, 1),
    }


def top_three_sentence(stability: float, first: float | None = None) -> str:
    """How often a result's first role stays among the best three in the profiles the answers allow
    (`adaptive.standing`), as the results page and the PDF say it; with `first` (the share in which it comes
    first, what an adaptive test's plan holds), that too: a first role that comes first in about half of them is a
    near-tie with another, which "among the best three in 97 %" alone did not tell."""
    # "100 %" only for every profile drawn, and then said as what it is: all of a sample, not a certainty
    # (a review read "In 100 % der Profile" as one); 99.6 % was rounded to "100 %" before. The profiles come
    # first, the share second: "In 92 % of the profiles your answers allow, ..." was hard to read
    if first is not None and first >= 1:
        return _(
            "Many profiles fit your answers; in every one of the %(count)s drawn from them, the first role comes first."
        ) % {"count": SAMPLES}
    if first is not None and stability >= 1:
        return _(
            "Many profiles fit your answers; in every one of the %(count)s drawn from them, the first role is among "
            "the best three, and in %(first)s%% of them it comes first."
        ) % {"count": SAMPLES, "first": whole_percent(100 * first)}
    if first is not None:
        return _(
            "Many profiles fit your answers; in %(sure)s%% of them, the first role is among the best three, and in "
            "%(first)s%% it comes first."
        ) % {"sure": whole_percent(100 * stability), "first": whole_percent(100 * first)}
    if stability >= 1:
        return _(
            "Many profiles fit your answers; in every one of the %(count)s drawn from them, the first role is among "
            "the best three."
        ) % {"count": SAMPLES}
    return _("Many profiles fit your answers; in %(sure)s%% of them, the first role is among the best three.") % {
        "sure": whole_percent(100 * stability)
    }


# Another role that comes first in at least this share of the plausible profiles is named beside the first one: in
# one of four or more of them it is the best fit, as for each of two tied roles (`adaptive.TIE_EACH`). A share
# below that leaves the first role first in most of them and the other roles spread.
RUNNER_UP_NAMED = TIE_EACH


def standing_sentences(
    judged: Mapping, names: Mapping[str, str], first_shown: str | None, on_cards: Collection[str] = ()
) -> list[str]:
    """How settled a result's first role is (`judged`: an `adaptive.Standing` as a mapping, or a plan holding one):
    how often it stays among the best three in the profiles the answers allow and, where known, how often it comes
    first; and the other role that comes first in `RUNNER_UP_NAMED` of them or more, by its name in `names` (roles
    not there, such as a tied one the page names already, are not named). Said only of the role the page puts
    first (`first_shown`): one withdrawn since, or a ranking computed anew by another model, leaves another role
    first, of which nothing was judged. Where the named role comes first more often than the first one, or has no
    card (not in `on_cards`), the page's order seems to contradict the shares: it follows the most likely levels,
    the shares count every profile, and the page says so (a review read the first card as wrong)."""
    if judged.get("best_role") is None or "stability" not in judged or judged["best_role"] != first_shown:
        return []
    first = judged.get("best_share")  # absent from plans stored before it was kept
    sentences = [top_three_sentence(float(judged["stability"]), None if first is None else float(first))]
    rival, share = judged.get("runner_up"), float(judged.get("runner_up_share") or 0.0)
    name = names.get(rival) if isinstance(rival, str) and rival != judged["best_role"] else None
    if first is None or name is None or share < RUNNER_UP_NAMED:
        return sentences
    values = {"share": whole_percent(100 * share), "role": name}
    if share > float(first):
        sentences.append(_("Another role comes first more often, in %(share)s%% of the profiles: %(role)s.") % values)
    else:
        sentences.append(_("In %(share)s%% of the profiles, another role comes first instead: %(role)s.") % values)
    if share > float(first) or rival not in on_cards:
        sentences.append(
            _(
                "The order of the roles follows your most likely levels; the shares count every profile your answers "
                "allow."
            )
        )
    return sentences


# The share of plausible profiles is a count among SAMPLES of them, so it moves by a few points from the draw alone
# (one standard error at 86 %: 3 points; of the difference of two such shares: 4). "Ergebnis schärfen" is said to
# have made the ranking less sure only when the share fell by this many points or more; a smaller change either way
# is said to be little (a review read "less sure now" for 86 % becoming 85 % while every range had narrowed).
SHARPENING_NOTED = 10


def sharpening_sentence(before: float, after: float, sharpenings: int = 1) -> str:
    """What "Ergebnis schärfen" did to how sure the result is: the share before it (before the last of several
    `sharpenings`: the result the person saw last, not the first one), and why a lower one now is no error (more
    answers can show a profile to be less clear than the first ones made it look)."""
    last = sharpenings > 1
    if before >= 1 and last:
        was = _("Before you last sharpened the result, the first role was among the best three in every profile drawn.")
    elif before >= 1:
        was = _("Before you sharpened the result, the first role was among the best three in every profile drawn.")
    elif last:
        was = _(
            "Before you last sharpened the result, the first role was among the best three in %(before)s%% of the "
            "profiles."
        ) % {"before": whole_percent(100 * before)}
    else:
        was = _(
            "Before you sharpened the result, the first role was among the best three in %(before)s%% of the profiles."
        ) % {"before": whole_percent(100 * before)}
    change = int(whole_percent(100 * after)) - int(whole_percent(100 * before))
    if change <= -SHARPENING_NOTED:
        return (
            was
            + " "
            + _(
                "The added answers do not all point the same way as the earlier ones, so the ranking is less sure "
                "now, though it rests on more answers."
            )
        )
    if change < SHARPENING_NOTED and change != 0:
        return (
            was
            + " "
            + _(
                "The added answers changed this only a little: a difference of a few points can come from drawing "
                "the profiles alone."
            )
        )
    return was


def result_sureness(
    plan: Mapping,
    names: Mapping[str, str],
    first_shown: str | None,
    on_cards: Collection[str] = (),
    *,
    standing: Mapping | None = None,
) -> list[str]:
    """What a finished adaptive result says about how sure it is (its stored, judged plan: see
    `services.judged_plan`): how settled its first role is in the profiles the answers allow (`standing_sentences`,
    with the role `names` it may name, of the role the page puts first; `standing`, the stored result's judgement
    by the model that ranked it, where there is one, else the plan's), and, when the answers did not settle that,
    why the test stopped."""
    reason = plan.get("reason")
    verdict = plan.get("verdict", reason)
    settled = plan.get("settled", reason in SETTLED)
    judged = plan if standing is None else standing
    sentences = standing_sentences(judged, names, first_shown, on_cards)
    if sentences and plan.get("stability_before_sharpening") is not None:  # of the share just said: before another
        sharpened = sharpening_sentence(
            float(plan["stability_before_sharpening"]), float(judged["stability"]), int(plan.get("sharpenings", 1))
        )
        sentences.insert(1, sharpened)
    contradictory = verdict == "answers contradict each other"
    unusual = verdict == "unusual profile"
    if reason == "answers inconsistent":
        sentences.append(_("The test stopped early because your answers do not hold together."))
    elif reason == "question limit":
        if settled:
            text = _("The test stopped at its limit of %(limit)s questions.")
        elif contradictory:
            text = _(
                "The test stopped at its limit of %(limit)s questions while your answers still did not hold "
                "together clearly, so this ranking is less sure than usual."
            )
        elif unusual:
            text = _(
                "The test stopped at its limit of %(limit)s questions. Your profile is uncommon (far stronger in "
                "some competencies than in others), and for such a profile the level ranges are less sure than they "
                "look, so this ranking is less sure than usual."
            )
        else:
            text = _(
                "The test stopped at its limit of %(limit)s questions before your answers had settled which "
                "roles fit best, so this ranking is less sure than usual."
            )
        sentences.append(text % {"limit": MAX_ITEMS})
    elif settled or reason == "no roles":
        pass
    elif contradictory:
        sentences.append(_("Your answers do not hold together clearly yet, so this ranking is less sure than usual."))
    elif unusual:
        sentences.append(
            _(
                "Your profile is uncommon (far stronger in some competencies than in others), and for such a "
                "profile the level ranges are less sure than they look, so this ranking is less sure than usual."
            )
        )
    elif verdict == "bank exhausted":
        sentences.append(_("Every question there is has been asked: more answers cannot make this result surer."))
    elif sentences:
        sentences.append(
            _("Your answers have not yet settled which roles fit best, so this ranking is less sure than usual.")
        )
    return sentences


@dataclass
class ScoredSection:
    section: Section
    competencies: list[ScoredCompetency]

    @property
    def named_after_its_only_competency(self) -> bool:
        """A section holding one competency of its own name ("Agile Methoden"): its heading names the row."""
        return len(self.competencies) == 1 and self.competencies[0].competency.name == self.section.name


def profile_sections(profile: Profile) -> list[ScoredSection]:
    """The profile's scores grouped by section, each with the sentence that explains it."""
    levels = [(slug, shown_level(score)) for slug, score in profile.competencies.items()]
    if not levels:
        return []
    # the level below too where a level is written halfway between two (-1: none, no descriptor joins)
    lower = [
        (slug, between[0] if (between := between_levels(one_decimal(score.expected))) else -1)
        for slug, score in profile.competencies.items()
    ]
    sections: dict[int, ScoredSection] = {}
    for competency, section, descriptor, lower_descriptor in fetch(
        _sections_sql(connection.vendor, len(levels)),
        [value for pairs in (levels, lower) for pair in pairs for value in pair],
        _SECTIONS_MODELS,
    ):
        competency.section = section
        score = profile.competencies.get(competency.slug)
        if score is None:
            continue
        group = sections.setdefault(competency.section_id, ScoredSection(competency.section, []))
        group.competencies.append(
            ScoredCompetency(
                competency,
                score,
                descriptor.text if descriptor else "",
                profile.holds_together,
                lower_descriptor.text if lower_descriptor else "",
            )
        )
    return list(sections.values())


_SECTIONS_MODELS = (Competency, Section, LevelDescriptor, LevelDescriptor)


@functools.lru_cache(maxsize=8)
def _sections_sql(vendor: str, count: int) -> str:
    """Each competency with its section, the descriptor of the level the profile puts it at and that of the level
    below where it is written halfway between two, in the framework's order: one query on every results page,
    written once (`core.rows`). Parameters: slug and level of each scored competency, then slug and lower level."""
    q = quote
    level = " ".join(["WHEN %s THEN CAST(%s AS INTEGER)"] * count)
    return (
        f"SELECT {columns(Competency, 'c')}, {columns(Section, 's')}, {columns(LevelDescriptor, 'd')}, "
        f"{columns(LevelDescriptor, 'b')} "
        f"FROM {table(Competency)} c INNER JOIN {table(Section)} s ON s.{q('id')} = c.{q('section_id')} "
        f"LEFT JOIN {table(LevelDescriptor)} d ON d.{q('competency_id')} = c.{q('id')} "
        f"AND d.{q('level')} = CASE c.{q('slug')} {level} END "
        f"LEFT JOIN {table(LevelDescriptor)} b ON b.{q('competency_id')} = c.{q('id')} "
        f"AND b.{q('level')} = CASE c.{q('slug')} {level} END "
        f"ORDER BY s.{q('order')}, c.{q('order')}, c.{q('slug')}"  # the competencies' own ordering, ties included
    )


STYLE_SIDE = 0.15  # beyond this on either side of 0 a person leans towards the firefighter or the architect
STYLE_HEART = 0.5  # ... and from here on is one at heart, when the whole 90 % range lies beyond STYLE_SIDE too
STYLE_HEART_ANSWERS = 3  # ... and it rests on at least this many situations (one choice is no one's heart)
# A leaning whose range reaches the middle of the axis, or a balance whose range reaches the middle of a leaning
# (halfway between STYLE_SIDE and STYLE_HEART), is said to be open: the answers allow the neighbouring sentence too.
STYLE_LEANING = (STYLE_SIDE + STYLE_HEART) / 2


def _axis_x(style: float) -> str:
    """Where a style sits on the SVG axis from 10 (-1) to 210 (+1), as an attribute value: a machine number
    whatever the language, and never beyond the axis's ends."""
    return f"{110 + max(-1.0, min(1.0, style)) * 100:.1f}"


def work_style_summary(profile: Profile) -> dict:
    """The person's place on the firefighter-architect axis: a position with its 90 % range, a sentence, and
    how many situations it rests on. "At heart" only when the whole range lies on that side, after at least
    STYLE_HEART_ANSWERS situations."""
    style = profile.work_style
    summary = {"value": style, "x": _axis_x(style), "confidence": profile.work_style_confidence}
    if profile.work_style_confidence == 0:  # no situation answered: no marker either (it would sit at 0)
        return summary | {
            "unknown": True,
            "sentence": _(
                "None of your answers is about your work style (no situation was asked, or you skipped it), so "
                "we cannot say where you stand, and the roles are compared without it."
            ),
        }
    # A result stored before the range was has none: its sentence then goes by the style alone.
    low, high = profile.work_style_range or (style, style)
    settled = not profile.work_style_range or profile.work_style_answers >= STYLE_HEART_ANSWERS
    if style <= -STYLE_HEART and high <= -STYLE_SIDE and settled:
        sentence = _(
            "You are a firefighter at heart: you get going when something breaks and restore service fast. "
            "Roles in operations and incident management use that every day."
        )
    elif style <= -STYLE_HEART and high <= -STYLE_SIDE:
        # too few situations for "at heart"; "you lean ... and you also see when a lasting fix is due" was read beside
        # two answers, both the firefighter's (a review): a leaning's balance the answers did not show
        sentence = _(
            "So far you answer as a firefighter: you get going when something breaks and restore service fast. "
            "Whether that is your style at heart, a few more situations would show."
        )
    elif style < -STYLE_SIDE:
        sentence = _(
            "You lean towards the firefighter: you like solving the problem in front of you, "
            "and you also see when a lasting fix is due."
        )
    elif style <= STYLE_SIDE:
        sentence = _(
            "You are balanced between firefighter and architect: you can put out fires and build "
            "structures. Many coordinating roles need exactly that."
        )
    elif style < STYLE_HEART or low < STYLE_SIDE:
        sentence = _(
            "You lean towards the architect: you prefer lasting solutions, and you still step in when it burns."
        )
    elif not settled:
        sentence = _(
            "So far you answer as an architect: you design structures, processes and long-term solutions. Whether "
            "that is your style at heart, a few more situations would show."
        )
    else:
        sentence = _(
            "You are an architect at heart: you design structures, processes and long-term solutions. "
            "Roles in architecture, organisation and service design use that."
        )
    if not profile.work_style_range:
        return summary | {"sentence": sentence}
    open_towards = _open_towards(style, low, high)
    if open_towards:
        sentence = f"{sentence} {open_towards}"
    if profile.holds_together:
        basis = ngettext(
            "This rests on %(count)s situation: with 90%% certainty your style lies between %(low)s and %(high)s.",
            "This rests on %(count)s situations: with 90%% certainty your style lies between %(low)s and %(high)s.",
            profile.work_style_answers,
        )
    else:  # the answers do not hold together: no certainty is claimed for any range (a review)
        basis = ngettext(
            "This rests on %(count)s situation: if your answers held together, your style would lie between "
            "%(low)s and %(high)s with 90%% certainty.",
            "This rests on %(count)s situations: if your answers held together, your style would lie between "
            "%(low)s and %(high)s with 90%% certainty.",
            profile.work_style_answers,
        )
    basis = basis % {
        "count": profile.work_style_answers,
        "low": number_text(low, 1),
        "high": number_text(high, 1),
    }
    return summary | {
        "sentence": f"{sentence} {basis}",
        "low": low,
        "high": high,
        "band_x": _axis_x(low),
        "band_width": f"{max(2.0, (min(high, 1.0) - max(low, -1.0)) * 100):.1f}",
    }


def _open_towards(style: float, low: float, high: float) -> str:
    """What the 90 % range allows besides the sentence given for `style`, or "" when it allows nothing else."""
    if style < -STYLE_SIDE and high >= 0 or style > STYLE_SIDE and low <= 0:
        return _("Your answers do not settle this yet: their range reaches a balanced style.")
    if -STYLE_SIDE <= style <= STYLE_SIDE:
        firefighter, architect = low <= -STYLE_LEANING, high >= STYLE_LEANING
        if firefighter and architect:
            return _("Your answers do not settle this yet: their range reaches a leaning to either side.")
        if firefighter:
            return _("Your answers do not settle this yet: their range reaches a leaning towards the firefighter.")
        if architect:
            return _("Your answers do not settle this yet: their range reaches a leaning towards the architect.")
    return ""


@dataclass
class ReviewedItem:
    item: Item
    chosen_label: str | None
    correct_label: str
    was_correct: bool


@dataclass
class AnswerReview:
    """The knowledge checks to review, and (adaptive test) how many it did not ask."""

    rows: list[ReviewedItem] = field(default_factory=list)
    not_asked: int = 0

    @property
    def not_asked_note(self) -> str:
        return ngettext(
            "%(count)s more knowledge question was not asked.",
            "%(count)s more knowledge questions were not asked.",
            self.not_asked,
        ) % {"count": self.not_asked}


def answer_review(assessment: Assessment) -> AnswerReview:
    """The knowledge checks with the person's answer, the right one, and what to learn from it: every one
    (unanswered ones as skipped), or in the adaptive test the ones it asked, answered or skipped."""
    chosen = dict(assessment.answers.values_list("item_id", "option_id"))
    review = AnswerReview()
    for item in items_with_options(assessment.item_ids):
        if item.kind != Item.Kind.KNOWLEDGE:
            continue
        options = list(item.options.all())
        right = next((o for o in options if o.correct), None)
        if right is None:
            continue
        if assessment.adaptive and item.pk not in chosen:  # never put to the person: not a skip
            review.not_asked += 1
            continue
        picked = next((o for o in options if o.pk == chosen.get(item.pk)), None)
        review.rows.append(
            ReviewedItem(
                item=item,
                chosen_label=picked.label if picked else None,
                correct_label=right.label,
                was_correct=picked is not None and picked.pk == right.pk,
            )
        )
    return review
