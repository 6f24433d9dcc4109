"""The role-fit model's life: trained from the database, stored in a ModelVersion row, activated,
loaded once per process per version.

Training takes seconds and never runs in a web request: the admin enqueues `tasks.retrain` for the
worker (`manage.py db_worker`), and `manage.py ensure_model` / `train_model` train from the command
line. In a request, `active_model()` only loads: the active version, else an earlier usable one (for this
process only; `ensure_model` makes it the active one), else nothing (and the results are ranked without the model).
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import IntegrityError, connection, transaction

from recommendations import recommender
from recommendations.catalogue import snapshot
from recommendations.models import ConfirmedOutcome, ModelVersion
from recommendations.training import measured_like_the_product

log = logging.getLogger(__name__)
_model_lock = threading.Lock()
_loaded: dict[str | None, recommender.TrainedModel] = {}  # by the active version it serves (None: none active)
_unusable: set[str] = set()  # versions this process could not load: not read again on every request
_missing_reported: tuple[str | None] | None = None  # the state last logged as "no usable model"
_none_in_state: tuple | None = None  # the model versions' state in which no usable model was found
FALLBACK_CANDIDATES = 5
ACTIVATE_ATTEMPTS = 5


def activate(version: ModelVersion) -> None:
    """Make `version` the one active version, atomically: when several processes activate versions
    at the same time, exactly one version is active afterwards (the last one to commit)."""
    for attempt in range(1, ACTIVATE_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                if connection.features.has_select_for_update:
                    # PostgreSQL: activations queue up behind each other on the row locks, and each
                    # then sees what the one before it committed. SQLite has one writer at a time
                    # anyway, and a read before the first write would only risk "database is locked".
                    list(ModelVersion.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
                ModelVersion.objects.filter(active=True).exclude(pk=version.pk).update(active=False)
                ModelVersion.objects.filter(pk=version.pk).update(active=True)
        except IntegrityError:
            # Another process activated a version it inserted after our locks were taken; its row is
            # visible now, so the next attempt deactivates it.
            if attempt == ACTIVATE_ATTEMPTS:
                raise
            log.info("activating model %s collided with another activation; trying again", version.version)
            time.sleep(0.05 * attempt)
        else:
            break
    version.active = True
    log.info("model version %s is active", version.version)


def train_and_activate(per_role: int = recommender.PROFILES_PER_ROLE) -> ModelVersion:
    """Train on the current roles plus the confirmed outcomes fit for training, and make the new version
    the active one. If training fails, the previous version stays active. Slow: never call it in a request."""
    current = snapshot()
    # for_training() keeps only outcomes with a role
    outcomes = [
        (tuple(float(o.levels.get(c, 0)) for c in current.competencies), o.work_style, o.role.slug)  # type: ignore[union-attr]
        for o in ConfirmedOutcome.objects.for_training().select_related("role")
    ]
    model = recommender.train(
        current.roles,
        current.competencies,
        outcomes,
        per_role=per_role,
        measure=measured_like_the_product(current.competencies),
    )
    version, _created = ModelVersion.objects.update_or_create(
        version=model.version,
        defaults={
            "format_version": recommender.FORMAT_VERSION,
            "sklearn_version": recommender.sklearn_version(),
            "training_data_hash": model.training_data_hash,
            "training_size": model.training_size,
            "metrics": model.metrics,
            "roles": list(model.roles),
            "payload": recommender.save(model),
        },
    )
    activate(version)
    log.info("trained and activated model %s: %s", version.version, model.metrics)
    return version


def _load(version: ModelVersion) -> recommender.TrainedModel | None:
    """The model stored in `version`, or None (logged) when it cannot be used in this process."""
    try:
        return recommender.load(bytes(version.payload), version.training_data_hash, version.version)
    except recommender.IncompatibleModel as exc:
        log.warning("model version %s is unusable (%s)", version.version, exc)
        _unusable.add(version.version)
        return None


def _fall_back(broken: str | None, activate_it: bool) -> recommender.TrainedModel | None:
    """The newest earlier version that loads and fits the current competencies; activated for every process only
    when `activate_it` (a command, never a request: a version that does not load in one process, e.g. one of another
    scikit-learn during a rolling deploy, may load in the others)."""
    earlier = ModelVersion.objects.exclude(version__in=[broken, *_unusable]).order_by("-created_at")
    competencies = None
    for candidate in earlier[:FALLBACK_CANDIDATES]:
        model = _load(candidate)
        if model is None:
            continue
        competencies = competencies or tuple(snapshot().competencies)
        if not recommender.trained_for(model.competencies, competencies):
            log.info("model version %s was trained for other competencies; skipped", candidate.version)
            continue
        if activate_it:
            activate(candidate)
            log.warning("fell back to the earlier model version %s", candidate.version)
        else:
            log.warning("fell back to the earlier model version %s in this process only", candidate.version)
        return model
    return None


def active_model(
    state: tuple[str | None, int | None] | None = None, *, activate_fallback: bool = False
) -> recommender.TrainedModel | None:
    """The active model, loaded once per process per version (one small query to check the version, none
    when the caller passes `state`, the versions' state from `catalogue.snapshot().model_state`).

    Never trains. If no version is active or the active one cannot be loaded here, the newest earlier
    usable version is used in this process (and made the active one with `activate_fallback`, which only a command
    passes); if there is none, None (and, given the same `state` again, None at once, without a query)."""
    global _missing_reported, _none_in_state
    if state is None:
        active = ModelVersion.objects.filter(active=True).values_list("version", flat=True).first()
    else:
        active = state[0]
        if state == _none_in_state:
            return None
    if active in _loaded and not activate_fallback:
        return _loaded[active]
    with _model_lock:
        if active in _loaded and (not activate_fallback or _loaded[active].version == active):
            return _loaded[active]
        model = None
        if active is None:
            if _missing_reported != (None,):
                log.warning("no model version is active")
        elif active not in _unusable:
            version = ModelVersion.objects.filter(version=active).first()
            model = _load(version) if version is not None else None
        if model is None:
            model = _fall_back(active, activate_fallback)
        if model is None:
            if _missing_reported != (active,):  # once per state, not on every request
                log.warning("no usable model version: role fit is ranked without the model until one is trained")
                _missing_reported = (active,)
            _none_in_state = state
            return None
        _missing_reported = None
        _none_in_state = None
        _loaded.clear()
        _loaded[model.version] = model
        if not activate_fallback:
            _loaded[active] = model  # the version active in the database is served by this one here (a fallback)
        return model


def loaded_model_state() -> dict:
    """For /healthz, read-only: the active version and whether it loads in this process."""
    active = ModelVersion.objects.filter(active=True).values_list("version", flat=True).first()
    if active is None:
        return {"version": None, "loaded": False}
    if active in _loaded or active in _unusable:  # a fallback serving for it here is not it
        return {"version": active, "loaded": active in _loaded and _loaded[active].version == active}
    with _model_lock:
        version = ModelVersion.objects.filter(version=active).first()  # with its payload, only now
        model = _load(version) if version is not None else None
        if model is not None:
            _loaded.clear()
            _loaded[model.version] = model
    return {"version": active, "loaded": model is not None}


def ensure_model() -> ModelVersion:
    """For `manage.py ensure_model` (never a request): the usable active version, after falling back to
    an earlier one if need be; else a newly trained one. The log says which it did."""
    model = active_model(activate_fallback=True)
    if model is not None:
        return ModelVersion.objects.defer("payload").get(version=model.version)
    log.warning("no usable model version: training a new one")
    return train_and_activate()
