"""The issuing pipeline: an issued award becomes signed OB 2.0 and OB 3.0 badges; a revoked
one gets its status bit set. Both are idempotent and safe to retry (Celery acks late):
whatever a previous run stored is kept, only what is missing is made. Nothing is baked here:
the baked images are made from the signed badges when asked for (badges.baked).
"""

from __future__ import annotations

import logging

from django.db import transaction

from badges import dataintegrity, extension, ob2, ob3, status, vc_jwt
from badges.models import BadgeRecord
from credentials.models import Award
from credentials.representations import award_event_payload
from issuers import webhooks
from issuers.keys import load_private_key
from issuers.services import ensure_signing_keys, record_audit

logger = logging.getLogger(__name__)


def _award(award_pk: int, *, lock: bool = False) -> Award:
    awards = Award.objects.select_related(
        "learner", "assessment", "programme_version__programme__issuer"
    )
    if lock:
        awards = awards.select_for_update(of=("self",))
    return awards.get(pk=award_pk)


@transaction.atomic
def _record_with_index(award_pk: int) -> BadgeRecord | None:
    """The award's record, created with a fresh status index the first time (committed on its
    own so the issuer's allocation lock is held only briefly)."""
    award = _award(award_pk, lock=True)
    record = BadgeRecord.objects.filter(award=award).first()
    if record is not None or award.status != Award.Status.ISSUED:
        return record
    status_list, index = status.allocate_status_index(award.programme_version.programme.issuer)
    return BadgeRecord.objects.create(
        award=award,
        status_list=status_list,
        status_index=index,
        suspension_list=status.suspension_list_for(status_list),
    )


def is_complete(record: BadgeRecord) -> bool:
    return bool(record.ob3_credential and record.ob2_jws)


def _sign_ob3(record: BadgeRecord, key) -> None:
    record.ob3_credential = dataintegrity.sign_eddsa_rdfc_2022(
        ob3.credential_for(record),
        private_key=load_private_key(key),
        verification_method=ob3.verification_method_id(key),
        document_loader=extension.document_loader(),
    )
    record.ob3_signing_key = key


def _sign_vc_jwt(record: BadgeRecord, key) -> None:
    record.ob3_jwt = vc_jwt.sign_vc_jwt(
        record.ob3_credential,
        private_key=load_private_key(key),
        verification_method=ob3.verification_method_id(key),
    )


def _sign_ob2(record: BadgeRecord, key) -> None:
    # badges.ob2 signs with the issuer's active RSA key, the one recorded here.
    record.ob2_assertion, record.ob2_jws = ob2.signed_assertion_for(record)
    record.ob2_signing_key = key


def issue_badges_for_award(award_pk: int) -> BadgeRecord | None:
    """Sign the badges of an issued award; returns its record (None if the award is
    not issued and has none). Running it again returns the same record and makes nothing."""
    record = _record_with_index(award_pk)
    if record is None or is_complete(record):
        return record
    with transaction.atomic():
        record = BadgeRecord.objects.select_for_update().get(pk=record.pk)
        if is_complete(record):
            return record
        award = _award(award_pk)
        record.award = award
        issuer = award.programme_version.programme.issuer
        keys = ensure_signing_keys(issuer)
        made: list[str] = []
        if not record.ob3_credential:
            _sign_ob3(record, keys["ed25519"])
            made.append("ob3_credential")
            if issuer.issue_vc_jwt:
                _sign_vc_jwt(record, record.ob3_signing_key)
                made.append("ob3_jwt")
        if not record.ob2_jws:
            _sign_ob2(record, keys["rsa2048"])
            made.append("ob2_jws")
        record.save()
        # The lists must be signed before a verifier follows a credential to them.
        status.signed_status_list_credential(record.status_list)
        if record.suspension_list_id is not None:
            status.signed_status_list_credential(record.suspension_list)
        record_audit(
            actor=None,
            action="badge.issue",
            target=record,
            issuer=issuer,
            details={
                "award": str(award.public_id),
                "made": made,
                "status_list": str(record.status_list.public_id),
                "status_index": record.status_index,
                "ob3_key": record.ob3_signing_key.key_id,
                "ob2_key": record.ob2_signing_key.key_id if record.ob2_signing_key else None,
            },
        )
        webhooks.emit(issuer, "award.issued", award_event_payload(award))
    return record


def set_suspension_for_award(award_pk: int) -> BadgeRecord | None:
    """Make the award's suspension bit say what the award says (suspended or not) and re-sign
    the list when it changed. Idempotent; None if the badge has no suspension entry."""
    with transaction.atomic():
        award = _award(award_pk, lock=True)
        record = BadgeRecord.objects.select_related("suspension_list").filter(award=award).first()
        if record is None or record.suspension_list is None:
            return None
        suspended = award.suspended_at is not None and award.status == Award.Status.ISSUED
        changed = status.set_status(record.suspension_list, record.status_index, suspended)
        status.signed_status_list_credential(record.suspension_list)
        if changed:
            record_audit(
                actor=None,
                action="badge.suspend" if suspended else "badge.reinstate",
                target=record,
                issuer=record.suspension_list.issuer,
                details={
                    "award": str(award.public_id),
                    "status_list": str(record.suspension_list.public_id),
                    "status_index": record.status_index,
                },
            )
    return record


def revoke_badges_for_award(award_pk: int) -> BadgeRecord | None:
    """Set the award's revocation bit and re-sign its status list. Idempotent; None if no
    badge was ever made for the award."""
    with transaction.atomic():
        award = _award(award_pk, lock=True)
        record = BadgeRecord.objects.select_related("status_list").filter(award=award).first()
        if record is None:
            return None
        if award.status != Award.Status.REVOKED:
            logger.warning("Award %s is not revoked; its status bit is left alone.", award_pk)
            return record
        changed = status.set_status(record.status_list, record.status_index, True)
        status.signed_status_list_credential(record.status_list)
        if changed:
            record_audit(
                actor=None,
                action="badge.revoke",
                target=record,
                issuer=record.status_list.issuer,
                details={
                    "award": str(award.public_id),
                    "status_list": str(record.status_list.public_id),
                    "status_index": record.status_index,
                    "status_list_version": record.status_list.version,
                },
            )
            webhooks.emit(record.status_list.issuer, "award.revoked", award_event_payload(award))
    return record
