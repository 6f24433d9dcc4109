from __future__ import annotations

from recommendations.paths import Catalogue, CourseSpec, learning_path_for


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


def test_a_course_marked_done_counts_as_taken():
    path = learning_path_for(
        "r", {"svc": 0, "prj": 3, "com": 3}, {"svc": 4, "prj": 3, "com": 3}, CATALOGUE, done={"svc-basics"}
    )
    assert slugs(path) == ["svc-advanced"]
    assert path.steps[0].requires == ()
