"""Who awards: issuer organisations, their staff and roles, and the audit trail."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Issuer(models.Model):
    class Kind(models.TextChoices):
        UNIVERSITY = "university", _("University")
        ACADEMIC_SOCIETY = "academic_society", _("Academic society")
        TRAINING_PROVIDER = "training_provider", _("Training provider")
        COMPANY = "company", _("Company")
        QA_BODY = "qa_body", _("Quality-assurance or endorsing body")

    slug = models.SlugField(_("slug"), unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    url = models.URLField(_("website"))
    email = models.EmailField(_("contact e-mail"))
    country = models.CharField(_("country (ISO 3166-1)"), max_length=2, default="JP")
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="issuers/logos/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("issuer")
        verbose_name_plural = _("issuers")
        ordering = ["slug"]

    def __str__(self):
        return self.name_ja or self.name_en


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    DESIGNER = "designer", _("Programme designer")
    ASSESSOR = "assessor", _("Assessor")
    ISSUER = "issuer", _("Issuing officer")
    VIEWER = "viewer", _("Viewer")


class Membership(models.Model):
    """A staff member's role at one issuer. One role per person and issuer."""

    issuer = models.ForeignKey(Issuer, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="issuer_memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "user"], name="one_membership_per_issuer")
        ]

    def __str__(self):
        return f"{self.user} @ {self.issuer.slug}: {self.role}"


class AuditEvent(models.Model):
    """Append-only record of every create, issue, revoke and key action."""

    issuer = models.ForeignKey(
        Issuer, on_delete=models.PROTECT, related_name="audit_events", null=True, blank=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    target_label = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_label}"
