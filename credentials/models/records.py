"""The educational record: programmes and their versions, learners, assessments and awards.

Models hold data and the invariants the database can enforce; every write goes through
`credentials.services`, every staff read through `credentials.selectors`.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from issuers.models import Issuer

# Descriptor values that the award or the issuer supplies; a programme never stores them
# (docs/descriptors.md, "source" column).
NON_PROGRAMME_DESCRIPTORS = ("learner_identification", "date_of_issuing", "awarding_body")


def localised(value, language: str = "ja") -> str:
    """The text of a localised value ({"ja": …, "en": …}) in `language`, else the other one."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        return ""
    other = "en" if language == "ja" else "ja"
    return (value.get(language) or value.get(other) or "").strip()


class Programme(models.Model):
    """A micro-credential definition. What it says lives in its versions."""

    class Status(models.TextChoices):
        # Context: other apps translate these words differently (e.g. "Published" as a date).
        DRAFT = "draft", pgettext_lazy("programme status", "Draft")
        PUBLISHED = "published", pgettext_lazy("programme status", "Published")
        RETIRED = "retired", pgettext_lazy("programme status", "Retired")

    issuer = models.ForeignKey(
        Issuer, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("issuer")
    )
    slug = models.SlugField(_("slug"), max_length=80)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["issuer__slug", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "slug"], name="programme_slug_per_issuer"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "retired"]),
                name="programme_status_known",
            ),
        ]

    def __str__(self):
        version = self.latest_version
        return (version.title if version else "") or self.slug

    def _versions(self):
        # Admin lists and selectors prefetch versions; use them instead of one query per row.
        cache = getattr(self, "_prefetched_objects_cache", {})
        if "versions" in cache:
            return sorted(cache["versions"], key=lambda v: v.number, reverse=True)
        return None

    @property
    def latest_version(self) -> "ProgrammeVersion | None":
        """The newest version: the working draft if one is open, else the live version."""
        prefetched = self._versions()
        if prefetched is not None:
            return prefetched[0] if prefetched else None
        if not self.pk:
            return None
        return self.versions.order_by("-number").first()

    @property
    def published_version(self) -> "ProgrammeVersion | None":
        """The version new awards are made under: the newest published one."""
        prefetched = self._versions()
        if prefetched is not None:
            return next((v for v in prefetched if v.published_at), None)
        if not self.pk:
            return None
        return self.versions.filter(published_at__isnull=False).order_by("-number").first()


def badge_upload_to(instance: "ProgrammeVersion", filename: str) -> str:
    # A random name: uploads are never overwritten, so old versions keep their image.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"credentials/badges/{uuid.uuid4().hex}.{suffix}"


class ProgrammeVersion(models.Model):
    """One edition of a programme. Published versions are frozen: awards point at them."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="versions", verbose_name=_("programme")
    )
    number = models.PositiveIntegerField(pgettext_lazy("programme", "version"))
    descriptors = models.JSONField(_("descriptors"), default=dict, blank=True)
    framework = models.ForeignKey(
        "frameworks.Framework",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("framework"),
        help_text=_("The framework version the descriptors were validated against."),
    )
    badge_image = models.FileField(
        _("badge image"),
        upload_to=badge_upload_to,
        blank=True,
        help_text=_("PNG or SVG. Leave empty to use a generated design with the title."),
    )
    criteria_ja = models.TextField(_("criteria (Japanese)"), blank=True)
    criteria_en = models.TextField(_("criteria (English)"), blank=True)
    validity_months = models.PositiveSmallIntegerField(
        _("validity (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(1200)],
        help_text=_("Awards expire this many months after issue. Empty: they do not expire."),
    )
    auto_issue_stack = models.BooleanField(
        _("issue automatically when the stack is complete"),
        default=False,
        help_text=_(
            "If off, a learner who completes the required programmes gets a pending award "
            "for staff to approve."
        ),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("programme version")
        verbose_name_plural = _("programme versions")
        ordering = ["programme", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="version_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="version_number_positive"),
            models.CheckConstraint(
                condition=Q(validity_months__isnull=True)
                | Q(validity_months__gte=1, validity_months__lte=1200),
                name="version_validity_range",
            ),
        ]

    def __str__(self):
        return f"{self.title or self.programme.slug} (v{self.number})"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def title_in(self, language: str) -> str:
        return localised(self.descriptors.get("title"), language)

    @property
    def title(self) -> str:
        return self.title_in("ja")

    def clean(self):
        if not isinstance(self.descriptors, dict):
            raise ValidationError({"descriptors": _("Descriptors must be a JSON object.")})
        supplied = [key for key in NON_PROGRAMME_DESCRIPTORS if key in self.descriptors]
        if supplied:
            raise ValidationError(
                {
                    "descriptors": _(
                        "%(keys)s are supplied by the award or the issuer and cannot be "
                        "entered on a programme."
                    )
                    % {"keys": ", ".join(supplied)}
                }
            )
        if not self.title:
            raise ValidationError({"descriptors": _("A programme needs a title.")})


class StackRequirement(models.Model):
    """The target programme is earned by holding all (or `min_count`) of the required ones."""

    target = models.OneToOneField(
        Programme,
        on_delete=models.CASCADE,
        related_name="stack_requirement",
        verbose_name=_("stacked programme"),
    )
    required = models.ManyToManyField(
        Programme, related_name="required_by", verbose_name=_("required programmes")
    )
    min_count = models.PositiveSmallIntegerField(
        _("how many are needed"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty: all of the required programmes."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("stack requirement")
        verbose_name_plural = _("stack requirements")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_count__isnull=True) | Q(min_count__gte=1),
                name="stack_min_count_positive",
            )
        ]

    def __str__(self):
        return str(self.target)


class Learner(models.Model):
    """A person who earns awards. The e-mail is the identity, shared by every issuer that knows
    them; everything an issuer records about them (names, student number) is on its enrolment,
    so one issuer never sees what another recorded."""

    email = models.EmailField(_("e-mail"), max_length=254, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("learner")
        verbose_name_plural = _("learners")
        ordering = ["email"]
        constraints = [
            # Unique on the raw column is case-insensitive because only lowercase is stored.
            models.CheckConstraint(condition=Q(email=Lower("email")), name="learner_email_lower"),
        ]

    def __str__(self):
        return self.email  # names are per issuer (LearnerEnrolment), never shown across them

    def clean(self):
        self.email = normalise_email(self.email)


def normalise_email(value: str) -> str:
    return (value or "").strip().lower()


class LearnerEnrolment(models.Model):
    """A learner known to an issuer, with what that issuer recorded: names, student number.
    Read the names through the selectors (learner_name_for, learner_names_for,
    award_learner_name), which pick the enrolment of the issuer asking."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="enrolments")
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="learner_enrolments")
    name_ja = models.CharField(_("full name (Japanese)"), max_length=200, blank=True)
    name_en = models.CharField(_("full name (English)"), max_length=200, blank=True)
    student_number = models.CharField(_("student number"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["learner", "issuer"], name="one_enrolment_per_issuer"),
            models.CheckConstraint(
                condition=~Q(name_ja="") | ~Q(name_en=""), name="enrolment_has_a_name"
            ),
            models.UniqueConstraint(
                fields=["issuer", "student_number"],
                condition=~Q(student_number=""),
                name="student_number_unique_per_issuer",
            ),
        ]

    def __str__(self):
        return f"{self.learner.email} @ {self.issuer.slug}"

    def clean(self):
        self.name_ja, self.name_en = self.name_ja.strip(), self.name_en.strip()
        if not (self.name_ja or self.name_en):
            raise ValidationError(_("Enter the learner's name in Japanese or English."))


class Assessment(models.Model):
    """One assessment of a learner against a programme version. Re-sits are other dates."""

    class Result(models.TextChoices):
        PASS = "pass", _("Pass")
        FAIL = "fail", _("Fail")

    learner = models.ForeignKey(
        Learner, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("learner")
    )
    programme_version = models.ForeignKey(
        ProgrammeVersion,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("programme version"),
    )
    result = models.CharField(_("result"), max_length=8, choices=Result.choices)
    score = models.DecimalField(
        _("score"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    grade = models.CharField(_("grade"), max_length=32, blank=True)
    method = models.CharField(
        _("assessment method"),
        max_length=40,
        help_text=_("An assessment type code of the framework, e.g. written_exam, report."),
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessor"),
    )
    assessed_on = models.DateField(_("assessed on"))
    evidence_url = models.URLField(_("evidence URL"), max_length=500, blank=True)
    evidence_narrative = models.TextField(_("evidence"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-assessed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "programme_version", "assessed_on"],
                name="one_assessment_per_learner_version_day",
            ),
            models.CheckConstraint(
                condition=Q(result__in=["pass", "fail"]), name="assessment_result_known"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0), name="assessment_score_positive"
            ),
        ]

    def __str__(self):
        return f"{self.learner.email}: {self.programme_version} {self.get_result_display()}"

    @property
    def passed(self) -> bool:
        return self.result == self.Result.PASS


class Award(models.Model):
    """A learner's micro-credential under one programme version: the source of every badge."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        ISSUED = "issued", _("Issued")
        REVOKED = "revoked", _("Revoked")

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    learner = models.ForeignKey(
        Learner, on_delete=models.PROTECT, related_name="awards", verbose_name=_("learner")
    )
    programme_version = models.ForeignKey(
        ProgrammeVersion,
        on_delete=models.PROTECT,
        related_name="awards",
        verbose_name=_("programme version"),
    )
    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
        verbose_name=_("assessment"),
    )
    stack_requirement = models.ForeignKey(
        StackRequirement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
        verbose_name=_("stack requirement"),
    )
    component_awards = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="stacked_into",
        verbose_name=_("awards it stacks"),
    )
    # Outside achievements (recognition of prior learning) the stack counted in place of
    # required programmes.
    component_recognitions = models.ManyToManyField(
        "credentials.Recognition",
        blank=True,
        related_name="stacked_into",
        verbose_name=_("recognised achievements it stacks"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)
    # Suspended: still issued, but verifiers are told not to rely on it until it is reinstated
    # (the badge's suspension status bit, badges.status).
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    suspension_reason = models.TextField(_("reason for suspension"), blank=True)
    # A corrected reissue names the award it replaces (which is revoked as superseded).
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    # The learner's choice: a hidden page answers 404 to others, the signed badge files and
    # their OB URLs stay verifiable (hiding must never break a verifier).
    public_page_visible = models.BooleanField(_("public page visible"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One live award per learner and version; a revoked one may have been superseded by
            # a corrected reissue (`supersedes`).
            models.UniqueConstraint(
                fields=["learner", "programme_version"],
                condition=~Q(status="revoked"),
                name="one_live_award_per_learner_version",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "issued", "revoked"]),
                name="award_status_known",
            ),
            # No assessment, no micro-credential: an award rests on a passing assessment or
            # on the awards a stack requires.
            models.CheckConstraint(
                condition=Q(assessment__isnull=False) | Q(stack_requirement__isnull=False),
                name="award_has_a_basis",
            ),
            models.CheckConstraint(
                condition=~Q(status="issued") | Q(issued_at__isnull=False),
                name="issued_award_has_issue_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="revoked")
                | (Q(revoked_at__isnull=False) & ~Q(revocation_reason="")),
                name="revoked_award_has_time_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True)
                | Q(issued_at__isnull=True)
                | Q(expires_at__gt=models.F("issued_at")),
                name="award_expires_after_issue",
            ),
        ]

    def __str__(self):
        return f"{self.learner.email}: {self.programme_version}"

    @property
    def issued_on(self):
        return timezone.localdate(self.issued_at) if self.issued_at else None

    @property
    def is_expired(self) -> bool:
        return (
            self.status == self.Status.ISSUED
            and self.expires_at is not None
            and self.expires_at <= timezone.now()
        )

    @property
    def is_valid(self) -> bool:
        """Issued, not revoked and not expired: what a verifier and a stack count."""
        return self.status == self.Status.ISSUED and not self.is_expired

    def clean(self):
        assessment = self.assessment
        if assessment is None:
            return
        if (
            assessment.learner_id != self.learner_id
            or assessment.programme_version_id != self.programme_version_id
        ):
            raise ValidationError(
                {"assessment": _("The assessment is for another learner or programme version.")}
            )
        if not assessment.passed:
            raise ValidationError(
                {"assessment": _("Only a passing assessment can lead to an award.")}
            )


class LearnerLoginToken(models.Model):
    """A single-use sign-in link for a learner. Only the token's SHA-256 is stored, so a leaked
    table signs nobody in."""

    learner = models.ForeignKey(
        Learner, on_delete=models.CASCADE, related_name="login_tokens", verbose_name=_("learner")
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("learner sign-in link")
        verbose_name_plural = _("learner sign-in links")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.learner.email} @ {self.created_at:%Y-%m-%dT%H:%M:%SZ}"


class AwardNotice(models.Model):
    """A mail telling the learner what happened to their award after issue (suspended,
    reinstated, revoked, reissued): the record of what was sent, sent at most once."""

    class Kind(models.TextChoices):
        SUSPENDED = "suspended", _("Suspended")
        REINSTATED = "reinstated", _("Reinstated")
        REVOKED = "revoked", _("Revoked")
        REISSUED = "reissued", _("Reissued with a correction")

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    reason = models.TextField(_("reason"), blank=True)
    email = models.EmailField(_("sent to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("notice to the learner")
        verbose_name_plural = _("notices to learners")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.email}"
