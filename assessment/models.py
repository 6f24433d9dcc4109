"""The question bank (sections, competencies, items, options) and anonymous assessments with their answers."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessment.translation import EnglishAlongsideGerman, Translated
from core.validators import MaxValue, MinValue

LEVEL_VALIDATORS = [MinValue(0), MaxValue(5)]


class Level(models.IntegerChoices):
    NONE = 0, _("No experience")
    AWARENESS = 1, _("Awareness")
    GUIDED = 2, _("Guided practice")
    INDEPENDENT = 3, _("Independent")
    ADVANCED = 4, _("Advanced")
    EXPERT = 5, _("Expert")


class Section(EnglishAlongsideGerman):
    slug = models.SlugField(unique=True)
    name_de = models.CharField(_("name (German)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    order = models.PositiveSmallIntegerField(default=0)

    name = Translated()

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.name  # in the active language: the English admin names it in English


class Competency(EnglishAlongsideGerman):
    slug = models.SlugField(unique=True, help_text=_("Stable identifier; used by the CLI and the model."))
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="competencies")
    name_de = models.CharField(_("name (German)"), max_length=160)
    name_en = models.CharField(_("name (English)"), max_length=160)
    description_de = models.TextField(_("description (German)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    name = Translated()
    description = Translated()

    history = HistoricalRecords()

    class Meta:
        ordering = ["section__order", "order", "slug"]
        verbose_name = _("competency")
        verbose_name_plural = _("competencies")

    def __str__(self) -> str:
        return self.name  # in the active language: the English admin names it in English


class LevelDescriptor(EnglishAlongsideGerman):
    """What a level means in one competency, in behaviour a person recognises."""

    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="levels")
    level = models.PositiveSmallIntegerField(choices=Level.choices, validators=LEVEL_VALIDATORS)
    text_de = models.TextField(_("text (German)"))
    text_en = models.TextField(_("text (English)"))

    text = Translated()

    history = HistoricalRecords()

    class Meta:
        ordering = ["competency", "level"]
        constraints = [models.UniqueConstraint(fields=["competency", "level"], name="unique_level_per_competency")]
        verbose_name = _("level descriptor")
        verbose_name_plural = _("level descriptors")

    def __str__(self) -> str:  # the name, not the slug: the admin's delete pages and history list these
        return _("%(competency)s, level %(level)s") % {"competency": self.competency, "level": self.level}


class ItemQuerySet(models.QuerySet["Item"]):
    def active(self) -> ItemQuerySet:
        return self.filter(active=True)

    def unanchored_competencies(self) -> models.QuerySet[Competency]:
        """The competencies with active knowledge checks among these items but no active anchor: the item
        calibration cannot tie their scale to the levels (`calibrate_items` refuses them)."""
        checks = self.active().filter(kind=Item.Kind.KNOWLEDGE, competency=models.OuterRef("pk"))
        return Competency.objects.filter(models.Exists(checks)).exclude(models.Exists(checks.filter(anchor=True)))

    def in_questionnaire_order(self) -> ItemQuerySet:
        return self.order_by("order", "slug")


class Item(EnglishAlongsideGerman):
    class Kind(models.TextChoices):
        SELF_RATING = "self_rating", _("Self-rating")
        KNOWLEDGE = "knowledge", _("Knowledge check")
        SCENARIO = "scenario", _("Work-style scenario")

    slug = models.SlugField(unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    competency = models.ForeignKey(
        Competency,
        on_delete=models.PROTECT,
        related_name="items",
        null=True,
        blank=True,
        help_text=_("Empty only for work-style scenarios."),
    )
    difficulty = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValue(1), MaxValue(5)],
        help_text=_("Knowledge checks: the level at which a person usually answers correctly."),
    )
    location = models.FloatField(
        _("item location"),
        null=True,
        blank=True,
        validators=[MinValue(-1), MaxValue(6)],
        help_text=_(
            "Knowledge checks: the level (on the 0-5 scale) at which half the people who cannot guess know "
            "the answer. Empty: the difficulty minus half a level."
        ),
    )
    discrimination = models.FloatField(
        _("item discrimination"),
        null=True,
        blank=True,
        validators=[MinValue(0.1), MaxValue(5)],
        help_text=_("Knowledge checks: how sharply the chance of a right answer rises with the level. Empty: 1.5."),
    )
    location_sd = models.FloatField(
        _("location uncertainty"),
        null=True,
        blank=True,
        validators=[MinValue(0), MaxValue(3)],
        help_text=_(
            "Knowledge checks: how unsure the location is, in levels (for a location learned from answers its "
            "standard error). Empty: half a level, as for a location taken from the labelled difficulty."
        ),
    )
    rating_noise = models.FloatField(
        _("self-rating noise"),
        null=True,
        blank=True,
        validators=[MinValue(0.05), MaxValue(3)],
        help_text=_(
            "Self-ratings: how far they scatter around the level plus the person's bias, as learned by the active "
            "item calibration. Empty: half a level, the shipped value."
        ),
    )
    rating_bias = models.FloatField(
        _("self-rating bias"),
        null=True,
        blank=True,
        validators=[MinValue(-3), MaxValue(3)],
        help_text=_(
            "Self-ratings: how far people rate themselves above (positive) or below (negative) their level on "
            "average, as learned by the active item calibration. Empty: 0, the shipped value."
        ),
    )
    rating_bias_sd = models.FloatField(
        _("spread of the self-rating bias"),
        null=True,
        blank=True,
        validators=[MinValue(0), MaxValue(3)],
        help_text=_(
            "Self-ratings: how far that bias differs from person to person (standard deviation, in levels), as "
            "learned by the active item calibration. Empty: one level, the shipped value."
        ),
    )
    text_de = models.TextField(_("question (German)"))
    text_en = models.TextField(_("question (English)"))
    feedback_de = models.TextField(_("feedback (German)"), blank=True)
    feedback_en = models.TextField(_("feedback (English)"), blank=True)
    order = models.PositiveIntegerField(default=0, help_text=_("Position in the questionnaire."))
    active = models.BooleanField(default=True)
    anchor = models.BooleanField(
        _("anchor"),
        default=False,
        help_text=_(
            "Knowledge checks: the difficulty is fixed by expert review. Anchors keep their location when the "
            "items are calibrated from real answers and so tie the scale to the level descriptors (at least one "
            "per competency, better two of different difficulty)."
        ),
    )

    text = Translated()
    feedback = Translated()

    objects = ItemQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("item")
        verbose_name_plural = _("items")

    def __str__(self) -> str:
        return self.slug

    def follow_difficulty(self, before: Item) -> bool:
        """After an edit that changed the difficulty: the location the measurement uses follows it where it
        was still the one the old difficulty gave (or empty), and always for an anchor, whose difficulty
        experts fix. Returns False where a location learned from answers (an active calibration) stays."""
        if self.kind != self.Kind.KNOWLEDGE or self.difficulty is None or self.difficulty == before.difficulty:
            return True
        seeded = before.location is None or abs(before.location - shipped_parameters(before)[0]) < 1e-9
        if seeded or self.anchor:
            self.location = shipped_parameters(self)[0]
            return True
        return False

    def clean(self) -> None:
        errors = {}
        if self.kind == self.Kind.KNOWLEDGE and self.difficulty is None:
            errors["difficulty"] = _("A knowledge check needs a difficulty from 1 to 5.")
        if self.kind != self.Kind.KNOWLEDGE and self.difficulty is not None:
            errors["difficulty"] = _("Only a knowledge check has a difficulty.")
        if self.kind != self.Kind.SCENARIO and self.competency_id is None:
            errors["competency"] = _("Only work-style scenarios may have no competency.")
        if self.kind == self.Kind.SCENARIO and self.competency_id is not None:
            errors["competency"] = _("A work-style scenario belongs to no competency: it measures the work style.")
        if self.pk is not None:
            stored_kind = Item.objects.filter(pk=self.pk).values_list("kind", flat=True).first()
            if stored_kind not in (None, self.kind) and self.answers.exists():  # read as another kind of answer
                errors["kind"] = _(
                    "People have answered this item, and their answers would be read as another kind of question. "
                    "Deactivate the item and add a new one instead."
                )
        if errors:
            raise ValidationError(errors)


class Option(EnglishAlongsideGerman):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="options")
    value = models.SlugField(max_length=20, help_text=_("Stable identifier within the item."))
    label_de = models.TextField(_("label (German)"))
    label_en = models.TextField(_("label (English)"))
    level = models.PositiveSmallIntegerField(null=True, blank=True, choices=Level.choices, validators=LEVEL_VALIDATORS)
    correct = models.BooleanField(default=False)
    style = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValue(-1.0), MaxValue(1.0)],
        help_text=_("Scenarios: -1 firefighter ... +1 architect."),
    )
    order = models.PositiveSmallIntegerField(default=0)

    label = Translated()

    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "order", "value"]
        constraints = [models.UniqueConstraint(fields=["item", "value"], name="unique_option_value_per_item")]
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self) -> str:
        return f"{self.item.slug}:{self.value}"

    def clean(self) -> None:
        try:
            kind = self.item.kind
        except Item.DoesNotExist:
            return  # checked again when the option is saved with its item
        errors = {}
        if kind == Item.Kind.SELF_RATING and self.level is None:
            errors["level"] = _("Each option of a self-rating needs the level it stands for.")
        if kind != Item.Kind.SELF_RATING and self.level is not None:
            errors["level"] = _(
                "Only an option of a self-rating stands for a level: leave the level empty for this kind of question."
            )
        if kind == Item.Kind.SCENARIO and self.style is None:
            errors["style"] = _("Each option of a work-style scenario needs a style from -1 to 1.")
        if kind != Item.Kind.SCENARIO and self.style is not None:
            errors["style"] = _(
                "Only an option of a work-style scenario has a style: leave the style empty for this kind of question."
            )
        if kind != Item.Kind.KNOWLEDGE and self.correct:
            errors["correct"] = _("Only an option of a knowledge check can be the correct one.")
        if errors:
            raise ValidationError(errors)


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Assessment(models.Model):
    """One anonymous attempt, identified only by an unguessable token."""

    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    item_ids = models.JSONField(default=list, help_text=_("The items of this attempt, in order."))
    language = models.CharField(max_length=5, default="de")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assessments",
        help_text=_("Only when the attempt was started logged in, or the person chose to keep it in an account."),
    )
    # "Durchgang 3" on "My results", the comparison and the results page: given once when the attempt is kept in an
    # account with a result (`assessment.services.number_in_account`), never changed nor given again, so deleting
    # an attempt leaves the others' numbers as they were.
    number = models.PositiveIntegerField(
        _("number in the account"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The attempt's number among the attempts kept in its account; it never changes."),
    )
    share_token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    feedback_given_at = models.DateTimeField(null=True, blank=True)
    # The adaptive assessment (assessment/adaptive.py): `item_ids` is the pool it may ask from, and
    # `asked_ids` the questions in the order they were put, the last one perhaps not yet answered. Step n
    # of the flow is asked_ids[n - 1]. The next question is chosen when an answer is saved (`plan`), so
    # showing a question page never re-plans.
    adaptive = models.BooleanField(
        _("adaptive"),
        default=False,
        help_text=_("Asks the questions that tell most and stops when the result is settled."),
    )
    asked_ids = models.JSONField(default=list, blank=True)
    plan = models.JSONField(default=dict, blank=True)
    sharpen_until = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Reopened to sharpen the result: asks until this many questions were put.")
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "number"], name="one_attempt_per_number_in_an_account"),
        ]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return _("Self-assessment %(number)s") % {"number": self.pk}

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    @property
    def steps(self) -> list[int]:
        """The item ids of the flow's steps, in order: every item, or the ones the adaptive test put."""
        return self.asked_ids if self.adaptive else self.item_ids

    @property
    def total_steps(self) -> int:
        return len(self.steps)

    def step_url(self, step: int) -> str:
        return reverse("assessment:question", args=[self.token, step])

    def resume_url(self) -> str:
        return reverse("assessment:resume", args=[self.token])

    def share(self) -> str:
        """Create (or keep) the read-only share link's token."""
        if not self.share_token:
            self.share_token = new_token()
            self.save(update_fields=["share_token"])
        return self.share_token

    def revoke_share(self) -> None:
        self.share_token = None
        self.save(update_fields=["share_token"])


class AttemptNumbering(models.Model):
    """The last number given to an attempt kept in an account: the next one gets the number after it, even when the
    attempt that had it was deleted, so a number never stands for two attempts of one account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="attempt_numbering"
    )
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("numbering of kept attempts")
        verbose_name_plural = _("numberings of kept attempts")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.last_number}"


class Answer(models.Model):
    """One answer per item and assessment; `option` empty means the item was skipped."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="answers")
    option = models.ForeignKey(Option, on_delete=models.CASCADE, null=True, blank=True)
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="one_answer_per_item")]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.item.slug}"

    @property
    def skipped(self) -> bool:
        return self.option_id is None


class CalibrationVersionQuerySet(models.QuerySet["CalibrationVersion"]):
    def active(self) -> CalibrationVersionQuerySet:
        return self.filter(active=True)


def shipped_parameters(item: Item) -> tuple[float, float]:
    """The item model's values as shipped: from the labelled difficulty (see assessment/measurement.py)."""
    from assessment.measurement import DEFAULT_DISCRIMINATION, DIFFICULTY_OFFSET

    return float(item.difficulty or 3) - DIFFICULTY_OFFSET, DEFAULT_DISCRIMINATION


# The item model's values: written by the calibrations (without a history record), never typed in.
ITEM_MODEL_FIELDS = ("location", "discrimination", "location_sd", "rating_noise", "rating_bias", "rating_bias_sd")


def _write_item_parameters(
    learned: dict[int, tuple[float, float, float | None]],
    rating: tuple[float | None, float | None, float | None] = (None, None, None),
) -> int:
    """Give every knowledge check the learned values (location, discrimination, location uncertainty), or
    the shipped ones where it has none, and every self-rating the learned noise, bias and spread of the
    bias (None: the shipped one); the number changed. Written without a history record: the
    versions are the record, and the content loader takes an item's history for an admin's edit (it
    would then stop shipping text fixes to that item)."""
    changed = 0
    fields = ("location", "discrimination", "location_sd")
    for item in Item.objects.filter(kind=Item.Kind.KNOWLEDGE).only("pk", "difficulty", *fields):
        values = learned.get(item.pk) or (*shipped_parameters(item), None)
        if tuple(getattr(item, name) for name in fields) != tuple(values):
            Item.objects.filter(pk=item.pk).update(**dict(zip(fields, values)))
            changed += 1
    rating_values = dict(zip(("rating_noise", "rating_bias", "rating_bias_sd"), rating))
    changed += Item.objects.filter(kind=Item.Kind.SELF_RATING).exclude(**rating_values).update(**rating_values)
    return changed


class CalibrationVersion(models.Model):
    """Item parameters learned from the answers of finished assessments (`manage.py calibrate_items`).

    At most one version is active: its values are written onto the items, which the measurement reads.
    With none active the items carry the shipped values (from their labelled difficulty)."""

    created_at = models.DateTimeField(_("created"), default=timezone.now)
    active = models.BooleanField(_("active"), default=False)
    assessments = models.PositiveIntegerField(_("assessments used"), default=0)
    answers = models.PositiveIntegerField(
        _("answers used"), default=0, help_text=_("Answers to knowledge checks in finished assessments.")
    )
    min_answers = models.PositiveIntegerField(
        _("answers needed per item"),
        default=500,
        help_text=_("The version may be used only when every item it fitted has at least this many answers."),
    )
    self_rating_noise = models.FloatField(
        _("self-rating noise"),
        null=True,
        blank=True,
        help_text=_(
            "How far self-ratings scatter around the level plus the person's bias, in levels, measured against "
            "the knowledge checks (with the levels on the six steps the measurement uses)."
        ),
    )
    self_rating_bias = models.FloatField(
        _("self-rating bias"),
        null=True,
        blank=True,
        help_text=_(
            "How far people rate themselves above (positive) or below (negative) their level on average, "
            "measured against the knowledge checks (in levels)."
        ),
    )
    self_rating_bias_sd = models.FloatField(
        _("spread of the self-rating bias"),
        null=True,
        blank=True,
        help_text=_("How far people's self-ratings run high or low overall (standard deviation, in levels)."),
    )
    converged = models.BooleanField(_("converged"), default=True)
    details = models.JSONField(default=dict, blank=True, help_text=_("Further figures of the fit."))
    notes = models.TextField(_("notes"), blank=True)

    objects = CalibrationVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=models.Q(active=True), name="one_active_calibration_version"
            )
        ]
        verbose_name = _("item calibration")
        verbose_name_plural = _("item calibrations")

    def __str__(self) -> str:
        return _("Calibration %(number)s of %(date)s") % {
            "number": self.pk,
            "date": date_format(timezone.localtime(self.created_at), "SHORT_DATETIME_FORMAT"),
        }

    @property
    def usable(self) -> bool:
        """Converged, every item with the answers needed, and no more than a fifth of them flagged as not fitting
        (`calibration_runs.MAX_MISFIT_SHARE`)."""
        from assessment.calibration_runs import MAX_MISFIT_SHARE

        if not self.converged or self.parameters.filter(answers__lt=self.min_answers).exists():
            return False
        return self.parameters.exclude(flags="").count() <= MAX_MISFIT_SHARE * self.parameters.count()

    def activate(self) -> int:
        """Make this the version in use: mark it active and write its values onto the items, in one
        transaction. Items it has no values for get the shipped ones. Returns the number of items changed."""
        with transaction.atomic():
            _lock_versions()
            CalibrationVersion.objects.filter(active=True).exclude(pk=self.pk).update(active=False)
            CalibrationVersion.objects.filter(pk=self.pk).update(active=True)
            changed = _write_item_parameters(
                {p.item_id: (p.location, p.discrimination, p.location_se) for p in self.parameters.all()},
                (self.self_rating_noise, self.self_rating_bias, self.self_rating_bias_sd),
            )
        self.active = True
        return changed

    @classmethod
    def use_shipped_values(cls) -> int:
        """Deactivate every version and give the items their shipped values again; the number changed."""
        with transaction.atomic():
            _lock_versions()
            cls.objects.filter(active=True).update(active=False)
            return _write_item_parameters({})


def _lock_versions() -> None:
    """PostgreSQL: activations queue up behind each other (SQLite has one writer at a time anyway)."""
    if connection.features.has_select_for_update:
        list(CalibrationVersion.objects.select_for_update().order_by("pk").values_list("pk", flat=True))


class ItemCalibration(models.Model):
    """One knowledge check's fitted values in a calibration version."""

    class Flag(models.TextChoices):
        # The codes are assessment/calibration.py's.
        LOW_DISCRIMINATION = "low_discrimination", _("low discrimination: the answer barely depends on the level")
        NOT_RISING = "not_rising", _("not answered right more often by people the other checks place higher")
        MISFIT = "misfit", _("the share of right answers strays from the item's curve")

    version = models.ForeignKey(CalibrationVersion, on_delete=models.CASCADE, related_name="parameters")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="calibrations")
    location = models.FloatField(_("item location"))
    discrimination = models.FloatField(_("item discrimination"))
    location_se = models.FloatField(_("standard error of the location"), null=True, blank=True)
    previous_location = models.FloatField(_("location before"), null=True, blank=True)
    previous_discrimination = models.FloatField(_("discrimination before"), null=True, blank=True)
    anchor = models.BooleanField(_("anchor"), default=False)
    answers = models.PositiveIntegerField(_("answers"), default=0)
    fits = models.BooleanField(_("fits"), default=True)
    flags = models.CharField(_("flags"), max_length=120, blank=True, help_text=_("Why the item does not fit."))
    rmsd = models.FloatField(
        _("item misfit (RMSD)"),
        null=True,
        blank=True,
        help_text=_("Root mean squared gap between the observed and the modelled share of right answers."),
    )

    class Meta:
        ordering = ["version", "item__order", "item__slug"]
        constraints = [models.UniqueConstraint(fields=["version", "item"], name="one_calibration_per_item")]
        verbose_name = _("item parameters")
        verbose_name_plural = _("item parameters")

    def __str__(self) -> str:
        return f"{self.item.slug} ({self.version_id})"

    def flag_labels(self) -> list[str]:
        labels = dict(self.Flag.choices)
        return [str(labels.get(code, code)) for code in self.flags.split(",") if code]
