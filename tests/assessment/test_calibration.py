"""Item calibration: the fit recovers known item parameters and the self-rating noise from simulated answers;
`manage.py calibrate_items` stores versions, switches the items only with enough answers, and the admin can
switch back."""

from __future__ import annotations

import math
from io import StringIO

import numpy as np
import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessment import tasks
from assessment.bank import item_spec
from assessment.calibration import (
    LOW_DISCRIMINATION,
    MISFIT,
    NOT_RISING,
    CalibrationError,
    CalibrationItem,
    Respondent,
    calibrate,
)
from assessment.models import (
    Answer,
    Assessment,
    CalibrationVersion,
    Competency,
    Item,
    ItemCalibration,
    Option,
    Section,
    shipped_parameters,
)
from recommendations import tasks as recommendation_tasks
from tests.conftest import run_queued_tasks

ANCHORS = (2, 4)  # the labelled difficulties marked as anchors, as the migration marks them


def simulated_bank(competencies: int, rng: np.random.Generator, spread: float = 0.5):
    """Five checks (labelled 1-5) per competency; the true location is the seed moved by about `spread`
    levels (anchors sit exactly at theirs), the true discrimination scatters around 1.5."""
    items, truth = [], {}
    for c in range(competencies):
        for difficulty in range(1, 6):
            anchor = difficulty in ANCHORS
            seed = difficulty - 0.5
            slug = f"c{c}-k{difficulty}"
            location = seed if anchor else seed + rng.normal(0, spread)
            truth[slug] = (float(np.clip(location, -0.5, 5.5)), float(np.exp(rng.normal(math.log(1.5), 0.3))))
            items.append(CalibrationItem(slug, f"c{c}", options=4, location=seed, anchor=anchor))
    return items, truth


def simulated_people(
    truth, competencies: int, people: int, rng: np.random.Generator, noise: float, bias_sd: float, bias_mean=0.0
):
    """People whose levels (continuous, 0-5) vary around a personal mean; self-ratings are level + bias + noise,
    rounded; a check is right with the three-parameter logistic chance (guessing 1/4)."""
    respondents = []
    for _ in range(people):
        mean, bias = rng.uniform(0.5, 4.5), rng.normal(bias_mean, bias_sd)
        checks, ratings = {}, {}
        for c in range(competencies):
            level = float(np.clip(mean + rng.normal(0, 0.8), 0, 5))
            ratings[f"c{c}"] = int(np.clip(round(level + bias + rng.normal(0, noise)), 0, 5))
            for difficulty in range(1, 6):
                slug = f"c{c}-k{difficulty}"
                location, discrimination = truth[slug]
                right = 0.25 + 0.75 / (1 + math.exp(-discrimination * (level - location)))
                checks[slug] = bool(rng.random() < right)
        respondents.append(Respondent(checks, ratings))
    return respondents


@pytest.fixture(scope="module")
def fitted():
    """500 answers per item, four competencies, self-rating noise 0.8 (not the measurement's 0.5), people who
    rate themselves half a level low on average (the measurement's shipped prior says 0)."""
    rng = np.random.default_rng(2026)
    items, truth = simulated_bank(4, rng)
    people = simulated_people(truth, 4, 500, rng, noise=0.8, bias_sd=1.0, bias_mean=-0.5)
    return items, truth, calibrate(items, people)


def test_with_500_answers_per_item_the_difficulties_come_back_within_a_third_of_a_level(fitted):
    items, truth, result = fitted
    learned = [fit for fit in result.items if not fit.anchor]
    assert {fit.answers for fit in result.items} == {500}
    error = float(np.mean([abs(fit.location - truth[fit.slug][0]) for fit in learned]))
    seeds = {item.slug: item.location for item in items}
    error_before = float(np.mean([abs(seeds[fit.slug] - truth[fit.slug][0]) for fit in learned]))
    print(f"\nlocation MAE over {len(learned)} learned items: {error:.3f} levels (labels: {error_before:.3f})")
    assert result.converged
    assert error <= 0.35
    assert error < error_before  # learning from answers beats the labels


def test_the_discriminations_come_back_roughly(fitted):
    _items, truth, result = fitted
    ratios = [abs(math.log(fit.discrimination / truth[fit.slug][1])) for fit in result.items]
    print(f"\ndiscrimination: mean |log(learned / true)| {np.mean(ratios):.3f}")
    assert np.mean(ratios) < 0.35  # on average within about 40 %
    learned = np.array([fit.discrimination for fit in result.items])
    true = np.array([truth[fit.slug][1] for fit in result.items])
    assert np.corrcoef(learned, true)[0, 1] > 0.5


def test_anchors_keep_their_location(fitted):
    items, _truth, result = fitted
    for item in items:
        if item.anchor:
            assert result.item(item.slug).location == item.location
            assert result.item(item.slug).location_se == 0


def test_the_standard_errors_are_honest(fitted):
    _items, truth, result = fitted
    learned = [fit for fit in result.items if not fit.anchor]
    inside = [abs(fit.location - truth[fit.slug][0]) <= 2 * fit.location_se for fit in learned]
    assert np.mean(inside) >= 0.8


def test_it_estimates_the_self_rating_noise_from_the_self_ratings(fitted):
    _items, _truth, result = fitted
    ratings = result.self_ratings
    print(
        f"\nself-rating noise {ratings.noise:.3f} (true 0.8), on the six steps {ratings.noise_on_steps:.3f}; "
        f"bias {ratings.bias_mean:+.2f} sd {ratings.bias_sd:.2f} (true -0.5, 1.0), on the six steps "
        f"{ratings.bias_mean_on_steps:+.2f} sd {ratings.bias_sd_on_steps:.2f}"
    )
    assert abs(ratings.noise - 0.8) < 0.12
    assert abs(ratings.bias_mean + 0.5) < 0.15 and abs(ratings.bias_mean_on_steps + 0.5) < 0.2
    assert abs(ratings.bias_sd - 1.0) < 0.25
    assert ratings.ratings == 2000 and ratings.people == 500


def test_well_made_items_are_not_flagged(fitted):
    _items, _truth, result = fitted
    assert [fit.slug for fit in result.items if fit.flags] == []


def test_it_flags_an_item_with_a_wrong_key_and_one_that_asks_about_something_else():
    rng = np.random.default_rng(7)
    items, truth = simulated_bank(2, rng)
    people = simulated_people(truth, 2, 400, rng, noise=0.5, bias_sd=1.0)
    for person in people:
        person.checks["c0-k3"] = not person.checks["c0-k3"]  # the key marks a wrong option as right
        person.checks["c1-k5"] = bool(rng.random() < 0.5)  # unrelated to the level
    result = calibrate(items, people)
    assert NOT_RISING in result.item("c0-k3").flags
    assert {LOW_DISCRIMINATION, NOT_RISING} & set(result.item("c1-k5").flags)
    assert not result.item("c0-k3").fits
    assert all(fit.fits for fit in result.items if fit.slug not in {"c0-k3", "c1-k5"})


def test_the_flag_codes_are_the_ones_the_admin_words():
    assert {LOW_DISCRIMINATION, NOT_RISING, MISFIT} == set(ItemCalibration.Flag.values)


def test_a_competency_without_an_anchor_cannot_be_calibrated():
    items = [CalibrationItem(f"x-k{d}", "x", 4, d - 0.5) for d in range(1, 6)]
    with pytest.raises(CalibrationError, match="anchor"):
        calibrate(items, [Respondent({"x-k1": True})])


def test_with_one_anchor_its_discrimination_stays_too():
    rng = np.random.default_rng(3)
    items, truth = simulated_bank(1, rng)
    items = [CalibrationItem(i.slug, i.competency, 4, i.location, 1.5, anchor=i.slug.endswith("k3")) for i in items]
    people = simulated_people(truth, 1, 150, rng, noise=0.5, bias_sd=1.0)
    result = calibrate(items, people)
    assert result.item("c0-k3").location == 2.5
    assert result.item("c0-k3").discrimination == 1.5
    assert result.item("c0-k2").discrimination != 1.5


def test_without_answers_there_is_nothing_to_calibrate():
    items = [CalibrationItem("x-k1", "x", 4, 0.5, anchor=True)]
    with pytest.raises(CalibrationError, match="no answers"):
        calibrate(items, [Respondent({"other": True})])


# The command and the admin, on a small bank of their own (the shipped items are put aside).


@pytest.fixture
def bank(db):
    """Two competencies with a self-rating and five checks each (labelled 2 and 4: anchors); nothing else active."""
    Item.objects.update(active=False)
    section = Section.objects.create(slug="cal", name_de="Kalibrierung", name_en="Calibration", order=99)
    checks = {}
    for c in range(2):
        competency = Competency.objects.create(slug=f"cal{c}", section=section, name_de=f"K{c}", name_en=f"C{c}")
        rating = Item.objects.create(
            slug=f"cal{c}-self", kind=Item.Kind.SELF_RATING, competency=competency, text_de="?", text_en="?"
        )
        Option.objects.bulk_create(
            Option(item=rating, value=str(level), label_de=str(level), label_en=str(level), level=level)
            for level in range(6)
        )
        for difficulty in range(1, 6):
            item = Item.objects.create(
                slug=f"cal{c}-k{difficulty}",
                kind=Item.Kind.KNOWLEDGE,
                competency=competency,
                difficulty=difficulty,
                location=difficulty - 0.5,
                discrimination=1.5,
                anchor=difficulty in ANCHORS,
                text_de="?",
                text_en="?",
                order=difficulty,
            )
            Option.objects.bulk_create(
                Option(item=item, value=v, label_de=v, label_en=v, correct=v == "a") for v in ("a", "b", "c", "d")
            )
            checks[item.slug] = item
    return checks


def answer_in_the_database(people: int, seed: int = 11, finished: bool = True) -> None:
    """`people` assessments answered by simulated people (true locations off the labels by up to a level)."""
    rng = np.random.default_rng(seed)
    items = Item.objects.filter(slug__startswith="cal").prefetch_related("options")
    options = {(o.item.slug, o.value): o for item in items for o in item.options.all()}
    truth = {
        f"cal{c}-k{d}": (d - 0.5 + (0 if d in ANCHORS else (d - 3) * 0.3), 1.5) for c in range(2) for d in range(1, 6)
    }
    now = timezone.now() if finished else None
    assessments = Assessment.objects.bulk_create(Assessment(finished_at=now) for _ in range(people))
    answers = []
    for assessment in assessments:
        mean, bias = rng.uniform(0.5, 4.5), rng.normal(0, 1)
        for c in range(2):
            level = float(np.clip(mean + rng.normal(0, 0.8), 0, 5))
            said = int(np.clip(round(level + bias + rng.normal(0, 0.5)), 0, 5))
            rating = options[(f"cal{c}-self", str(said))]
            answers.append(Answer(assessment=assessment, item=rating.item, option=rating))
            for d in range(1, 6):
                slug = f"cal{c}-k{d}"
                location, discrimination = truth[slug]
                right = rng.random() < 0.25 + 0.75 / (1 + math.exp(-discrimination * (level - location)))
                option = options[(slug, "a" if right else str(rng.choice(["b", "c", "d"])))]
                answers.append(Answer(assessment=assessment, item=option.item, option=option))
    Answer.objects.bulk_create(answers)


def run(*args: str) -> str:
    out = StringIO()
    call_command("calibrate_items", *args, stdout=out)
    return out.getvalue()


def parameters(checks) -> dict[str, tuple[float | None, float | None, float | None]]:
    return {i.slug: (i.location, i.discrimination, i.location_sd) for i in Item.objects.filter(slug__in=checks)}


@pytest.mark.django_db
def test_the_command_without_any_answers_says_so_and_stores_nothing():
    output = run()
    assert "No answers to learn from yet" in output
    assert not CalibrationVersion.objects.exists()


@pytest.mark.django_db
def test_the_command_on_an_empty_question_bank_says_so_and_stores_nothing():
    Item.objects.update(active=False)
    assert "no active knowledge checks" in run()
    assert not CalibrationVersion.objects.exists()


def test_unfinished_assessments_are_not_learned_from(bank):
    answer_in_the_database(30, finished=False)
    assert "No answers to learn from yet" in run()


def test_below_the_answers_needed_the_version_is_stored_but_not_used(bank):
    answer_in_the_database(60)
    before = parameters(bank)
    output = run()  # needs 500 answers per item
    version = CalibrationVersion.objects.get()
    assert not version.active
    assert "inactive" in output and "fewer than 500 answers" in output
    assert version.parameters.count() == 10 and version.answers == 600 and version.assessments == 60
    assert parameters(bank) == before
    assert version.self_rating_noise is not None


def test_a_fit_in_which_many_checks_do_not_fit_is_stored_but_not_used(bank, monkeypatch):
    """A review's calibration from ten people, with one answer needed per item, flagged 56 of 61 checks, was used,
    and then told every new person that their answers looked random."""
    answer_in_the_database(80)
    before = parameters(bank)
    monkeypatch.setattr("assessment.calibration_runs.MAX_MISFIT_SHARE", -1)  # every fit now has too many misfits
    output = run("--min-answers", "80")
    version = CalibrationVersion.objects.get()
    assert not version.active and parameters(bank) == before
    assert "inactive" in output and "do not fit (more than a fifth)" in output


def test_random_answers_do_not_calibrate_the_checks(bank):
    """Answers given at random fit no item's curve: the learned values are stored, never used."""
    rng = np.random.default_rng(5)
    items = Item.objects.filter(slug__startswith="cal").prefetch_related("options")
    assessments = Assessment.objects.bulk_create(Assessment(finished_at=timezone.now()) for _ in range(120))
    Answer.objects.bulk_create(
        Answer(assessment=assessment, item=item, option=rng.choice(list(item.options.all())))
        for assessment in assessments
        for item in items
    )
    before = parameters(bank)
    output = run("--min-answers", "80")
    assert not CalibrationVersion.objects.get().active and parameters(bank) == before
    assert "do not fit (more than a fifth)" in output, output


def test_with_enough_answers_the_items_switch_and_the_admin_can_switch_back(bank, admin_client):
    answer_in_the_database(80)
    shipped = parameters(bank)
    output = run("--min-answers", "80")
    assert "is active" in output
    first = CalibrationVersion.objects.get(active=True)
    learned = parameters(bank)
    rows = first.parameters.select_related("item")
    assert learned == {p.item.slug: (p.location, p.discrimination, p.location_se) for p in rows}
    assert learned["cal0-k5"] != shipped["cal0-k5"]
    assert 0 < learned["cal0-k5"][2] < 1  # its standard error (80 answers), which the measurement integrates over
    for slug in ("cal0-k2", "cal0-k4", "cal1-k2", "cal1-k4"):  # anchors keep their location
        assert learned[slug][0] == shipped[slug][0] and learned[slug][2] == 0
    assert item_spec(Item.objects.get(slug="cal0-k5")).location_sd == learned["cal0-k5"][2]  # what scoring reads
    row = first.parameters.get(item__slug="cal0-k5")
    assert (row.previous_location, row.previous_discrimination, None) == shipped["cal0-k5"]
    # The self-rating noise it learned is what the measurement now uses for every self-rating.
    noises = set(Item.objects.filter(kind=Item.Kind.SELF_RATING).values_list("rating_noise", flat=True))
    assert noises == {first.self_rating_noise} and first.self_rating_noise is not None
    assert item_spec(Item.objects.get(slug="cal0-self")).rating_noise == first.self_rating_noise
    # ... and so is the population's self-rating bias: its mean and spread.
    biases = set(Item.objects.filter(kind=Item.Kind.SELF_RATING).values_list("rating_bias", "rating_bias_sd"))
    assert biases == {(first.self_rating_bias, first.self_rating_bias_sd)} and first.self_rating_bias_sd is not None
    spec = item_spec(Item.objects.get(slug="cal0-self"))
    assert (spec.rating_bias, spec.rating_bias_sd) == (first.self_rating_bias, first.self_rating_bias_sd)

    answer_in_the_database(40, seed=12)
    run("--min-answers", "80")
    second = CalibrationVersion.objects.get(active=True)
    assert second != first and parameters(bank) != learned

    changelist = reverse("admin:assessment_calibrationversion_changelist")
    response = admin_client.post(changelist, {"action": "activate_calibration", "_selected_action": [first.pk]})
    assert response.status_code == 302
    assert CalibrationVersion.objects.get(active=True) == first
    assert parameters(bank) == learned

    response = admin_client.post(changelist, {"action": "use_shipped_values", "_selected_action": [first.pk]})
    assert not CalibrationVersion.objects.filter(active=True).exists()
    assert parameters(bank) == shipped
    assert all(parameters(bank)[slug] == (*shipped_parameters(item), None) for slug, item in bank.items())
    assert not Item.objects.filter(rating_noise__isnull=False).exists()  # back to the shipped noise
    assert not Item.objects.filter(rating_bias__isnull=False).exists()  # and bias
    assert not Item.objects.filter(rating_bias_sd__isnull=False).exists()


def test_the_admin_refuses_a_version_with_too_few_answers(bank, admin_client):
    answer_in_the_database(40)
    run()
    version = CalibrationVersion.objects.get()
    before = parameters(bank)
    changelist = reverse("admin:assessment_calibrationversion_changelist")
    response = admin_client.post(changelist, {"action": "activate_calibration", "_selected_action": [version.pk]})
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    assert not CalibrationVersion.objects.filter(active=True).exists()
    assert parameters(bank) == before
    # the reason that applies, in the right number ("at least 1 answers" read wrong, and named both reasons)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"{version} kann nicht verwendet werden: Jede Frage braucht mindestens {version.min_answers} Antworten."
    ]
    CalibrationVersion.objects.filter(pk=version.pk).update(converged=False, min_answers=1)
    response = admin_client.post(changelist, {"action": "activate_calibration", "_selected_action": [version.pk]})
    assert [str(m) for m in get_messages(response.wsgi_request)][-1] == (
        f"{CalibrationVersion.objects.get()} kann nicht verwendet werden: Die Anpassung ist nicht konvergiert."
    )
    # enough answers and converged, but most checks do not fit: refused, as the run itself refuses to use it
    CalibrationVersion.objects.filter(pk=version.pk).update(converged=True, min_answers=1)
    version.parameters.update(flags="misfit")
    response = admin_client.post(changelist, {"action": "activate_calibration", "_selected_action": [version.pk]})
    assert [str(m) for m in get_messages(response.wsgi_request)][-1] == (
        f"{CalibrationVersion.objects.get()} kann nicht verwendet werden: Mehr als ein Fünftel der Wissensfragen "
        "passt nicht zu ihren Werten."
    )
    assert not CalibrationVersion.objects.filter(active=True).exists()


def test_the_admin_shows_each_version_with_its_items(bank, admin_client):
    answer_in_the_database(40)
    run()
    version = CalibrationVersion.objects.get()
    listing = admin_client.get(reverse("admin:assessment_calibrationversion_changelist"))
    assert listing.status_code == 200 and str(version.pk) in listing.content.decode()
    page = admin_client.get(reverse("admin:assessment_calibrationversion_change", args=[version.pk]))
    assert page.status_code == 200
    assert "cal0-k5" in page.content.decode() and "→" in page.content.decode()


def test_a_dry_run_reports_but_stores_and_changes_nothing(bank):
    answer_in_the_database(60)
    before = parameters(bank)
    output = run("--dry-run", "--min-answers", "10")
    assert "Dry run" in output and "cal0-k5" in output and "Self-ratings, on the measurement's six steps" in output
    assert not CalibrationVersion.objects.exists()
    assert parameters(bank) == before


def test_a_competency_without_anchors_is_a_clear_error(bank):
    Item.objects.filter(slug__startswith="cal1-").update(anchor=False)
    answer_in_the_database(20)
    with pytest.raises(CommandError, match="no anchor item in cal1"):
        run()
    assert not CalibrationVersion.objects.exists()


def test_a_competency_whose_anchors_are_inactive_is_named_with_them(bank):
    anchors = Item.objects.filter(slug__startswith="cal1-", anchor=True)
    slugs = sorted(anchors.values_list("slug", flat=True))
    anchors.update(active=False)
    answer_in_the_database(20)
    with pytest.raises(CommandError, match=f"no anchor item in cal1.*inactive anchors there: {', '.join(slugs)}"):
        run()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["0", "-5", "many"])
def test_a_bad_minimum_is_refused(value):
    with pytest.raises(CommandError, match="min-answers|whole number"):
        run("--min-answers", value)


# Started from the admin: the worker runs the same calibration.

CALIBRATE_URL = "admin:assessment_calibrationversion_run"


def calibrate_from_the_admin(client, min_answers: str = "80"):
    return client.post(reverse(CALIBRATE_URL), {"min_answers": min_answers})


def test_an_admin_starts_a_calibration_that_the_worker_runs_and_the_status_page_reports(bank, admin_client):
    answer_in_the_database(80)
    page = admin_client.get(reverse("admin:assessment_calibrationversion_changelist")).content.decode()
    assert reverse(CALIBRATE_URL) in page
    form = admin_client.get(reverse(CALIBRATE_URL)).content.decode()
    assert "10 aktiven Wissensfragen" in form and "800 Antworten" in form
    response = calibrate_from_the_admin(admin_client)
    assert response.status_code == 302
    assert not CalibrationVersion.objects.exists()  # never in the request
    status_url = response["Location"]
    waiting = admin_client.get(status_url).content.decode()
    assert "<h1>Die Wissensfragen werden kalibriert</h1>" in waiting and "data-reload-seconds" in waiting
    assert calibrate_from_the_admin(admin_client)["Location"] == status_url  # a second click follows the first
    run_queued_tasks()
    version = CalibrationVersion.objects.get(active=True)
    page = admin_client.get(status_url).content.decode()
    assert "<h1>Die Wissensfragen sind kalibriert</h1>" in page and "data-reload-seconds" not in page
    assert f"{version} ist jetzt in Gebrauch" in page
    assert reverse("admin:assessment_calibrationversion_change", args=[version.pk]) in page


def test_with_too_few_answers_the_status_page_says_the_version_is_stored_but_not_used(bank, admin_client):
    answer_in_the_database(40)
    status_url = calibrate_from_the_admin(admin_client)["Location"]
    run_queued_tasks()
    version = CalibrationVersion.objects.get()
    assert not version.active
    page = admin_client.get(status_url).content.decode()
    assert "<h1>Kalibrierung gespeichert, nicht in Gebrauch</h1>" in page
    assert (
        f"{version} ist gespeichert, nicht in Gebrauch: Wissensfragen mit weniger als 80 Antworten: 10 von 10" in page
    )


@pytest.mark.parametrize("value", ["0", "many", ""])
def test_the_admin_form_refuses_a_bad_minimum_and_queues_nothing(bank, admin_client, value):
    response = calibrate_from_the_admin(admin_client, value)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not DBTaskResult.objects.exists()


def test_the_admin_form_refuses_a_bank_without_an_active_anchor_and_names_the_competency(bank, admin_client):
    Item.objects.filter(slug__startswith="cal1-", anchor=True).update(active=False)
    response = calibrate_from_the_admin(admin_client)
    assert response.status_code == 400
    assert "Keine aktive Ankerfrage unter den Wissensfragen von: K1." in response.content.decode()
    assert not DBTaskResult.objects.exists()


def test_calibrating_needs_the_permission_to_use_calibrations(bank, client, django_user_model):
    staff = django_user_model.objects.create_user("redaktion", password="x-unknown-3", is_staff=True)
    client.force_login(staff)
    assert client.get(reverse(CALIBRATE_URL)).status_code == 403
    assert calibrate_from_the_admin(client).status_code == 403
    unknown = reverse(f"{CALIBRATE_URL}_status", args=["0" * 8 + "-0000-4000-8000-" + "0" * 12])
    assert client.get(unknown).status_code == 403


def test_the_status_of_an_unknown_calibration_is_a_404(admin_client):
    unknown = reverse(f"{CALIBRATE_URL}_status", args=["0" * 8 + "-0000-4000-8000-" + "0" * 12])
    assert admin_client.get(unknown).status_code == 404


def test_every_task_status_page_is_a_404_for_the_id_of_another_tasks_run(admin_client):
    calibration = tasks.calibrate_items.enqueue(80).id
    retraining = recommendation_tasks.retrain.enqueue().id
    for url_name, other in [
        (f"{CALIBRATE_URL}_status", retraining),
        ("admin:recommendations_modelversion_retrain_status", calibration),
        ("admin:recommendations_course_import_status", calibration),
    ]:
        assert admin_client.get(reverse(url_name, args=[other])).status_code == 404, url_name


def test_an_anchor_deactivated_while_the_calibration_waits_is_reported_in_the_admins_words(bank, admin_client):
    answer_in_the_database(80)
    status_url = calibrate_from_the_admin(admin_client)["Location"]
    Item.objects.filter(slug__startswith="cal1-", anchor=True).update(active=False)
    run_queued_tasks()
    assert not CalibrationVersion.objects.exists()
    page = admin_client.get(status_url).content.decode()
    assert "<h1>Die Kalibrierung der Wissensfragen ist fehlgeschlagen</h1>" in page
    assert "Keine aktive Ankerfrage unter den Wissensfragen von: K1." in page
    assert "CalibrationFailed" not in page and "no anchor item" not in page
