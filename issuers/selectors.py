"""Reads about issuers, always scoped to what the asking user may see."""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import (
    AuditEvent,
    ExternalQualityAssurance,
    Issuer,
    IssuerAgreement,
    Membership,
    SigningKey,
)
from .permissions import ROLE_ACTIONS, Action


def roles_allowing(action: Action) -> list[str]:
    return [role for role, actions in ROLE_ACTIONS.items() if action in actions]


def issuers_for_user(user, action: Action = Action.VIEW) -> QuerySet[Issuer]:
    """Issuers where `user` may perform `action`. Superusers see every issuer."""
    if not user.is_authenticated or not user.is_active:
        return Issuer.objects.none()
    if user.is_superuser:
        return Issuer.objects.all()
    return Issuer.objects.filter(
        memberships__user=user, memberships__role__in=roles_allowing(action)
    ).distinct()


def user_role(user, issuer: Issuer) -> str | None:
    membership = Membership.objects.filter(user=user, issuer=issuer).only("role").first()
    return membership.role if membership else None


def user_can(user, issuer: Issuer, action: Action) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return issuers_for_user(user, action).filter(pk=issuer.pk).exists()


def issuer_for_user(user, *, slug: str, action: Action = Action.VIEW) -> Issuer:
    """One issuer the user may act on; Issuer.DoesNotExist (a 404) hides others' issuers."""
    return issuers_for_user(user, action).get(slug=slug)


def memberships_for_user(user) -> QuerySet[Membership]:
    """Staff memberships at the issuers `user` may view."""
    return Membership.objects.filter(issuer__in=issuers_for_user(user)).select_related(
        "issuer", "user"
    )


def audit_events_for_user(user) -> QuerySet[AuditEvent]:
    """Audit events of the issuers `user` may view; events without an issuer are superusers'."""
    if user.is_authenticated and user.is_active and user.is_superuser:
        return AuditEvent.objects.all()
    return AuditEvent.objects.filter(issuer__in=issuers_for_user(user))


def audit_events_for(obj, *, user=None) -> QuerySet[AuditEvent]:
    """The history of one object, newest first: events whose target it is, and events about
    records made from it that name it in their details by its public id (a badge's events name
    their award as details["award"]). With `user`, only events of issuers they may view."""
    about = Q(target_type=obj._meta.label_lower, target_id=str(obj.pk))
    public_id = getattr(obj, "public_id", None)
    if public_id is not None:
        about |= Q(**{f"details__{obj._meta.model_name}": str(public_id)})
    events = audit_events_for_user(user) if user is not None else AuditEvent.objects.all()
    return events.filter(about).select_related("actor", "issuer")


def external_qa_for_issuer(
    issuer: Issuer, *, valid_on: datetime.date | None = None
) -> list[ExternalQualityAssurance]:
    """The issuer's external QA (public information), optionally only those valid on a day."""
    records = list(issuer.external_qa.all())
    if valid_on is not None:
        records = [record for record in records if record.is_valid_on(valid_on)]
    return records


def quality_assurance_descriptor(issuer: Issuer, *, on: datetime.date | None = None) -> dict:
    """The issuer's QA in the JMCF `quality_assurance` descriptor shape (docs/descriptors.md).

    External records are those valid on `on` (default: today); empty parts are left out.
    """
    day = on or timezone.localdate()
    descriptor: dict = {}
    standard = _ltext(issuer.qa_standard_name_ja, issuer.qa_standard_name_en)
    if standard:
        descriptor["internal"] = {"standard": standard}
        if issuer.qa_standard_uri:
            descriptor["internal"]["uri"] = issuer.qa_standard_uri
    external = []
    for record in external_qa_for_issuer(issuer, valid_on=day):
        entry = {
            "type": record.kind,
            "body": _ltext(
                _with_scheme(record.body_name_ja, record.scheme_ja, "（", "）"),
                _with_scheme(record.body_name_en, record.scheme_en, " (", ")"),
            ),
        }
        if record.uri:
            entry["uri"] = record.uri
        external.append(entry)
    if external:
        descriptor["external"] = external
    return descriptor


def _ltext(ja: str, en: str) -> dict:
    return {lang: text for lang, text in (("ja", ja), ("en", en)) if text}


def _with_scheme(body: str, scheme: str, open_: str, close: str) -> str:
    return f"{body}{open_}{scheme}{close}" if body and scheme else body


def active_signing_key(issuer: Issuer, algorithm: str) -> SigningKey | None:
    """The key that signs new badges for `algorithm`; None until ensure_signing_keys ran."""
    return _public(SigningKey.objects.filter(issuer=issuer, algorithm=algorithm)).first()


def published_keys(issuer: Issuer) -> QuerySet[SigningKey]:
    """Active and retired keys (retired ones still verify earlier badges), public parts only."""
    return _public(SigningKey.objects.filter(issuer=issuer), include_retired=True)


def published_key(key_id: str) -> SigningKey | None:
    """A published key by its key id, e.g. for a key document URL."""
    return _public(SigningKey.objects.filter(key_id=key_id), include_retired=True).first()


def signing_keys_for_user(user) -> QuerySet[SigningKey]:
    """Keys (public parts) of the issuers `user` may view."""
    return _public(
        SigningKey.objects.filter(issuer__in=issuers_for_user(user)), include_retired=True
    )


def _public(keys: QuerySet[SigningKey], *, include_retired: bool = False) -> QuerySet[SigningKey]:
    # The encrypted private key is never loaded by reads; only keys.load_private_key needs it.
    if not include_retired:
        keys = keys.filter(status=SigningKey.Status.ACTIVE)
    return keys.defer("encrypted_private_key").select_related("issuer")


def agreement_partners(issuer) -> set[int]:
    """IDs of the issuers with an agreement in force with `issuer` (either side proposed)."""
    active = IssuerAgreement.objects.filter(status=IssuerAgreement.Status.ACTIVE)
    return set(active.filter(proposer=issuer).values_list("partner_id", flat=True)) | set(
        active.filter(partner=issuer).values_list("proposer_id", flat=True)
    )
