from __future__ import annotations

from recommendations.paths import Catalogue, CourseSpec, greedy_path, learning_path_for, optimal_path


def course(slug, competency, start, end, hours=10, price=100, prerequisites=(), active=True, weight=1.0, fmt="online"):
    return CourseSpec(
        slug=slug,
        title=slug,
        hours=hours,
        price_eur=price,
        develops=((competency, weight, start, end),),
        prerequisites=tuple(prerequisites),
        active=active,
        format=fmt,
    )


CATALOGUE = Catalogue(
    [
        course("svc-basics", "svc", 0, 2),
        course("svc-advanced", "svc", 2, 4, prerequisites=["svc-basics"]),
        course("prj-basics", "prj", 0, 2),
        course("prj-practice", "prj", 2, 3, prerequisites=["prj-basics"]),
        course("prj-retired", "prj", 0, 3, active=False),
        course("com-workshop", "com", 1, 3, fmt="on_the_job", price=0),
        course("com-online", "com", 1, 3),
    ]
)


def slugs(path):
    return [s.course.slug for s in path.steps]


def test_prerequisites_come_first():
    path = learning_path_for("r", {"svc": 0, "prj": 3, "com": 3}, {"svc": 4, "prj": 3, "com": 3}, CATALOGUE)
    assert slugs(path) == ["svc-basics", "svc-advanced"]
    assert path.steps[1].requires == ("svc-basics",)


def test_an_outgrown_prerequisite_is_left_out():
    path = learning_path_for("r", {"svc": 2, "prj": 3, "com": 3}, {"svc": 4, "prj": 3, "com": 3}, CATALOGUE)
    assert slugs(path) == ["svc-advanced"]
    assert path.steps[0].requires == ()


def test_a_prerequisite_required_for_admission_is_never_left_out_as_outgrown():
    """The ITIL Managing Professional modules need the Foundation certificate for admission, whatever a person's
    level: the path takes it, counts its hours and price, and puts it first."""
    catalogue = Catalogue(
        [
            course("svc-basics", "svc", 0, 2, hours=16, price=900),
            CourseSpec(
                slug="svc-advanced",
                title="svc-advanced",
                hours=96,
                price_eur=None,
                develops=(("svc", 1.0, 2, 4),),
                prerequisites=("svc-basics",),
                admission=("svc-basics",),
            ),
        ]
    )
    for build in (learning_path_for, optimal_path, greedy_path):
        path = build("r", {"svc": 2.1}, {"svc": 4}, catalogue)
        assert slugs(path) == ["svc-basics", "svc-advanced"], build
        assert path.steps[1].requires == ("svc-basics",)
        assert (path.total_hours, path.total_price_eur, path.courses_price_on_request) == (112, 900, 1)
    # done, it is not taken again
    assert slugs(optimal_path("r", {"svc": 2.1}, {"svc": 4}, catalogue, done={"svc-basics"})) == ["svc-advanced"]


def test_the_biggest_gap_comes_first():
    path = learning_path_for("r", {"svc": 0, "prj": 1, "com": 3}, {"svc": 2, "prj": 2, "com": 3}, CATALOGUE)
    assert slugs(path)[0] == "svc-basics"
    assert set(slugs(path)) == {"svc-basics", "prj-basics"}


def test_nothing_inactive_nothing_outgrown_nothing_twice():
    path = learning_path_for("r", {"svc": 5, "prj": 0, "com": 5}, {"svc": 2, "prj": 3, "com": 2}, CATALOGUE)
    assert "prj-retired" not in slugs(path)
    assert not {"svc-basics", "svc-advanced", "com-workshop"} & set(slugs(path))
    assert len(slugs(path)) == len(set(slugs(path)))
    assert slugs(path) == ["prj-basics", "prj-practice"]


def test_each_step_says_which_gap_it_closes_and_totals_add_up():
    path = learning_path_for("r", {"svc": 0, "prj": 0, "com": 1}, {"svc": 2, "prj": 2, "com": 3}, CATALOGUE)
    assert all(step.closes for step in path.steps)
    assert path.total_hours == sum(s.course.hours for s in path.steps)
    assert path.total_price_eur == sum(s.course.price_eur for s in path.steps)


def test_a_practical_format_wins_a_tie_against_an_online_course():
    path = learning_path_for("r", {"com": 1}, {"com": 3}, CATALOGUE)
    assert slugs(path) == ["com-workshop"]


def test_no_gaps_means_an_empty_path():
    path = learning_path_for("r", {"svc": 4}, {"svc": 4}, CATALOGUE)
    assert path.steps == () and path.total_hours == 0


def test_a_gap_no_course_can_close_is_reported():
    path = learning_path_for("r", {"sec": 0}, {"sec": 3}, CATALOGUE)
    assert path.open_gaps == ("sec",)


def test_the_gaps_no_path_closes_are_told_apart_from_those_the_length_or_the_limits_leave_open():
    levels, requirements = {"svc": 0, "prj": 0, "sec": 0}, {"svc": 4, "prj": 3, "sec": 3}
    path = learning_path_for("r", levels, requirements, CATALOGUE, max_steps=2)
    assert set(path.open_gaps) == {"prj", "sec"} and path.unreachable == ("sec",)  # prj: two courses more
    limited = learning_path_for("r", levels, requirements, CATALOGUE, max_hours=25)
    assert set(limited.open_gaps) == {"prj", "sec"} and limited.unreachable == ("sec",)
    assert learning_path_for("r", levels, requirements, CATALOGUE).unreachable == ("sec",)
    assert learning_path_for("r", {"svc": 4}, {"svc": 4}, CATALOGUE).unreachable == ()


def test_a_course_marked_done_counts_as_taken():
    path = learning_path_for(
        "r", {"svc": 0, "prj": 3, "com": 3}, {"svc": 4, "prj": 3, "com": 3}, CATALOGUE, done={"svc-basics"}
    )
    assert slugs(path) == ["svc-advanced"]
    assert path.steps[0].requires == ()


# The optimiser (`optimal_path`): fewest hours, then least cost, within limits; levels_after honest.

import random  # noqa: E402

import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from recommendations import paths  # noqa: E402
from recommendations.paths import TOLERANCE  # noqa: E402


def check_levels_after(path, levels, requirements, catalogue=None, done=()):
    """Every step raises what it claims; where the path ends closes every gap it does not name as open."""
    before = dict(levels)
    for slug in done:  # courses marked done count first
        paths._apply(catalogue.courses[slug], before)
    taken = set()
    for step in path.steps:
        assert step.course.slug not in taken
        assert set(step.requires) <= taken, "a prerequisite comes after the course that needs it"
        for competency in step.closes:
            assert step.levels_after[competency] > before.get(competency, 0.0)
        assert all(step.levels_after.get(c, 0.0) >= before.get(c, 0.0) for c in before)
        before, taken = dict(step.levels_after), taken | {step.course.slug}
    for competency, required in requirements.items():
        still_open = required - before.get(competency, 0.0) > TOLERANCE
        assert still_open == (competency in path.open_gaps), competency


def random_catalogue(rng, size, competencies=("a", "b", "c", "d"), per_course=(1, 1, 2)):
    courses = []
    for i in range(size):
        develops = []
        for competency in rng.sample(competencies, rng.choice(per_course)):
            start = rng.randint(0, 4)
            develops.append((competency, rng.choice([0.3, 0.5, 1.0, 1.0]), start, rng.randint(start + 1, 5)))
        courses.append(
            CourseSpec(
                slug=f"k{i}",
                title=f"k{i}",
                hours=float(rng.choice([2, 4, 8, 16, 24, 40])),
                price_eur=rng.choice([None, 0.0, 90.0, 490.0, 1290.0]),
                develops=tuple(develops),
                prerequisites=(f"k{rng.randrange(i)}",) if i and rng.random() < 0.15 else (),
                format=rng.choice(["online", "classroom"]),
            )
        )
    return Catalogue(courses)


def test_levels_after_agree_with_every_step_in_a_thousand_paths():
    rng = random.Random(11)
    for _ in range(1000):
        catalogue = random_catalogue(rng, rng.choice([5, 20, 60]))
        levels = {c: rng.uniform(0, 5) for c in "abcd"}
        requirements = {c: rng.randint(0, 5) for c in "abcd"}
        done = {f"k{rng.randrange(5)}"} if rng.random() < 0.2 else set()
        path = learning_path_for("r", levels, requirements, catalogue, done=done)
        shown = paths.shown_levels(levels)  # what the path is planned from
        check_levels_after(path, shown, requirements, catalogue, [d for d in done if d in catalogue.courses])


@settings(max_examples=150, deadline=None)
@given(
    st.integers(0, 10_000),
    st.one_of(st.none(), st.floats(0, 120)),
    st.one_of(st.none(), st.floats(0, 3000)),
)
def test_the_optimiser_keeps_the_limits_and_the_path_shown_is_never_worse_in_hours_than_the_greedy_one(
    seed, hours, euros
):
    """The path shown (`learning_path_for`) takes the greedy path where it is better, so its comparison with the
    greedy path holds whatever the optimiser does; that the optimiser finds its own optimum (hours and euros
    together) is checked against scipy's milp in test_path_solver.py."""
    rng = random.Random(seed)
    catalogue = random_catalogue(rng, 30)
    levels = paths.shown_levels({c: rng.uniform(0, 4) for c in "abcd"})  # as `learning_path_for` plans from them
    requirements = {c: rng.randint(1, 5) for c in "abcd"}
    path = optimal_path("r", levels, requirements, catalogue, max_hours=hours, max_price_eur=euros)
    check_levels_after(path, levels, requirements)
    if hours is not None:
        assert path.total_hours <= hours + 1e-6
    if euros is not None:
        assert path.total_price_eur <= euros + 1e-6
    greedy = greedy_path("r", levels, requirements, catalogue)
    check_levels_after(greedy, levels, requirements)
    chosen = learning_path_for("r", levels, requirements, catalogue)
    check_levels_after(chosen, levels, requirements)
    assert len(chosen.open_gaps) <= len(greedy.open_gaps)
    if not greedy.open_gaps:
        assert chosen.total_hours <= greedy.total_hours + 1e-6


def test_a_budget_too_small_says_what_stays_open_and_what_it_would_take():
    levels, requirements = {"svc": 0, "prj": 0, "com": 3}, {"svc": 4, "prj": 3, "com": 3}
    path = learning_path_for("r", levels, requirements, CATALOGUE, max_hours=20)
    assert path.total_hours <= 20
    assert path.open_gaps  # 40 hours of courses are needed
    assert path.unlimited is not None
    assert path.unlimited.hours == 40 and path.unlimited.open_gaps == ()
    check_levels_after(path, levels, requirements)
    assert learning_path_for("r", levels, requirements, CATALOGUE, max_price_eur=0).steps == ()


def test_at_equal_hours_the_cheaper_and_then_the_fundable_course_wins():
    cheap = course("cheap", "svc", 0, 2, hours=8, price=90)
    dear = course("dear", "svc", 0, 2, hours=8, price=900)
    assert slugs(optimal_path("r", {"svc": 0}, {"svc": 2}, Catalogue([dear, cheap]))) == ["cheap"]
    longer = course("longer", "svc", 0, 2, hours=9, price=0)
    assert slugs(optimal_path("r", {"svc": 0}, {"svc": 2}, Catalogue([dear, longer]))) == ["dear"]
    funded = CourseSpec("funded", "funded", 8, 90, (("svc", 1.0, 0, 2),), funded=True)
    assert slugs(optimal_path("r", {"svc": 0}, {"svc": 2}, Catalogue([cheap, funded]))) == ["funded"]


def test_one_long_course_beats_two_that_take_longer_together():
    catalogue = Catalogue(
        [
            course("one", "svc", 0, 2, hours=16),
            course("two", "svc", 1, 2, hours=10),
            course("zero", "svc", 0, 1, hours=10),
        ]
    )
    assert slugs(optimal_path("r", {"svc": 0}, {"svc": 2}, catalogue)) == ["one"]


def test_without_the_optimiser_the_greedy_path_is_used(monkeypatch):
    def fail(*args, **kwargs):
        raise paths.OptimiserFailed("no solution")

    monkeypatch.setattr(paths, "_solve", fail)
    levels, requirements = {"svc": 0, "prj": 3, "com": 3}, {"svc": 4, "prj": 3, "com": 3}
    path = learning_path_for("r", levels, requirements, CATALOGUE)
    assert not path.optimised and slugs(path) == ["svc-basics", "svc-advanced"]


def test_partial_courses_that_add_up_are_not_lost():
    """Two half-courses together close a gap that no single course completes: the greedy path's."""
    catalogue = Catalogue([course("half-1", "svc", 3, 5, weight=0.5), course("half-2", "svc", 4, 5, weight=0.5)])
    path = learning_path_for("r", {"svc": 4.0}, {"svc": 5}, catalogue)
    assert not path.open_gaps and set(slugs(path)) == {"half-1", "half-2"}
    check_levels_after(path, {"svc": 4.0}, {"svc": 5})


@pytest.mark.parametrize("limit", [float("nan"), float("inf"), -1.0])
def test_a_limit_that_is_no_number_of_hours_is_refused(limit):
    with pytest.raises(ValueError):
        optimal_path("r", {"svc": 0}, {"svc": 2}, CATALOGUE, max_hours=limit)


def taught_but_not_reached(catalogue, levels, requirements):
    """The level steps the optimiser counts as taught that its scheduled path does not reach."""
    steps = paths.missing_steps(levels, requirements)
    teaches = paths._candidates(catalogue, steps, levels, set())
    prerequisites = paths._needed_prerequisites(catalogue, teaches, levels, set())
    chosen, open_steps = paths._solve(catalogue, steps, teaches, prerequisites, paths.MAX_STEPS, None, None)
    ordered = paths._schedule(catalogue, chosen, steps, teaches, prerequisites, levels, requirements)
    after = ordered[-1].levels_after if ordered else levels
    return [
        step
        for index, step in enumerate(steps)
        if index not in open_steps and after[step.competency] < step.start + 1 - TOLERANCE
    ]


def test_what_the_optimiser_counts_as_taught_the_scheduled_path_teaches():
    """A course is counted only for the level steps it completes when taken (a course with weight < 1 is
    not counted for two steps it would complete only if taken twice), and a step above an open one is
    open too (nobody takes the course for 3 -> 4 before reaching 3)."""
    rng = random.Random(5)
    for _ in range(300):
        catalogue = random_catalogue(rng, rng.choice([5, 20, 60]), per_course=(1,))
        levels = {c: rng.uniform(0, 4) for c in "abcd"}
        requirements = {c: rng.randint(1, 5) for c in "abcd"}
        assert taught_but_not_reached(catalogue, levels, requirements) == []


def test_courses_for_several_competencies_rarely_need_each_other_first():
    """Two courses that each need a level the other one teaches cannot both come first: the one case the
    covering problem does not see (the path then names the gap open; the greedy path may do better)."""
    rng = random.Random(5)
    short = 0
    for _ in range(400):
        catalogue = random_catalogue(rng, rng.choice([5, 20, 60]))
        levels = {c: rng.uniform(0, 4) for c in "abcd"}
        requirements = {c: rng.randint(1, 5) for c in "abcd"}
        short += bool(taught_but_not_reached(catalogue, levels, requirements))
    assert short <= 4  # 2 of 400 paths (96 before these two rules)


def test_a_part_course_is_not_counted_for_two_steps_it_completes_only_one_at_a_time():
    # taken at 1, the course reaches 1 + (4 - 1) * 0.5 = 2.5: the step 1 -> 2, not the step 2 -> 3
    part = course("part", "svc", 1, 4, weight=0.5, hours=8)
    whole = course("whole", "svc", 1, 3, hours=30)
    path = optimal_path("r", {"svc": 1.0}, {"svc": 3}, Catalogue([part, whole]))
    assert not path.open_gaps
    check_levels_after(path, {"svc": 1.0}, {"svc": 3})


# The path is planned from the levels as the page shows them (`one_decimal`), so a move it cannot show moves nothing.


def test_a_level_change_the_page_cannot_show_leaves_the_path_as_it_was():
    """Communication 0.504 -> 0.496 ("0,5" both times) added a 30-hour course: a course from level 1 is in reach
    from 0.504 (within half a level) and was not from 0.496."""
    catalogue = Catalogue([course("com-short", "com", 1, 2, hours=5), course("com-long", "com", 0, 2, hours=30)])
    shown = learning_path_for("r", {"com": 0.5}, {"com": 2}, catalogue)
    assert slugs(shown) == ["com-short"]
    for level in (0.496, 0.504):
        path = learning_path_for("r", {"com": level}, {"com": 2}, catalogue)
        assert slugs(path) == slugs(shown)
        assert path.steps[-1].levels_after == shown.steps[-1].levels_after  # from the shown 0,5: checkable


def test_the_path_is_the_same_for_every_level_the_page_shows_alike():
    rng = random.Random(28)
    for _ in range(300):
        catalogue = random_catalogue(rng, rng.choice([5, 20, 60]))
        levels = {c: rng.uniform(0, 5) for c in "abcd"}
        requirements = {c: rng.randint(0, 5) for c in "abcd"}
        shown = paths.shown_levels(levels)
        # another estimate the page shows alike: anywhere within the same tenth
        nearby = {c: min(5.0, max(0.0, v + rng.uniform(-0.0499, 0.0499))) for c, v in shown.items()}
        assert paths.shown_levels(nearby) == shown
        assert learning_path_for("r", levels, requirements, catalogue) == learning_path_for(
            "r", nearby, requirements, catalogue
        )


# Every step does something: it works on a gap still open when it starts, or a later step needs it first.


def idle_steps(path, levels, requirements, catalogue, done=()):
    """The steps that close and narrow nothing still open when they start, and that no later step requires."""
    before = dict(levels)
    for slug in done:
        paths._apply(catalogue.courses[slug], before)
    idle = []
    for index, step in enumerate(path.steps):
        worked_on = [c for c in step.levels_after if c in requirements and step.levels_after[c] > before.get(c, 0.0)]
        still_open = [c for c in worked_on if requirements[c] - before.get(c, 0.0) > TOLERANCE]
        needed = any(step.course.slug in later.requires for later in path.steps[index + 1 :])
        closes, narrows = paths.closed_and_narrowed(step, requirements)
        if not needed and not (still_open and (closes or narrows)):
            idle.append(step.course.slug)
        assert set(step.closes) <= set(still_open), "a step claims a gap closed before it"
        before = dict(step.levels_after)
    return idle


def test_a_course_whose_gap_an_earlier_step_closed_is_dropped_from_the_path():
    """Once the hospitation was done, the ISO 27001 Lead Auditor step closed process design as a side topic, and
    COBIT (16 h, chosen for process design) was left in the path closing and narrowing nothing."""
    catalogue = Catalogue(
        [
            CourseSpec("hospitation", "hospitation", 24, 0.0, (("sec", 1.0, 2, 3), ("prc", 0.3, 2, 3))),
            CourseSpec("lead-auditor", "lead-auditor", 35, 0.0, (("sec", 1.0, 3, 4), ("prc", 0.3, 3, 4))),
            CourseSpec("cobit", "cobit", 16, None, (("prc", 1.0, 2, 3),)),
            CourseSpec("togaf", "togaf", 16, 0.0, (("arc", 1.0, 1, 3), ("prc", 0.5, 2, 3))),
        ]
    )
    # process design: neither TOGAF (2.3 -> 2.65) nor the Lead Auditor (from 3, out of reach at 2.3) surely closes
    # it, so COBIT is chosen; but taken after TOGAF, the Lead Auditor brings it to 3.05
    levels, requirements = {"sec": 2.0, "prc": 2.0, "arc": 1.0}, {"sec": 4, "prc": 3, "arc": 3}
    for plan in (optimal_path, learning_path_for):
        path = plan("r", levels, requirements, catalogue, done={"hospitation"})
        assert not path.open_gaps
        assert slugs(path) == ["togaf", "lead-auditor"]
        assert idle_steps(path, levels, requirements, catalogue, ["hospitation"]) == []


def test_no_step_of_a_path_is_idle_for_many_people_and_courses_done():
    rng = random.Random(29)
    for _ in range(600):
        catalogue = random_catalogue(rng, rng.choice([5, 20, 60]))
        levels = {c: rng.uniform(0, 4) for c in "abcd"}
        requirements = {c: rng.randint(0, 5) for c in "abcd"}
        done = sorted({f"k{rng.randrange(len(catalogue.courses) or 1)}" for _ in range(rng.randint(0, 3))})
        done = [d for d in done if d in catalogue.courses]
        limits = rng.choice([{}, {"max_hours": rng.choice([10.0, 30.0, 80.0])}, {"max_price_eur": 500.0}])
        path = learning_path_for("r", levels, requirements, catalogue, done=done, **limits)
        assert idle_steps(path, paths.shown_levels(levels), requirements, catalogue, done) == []
        optimal = optimal_path("r", levels, requirements, catalogue, done=done, **limits)
        assert idle_steps(optimal, levels, requirements, catalogue, done) == []
        greedy = paths.greedy_path("r", paths.shown_levels(levels), requirements, catalogue, done=done)
        assert idle_steps(greedy, paths.shown_levels(levels), requirements, catalogue, done) == []


# The page counts and names open gaps: a larger limit never leaves more of them open.


def test_a_larger_hour_limit_closes_the_gaps_a_smaller_one_closed_rather_than_narrow_another():
    """At 40 hours the path closed project management; at 60 it spent 46 hours narrowing communication without
    closing it, and left three gaps open instead of two."""
    catalogue = Catalogue(
        [
            course("prj-foundation", "prj", 1, 2, hours=20),
            course("com-long", "com", 0, 2, hours=46),
        ]
    )
    levels, requirements = {"prj": 1.0, "com": 0.0}, {"prj": 2, "com": 4}
    small = learning_path_for("r", levels, requirements, catalogue, max_hours=40)
    large = learning_path_for("r", levels, requirements, catalogue, max_hours=60)
    assert small.open_gaps == ("com",)
    assert large.open_gaps == ("com",)
    assert "prj-foundation" in slugs(large)


def test_courses_that_need_each_others_levels_first_are_planned_again_with_one_that_does_not():
    """The optimiser counts each course for the steps it teaches once the steps below are done; here each needs a level
    the other teaches (d-high's 3 -> 5 needs a-mid's d, a-mid's a needs d-high's a), so no order closes both gaps.
    The path left "a" open while the optimiser counted it closed: now that set is excluded and the next best taken."""
    catalogue = Catalogue(
        [
            CourseSpec("d-high", "d-high", 10, 0.0, (("d", 1.0, 3, 5), ("a", 0.3, 0, 3))),
            CourseSpec("a-mid", "a-mid", 10, 0.0, (("a", 0.5, 1, 4), ("d", 1.0, 2, 3))),
            CourseSpec("a-basics", "a-basics", 30, 0.0, (("a", 1.0, 0, 2),)),
        ]
    )
    levels, requirements = {"a": 0.3, "d": 2.3}, {"a": 2, "d": 5}
    path = optimal_path("r", levels, requirements, catalogue)
    assert path.open_gaps == ()
    check_levels_after(path, levels, requirements)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["max_hours", "max_price_eur"]))
def test_raising_a_limit_never_leaves_more_gaps_open(seed, limit):
    """Courses for one competency each: there the optimiser's count of open gaps is the path's (the steps a course
    is counted for are the steps it reaches, tested above). With courses for two competencies that need each
    other's levels first, a set is planned again up to REPLANS times, and 2 of 3,000 such chains of limits still
    left a gap open at a larger limit (README)."""
    rng = random.Random(seed)
    catalogue = random_catalogue(rng, rng.choice([10, 30, 60]), competencies=("a", "b", "c", "d", "e"), per_course=(1,))
    levels = {c: rng.uniform(0, 3) for c in "abcde"}
    requirements = {c: rng.randint(1, 5) for c in "abcde"}
    done = [f"k{rng.randrange(10)}"] if rng.random() < 0.2 else []
    values = [0, 8, 16, 24, 40, 60, 80, 120, 200, None] if limit == "max_hours" else [0, 90, 500, 1000, 3000, None]
    open_counts = [
        len(learning_path_for("r", levels, requirements, catalogue, done=done, **{limit: value}).open_gaps)
        for value in values
    ]
    assert open_counts == sorted(open_counts, reverse=True), dict(zip(values, open_counts))


def test_what_the_path_without_limits_would_take_is_the_path_shown_without_them():
    """ "Ohne Grenzen bräuchte der Pfad 164 Stunden" stood above a path of 116 hours once the limits were cleared (a
    review): the figure was the optimiser's own path without limits, where the page shows the greedy one when it
    is better. Over random catalogues and limits, the figure is the path the page shows without them."""
    rng = random.Random(5)
    compared = 0
    for _ in range(300):
        catalogue = random_catalogue(rng, rng.choice([10, 30]))
        levels = {c: rng.uniform(0, 4) for c in "abcd"}
        requirements = {c: rng.randint(1, 5) for c in "abcd"}
        hours, euros = rng.choice([None, rng.uniform(0, 80)]), rng.choice([None, rng.uniform(0, 1500)])
        limited = learning_path_for("r", levels, requirements, catalogue, max_hours=hours, max_price_eur=euros)
        free = learning_path_for("r", levels, requirements, catalogue)
        if limited.unlimited is None:
            assert len(free.open_gaps) >= len(limited.open_gaps) or (hours is None and euros is None)
            continue
        compared += 1
        said = limited.unlimited
        assert (said.hours, said.price_eur, said.courses_price_on_request, said.open_gaps, said.as_shown) == (
            free.total_hours,
            free.total_price_eur,
            free.courses_price_on_request,
            free.open_gaps,
            True,
        )
    assert compared >= 50
