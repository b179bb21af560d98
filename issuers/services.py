"""Writes about issuers. Every write checks the actor's role and is audited."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.bulk import create_objects

from . import keys
from .client_ip import client_ip
from .images import sanitised_upload
from .models import AuditEvent, ExternalQualityAssurance, Issuer, Membership, Role, SigningKey
from .permissions import Action
from .selectors import user_can

# What owners may edit on the profile; `kind` is platform administrators' (it changes what the
# issuer is) and `slug` is fixed because issued badge URLs contain it.
PROFILE_FIELDS = frozenset(
    {
        "name_ja",
        "name_en",
        "url",
        "email",
        "country",
        "description_ja",
        "description_en",
        "logo",
        "linkedin_organization_id",
    }
)
PLATFORM_FIELDS = frozenset({"kind"})
EXTERNAL_QA_FIELDS = frozenset(
    {
        "kind",
        "body_name_ja",
        "body_name_en",
        "scheme_ja",
        "scheme_en",
        "uri",
        "valid_from",
        "valid_until",
    }
)


def require_permission(user, issuer: Issuer, action: Action) -> None:
    """Raise PermissionDenied unless `user` may perform `action` at `issuer`."""
    if not user_can(user, issuer, action):
        raise PermissionDenied(
            _("You do not have permission to do this for %(issuer)s.") % {"issuer": issuer}
        )


def audit_event(
    *,
    actor,
    action: str,
    target,
    issuer: Issuer | None = None,
    details: dict | None = None,
    request=None,
) -> AuditEvent:
    """An unsaved audit event (for :func:`record_audits`, which writes many at once)."""
    ip_address = user_agent = None
    if request is not None:
        ip_address = client_ip(request)
        user_agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    return AuditEvent(
        issuer=issuer,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=str(actor) if actor is not None else "system",
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=str(target)[:300],
        details=details or {},
        ip_address=ip_address,
        user_agent=user_agent or "",
    )


def record_audit(**fields) -> AuditEvent:
    """Append one audit event. `target` is any model instance; `request` gives the origin."""
    event = audit_event(**fields)
    event.save()
    return event


def record_audits(events: list[AuditEvent]) -> None:
    """Append many audit events in one statement (batch issuing audits every award)."""
    create_objects(events)  # COPY on PostgreSQL (common.bulk)


@transaction.atomic
def create_issuer(*, actor, request=None, **fields) -> Issuer:
    """Create an issuer organisation (platform administrators only)."""
    if not (actor.is_authenticated and actor.is_superuser):
        raise PermissionDenied(_("Only platform administrators can create issuers."))
    issuer = Issuer(**_with_sanitised_logo(fields))
    issuer.full_clean()
    issuer.save()
    record_audit(actor=actor, action="issuer.create", target=issuer, issuer=issuer, request=request)
    return issuer


@transaction.atomic
def set_membership(*, actor, issuer: Issuer, user, role: str, request=None) -> Membership:
    """Give `user` a role at `issuer` (or change it). Owners manage staff."""
    require_permission(actor, issuer, Action.MANAGE_STAFF)
    _lock(issuer)
    membership = Membership.objects.filter(issuer=issuer, user=user).first()
    created = membership is None
    if created:
        membership = Membership(issuer=issuer, user=user)
    elif membership.role == Role.OWNER and role != Role.OWNER:
        _keep_an_owner(membership)
    membership.role = role
    membership.full_clean()
    membership.save()
    record_audit(
        actor=actor,
        action="membership.create" if created else "membership.update",
        target=membership,
        issuer=issuer,
        details={"user": user.get_username(), "role": role},
        request=request,
    )
    return membership


@transaction.atomic
def remove_membership(*, actor, issuer: Issuer, user, request=None) -> None:
    """Take away `user`'s role at `issuer`. The last owner cannot be removed."""
    require_permission(actor, issuer, Action.MANAGE_STAFF)
    _lock(issuer)
    membership = Membership.objects.get(issuer=issuer, user=user)
    if membership.role == Role.OWNER:
        _keep_an_owner(membership)
    record_audit(
        actor=actor,
        action="membership.remove",
        target=membership,
        issuer=issuer,
        details={"user": user.get_username(), "role": membership.role},
        request=request,
    )
    membership.delete()


def _keep_an_owner(membership: Membership) -> None:
    # Without an owner nobody but a platform administrator could manage staff or keys.
    others = Membership.objects.filter(issuer=membership.issuer_id, role=Role.OWNER)
    if not others.exclude(pk=membership.pk).exists():
        raise ValidationError(_("An issuer must keep at least one owner."), code="last_owner")


def _lock(issuer: Issuer) -> Issuer:
    """A fresh, row-locked copy: serialises concurrent writes to one issuer."""
    return Issuer.objects.select_for_update(no_key=True).get(pk=issuer.pk)


@transaction.atomic
def update_issuer_profile(*, actor, issuer: Issuer, request=None, **fields) -> Issuer:
    """Change profile fields (PROFILE_FIELDS; `kind` for platform administrators only)."""
    require_permission(actor, issuer, Action.MANAGE_ISSUER)
    unknown = set(fields) - PROFILE_FIELDS - PLATFORM_FIELDS
    if unknown:
        raise TypeError(f"Not profile fields: {', '.join(sorted(unknown))}")
    if set(fields) & PLATFORM_FIELDS and not actor.is_superuser:
        raise PermissionDenied(_("Only platform administrators can change the kind of issuer."))
    return _update_issuer(actor, issuer, fields, "issuer.update", request)


@transaction.atomic
def set_quality_assurance(
    *,
    actor,
    issuer: Issuer,
    standard_name_ja: str = "",
    standard_name_en: str = "",
    standard_uri: str = "",
    request=None,
) -> Issuer:
    """Set the issuer's internal quality-assurance statement (empty values clear it)."""
    require_permission(actor, issuer, Action.MANAGE_ISSUER)
    fields = {
        "qa_standard_name_ja": standard_name_ja,
        "qa_standard_name_en": standard_name_en,
        "qa_standard_uri": standard_uri,
    }
    return _update_issuer(actor, issuer, fields, "issuer.quality_assurance.update", request)


def _with_sanitised_logo(fields: dict) -> dict:
    """An uploaded logo is checked and, if SVG, replaced by its allow-listed copy."""
    if not fields.get("logo"):
        return fields
    try:
        return {**fields, "logo": sanitised_upload(fields["logo"])}
    except ValidationError as error:
        raise ValidationError({"logo": error.messages}) from error


def _update_issuer(actor, issuer: Issuer, fields: dict, action: str, request) -> Issuer:
    fields = _with_sanitised_logo(fields)
    locked = _lock(issuer)
    changed = sorted(name for name, value in fields.items() if getattr(locked, name) != value)
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, fields[name])
    locked.full_clean()
    locked.save()
    for name in [*changed, "updated_at"]:  # the caller's copy shows the change too
        setattr(issuer, name, getattr(locked, name))
    record_audit(
        actor=actor,
        action=action,
        target=locked,
        issuer=locked,
        details={"changed": changed},
        request=request,
    )
    return locked


@transaction.atomic
def add_external_qa(*, actor, issuer: Issuer, request=None, **fields) -> ExternalQualityAssurance:
    """Record an external QA, accreditation or endorsement of the issuer."""
    require_permission(actor, issuer, Action.MANAGE_ISSUER)
    _check_external_qa_fields(fields)
    record = ExternalQualityAssurance(issuer=issuer, **fields)
    record.full_clean()
    record.save()
    _audit_external_qa(actor, record, "external_qa.add", request)
    return record


@transaction.atomic
def update_external_qa(
    *, actor, external_qa: ExternalQualityAssurance, request=None, **fields
) -> ExternalQualityAssurance:
    # Permission comes from the stored record's issuer, never from the caller's copy.
    record = ExternalQualityAssurance.objects.select_for_update().get(pk=external_qa.pk)
    require_permission(actor, record.issuer, Action.MANAGE_ISSUER)
    _check_external_qa_fields(fields)
    for name, value in fields.items():
        setattr(record, name, value)
    record.full_clean()
    record.save()
    _audit_external_qa(actor, record, "external_qa.update", request)
    return record


@transaction.atomic
def remove_external_qa(*, actor, external_qa: ExternalQualityAssurance, request=None) -> None:
    record = ExternalQualityAssurance.objects.select_for_update().get(pk=external_qa.pk)
    require_permission(actor, record.issuer, Action.MANAGE_ISSUER)
    _audit_external_qa(actor, record, "external_qa.remove", request)
    record.delete()


def _check_external_qa_fields(fields: dict) -> None:
    unknown = set(fields) - EXTERNAL_QA_FIELDS
    if unknown:
        raise TypeError(f"Not external QA fields: {', '.join(sorted(unknown))}")


def _audit_external_qa(actor, record: ExternalQualityAssurance, action: str, request) -> None:
    record_audit(
        actor=actor,
        action=action,
        target=record,
        issuer=record.issuer,
        details={"kind": record.kind, "body": record.body_name_ja},
        request=request,
    )


# Signing keys. Audit details name keys by key_id only: never any key material.


@transaction.atomic
def ensure_signing_keys(issuer: Issuer, *, actor=None, request=None) -> dict[str, SigningKey]:
    """The active key per algorithm, generating missing ones.

    Without `actor` this is the system generating keys on demand (e.g. before the first
    signature); with one, the actor must be allowed to manage keys.
    """
    if actor is not None:
        require_permission(actor, issuer, Action.MANAGE_KEYS)
    _lock(issuer)
    active = {
        key.algorithm: key
        for key in SigningKey.objects.filter(issuer=issuer, status=SigningKey.Status.ACTIVE)
    }
    for algorithm in SigningKey.Algorithm.values:
        if algorithm not in active:
            active[algorithm] = _new_signing_key(issuer, algorithm)
            _audit_key(actor, active[algorithm], "signing_key.generate", request)
    return active


@transaction.atomic
def generate_signing_key(*, actor, issuer: Issuer, algorithm: str, request=None) -> SigningKey:
    """A first active key for `algorithm`; use rotate_signing_key to replace an active one."""
    require_permission(actor, issuer, Action.MANAGE_KEYS)
    _check_algorithm(algorithm)
    _lock(issuer)
    if SigningKey.objects.filter(
        issuer=issuer, algorithm=algorithm, status=SigningKey.Status.ACTIVE
    ).exists():
        raise ValidationError(
            _("This issuer already has an active %(algorithm)s key; rotate it instead."),
            code="active_key_exists",
            params={"algorithm": algorithm},
        )
    key = _new_signing_key(issuer, algorithm)
    _audit_key(actor, key, "signing_key.generate", request)
    return key


@transaction.atomic
def rotate_signing_key(*, actor, issuer: Issuer, algorithm: str, request=None) -> SigningKey:
    """Retire the active key (it stays published for verification) and activate a new one."""
    require_permission(actor, issuer, Action.MANAGE_KEYS)
    _check_algorithm(algorithm)
    _lock(issuer)
    old = (
        SigningKey.objects.select_for_update()
        .filter(issuer=issuer, algorithm=algorithm, status=SigningKey.Status.ACTIVE)
        .first()
    )
    if old is not None:
        old.status = SigningKey.Status.RETIRED
        old.retired_at = timezone.now()
        old.full_clean()
        old.save(update_fields=["status", "retired_at"])
    key = _new_signing_key(issuer, algorithm)
    _audit_key(
        actor,
        key,
        "signing_key.rotate",
        request,
        retired_key_id=old.key_id if old is not None else None,
    )
    return key


@transaction.atomic
def reencrypt_private_keys() -> int:
    """After a new KEK is put first in KEY_ENCRYPTION_KEYS: re-encrypt every private key with
    it, so the old KEK can then be removed. Returns how many keys were re-encrypted."""
    count = 0
    for key in SigningKey.objects.select_for_update().select_related("issuer").order_by("pk"):
        key.encrypted_private_key = keys.reencrypt_token(key.encrypted_private_key)
        key.save(update_fields=["encrypted_private_key"])
        _audit_key(None, key, "signing_key.reencrypt", None)
        count += 1
    return count


def _check_algorithm(algorithm: str) -> None:
    if algorithm not in SigningKey.Algorithm.values:
        raise ValidationError(
            _("Unknown signing algorithm: %(algorithm)s."),
            code="unknown_algorithm",
            params={"algorithm": algorithm},
        )


def _new_signing_key(issuer: Issuer, algorithm: str) -> SigningKey:
    private_key = keys.generate_private_key(algorithm)
    key = SigningKey(
        issuer=issuer,
        algorithm=algorithm,
        public_key=keys.public_key_bytes(private_key),
        encrypted_private_key=keys.encrypt_private_key(private_key),
    )
    key.full_clean()
    key.save()
    return key


def _audit_key(actor, key: SigningKey, action: str, request, **details) -> None:
    record_audit(
        actor=actor,
        action=action,
        target=key,
        issuer=key.issuer,
        details={"algorithm": key.algorithm, "key_id": key.key_id, **details},
        request=request,
    )
