from __future__ import annotations

import time
from datetime import timedelta

import numpy as np
import pytest

from assessment.bank import competency_slugs, item_spec, items_with_options
from assessment.measurement import score_profile
from recommendations import recommender
from recommendations.catalogue import snapshot
from recommendations.lifecycle import active_model, train_and_activate
from recommendations.models import ConfirmedOutcome, ModelVersion, Role
from recommendations.services import recommend
from tests.recommendations.personas import PERSONAS, answers_of

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def roles_and_competencies(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        current = snapshot()
    return current.roles, current.competencies


@pytest.fixture(scope="module")
def full_model(roles_and_competencies):
    roles, competencies = roles_and_competencies
    return recommender.train(roles, competencies)


def test_cross_validated_accuracy_is_well_above_chance(full_model):
    # Ten roles, so guessing gives 10 % top-1. Neighbouring roles (service desk lead vs operations,
    # organiser vs project manager) share most requirements, so people of one are sometimes
    # closest to the other: 80 % top-1 and 97 % top-3 on held-out people is the bar.
    assert full_model.metrics["cv_top1_accuracy"] >= 0.80
    assert full_model.metrics["cv_top3_accuracy"] >= 0.97
    assert full_model.metrics["cv_brier"] < 0.06


def test_training_is_deterministic(roles_and_competencies, full_model):
    roles, competencies = roles_and_competencies
    again = recommender.train(roles, competencies)
    assert again.training_data_hash == full_model.training_data_hash
    profiles = np.random.default_rng(1).uniform(0, 5, size=(20, len(competencies)))
    styles = np.zeros(20)
    assert np.array_equal(
        recommender.predict(again, profiles, styles, roles), recommender.predict(full_model, profiles, styles, roles)
    )


def test_a_saved_model_loads_and_predicts_the_same(roles_and_competencies, full_model):
    roles, competencies = roles_and_competencies
    loaded = recommender.load(recommender.save(full_model))
    profile = np.full((1, len(competencies)), 2.0)
    assert np.allclose(
        recommender.predict(loaded, profile, np.zeros(1), roles),
        recommender.predict(full_model, profile, np.zeros(1), roles),
    )


def test_a_corrupt_model_is_refused_not_executed():
    with pytest.raises(recommender.IncompatibleModel):
        recommender.load(b"not a model at all")


def test_fits_are_probabilities(roles_and_competencies, full_model):
    roles, competencies = roles_and_competencies
    profiles = np.random.default_rng(2).uniform(0, 5, size=(50, len(competencies)))
    fits = recommender.predict(full_model, profiles, np.random.default_rng(3).uniform(-1, 1, 50), roles)
    assert fits.min() >= 0 and fits.max() <= 1


def profile_of(persona_levels, style, bias):
    items = items_with_options()
    answers = answers_of(persona_levels, style, bias, items)
    return score_profile(competency_slugs(), [item_spec(i) for i in items], answers)


def test_our_own_personas_get_the_roles_that_fit_them():
    profiles = [profile_of(lv, style, bias) for _, _, lv, style, bias, _ in PERSONAS]
    results = recommend(profiles)
    top1 = sum(r.roles[0].slug in p[5] for r, p in zip(results, PERSONAS))
    misses = [p[0] for r, p in zip(results, PERSONAS) if not {x.slug for x in r.roles[:3]} & p[5]]
    assert not misses, misses
    assert top1 / len(PERSONAS) >= 0.8


def test_a_career_changer_gets_the_entry_role_and_a_path_towards_it():
    newcomer = profile_of(dict.fromkeys(PERSONAS[0][2], 0) | {"communication": 2, "change_resilience": 2}, 0.0, 0)
    result = recommend([newcomer])[0]
    assert result.roles[0].slug == "it_coordinator"
    assert result.path.target_role == "it_coordinator"
    assert len(result.path.steps) >= 3
    assert not {"it_architect", "security_officer"} & {r.slug for r in result.roles[:3]}


def test_an_expert_is_not_sent_to_the_entry_role():
    expert = profile_of(dict.fromkeys(PERSONAS[0][2], 5), 0.6, 0)
    result = recommend([expert])[0]
    assert result.roles[0].slug != "it_coordinator"
    ranks = [r.slug for r in result.roles]
    assert ranks.index("it_architect") < ranks.index("it_coordinator")


def test_broad_experts_get_the_role_the_frameworks_rule_gives_them(roles_and_competencies, full_model):
    # Strong everywhere, no role's holders look like them: the framework's rule (no gap, the least
    # over-qualification, the nearest work style) decides. Trained without broad experts among the
    # generated people, the model agreed with it for 60 % of such people, mostly by chance.
    roles, competencies = roles_and_competencies
    rng = np.random.default_rng(11)
    levels = rng.integers(4, 6, size=(200, len(competencies))).astype(float)
    styles = rng.uniform(-1, 1, 200)
    model_first = recommender.predict(full_model, levels, styles, roles).argmax(axis=1)
    rule_first = recommender.transparent_fit(levels, styles, roles).argmax(axis=1)
    assert (model_first == rule_first).mean() >= 0.7
    assert not (model_first == [r.slug for r in roles].index("it_coordinator")).any()


def test_every_role_has_reasons_naming_strengths_or_gaps():
    result = recommend([profile_of(PERSONAS[3][2], 0.5, 0)])[0]
    for fit in result.roles:
        assert len(fit.reasons) >= 2
    assert any("Prozess" in reason for reason in result.roles[0].reasons)


def test_reasons_come_in_english_too():
    result = recommend([profile_of(PERSONAS[3][2], 0.5, 0)], language="en")[0]
    assert any("work style" in reason for reason in result.roles[0].reasons)


def test_a_new_model_version_becomes_active_and_is_loaded_once():
    before = active_model()
    Role.objects.filter(slug="agile_coach").update(work_style=-0.2)
    version = train_and_activate(per_role=60)
    assert ModelVersion.objects.filter(active=True).get() == version
    assert active_model() is active_model()
    assert active_model() is not before
    assert version.metrics["cv_top1_accuracy"] > 0
    assert version.sklearn_version == recommender.sklearn_version()
    assert len(version.training_data_hash) == 64


def test_confirmed_outcomes_join_the_training_data():
    role = Role.objects.get(slug="it_coordinator")
    ConfirmedOutcome.objects.create(role=role, relation="holds", levels={"communication": 3}, work_style=0.0)
    ConfirmedOutcome.objects.create(role=role, relation="aims", levels={"communication": 1}, work_style=0.0)
    version = train_and_activate(per_role=60)
    assert version.metrics["real_outcomes"] == 1


def test_a_missing_model_is_not_trained_on_first_use():
    ModelVersion.objects.all().delete()
    assert active_model() is None  # training is for the worker and the commands, never a request
    assert not ModelVersion.objects.exists()


def test_an_unreadable_active_model_without_an_earlier_one_means_no_model():
    ModelVersion.objects.filter(active=True).update(payload=b"garbage", version="broken")
    assert active_model() is None
    assert list(ModelVersion.objects.values_list("version", flat=True)) == ["broken"]


def test_the_trusted_types_are_exactly_what_a_saved_model_needs(full_model):
    import skops.io as sio

    assert set(sio.get_untrusted_types(data=recommender.save(full_model))) == set(recommender.TRUSTED_TYPES)


def test_a_model_with_an_untrusted_type_is_refused(full_model, monkeypatch):
    payload = recommender.save(full_model)
    monkeypatch.setattr(recommender, "TRUSTED_TYPES", recommender.TRUSTED_TYPES[:-1])
    with pytest.raises(recommender.IncompatibleModel, match="untrusted"):
        recommender.load(payload)


def test_below_300_outcomes_the_model_ranks_unjudged_and_the_prior_counts_for_300(roles_and_competencies):
    roles, competencies = roles_and_competencies
    levels, styles, labels = recommender.generate_profiles(roles, per_role=5, seed=3)
    outcomes = [(tuple(lv), float(st), roles[int(label)].slug) for lv, st, label in zip(levels, styles, labels)]
    model = recommender.train(roles, competencies, outcomes, per_role=40)
    assert model.metrics["real_outcomes"] == len(outcomes)
    assert "held_out" not in model.metrics and model.ranks
    # career changers and broad experts: half a role's worth each
    assert model.training_size == 40 * len(roles) + 20 + 20 + len(outcomes)


def test_from_300_outcomes_the_model_ranks_only_where_it_beats_the_transparent_match(roles_and_competencies):
    """Both sides of the judgement: people whose roles follow the transparent match exactly (the model, which also
    learns from generated role holders, cannot do better) and people who hold their roles as the generator says
    (which the model learns and the transparent match only approximates). Random roles, as this test once used,
    left the judgement to chance: the model happened to win, so a judgement that always let it rank passed."""
    roles, competencies = roles_and_competencies
    rng = np.random.default_rng(5)
    levels, styles = rng.uniform(0, 5, (320, len(competencies))), rng.uniform(-1, 1, 320)
    by_rule = recommender.transparent_fit(levels, styles, roles).argmax(axis=1)
    outcomes = [(tuple(lv), float(st), roles[i].slug) for lv, st, i in zip(levels, styles, by_rule)]
    model = recommender.train(roles, competencies, outcomes, per_role=40)
    held = model.metrics["held_out"]
    assert held["outcomes"] > 30 and held["transparent_top1"] == 1.0 > held["model_top1"]
    assert not model.ranks

    levels, styles, holds = recommender.generate_profiles(roles, per_role=32, seed=11)
    outcomes = [(tuple(lv), float(st), roles[i].slug) for lv, st, i in zip(levels, styles, holds)]
    model = recommender.train(roles, competencies, outcomes, per_role=40)
    held = model.metrics["held_out"]
    assert held["outcomes"] > 30 and held["model_top1"] > held["transparent_top1"]
    assert model.ranks


def test_a_model_that_lost_to_the_transparent_match_does_not_rank(roles_and_competencies, monkeypatch):
    from recommendations import services

    roles, competencies = roles_and_competencies
    model = recommender.train(roles, competencies, per_role=40)
    profile = score_profile(competency_slugs(), [item_spec(i) for i in items_with_options()], {})
    monkeypatch.setattr(services, "active_model", lambda state=None: model)
    assert services.rank_roles([profile])[0].model_version == model.version
    model.metrics["ranks"] = False
    assert services.rank_roles([profile])[0].model_version == services.TRANSPARENT


@pytest.mark.django_db
def test_the_snapshot_is_one_query_and_ranking_a_person_asks_nothing_more(django_assert_num_queries):
    from recommendations.services import rank_roles

    profile = score_profile(competency_slugs(), [item_spec(i) for i in items_with_options()], {})
    rank_roles([profile], current=snapshot())  # the catalogue and the model load once per process
    with django_assert_num_queries(1):  # after that, the freshness check alone
        current = snapshot()
    with django_assert_num_queries(0):
        ranking = rank_roles([profile], current=current)[0]
    assert ranking.model_version == active_model().version
    ModelVersion.objects.all().delete()
    with django_assert_num_queries(1):
        current = snapshot()
    rank_roles([profile], current=current)  # looks for a usable version once
    with django_assert_num_queries(0):
        assert rank_roles([profile], current=current)[0].model_version == "transparent"


@pytest.mark.django_db
def test_a_renamed_competency_reaches_the_reasons_at_once():
    from assessment.models import Competency
    from recommendations.services import rank_roles

    profile = score_profile(competency_slugs(), [item_spec(i) for i in items_with_options()], {})
    competency = Competency.objects.get(slug=snapshot().competencies[0])
    competency.name_de = "Umbenannte Kompetenz"
    competency.save()
    assert snapshot().names["de"][competency.slug] == "Umbenannte Kompetenz"
    reasons = [r for role in rank_roles([profile])[0].roles for r in role.reasons]
    assert any("Umbenannte Kompetenz" in r for r in reasons)


@pytest.mark.django_db
def test_an_edit_in_place_of_a_link_a_requirement_or_a_provider_reaches_the_snapshot_at_once():
    """Raising one course link's level, one role requirement or renaming a provider changes no row count, no
    highest id and neither the course's nor the role's row: the cached snapshot used to keep the old values until
    the process restarted (paths built with the old levels)."""
    from recommendations.models import CourseCompetency, Provider, RoleRequirement

    link = (
        CourseCompetency.objects.select_related("course", "competency")
        .filter(to_level__lt=5, course__active=True)
        .first()
    )
    assert snapshot().catalogue.courses[link.course.slug].develops  # cached from here on
    link.to_level += 1
    link.save()
    develops = {slug: end for slug, _w, _s, end in snapshot().catalogue.courses[link.course.slug].develops}
    assert develops[link.competency.slug] == link.to_level

    requirement = RoleRequirement.objects.select_related("role", "competency").filter(level__lt=5).first()
    requirement.level += 1
    requirement.save()
    current = snapshot()
    spec = next(r for r in current.roles if r.slug == requirement.role.slug)
    assert spec.requirements[current.competencies.index(requirement.competency.slug)] == requirement.level

    provider = Provider.objects.filter(courses__active=True).first()
    provider.name = "Umbenannter Anbieter"
    provider.save()
    assert "Umbenannter Anbieter" in {course.provider for course in snapshot().catalogue.courses.values()}


@pytest.mark.django_db
def test_without_a_work_style_situation_no_style_is_assumed_for_the_ranking_or_the_reasons():
    """An adaptive test can stop before it asks a situation. The style then defaulted to 0 (balanced): the reasons
    said "Your work style (balanced) suits the role" and the ranking held roles of another style against it."""
    from assessment.measurement import STYLE_GRID
    from recommendations import services

    items = [item_spec(i) for i in items_with_options()]
    answers = {i.slug: i.options[-1].value for i in items if i.kind != "scenario"}
    profile = score_profile(competency_slugs(), items, answers)
    assert profile.work_style_confidence == 0
    current = snapshot()
    ranking = services.rank_roles([profile], "en", current)[0]
    assert not any("work style" in reason for role in ranking.roles for reason in role.reasons)
    levels = np.array([[profile.competencies[c].expected for c in current.competencies]] * len(STYLE_GRID))
    over_styles, _version = services._fits(active_model(), levels, np.array(STYLE_GRID), current)
    expected = dict(zip([r.slug for r in current.roles], over_styles.mean(axis=0).round(4)))
    assert {role.slug: role.fit for role in ranking.roles} == expected
    at_middle, _version = services._fits(active_model(), levels[:1], np.zeros(1), current)
    assert not np.allclose(at_middle[0].round(4), over_styles.mean(axis=0).round(4))


@pytest.mark.django_db
def test_a_model_trained_for_other_competencies_does_not_rank():
    """A version trained while an eleventh competency existed, activated after it was deleted, ranked new results
    with the levels in the wrong places and no word."""
    import dataclasses

    from recommendations import services

    current = snapshot()
    levels = np.full((1, len(current.competencies)), 2.0)
    _fits, version = services._fits(active_model(), levels, np.zeros(1), current)
    assert version != services.TRANSPARENT
    other = dataclasses.replace(current, competencies=(*current.competencies[:-1], "cloud_operations"))
    _fits, version = services._fits(active_model(), levels, np.zeros(1), other)
    assert version == services.TRANSPARENT


@pytest.mark.django_db
def test_the_order_of_the_roles_and_competencies_does_not_switch_the_model_off_nor_change_a_fit():
    """The admin's "Reihenfolge" sorts competencies and roles. Renumbering one made the model's lists differ from the
    current ones in order only, and every result was ranked by the transparent match with no word (a review). The
    model reads each pair by features that no order changes: the same person gets the same fit for every role."""
    from assessment.models import Competency
    from recommendations import services
    from recommendations.models import Role

    rng = np.random.default_rng(3)
    before = snapshot()
    person = dict(zip(before.competencies, rng.uniform(0, 5, len(before.competencies))))
    levels = np.array([[person[c] for c in before.competencies]])
    fits_before, version = services._fits(active_model(), levels, np.array([0.3]), before)
    assert version != services.TRANSPARENT
    first = Competency.objects.order_by("order").first()
    first.order = 1000
    first.save()
    role = Role.objects.active().order_by("order").first()
    role.order = 1000
    role.save()
    after = snapshot()
    assert after.competencies != before.competencies and [r.slug for r in after.roles] != [r.slug for r in before.roles]
    levels = np.array([[person[c] for c in after.competencies]])
    fits_after, version = services._fits(active_model(), levels, np.array([0.3]), after)
    assert version == services.ranking_version(after) == active_model().version
    by_role_before = dict(zip((r.slug for r in before.roles), fits_before[0]))
    assert dict(zip((r.slug for r in after.roles), fits_after[0])) == pytest.approx(by_role_before)


@pytest.mark.django_db
def test_a_change_the_stamp_cannot_see_reaches_the_snapshot_within_the_recheck_interval(monkeypatch, caplog):
    """Two saves that commit in the other order than they took their times: the later time is read first, and the
    earlier one, committed after it, moves neither the count nor the highest time. The snapshot kept the old hours
    until the next change or a restart."""
    from django.db.models import Max
    from django.utils import timezone

    from recommendations import catalogue
    from recommendations.models import Course

    first, second = Course.objects.filter(active=True).order_by("slug")[:2]
    newest = Course.objects.aggregate(newest=Max("updated_at"))["newest"] or timezone.now()
    snapshot()
    Course.objects.filter(pk=second.pk).update(updated_at=newest + timedelta(seconds=2))  # committed first
    before = snapshot()
    Course.objects.filter(pk=first.pk).update(hours=first.hours + 50, updated_at=newest + timedelta(seconds=1))
    assert snapshot() is before  # the stamp cannot see it
    assert before.catalogue.courses[first.slug].hours == float(first.hours)

    clock = time.monotonic() + catalogue.RECHECK_SECONDS + 1
    monkeypatch.setattr(catalogue.time, "monotonic", lambda: clock)
    assert snapshot().catalogue.courses[first.slug].hours == float(first.hours + 50)
    assert "changed without its stamp moving" in caplog.text

    unchanged = snapshot()
    clock += catalogue.RECHECK_SECONDS + 1
    assert snapshot() is unchanged  # read again, found the same: the object and what is cached with it stay
