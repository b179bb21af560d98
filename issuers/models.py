"""Who awards: issuer organisations, their staff and roles, signing keys and the audit trail."""

import base64
import datetime
import secrets

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import keys
from .images import validate_image_upload
from .validators import validate_country_code, validate_linkedin_organization_id


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
    country = models.CharField(
        _("country (ISO 3166-1)"), max_length=2, default="JP", validators=[validate_country_code]
    )
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    # A FileField, not ImageField: SVG is allowed and validate_image_upload checks the content.
    logo = models.FileField(
        _("logo"),
        upload_to="issuers/logos/",
        blank=True,
        validators=[validate_image_upload],
        help_text=_("PNG, JPEG or SVG (no scripts or external references), at most 1 MB."),
    )
    # Internal quality-assurance statement (JMCF "quality_assurance.internal").
    qa_standard_name_ja = models.CharField(
        _("internal QA standard (Japanese)"), max_length=300, blank=True
    )
    qa_standard_name_en = models.CharField(
        _("internal QA standard (English)"), max_length=300, blank=True
    )
    qa_standard_uri = models.URLField(_("internal QA standard URI"), blank=True)
    # LinkedIn's "Add to profile" links the company page by this id (organizationName is
    # only a fallback text).
    # OB 3.0 allows two proof formats; Data Integrity is always issued, VC-JWT on request.
    issue_vc_jwt = models.BooleanField(
        _("also issue Open Badges 3.0 as VC-JWT"),
        default=False,
        help_text=_(
            "Besides the Data Integrity credential, each new award is also signed as a VC-JWT "
            "(1EdTech OB 3.0 §8.2), for wallets and platforms that read only that format."
        ),
    )
    linkedin_organization_id = models.CharField(
        _("LinkedIn organization ID"),
        max_length=20,
        blank=True,
        validators=[validate_linkedin_organization_id],
        help_text=_(
            "Digits only. Open your organisation's LinkedIn page as its administrator: the "
            "number in the address linkedin.com/company/<number>/admin/ is the ID. With it, "
            "learners' “Add to profile” links your LinkedIn page; without it, only the name "
            "is shown."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("issuer")
        verbose_name_plural = _("issuers")
        ordering = ["slug"]

    def __str__(self):
        return self.name_ja or self.name_en

    def clean(self):
        self.country = (self.country or "").upper()
        if self.qa_standard_uri and not (self.qa_standard_name_ja or self.qa_standard_name_en):
            raise ValidationError(
                {"qa_standard_name_ja": _("Name the internal QA standard that the URI points to.")}
            )


class ExternalQualityAssurance(models.Model):
    """An external QA, accreditation or endorsement body's recognition of the issuer."""

    class Kind(models.TextChoices):
        ACCREDITATION = "accreditation", _("Accreditation")
        CERTIFICATION = "certification", _("Certification")
        THIRD_PARTY_EVALUATION = "third_party_evaluation", _("Third-party evaluation")
        ENDORSEMENT = "endorsement", _("Endorsement")

    issuer = models.ForeignKey(
        Issuer, on_delete=models.CASCADE, related_name="external_qa", verbose_name=_("issuer")
    )
    kind = models.CharField(_("type"), max_length=32, choices=Kind.choices)
    body_name_ja = models.CharField(_("body (Japanese)"), max_length=300)
    body_name_en = models.CharField(_("body (English)"), max_length=300, blank=True)
    scheme_ja = models.CharField(_("evaluation or scheme (Japanese)"), max_length=300, blank=True)
    scheme_en = models.CharField(_("evaluation or scheme (English)"), max_length=300, blank=True)
    uri = models.URLField(_("URI"), blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("external quality assurance")
        verbose_name_plural = _("external quality assurance")
        ordering = ["issuer", "kind", "body_name_ja", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="external_qa_valid_period",
            )
        ]

    def __str__(self):
        return f"{self.body_name_ja} ({self.get_kind_display()})"

    def clean(self):
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The end date is before the start date.")})

    def is_valid_on(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    DESIGNER = "designer", _("Programme designer")
    ASSESSOR = "assessor", _("Assessor")
    ISSUER = "issuer", _("Issuing officer")
    VIEWER = "viewer", _("Viewer")


class Membership(models.Model):
    """A staff member's role at one issuer. One role per person and issuer."""

    issuer = models.ForeignKey(
        Issuer, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("issuer")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="issuer_memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

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
        Issuer,
        on_delete=models.PROTECT,
        related_name="audit_events",
        null=True,
        blank=True,
        verbose_name=_("issuer"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor name"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("target type"), max_length=64)
    target_id = models.CharField(_("target id"), max_length=64)
    target_label = models.CharField(_("target"), max_length=300, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        # An object's history (selectors.audit_events_for) is read on its admin page: its own
        # events by target, its badge's events by the award they name in their details.
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
            models.Index(F("details__award"), name="audit_details_award"),
        ]

    def __str__(self):
        from .audit_labels import action_label  # labels need the app registry, loaded by now

        moment = timezone.localtime(self.created_at) if self.created_at else None
        when = f"{moment:%Y-%m-%d %H:%M} " if moment else ""
        return f"{when}{action_label(self.action)} {self.target_label}".strip()


def new_key_id() -> str:
    return f"key-{secrets.token_hex(8)}"


class SigningKey(models.Model):
    """An issuer's signing key pair. The private half is only ever stored encrypted.

    Retired keys stay published so that badges signed earlier still verify.
    """

    class Algorithm(models.TextChoices):
        ED25519 = keys.ED25519, _("Ed25519 (Open Badges 3.0)")
        RSA2048 = keys.RSA2048, _("RSA 2048 (Open Badges 2.0 JWS)")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    # PROTECT: deleting an issuer must not silently unpublish keys that badges point to.
    issuer = models.ForeignKey(
        Issuer, on_delete=models.PROTECT, related_name="signing_keys", verbose_name=_("issuer")
    )
    key_id = models.SlugField(
        _("key id"), max_length=40, unique=True, default=new_key_id, editable=False
    )
    algorithm = models.CharField(_("algorithm"), max_length=16, choices=Algorithm.choices)
    # Raw 32 bytes for Ed25519, PEM (SubjectPublicKeyInfo) for RSA.
    public_key = models.BinaryField(_("public key"), editable=False)
    # MultiFernet token over settings.KEY_ENCRYPTION_KEYS of the PKCS#8 DER private key.
    encrypted_private_key = models.BinaryField(editable=False)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        ordering = ["issuer", "algorithm", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "algorithm"],
                condition=Q(status="active"),
                name="one_active_key_per_algorithm",
            ),
            models.CheckConstraint(
                condition=Q(status="active", retired_at__isnull=True)
                | Q(status="retired", retired_at__isnull=False),
                name="signing_key_retired_at_matches_status",
            ),
        ]

    def __str__(self):
        return f"{self.key_id} ({self.algorithm}, {self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def public_key_pem(self) -> str:
        """PEM SubjectPublicKeyInfo, for both algorithms (OB 2.0 CryptographicKey.publicKeyPem)."""
        if self.algorithm == self.Algorithm.ED25519:
            public = ed25519.Ed25519PublicKey.from_public_bytes(bytes(self.public_key))
            return public.public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            ).decode("ascii")
        return bytes(self.public_key).decode("ascii")

    @property
    def public_key_multibase(self) -> str:
        """Multikey publicKeyMultibase ('z' + base58btc(0xed01 + raw key)); Ed25519 only."""
        if self.algorithm != self.Algorithm.ED25519:
            raise ValueError("publicKeyMultibase is defined here for Ed25519 keys only.")
        return keys.ed25519_multibase(bytes(self.public_key))

    @property
    def public_jwk(self) -> dict:
        """The public key as a JWK (RFC 7517 / RFC 8037), with `kid` set to key_id."""
        if self.algorithm == self.Algorithm.ED25519:
            jwk = {"kty": "OKP", "crv": "Ed25519", "x": _b64url(bytes(self.public_key))}
        else:
            numbers = serialization.load_pem_public_key(bytes(self.public_key)).public_numbers()
            jwk = {"kty": "RSA", "n": _b64url_uint(numbers.n), "e": _b64url_uint(numbers.e)}
        return jwk | {"kid": self.key_id}

    @property
    def public_key_object(self):
        """The cryptography public key object, for verifying."""
        return serialization.load_pem_public_key(self.public_key_pem.encode("ascii"))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_uint(number: int) -> str:
    return _b64url(number.to_bytes((number.bit_length() + 7) // 8, "big"))


class ApiClient(models.Model):
    """A learning management system's access to one issuer through the REST API.

    Only an HMAC of the bearer token is stored (issuers.api_clients); `prefix` finds the row.
    The client acts through `user`, a service account with a Membership at the issuer, so the
    permission checks and the audit trail of the services apply to API calls unchanged.
    """

    issuer = models.ForeignKey(
        Issuer, on_delete=models.CASCADE, related_name="api_clients", verbose_name=_("issuer")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("token prefix"), max_length=16, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_client",
        editable=False,
        verbose_name=_("service account"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["issuer", "name", "id"]

    def __str__(self):
        return f"{self.name} ({self.issuer.slug}, {self.prefix})"


class IdempotencyRecord(models.Model):
    """The first successful response to a POST with an Idempotency-Key, replayed on retries."""

    client = models.ForeignKey(
        ApiClient, on_delete=models.CASCADE, related_name="idempotency_records"
    )
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path and body
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField(encoder=DjangoJSONEncoder, null=True)
    location = models.CharField(max_length=2000, blank=True)  # the first response's Location
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="idempotency_key_per_client")
        ]

    def __str__(self):
        return f"{self.client_id}: {self.key}"


class WebhookEvent(models.TextChoices):
    AWARD_ISSUED = "award.issued", _("award issued")
    AWARD_REVOKED = "award.revoked", _("award revoked")
    BATCH_COMPLETED = "batch.completed", _("batch completed")


class WebhookEndpoint(models.Model):
    """A URL of the issuer's systems that is told about events (issuers.webhooks).

    The secret is kept in the clear because every delivery is signed with it (HMAC); it is
    shown to the issuer once, when the endpoint is registered.
    """

    issuer = models.ForeignKey(
        Issuer, on_delete=models.CASCADE, related_name="webhook_endpoints", verbose_name=_("issuer")
    )
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=64, editable=False)
    events = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["issuer", "id"]

    def __str__(self):
        return f"{self.url} ({self.issuer.slug})"


class WebhookDelivery(models.Model):
    """One event sent (or being retried) to one endpoint: the delivery log."""

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    event = models.CharField(_("event"), max_length=32, choices=WebhookEvent.choices)
    payload = models.JSONField(_("payload"), encoder=DjangoJSONEncoder)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveSmallIntegerField(_("last status code"), null=True)
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.event} → {self.endpoint.url}"


class IssuerAgreement(models.Model):
    """A consortium agreement (単位互換・相互認定): two issuers accept each other's programmes,
    so that a stack of either may require programmes of the other. One proposes, the other's
    owner consents; either may end it (stacks already set up and awards made stay)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Awaiting the partner's consent")
        ACTIVE = "active", _("In force")
        DECLINED = "declined", _("Declined by the partner")
        ENDED = "ended", _("Ended")

    proposer = models.ForeignKey(
        Issuer, on_delete=models.CASCADE, related_name="+", verbose_name=_("proposing issuer")
    )
    partner = models.ForeignKey(
        Issuer, on_delete=models.CASCADE, related_name="+", verbose_name=_("partner issuer")
    )
    title = models.CharField(_("agreement"), max_length=300)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consortium agreement")
        verbose_name_plural = _("consortium agreements")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(proposer=F("partner")), name="agreement_between_two_issuers"
            ),
            models.UniqueConstraint(
                fields=["proposer", "partner"],
                condition=Q(status__in=["proposed", "active"]),
                name="one_open_agreement_per_pair",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.proposer.name_ja} ⇄ {self.partner.name_ja})"
