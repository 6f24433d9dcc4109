"""The course catalogue, the target roles, the trained model versions and confirmed outcomes."""

from __future__ import annotations

import datetime
from collections import deque
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessment.models import LEVEL_VALIDATORS, Competency, Level
from assessment.translation import EnglishAlongsideGerman, Translated
from core.validators import MaxValue, MinValue

STYLE_VALIDATORS = [MinValue(-1.0), MaxValue(1.0)]
# Beyond these a course's figure is a typing slip (16,5 hours read as 165, 1290,50 EUR as 129050), not an offer.
MIN_COURSE_HOURS = Decimal("0.5")
MAX_COURSE_HOURS = 2000
MAX_COURSE_PRICE_EUR = 100_000


class RoleQuerySet(models.QuerySet["Role"]):
    def active(self) -> RoleQuerySet:
        return self.filter(active=True)


class Role(EnglishAlongsideGerman):
    slug = models.SlugField(unique=True, help_text=_("Stable identifier; used by the CLI and the model."))
    name_de = models.CharField(_("name (German)"), max_length=160)
    name_en = models.CharField(_("name (English)"), max_length=160)
    description_de = models.TextField(_("description (German)"))
    description_en = models.TextField(_("description (English)"))
    aliases = models.CharField(_("aliases in job ads"), max_length=300, blank=True)
    employers_de = models.TextField(_("typical employers (German)"), blank=True)
    employers_en = models.TextField(_("typical employers (English)"), blank=True)
    pay_de = models.TextField(_("pay (German)"), blank=True)
    pay_en = models.TextField(_("pay (English)"), blank=True)
    salary_min_eur = models.PositiveIntegerField(_("monthly salary from (EUR, estimate)"), null=True, blank=True)
    salary_max_eur = models.PositiveIntegerField(_("monthly salary to (EUR, estimate)"), null=True, blank=True)
    ecf_profile = models.CharField(_("e-CF profile"), max_length=120, blank=True)
    esco_uri = models.URLField(_("ESCO occupation"), blank=True)
    work_style = models.FloatField(
        _("preferred work style"),
        default=0.0,
        validators=STYLE_VALIDATORS,
        help_text=_("-1 firefighter ... +1 architect"),
    )
    active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    name = Translated()
    description = Translated()
    employers = Translated()
    pay = Translated()

    objects = RoleQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("target role")
        verbose_name_plural = _("target roles")

    def __str__(self) -> str:
        return self.name  # in the active language: the English admin names it in English

    def clean(self) -> None:
        errors = {}
        if self.salary_min_eur and self.salary_max_eur and self.salary_min_eur > self.salary_max_eur:
            errors["salary_max_eur"] = _("The upper end of the band is below the lower end.")
        if self.esco_uri and not self.esco_uri.startswith(("http://", "https://")):  # ESCO's own URIs are http
            errors["esco_uri"] = _("Give the web address of the ESCO occupation (http or https).")
        if errors:
            raise ValidationError(errors)


class RoleRequirement(models.Model):
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="requirements")
    competency = models.ForeignKey(
        Competency, on_delete=models.PROTECT, related_name="role_requirements", verbose_name=_("competency")
    )
    level = models.PositiveSmallIntegerField(choices=Level.choices, validators=LEVEL_VALIDATORS)

    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "competency__section__order", "competency__order"]
        constraints = [models.UniqueConstraint(fields=["role", "competency"], name="one_requirement_per_competency")]
        verbose_name = _("required level")
        verbose_name_plural = _("required levels")

    def __str__(self) -> str:  # names, not slugs: the admin's delete pages and history list these
        return _("%(role)s: %(competency)s, level %(level)s") % {
            "role": self.role,
            "competency": self.competency,
            "level": self.level,
        }


class Provider(EnglishAlongsideGerman):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=160)
    url = models.URLField(blank=True)
    is_example = models.BooleanField(
        _("example provider"),
        default=False,
        help_text=_("Not a verified real offer: shown to people as an example."),
    )
    in_house = models.BooleanField(
        _("in-house"),
        default=False,
        help_text=_("Learning in your own organisation (shadowing, drills, mentoring): no course page, no fee."),
    )
    note_de = models.TextField(_("note (German)"), blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)

    note = Translated()

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("provider")
        verbose_name_plural = _("providers")

    def __str__(self) -> str:
        # the in-house "provider" has a German name only ("Im eigenen Betrieb"): in the language of the page
        return str(_("In your own organisation")) if self.in_house else self.name

    def clean(self) -> None:
        """The catalogue's contract, for the admin's forms, its CSV import and the catalogue file alike: a provider
        has an https page unless it stands for formats in one's own organisation, and an example provider backs no
        active course."""
        errors = {}
        if self.url and not self.url.startswith("https://"):  # not http, ftp or ftps, which a URLField allows
            errors["url"] = _("Give the provider's https address.")
        elif not self.url and not self.in_house:
            errors["url"] = _("Give the provider's https address (only formats in one's own organisation have none).")
        if self.is_example and self.pk and self.courses.filter(active=True).exists():
            errors["is_example"] = _("An example provider backs no active course: deactivate its courses first.")
        if errors:
            raise ValidationError(errors)


class CourseQuerySet(models.QuerySet["Course"]):
    def active(self) -> CourseQuerySet:
        return self.filter(active=True)

    def touched_by(self, ids: Iterable[int]) -> CourseQuerySet:
        """The courses `ids` (an import's rows, say) and the courses that require one of them."""
        ids = list(ids)
        return self.filter(models.Q(pk__in=ids) | models.Q(prerequisites__in=ids)).distinct()

    def not_checked_since(self, day: datetime.date) -> CourseQuerySet:
        """Courses whose facts were last checked before `day`."""
        return self.filter(last_checked__lt=day)

    def exam_retired(self, today: datetime.date) -> CourseQuerySet:
        """Courses whose exam is retired on or before `today`."""
        return self.filter(exam_retired_on__lte=today)

    def prerequisite_cycle(self, course_id: int | None, prerequisite_ids: Iterable[int]) -> list[int]:
        """The shortest chain of course ids (course, prerequisite, ..., course) that would lead back to the
        course if it required `prerequisite_ids`, or an empty list when there is no such cycle."""
        if course_id is None:
            return []  # nothing can require a course that does not exist yet
        requires: dict[int, list[int]] = {}
        for from_id, to_id in Course.prerequisites.through.objects.values_list("from_course_id", "to_course_id"):
            requires.setdefault(from_id, []).append(to_id)
        requires[course_id] = list(prerequisite_ids)
        return shortest_cycle(course_id, requires)


K = TypeVar("K")  # a course's id or slug


def shortest_cycle(start: K, requires: Mapping[K, Iterable[K]]) -> list[K]:
    """The shortest chain start → … → start along `requires` (course → the courses it requires), or [] when the
    course does not end up requiring itself."""
    came_from: dict[K, K] = {}
    queue: deque[K] = deque()
    for required in requires.get(start, ()):
        if required == start:
            return [start, start]
        if required not in came_from:
            came_from[required] = start
            queue.append(required)
    while queue:  # breadth first, so the chain named to the admin is the shortest one
        current = queue.popleft()
        for required in requires.get(current, ()):
            if required == start:
                chain = [current]
                while came_from[chain[-1]] != start:
                    chain.append(came_from[chain[-1]])
                return [start, *reversed(chain), start]
            if required not in came_from:
                came_from[required] = current
                queue.append(required)
    return []


class Course(EnglishAlongsideGerman):
    class Format(models.TextChoices):
        ONLINE = "online", _("Online")
        CLASSROOM = "classroom", _("Classroom (Dortmund / Ruhr area)")
        BLENDED = "blended", _("Blended")
        ON_THE_JOB = "on_the_job", _("On the job (workshop, shadowing)")

    class Language(models.TextChoices):
        GERMAN = "de", _("German")
        ENGLISH = "en", _("English")
        BOTH = "de_en", _("German or English")

    slug = models.SlugField(unique=True)
    title_de = models.CharField(_("title (German)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="courses")
    # Named here, not only in the admin's form (FIELD_LABELS): the history and Django's own messages read the
    # model's names, and showed „Hours: 40,0 → 40,5“ in the German admin.
    certificate = models.CharField(_("certificate"), max_length=200, blank=True)
    awarding_body = models.CharField(_("awarding body"), max_length=160, blank=True)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)
    location = models.CharField(_("location"), max_length=120, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.GERMAN)
    hours = models.DecimalField(
        _("hours"),
        max_digits=6,
        decimal_places=1,
        validators=[
            # a course of 0 hours closes gaps for free and drops out of every hours limit: a slip, not an offer
            MinValue(MIN_COURSE_HOURS, _("A course takes at least %(limit_value)s hours.")),
            MaxValue(
                MAX_COURSE_HOURS,
                _(
                    "More than %(limit_value)s hours is not plausible for one course: "
                    "is the decimal separator in the right place?"
                ),
            ),
        ],
    )
    price_eur = models.DecimalField(
        _("price (EUR)"),
        max_digits=8,
        decimal_places=2,
        validators=[
            MinValue(0),
            MaxValue(
                MAX_COURSE_PRICE_EUR,
                _(
                    "More than %(limit_value)s EUR is not plausible for one course: "
                    "is the decimal separator in the right place?"
                ),
            ),
        ],
        null=True,
        blank=True,
        help_text=_(
            "Empty when no price is known (the provider quotes on request, or a price could not be confirmed): "
            "shown as “price not known”, never guessed."
        ),
    )
    prerequisites = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="leads_to")
    # A subset of the prerequisites: the ones whose certificate the awarding body requires for admission to this
    # course's exam (the ITIL Managing Professional modules need the Foundation). A learning path never leaves them
    # out because the person's level covers what they teach: without the certificate there is no admission.
    admission_prerequisites = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="admits_to",
        verbose_name=_("admission requirements"),
        help_text=_(
            "Prerequisites whose certificate the awarding body requires for admission (e.g. the Foundation for a "
            "Managing Professional module). Each must also be chosen as a prerequisite. A learning path includes "
            "them even where the person's level already covers what they teach, unless the person has marked them "
            "done; it cannot include one no longer offered, and the results page then says that its certificate is "
            "needed first."
        ),
    )
    fundable = models.BooleanField(
        _("usually fundable"), default=False, help_text=_("E.g. with a Bildungsgutschein (AZAV).")
    )
    bildungsurlaub = models.BooleanField(_("Bildungsurlaub recognised"), default=False)
    url = models.URLField(blank=True)
    active = models.BooleanField(default=True)
    last_checked = models.DateField(
        _("last checked"), default=timezone.localdate, help_text=_("When the source was last checked.")
    )
    source = models.CharField(
        _("source"), max_length=500, blank=True, help_text=_("The page or document the facts of this entry come from.")
    )
    verified = models.BooleanField(
        _("verified"),
        default=True,
        help_text=_(
            "The offer's page and facts were confirmed against the source. Unverified offers are marked "
            "as such wherever people see them."
        ),
    )
    exam_retired_on = models.DateField(
        _("exam retired on"),
        null=True,
        blank=True,
        help_text=_("The day the awarding body retired the exam; such a course should be inactive."),
    )
    description_de = models.TextField(_("description (German)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    note_de = models.TextField(_("note (German)"), blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    title = Translated()
    description = Translated()
    note = Translated()

    objects = CourseQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=["prerequisites", "admission_prerequisites"])

    class Meta:
        ordering = ["slug"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.title  # in the active language: the English admin names it in English

    def clean(self) -> None:
        """What people would be told wrongly: an offer's page over plain http, or none for an active course that is
        not in-house, a check dated in the future, an active course whose exam is retired or of an example
        provider."""
        errors = {}
        if self.url and not self.url.startswith("https://"):  # not http, ftp or ftps, which a URLField allows
            errors["url"] = _("Give the offer's https address: people follow this link.")
        provider = self.provider if self.provider_id else None
        if self.active and provider is not None and not self.url and not provider.in_house:
            errors["url"] = _("Give the offer's https address: people follow this link.")
        if self.active and provider is not None and provider.is_example:
            errors["active"] = _("A course of an example provider cannot be active: choose a real provider first.")
        today = timezone.localdate()
        if self.last_checked and self.last_checked > today:
            errors["last_checked"] = _("The date of the last check cannot lie in the future.")
        if self.active and self.exam_retired_on and self.exam_retired_on <= today:
            errors["active"] = _(
                "The exam was retired on the date given below: deactivate the course, or correct the date."
            )
        if errors:
            raise ValidationError(errors)


class CourseCompetency(models.Model):
    """A competency a course develops: from which level it starts and to which it brings a learner."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="competencies")
    competency = models.ForeignKey(
        Competency, on_delete=models.PROTECT, related_name="courses", verbose_name=_("competency")
    )
    weight = models.FloatField(
        default=1.0,
        validators=[MinValue(0.05), MaxValue(1.0)],
        help_text=_(
            "The share of the way from a learner's level to the target level that the course really teaches "
            "(0.05 to 1). At 1 the learning path says the course closes the gap (or narrows it, where the level it "
            "brings stays below the requirement); below 1 it says the course takes the learner part of the way "
            "(0.5: half the way), as a side topic where another of the course's competencies weighs more."
        ),
    )
    from_level = models.PositiveSmallIntegerField(choices=Level.choices, validators=LEVEL_VALIDATORS)
    to_level = models.PositiveSmallIntegerField(choices=Level.choices, validators=LEVEL_VALIDATORS)

    history = HistoricalRecords()

    class Meta:
        ordering = ["course", "-weight"]
        constraints = [
            models.UniqueConstraint(fields=["course", "competency"], name="one_entry_per_course_competency"),
            models.CheckConstraint(
                condition=models.Q(to_level__gt=models.F("from_level")),
                name="course_raises_the_level",
            ),
        ]
        verbose_name = _("competency developed")
        verbose_name_plural = _("competencies developed")

    def __str__(self) -> str:  # names, not slugs: the admin's delete pages and history list these
        return _("%(course)s: %(competency)s, level %(start)s to %(end)s") % {
            "course": self.course,
            "competency": self.competency,
            "start": self.from_level,
            "end": self.to_level,
        }

    def clean(self) -> None:
        if self.from_level is not None and self.to_level is not None and self.to_level <= self.from_level:
            raise ValidationError({"to_level": _("The target level must be above the starting level.")})


class ModelVersion(models.Model):
    """A trained role-fit model. The bytes live in the database so every app server uses the same one."""

    version = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    active = models.BooleanField(default=False)
    format_version = models.PositiveSmallIntegerField()
    sklearn_version = models.CharField(max_length=20)
    training_data_hash = models.CharField(max_length=64)
    training_size = models.PositiveIntegerField(default=0)
    metrics = models.JSONField(default=dict)
    roles = models.JSONField(default=list, help_text=_("The role slugs it was trained for."))
    payload = models.BinaryField(editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["active"], condition=models.Q(active=True), name="one_active_model_version")
        ]
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")

    def __str__(self) -> str:
        return self.version


class ConfirmedOutcomeQuerySet(models.QuerySet["ConfirmedOutcome"]):
    def for_training(self) -> ConfirmedOutcomeQuerySet:
        """Real labels the model may learn from: people who hold the role, reliably measured, not excluded."""
        return self.filter(relation=ConfirmedOutcome.Relation.HOLDS, role__isnull=False, reliable=True, excluded=False)


class ConfirmedOutcome(models.Model):
    """What a person said about their result, stored anonymously with their consent.

    A profile with the role its person holds is a real label for training; the answer to
    "do the best roles fit?" tells the staff dashboard how often the top role was right."""

    class Fits(models.TextChoices):
        YES = "yes", _("Yes, they fit")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")

    class Relation(models.TextChoices):
        HOLDS = "holds", _("I work in this role")
        AIMS = "aims", _("I aim at this role")

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="outcomes", null=True, blank=True)
    relation = models.CharField(max_length=10, choices=Relation.choices, blank=True)
    top_role = models.CharField(max_length=50, blank=True, help_text=_("The role the product ranked first."))
    top_role_fits = models.CharField(max_length=10, choices=Fits.choices, blank=True)
    levels = models.JSONField(help_text=_("competency slug -> level 0..5"))
    work_style = models.FloatField(validators=STYLE_VALIDATORS)
    created_at = models.DateTimeField(default=timezone.now)
    # A keyed hash of the assessment's token: one outcome per assessment, yet the row cannot be traced
    # back to the answers without the server's secret key (the feedback is stored "without your link").
    # NULL, not "", for outcomes stored before the key existed: the unique constraint allows many NULLs.
    assessment_key = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001
    reliable = models.BooleanField(
        _("reliable measurement"),
        default=True,
        help_text=_("Whether the measurement behind these levels was reliable enough to learn from."),
    )
    excluded = models.BooleanField(
        _("excluded from training"),
        default=False,
        help_text=_("Left out of training by an admin (e.g. an implausible answer)."),
    )

    objects = ConfirmedOutcomeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["assessment_key"], name="one_outcome_per_assessment")]
        verbose_name = _("confirmed outcome")
        verbose_name_plural = _("confirmed outcomes")

    def __str__(self) -> str:  # the role by name and the day in local time (UTC named the day before after 23:00)
        return f"{self.role.name if self.role else '–'} {timezone.localtime(self.created_at):%Y-%m-%d}"

    @staticmethod
    def key_for(assessment_token: str, secret: str | None = None) -> str:
        """The assessment_key of an assessment: an HMAC of its token, not reversible without SECRET_KEY."""
        return salted_hmac(
            "recommendations.ConfirmedOutcome.assessment_key", assessment_token, secret=secret, algorithm="sha256"
        ).hexdigest()

    @staticmethod
    def keys_for(assessment_token: str) -> list[str]:
        """The keys an assessment's outcome may be stored under: with SECRET_KEY, or with a key rotated out of it
        and kept in SECRET_KEY_FALLBACKS (an outcome stored before the rotation is found, and deleted, too)."""
        secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
        return [ConfirmedOutcome.key_for(assessment_token, secret) for secret in secrets]


def forget_feedback(sender, instance, **kwargs) -> None:
    """An assessment deleted ("Delete my answers and results", or by the operator) takes the feedback given on its
    result with it: deleting is how a person withdraws the consent they gave with the feedback. Every attempt with a
    result asks the database, whether or not the row read before said it had feedback: feedback given in another tab
    after that read stayed (a code review). One never finished cannot have any, so the nightly purge of unfinished
    attempts stays one query for them."""
    if instance.feedback_given_at is None and instance.finished_at is None and instance.sharpen_until is None:
        return
    ConfirmedOutcome.objects.filter(assessment_key__in=ConfirmedOutcome.keys_for(instance.token)).delete()


class CompletedCourse(models.Model):
    """A course the person marked as done; their learning path then counts it as taken."""

    assessment = models.ForeignKey("assessment.Assessment", on_delete=models.CASCADE, related_name="completed")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="completions")
    done_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "course"], name="one_completion_per_course")]
        verbose_name = _("completed course")
        verbose_name_plural = _("completed courses")

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.course.slug}"


class StoredResult(models.Model):
    """An assessment's result as it was computed and shown: profile, roles, learning path (JSON).

    Computed once and read by the page, the PDF, the JSON download and the share view, so that a newer
    model version never changes silently what a person was shown (`recommendations.results`)."""

    assessment = models.OneToOneField("assessment.Assessment", on_delete=models.CASCADE, related_name="result")
    computed_at = models.DateTimeField(default=timezone.now)
    model_version = models.CharField(
        max_length=40, help_text=_("What ranked the roles: a model version or the transparent match.")
    )
    active_version = models.CharField(
        max_length=40, blank=True, help_text=_("The model version that was active when the result was computed.")
    )
    document = models.JSONField(help_text=_("Profile, roles and learning path, as plain data."))

    class Meta:
        verbose_name = _("stored result")
        verbose_name_plural = _("stored results")

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.model_version} {self.computed_at:%Y-%m-%d}"
