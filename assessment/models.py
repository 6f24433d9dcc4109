"""The question bank (sections, competencies, items, options) and anonymous assessments with their answers."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessment.translation import Translated

LEVEL_VALIDATORS = [MinValueValidator(0), MaxValueValidator(5)]


class Level(models.IntegerChoices):
    NONE = 0, _("No experience")
    AWARENESS = 1, _("Awareness")
    GUIDED = 2, _("Guided practice")
    INDEPENDENT = 3, _("Independent")
    ADVANCED = 4, _("Advanced")
    EXPERT = 5, _("Expert")


class Section(models.Model):
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
        return self.name_de


class Competency(models.Model):
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
        return self.name_de


class LevelDescriptor(models.Model):
    """What a level means in one competency, in behaviour a person recognises."""

    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="levels")
    level = models.PositiveSmallIntegerField(choices=Level.choices, validators=LEVEL_VALIDATORS)
    text_de = models.TextField(_("text (German)"))
    text_en = models.TextField(_("text (English)"))

    text = Translated()

    history = HistoricalRecords()

    class Meta:
        ordering = ["competency", "level"]
        constraints = [
            models.UniqueConstraint(fields=["competency", "level"], name="unique_level_per_competency")
        ]
        verbose_name = _("level descriptor")
        verbose_name_plural = _("level descriptors")

    def __str__(self) -> str:
        return f"{self.competency.slug} {self.level}"


class ItemQuerySet(models.QuerySet):
    def active(self) -> ItemQuerySet:
        return self.filter(active=True)

    def in_questionnaire_order(self) -> ItemQuerySet:
        return self.order_by("order", "slug")


class Item(models.Model):
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
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("Knowledge checks: the level at which a person usually answers correctly."),
    )
    location = models.FloatField(
        _("item location"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-1), MaxValueValidator(6)],
        help_text=_(
            "Knowledge checks: the level (on the 0-5 scale) at which half the people who cannot guess know "
            "the answer. Empty: the difficulty minus half a level."
        ),
    )
    discrimination = models.FloatField(
        _("item discrimination"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.1), MaxValueValidator(5)],
        help_text=_("Knowledge checks: how sharply the chance of a right answer rises with the level. Empty: 1.5."),
    )
    text_de = models.TextField(_("question (German)"))
    text_en = models.TextField(_("question (English)"))
    feedback_de = models.TextField(_("feedback (German)"), blank=True)
    feedback_en = models.TextField(_("feedback (English)"), blank=True)
    order = models.PositiveIntegerField(default=0, help_text=_("Position in the questionnaire."))
    active = models.BooleanField(default=True)

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

    def clean(self) -> None:
        if self.kind == self.Kind.KNOWLEDGE and self.difficulty is None:
            raise ValidationError({"difficulty": _("A knowledge check needs a difficulty from 1 to 5.")})
        if self.kind != self.Kind.SCENARIO and self.competency_id is None:
            raise ValidationError({"competency": _("Only work-style scenarios may have no competency.")})


class Option(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="options")
    value = models.SlugField(max_length=20, help_text=_("Stable identifier within the item."))
    label_de = models.TextField(_("label (German)"))
    label_en = models.TextField(_("label (English)"))
    level = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=Level.choices, validators=LEVEL_VALIDATORS
    )
    correct = models.BooleanField(default=False)
    style = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-1.0), MaxValueValidator(1.0)],
        help_text=_("Scenarios: -1 firefighter ... +1 architect."),
    )
    order = models.PositiveSmallIntegerField(default=0)

    label = Translated()

    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "order", "value"]
        constraints = [
            models.UniqueConstraint(fields=["item", "value"], name="unique_option_value_per_item")
        ]
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
        if kind == Item.Kind.SCENARIO and self.style is None:
            errors["style"] = _("Each option of a work-style scenario needs a style from -1 to 1.")
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
        help_text=_("Only when the person chose to keep the attempt in an account."),
    )
    share_token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    feedback_given_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return f"{_('Assessment')} {self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    @property
    def total_steps(self) -> int:
        return len(self.item_ids)

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


class Answer(models.Model):
    """One answer per item and assessment; `option` empty means the item was skipped."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="answers")
    option = models.ForeignKey(Option, on_delete=models.CASCADE, null=True, blank=True)
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="one_answer_per_item")
        ]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.item.slug}"

    @property
    def skipped(self) -> bool:
        return self.option_id is None
