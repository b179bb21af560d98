"""The envelope: what the portal signed for an award, and the status lists that
revoke it. The educational record (credentials.Award) stays the source of truth; these rows
are derived from it and can be rebuilt."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

STATUS_LIST_MIN_SIZE = 131_072  # Bitstring Status List v1.0: at least 16 KB, for herd privacy


class RowBoundJSONField(models.JSONField):
    """A JSONField that bulk inserts bind row by row. Django 5.2 sends PostgreSQL bulk inserts as
    one array per column (UNNEST), and psycopg escapes array elements in Python: for signed
    credentials of ~10 KB that was 4 ms per award, most of a batch chunk's database time. A
    column with its own placeholder keeps Django on the plain multi-row VALUES insert."""

    def get_placeholder(self, value, compiler, connection):
        return "%s"


def baked_image_path(instance, filename):
    # Kept for migration 0001: BadgeRecord stored four baked image files under this path until
    # issue #15 (images are now baked when asked, badges.baked); old files are no longer read.
    return f"badges/{instance.award.public_id}/{filename}"


class StatusList(models.Model):
    """One issuer's Bitstring Status List; the signed credential is re-made only when a bit
    changes (`signed_version` behind `version`), never per request."""

    class Purpose(models.TextChoices):
        REVOCATION = "revocation", _("Revocation")
        SUSPENSION = "suspension", _("Suspension")

    issuer = models.ForeignKey(
        "issuers.Issuer", on_delete=models.PROTECT, related_name="status_lists"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    purpose = models.CharField(max_length=16, choices=Purpose.choices, default=Purpose.REVOCATION)
    # A suspension list mirrors one revocation list index for index (badges.status).
    paired_with = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="suspension_lists",
        editable=False,
    )
    size = models.PositiveIntegerField(default=STATUS_LIST_MIN_SIZE)
    bits = models.BinaryField(editable=False)  # size / 8 bytes, index 0 = left-most bit
    # Indices handed out (same layout). Claimed in a short transaction of their own, so that
    # workers signing for one issuer do not wait for each other; a claim whose badge was never
    # made leaves its index unused, which costs nothing.
    claimed = models.BinaryField(editable=False, default=b"")
    version = models.PositiveIntegerField(default=1)
    signed_version = models.PositiveIntegerField(default=0)
    credential = models.JSONField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("status list")
        verbose_name_plural = _("status lists")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(size__gte=STATUS_LIST_MIN_SIZE), name="status_list_min_size"
            )
        ]

    def __str__(self):
        return f"{self.issuer.slug} {self.purpose} {self.public_id}"


class BadgeRecord(models.Model):
    """The signed badges of one award, OB 2.0 and OB 3.0 (baked into images when asked for:
    badges.baked)."""

    award = models.OneToOneField(
        "credentials.Award", on_delete=models.PROTECT, related_name="badge_record"
    )
    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="entries")
    status_index = models.PositiveIntegerField()
    # The same index in the suspension list paired with `status_list` (None for badges made
    # before suspension existed: they can be revoked, not suspended).
    suspension_list = models.ForeignKey(
        StatusList,
        on_delete=models.PROTECT,
        related_name="suspension_entries",
        null=True,
        blank=True,
    )
    ob2_assertion = RowBoundJSONField(default=dict, editable=False)
    ob2_jws = models.TextField(blank=True, editable=False)
    ob3_credential = RowBoundJSONField(default=dict, editable=False)
    ob2_signing_key = models.ForeignKey(
        "issuers.SigningKey", on_delete=models.PROTECT, related_name="+", null=True
    )
    ob3_signing_key = models.ForeignKey(
        "issuers.SigningKey", on_delete=models.PROTECT, related_name="+", null=True
    )
    # The same credential secured as a VC-JWT (its issuer asked for one): badges/vc_jwt.py.
    ob3_jwt = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("badge record")
        verbose_name_plural = _("badge records")
        constraints = [
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="one_award_per_status_index"
            )
        ]

    def __str__(self):
        return f"badges of award {self.award_id}"


class Endorsement(models.Model):
    """A third party's signed statement about one programme version (OB 3.0
    EndorsementCredential, OB 2.0 Endorsement). Versions, not programmes, are endorsed: a new
    version is a new curriculum the endorser has not reviewed. Written by badges.endorsements."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Acceptance(models.TextChoices):
        """The endorsed issuer's consent: only accepted endorsements go into its badges."""

        PENDING = "pending", _("Awaiting acceptance")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    endorser = models.ForeignKey(
        "issuers.Issuer",
        on_delete=models.PROTECT,
        related_name="endorsements_given",
        verbose_name=_("endorser"),
    )
    programme_version = models.ForeignKey(
        "credentials.ProgrammeVersion",
        on_delete=models.PROTECT,
        related_name="endorsements",
        verbose_name=_("programme version"),
    )
    comment_ja = models.TextField(_("comment (Japanese)"))
    comment_en = models.TextField(_("comment (English)"), blank=True)
    issued_at = models.DateTimeField(_("issued at"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    acceptance = models.CharField(
        _("acceptance"),
        max_length=16,
        choices=Acceptance.choices,
        default=Acceptance.PENDING,
        help_text=_("By the endorsed issuer: only accepted endorsements appear in its badges."),
    )
    decided_at = models.DateTimeField(_("accepted or declined at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted or declined by"),
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    credential = models.JSONField(default=dict, editable=False)  # signed OB 3.0
    ob2_endorsement = models.JSONField(default=dict, editable=False)  # hosted OB 2.0
    signing_key = models.ForeignKey(
        "issuers.SigningKey", on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["endorser", "programme_version"],
                condition=models.Q(status="active"),
                name="one_active_endorsement_per_endorser_and_version",
            )
        ]

    def __str__(self):
        return f"{self.endorser} → {self.programme_version}"


class CredentialOffer(models.Model):
    """An OpenID4VCI pre-authorised offer of one award's credential to a wallet (badges/wallet).

    The pre-authorised code is not stored: it is derived from `public_id` with the site's secret
    (badges.wallet.offers), so the offer document can be served again while nothing in the
    database can be replayed. Only hashes of the access token and the transaction code are kept.
    An offer is single-use: `used_at` is set when the wallet receives its credential."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    record = models.ForeignKey(BadgeRecord, on_delete=models.PROTECT, related_name="offers")
    created_by_label = models.CharField(_("offered by"), max_length=200, blank=True)
    tx_code_hash = models.CharField(max_length=64, blank=True, editable=False)
    failed_tx_codes = models.PositiveSmallIntegerField(default=0, editable=False)
    access_token_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    access_token_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    redeemed_at = models.DateTimeField(_("code redeemed at"), null=True, blank=True)
    used_at = models.DateTimeField(_("credential received at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("wallet offer")
        verbose_name_plural = _("wallet offers")
        ordering = ["-created_at"]

    def __str__(self):
        return f"offer {self.public_id}"


class HolderCredential(models.Model):
    """The award's credential re-issued to a wallet's key (credentialSubject.id = the holder's
    DID), with the award's own status list entry, so revoking the award revokes it too."""

    offer = models.OneToOneField(
        CredentialOffer, on_delete=models.PROTECT, related_name="holder_credential"
    )
    record = models.ForeignKey(
        BadgeRecord, on_delete=models.PROTECT, related_name="holder_credentials"
    )
    holder = models.CharField(_("holder DID"), max_length=2000)
    format = models.CharField(max_length=16)  # "ldp_vc" | "jwt_vc_json"
    credential = models.JSONField(editable=False)  # the signed credential (ldp_vc)
    token = models.TextField(blank=True, editable=False)  # the VC-JWT (jwt_vc_json)
    # Hash of the proof's nonce: unique, so no proof is ever accepted twice.
    nonce_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("credential in a wallet")
        verbose_name_plural = _("credentials in wallets")

    def __str__(self):
        return f"{self.record} → {self.holder[:60]}"


class LearnerAccount(models.Model):
    """The Django user an OAuth 2.0 grant of a learner is recorded against (the 1EdTech OB 3.0
    API, badges/obapi). Learners sign in by magic link, not as users; this link, not a naming
    convention, says which learner a token speaks for."""

    learner = models.OneToOneField(
        "credentials.Learner", on_delete=models.CASCADE, related_name="oauth_account"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner_account"
    )

    def __str__(self):
        return f"{self.learner} ({self.user})"
