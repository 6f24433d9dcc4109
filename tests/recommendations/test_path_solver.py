"""The learning path's exact search finds the same optimum as scipy's integer solver, without scipy for
the usual small problem."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommendations import paths
from recommendations.paths import Catalogue, CourseSpec, _branch_and_bound, _highs, _Problem, optimal_path
from tests.recommendations.test_paths import check_levels_after, random_catalogue


def reference_optimum(problem: _Problem) -> float:
    """The optimum by scipy's milp on the plain model (every variable whole, no gap allowed)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    n, m = len(problem.cost), len(problem.open_cost)
    rows: list[np.ndarray] = []
    lower: list[float] = []
    upper: list[float] = []
    for step in range(m):  # taught by a course or left open
        row = np.zeros(n + m)
        row[[c for c in range(n) if step in problem.teaches[c]]] = 1
        row[n + step] = 1
        rows.append(row)
        lower.append(1)
        upper.append(np.inf)
    for course in range(n):  # a course only with what it requires
        for pre in problem.requires[course]:
            row = np.zeros(n + m)
            row[course] += 1
            row[pre] -= 1
            rows.append(row)
            lower.append(-np.inf)
            upper.append(0)
    for step in range(m):  # a step open: the steps above it in its competency open too
        for higher in problem.higher(step):
            row = np.zeros(n + m)
            row[n + step] += 1
            row[n + higher] -= 1
            rows.append(row)
            lower.append(-np.inf)
            upper.append(0)
    for coefficients, limit in (
        ([1.0] * n, problem.max_courses),
        (problem.hours, problem.max_hours),
        (problem.price, problem.max_price_eur),
    ):
        if limit is not None:
            rows.append(np.concatenate([coefficients, np.zeros(m)]))
            lower.append(-np.inf)
            upper.append(limit)
    result = milp(
        np.concatenate([problem.cost, problem.open_cost]),
        constraints=LinearConstraint(np.array(rows), lower, upper),
        integrality=np.ones(n + m, dtype=int),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0},
    )
    assert result.x is not None, result.message
    x = np.round(result.x)
    chosen = [c for c in range(n) if x[c]]
    open_steps = [s for s in range(m) if x[n + s]]
    assert problem.feasible(chosen, open_steps)
    return problem.objective(chosen, open_steps)


@st.composite
def problems(draw, min_cost: float = 0.5) -> _Problem:
    """Small covering problems like a path's: courses with hours and prices, steps they teach,
    prerequisites (now and then a cycle), and sometimes limits that leave steps open."""
    n = draw(st.integers(1, 9))
    m = draw(st.integers(1, 7))
    hours = draw(st.lists(st.sampled_from([min_cost, 2.0, 4.0, 8.0, 8.0, 16.0, 24.0, 40.0]), min_size=n, max_size=n))
    price = draw(st.lists(st.sampled_from([0.0, 90.0, 490.0, 490.0, 1290.0]), min_size=n, max_size=n))
    bonus = draw(st.lists(st.sampled_from([0.0, 10.0, 50.0, 60.0]), min_size=n, max_size=n))
    teaches = draw(
        st.lists(st.frozensets(st.integers(0, m - 1), max_size=min(m, 3)), min_size=n, max_size=n).map(
            lambda sets: tuple(tuple(sorted(s)) for s in sets)
        )
    )
    requires = tuple(
        # mypy cannot infer the type of a lambda with a default argument (it binds this course)
        tuple(sorted(draw(st.frozensets(st.integers(0, n - 1).filter(lambda pre, c=c: pre != c), max_size=2))))  # type: ignore[arg-type]
        if n > 1 and draw(st.booleans())
        else ()
        for c in range(n)
    )
    open_cost = draw(st.lists(st.sampled_from([3.0, 10.0, 25.0, 10_000.0, 13_000.0]), min_size=m, max_size=m))
    competency = draw(st.lists(st.integers(0, 2), min_size=m, max_size=m))  # steps of a competency, in order
    above = tuple(tuple(t for t in range(s + 1, m) if competency[t] == competency[s]) for s in range(m))
    return _Problem(
        cost=tuple(h + paths.EURO_IN_HOURS * (p - b) for h, p, b in zip(hours, price, bonus)),
        hours=tuple(hours),
        price=tuple(price),
        teaches=teaches,
        requires=requires,
        open_cost=tuple(open_cost),
        max_courses=draw(st.integers(1, 12)),
        max_hours=draw(st.one_of(st.none(), st.sampled_from([0.0, 8.0, 20.0, 40.0, 64.0]))),
        max_price_eur=draw(st.one_of(st.none(), st.sampled_from([0.0, 500.0, 1500.0]))),
        above=above,
    )


@settings(max_examples=300, deadline=None)
@given(problems())
def test_the_exact_search_finds_the_same_optimum_as_scipys_milp(problem):
    found = _branch_and_bound(problem, max_nodes=1_000_000)
    assert found is not None
    chosen, open_steps = found
    assert problem.feasible(chosen, open_steps)
    assert problem.objective(chosen, open_steps) == pytest.approx(reference_optimum(problem), abs=1e-7)


@settings(max_examples=100, deadline=None)
@given(problems())
def test_scipys_solver_finds_the_same_optimum_when_the_search_gives_up(problem):
    chosen, open_steps = _highs(problem)
    assert problem.feasible(chosen, open_steps)
    assert problem.objective(chosen, open_steps) == pytest.approx(reference_optimum(problem), abs=1e-7)


@settings(max_examples=100, deadline=None)
@given(problems())
def test_the_search_gives_the_same_answer_every_time(problem):
    assert _branch_and_bound(problem) == _branch_and_bound(problem)


def test_a_course_that_costs_nothing_is_left_to_scipy():
    free = _Problem(
        cost=(-0.0006, 4.0), hours=(0.0, 4.0), price=(0.0, 0.0), teaches=((0,), (0,)), requires=((), ()),
        open_cost=(10_000.0,), max_courses=12,
    )  # fmt: skip
    assert _branch_and_bound(free) is None
    assert _highs(free) == ([0], [])


def course(slug, competency, start, end, hours=10, price=100, prerequisites=(), fmt="online"):
    return CourseSpec(
        slug=slug,
        title=slug,
        hours=hours,
        price_eur=price,
        develops=((competency, 1.0, start, end),),
        prerequisites=tuple(prerequisites),
        format=fmt,
    )


def test_of_equal_courses_the_path_takes_the_first_by_name_whatever_the_catalogue_order():
    names = ["twin-a", "twin-b", "twin-c"]
    for order in (names, names[::-1]):
        catalogue = Catalogue([course(n, "svc", 0, 2) for n in order] + [course("x-" + n, "prj", 0, 1) for n in order])
        path = optimal_path("r", {"svc": 0, "prj": 0}, {"svc": 2, "prj": 1}, catalogue)
        assert [s.course.slug for s in path.steps] == ["twin-a", "x-twin-a"]


CATALOGUE = Catalogue(
    [
        course("svc-basics", "svc", 0, 2, hours=16),
        course("svc-advanced", "svc", 2, 4, hours=24, prerequisites=["svc-basics"]),
        course("svc-bootcamp", "svc", 0, 4, hours=48, price=2400),
        course("prj-basics", "prj", 0, 2, hours=8),
        course("prj-practice", "prj", 2, 3, hours=8, prerequisites=["prj-basics"], fmt="on_the_job"),
        course("prj-long", "prj", 1, 3, hours=20, price=0),
        course("com-workshop", "com", 1, 3, hours=6, fmt="classroom", price=0),
    ]
)


def test_a_usual_path_is_found_without_scipy(monkeypatch):
    def no_scipy(problem):
        raise AssertionError("scipy's solver was called")

    monkeypatch.setattr(paths, "_highs", no_scipy)
    path = optimal_path("r", {"svc": 0, "prj": 1, "com": 1}, {"svc": 4, "prj": 3, "com": 3}, CATALOGUE)
    assert path.optimised and not path.open_gaps
    # two short project courses (16 h) beat the long one (20 h), two service courses (40 h) the bootcamp (48 h)
    assert sorted(s.course.slug for s in path.steps) == [
        "com-workshop",
        "prj-basics",
        "prj-practice",
        "svc-advanced",
        "svc-basics",
    ]
    assert path.total_hours == 62


def test_a_search_too_big_for_its_budget_goes_to_scipy_and_gives_the_same_path(monkeypatch):
    levels, requirements = {"svc": 0, "prj": 1, "com": 1}, {"svc": 4, "prj": 3, "com": 3}
    searched = optimal_path("r", levels, requirements, CATALOGUE)
    calls = []
    highs = paths._highs
    monkeypatch.setattr(paths, "SEARCH_NODES", 1)
    monkeypatch.setattr(paths, "_highs", lambda problem: calls.append(problem) or highs(problem))
    solved = optimal_path("r", levels, requirements, CATALOGUE)
    assert calls and solved.steps == searched.steps


def test_the_greedy_path_does_not_call_a_gap_open_that_courses_for_other_gaps_closed():
    """In this catalogue no course starts where the person stands in "b" at one point of the greedy path,
    and "b" is closed later on the way, by courses chosen for "c" (found by hypothesis)."""
    rng = random.Random(69)
    catalogue = random_catalogue(rng, 30)
    levels = {c: rng.uniform(0, 4) for c in "abcd"}
    requirements = {c: rng.randint(1, 5) for c in "abcd"}
    path = paths.greedy_path("r", levels, requirements, catalogue)
    assert path.steps[-1].levels_after["b"] >= requirements["b"]
    assert "b" not in path.open_gaps
    check_levels_after(path, levels, requirements)


def test_under_a_euro_limit_no_course_priced_on_request_is_taken():
    """Whether a course priced on request keeps a euro limit cannot be checked, so a path under a limit takes
    none (the optimal path and the greedy fallback alike); without a limit they are taken as before."""
    rng = random.Random(3)
    took_on_request = 0
    for _ in range(200):
        catalogue = random_catalogue(rng, rng.choice([5, 20, 60]))
        levels = {c: rng.uniform(0, 3) for c in "abcd"}
        requirements = {c: float(rng.randint(2, 5)) for c in "abcd"}
        free = paths.learning_path_for("r", levels, requirements, catalogue)
        took_on_request += free.courses_price_on_request > 0
        for limit in (0.0, 500.0, 5000.0):
            limited = paths.learning_path_for("r", levels, requirements, catalogue, max_price_eur=limit)
            assert limited.courses_price_on_request == 0
            assert limited.total_price_eur <= limit
    assert took_on_request > 50  # the catalogues do offer such courses
