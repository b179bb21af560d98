"""Recognition of prior learning (既修得学習の認定): badges from outside the portal that a
learner holds, the rules by which a stack accepts them, and each decision.

An outside badge is verified before it is stored (badges.recognition does that: the record never
imports the envelope); what is kept here is what the verification read, so that staff decide on
facts and a periodic re-check can withdraw it when its issuer revokes it."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RecognisedAchievement(models.Model):
    """An outside badge a learner holds, as verified when it was submitted."""

    class Status(models.TextChoices):
        VERIFIED = "verified", _("Verified")
        WITHDRAWN = "withdrawn", _("No longer valid")

    class Format(models.TextChoices):
        OB2 = "ob2", _("Open Badges 2.0")
        OB3 = "ob3", _("Open Badges 3.0")
        VC_JWT = "vc-jwt", _("Open Badges 3.0 (VC-JWT)")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    learner = models.ForeignKey(
        "credentials.Learner",
        on_delete=models.PROTECT,
        related_name="recognised_achievements",
        verbose_name=_("learner"),
    )
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    # What is verified again at each re-check: the credential or assertion as received (JSON),
    # a compact JWS/JWT, or the URL of a hosted assertion.
    source = models.TextField(_("badge as received"), editable=False)
    issuer_id = models.CharField(_("issuer ID (DID or URL)"), max_length=2000)
    issuer_name = models.CharField(_("issuer"), max_length=500)
    achievement_id = models.CharField(_("achievement ID"), max_length=2000, blank=True)
    achievement_name = models.CharField(_("achievement"), max_length=500)
    credential_id = models.CharField(_("credential ID"), max_length=2000, blank=True)
    # What the badge says about the learning, as read (the framework's descriptor keys).
    descriptors = models.JSONField(_("descriptors as read"), default=dict, blank=True)
    level = models.PositiveSmallIntegerField(_("JEQF level"), null=True, blank=True)
    hours = models.DecimalField(
        _("learner effort (hours)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    verification = models.JSONField(_("verification result"), default=dict, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.VERIFIED
    )
    withdrawn_reason = models.TextField(_("why it is no longer valid"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by (staff)"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    checked_at = models.DateTimeField(_("last verified at"), default=timezone.now)
    check_error = models.TextField(_("last re-check problem"), blank=True)

    class Meta:
        verbose_name = _("outside achievement")
        verbose_name_plural = _("outside achievements")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | ~Q(withdrawn_reason=""),
                name="withdrawn_achievement_has_reason",
            )
        ]

    def __str__(self):
        return f"{self.achievement_name} ({self.issuer_name})"

    @property
    def is_valid(self) -> bool:
        return self.status == self.Status.VERIFIED and (
            self.valid_until is None or self.valid_until > timezone.now()
        )


class RecognitionRule(models.Model):
    """What a stack accepts from outside in place of one of its required programmes: an
    achievement by its ID, any achievement of an issuer, or one aligned to a JEQF level and
    learner effort. Every criterion given must hold."""

    requirement = models.ForeignKey(
        "credentials.StackRequirement",
        on_delete=models.CASCADE,
        related_name="recognition_rules",
        verbose_name=_("stack requirement"),
    )
    stands_for = models.ForeignKey(
        "credentials.Programme",
        on_delete=models.PROTECT,
        related_name="recognised_equivalents",
        verbose_name=_("counts as"),
        help_text=_("The required programme an accepted outside achievement replaces."),
    )
    achievement_id = models.CharField(
        _("achievement ID"),
        max_length=2000,
        blank=True,
        help_text=_("The outside achievement's ID (URL or URN), exactly."),
    )
    issuer_id = models.CharField(
        _("issuer ID (DID or URL)"),
        max_length=2000,
        blank=True,
        help_text=_("Only achievements of this issuer."),
    )
    min_level = models.PositiveSmallIntegerField(
        _("at least JEQF level"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    min_hours = models.DecimalField(
        _("at least this many hours of learner effort"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    auto_approve = models.BooleanField(
        _("approve automatically"),
        default=False,
        help_text=_("Otherwise staff approve or decline each recognition."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("recognition rule")
        verbose_name_plural = _("recognition rules")
        ordering = ["pk"]

    def __str__(self):
        return str(self.stands_for)

    def clean(self):
        if not (self.achievement_id or self.issuer_id or self.min_level or self.min_hours):
            raise ValidationError(
                _(
                    "Say what is recognised: an achievement ID, an issuer, a JEQF level or "
                    "a number of hours."
                )
            )

    def matches(self, achievement: RecognisedAchievement) -> bool:
        if self.achievement_id and achievement.achievement_id != self.achievement_id:
            return False
        if self.issuer_id and achievement.issuer_id != self.issuer_id:
            return False
        if self.min_level and (achievement.level or 0) < self.min_level:
            return False
        return not (self.min_hours and (achievement.hours or 0) < self.min_hours)


class Recognition(models.Model):
    """One outside achievement counting (or not) toward one stack, under one rule."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting a decision")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn (no longer valid)")

    achievement = models.ForeignKey(
        RecognisedAchievement,
        on_delete=models.CASCADE,
        related_name="recognitions",
        verbose_name=_("outside achievement"),
    )
    rule = models.ForeignKey(
        RecognitionRule,
        on_delete=models.PROTECT,
        related_name="recognitions",
        verbose_name=_("recognition rule"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recognition")
        verbose_name_plural = _("recognitions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["achievement", "rule"], name="one_recognition_per_rule"
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | ~Q(reason=""),
                name="decided_recognition_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.achievement} → {self.rule.stands_for}"
