"""Offering an award's credential to a wallet and handing it over (OpenID4VCI 1.0, the
pre-authorised code flow). Writes only; every step that changes something is audited.

    offer → (wallet) token with the pre-authorised code [+ transaction code]
          → (wallet) nonce → credential request with a proof JWT → the holder-bound credential
"""

import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from badges import dataintegrity, extension, ob3, vc_jwt
from badges.models import BadgeRecord, CredentialOffer, HolderCredential
from badges.wallet.proofs import Holder
from credentials.models import Award
from issuers.keys import load_private_key
from issuers.services import ensure_signing_keys, record_audit

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
OFFER_SCHEME = "openid-credential-offer://"
LDP_VC = "OpenBadgeCredential_ldp_vc"
JWT_VC_JSON = "OpenBadgeCredential_jwt_vc_json"
CONFIGURATIONS = {LDP_VC: "ldp_vc", JWT_VC_JSON: "jwt_vc_json"}
ACCESS_TOKEN_SECONDS = 300
TX_CODE_LENGTH = 6
MAX_FAILED_TX_CODES = 5


class OfferError(Exception):
    """An OAuth 2.0 / OpenID4VCI error: `code` (e.g. invalid_grant) and a description."""

    def __init__(self, code: str, description: str, status: int = 400):
        super().__init__(description)
        self.code, self.description, self.status = code, description, status


@dataclass(frozen=True)
class HandOut:
    """What a learner's page or an LMS hands to the wallet."""

    offer: CredentialOffer
    document: dict
    offer_uri: str  # credential_offer_uri (by reference)
    deep_link: str  # openid-credential-offer://?credential_offer_uri=…
    deep_link_by_value: str  # openid-credential-offer://?credential_offer=…
    tx_code_sent: bool


def issuer_url() -> str:
    return settings.PORTAL_BASE_URL.rstrip("/")


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def pre_authorized_code(offer: CredentialOffer) -> str:
    mac = salted_hmac("badges.wallet.pre-authorized-code", offer.public_id.hex, algorithm="sha256")
    return f"{offer.public_id.hex}.{mac.hexdigest()}"


def _offer_for_code(code) -> CredentialOffer | None:
    if not isinstance(code, str) or "." not in code:
        return None
    public_hex, _, _mac = code.partition(".")
    try:
        public_id = uuid.UUID(hex=public_hex)
    except ValueError:
        return None
    offer = CredentialOffer.objects.filter(public_id=public_id).first()
    if offer is None or not hmac.compare_digest(pre_authorized_code(offer), code):
        return None
    return offer


def offer_document(offer: CredentialOffer) -> dict:
    grant: dict = {"pre-authorized_code": pre_authorized_code(offer)}
    if offer.tx_code_hash:
        grant["tx_code"] = {
            "input_mode": "numeric",
            "length": TX_CODE_LENGTH,
            "description": "メールでお送りした6桁の確認コード / the 6-digit code we e-mailed you",
        }
    configurations = [LDP_VC, *([JWT_VC_JSON] if offer.record.ob3_jwt else [])]
    return {
        "credential_issuer": issuer_url(),
        "credential_configuration_ids": configurations,
        "grants": {PRE_AUTHORIZED_GRANT: grant},
    }


def hand_out(offer: CredentialOffer, tx_code_sent: bool = False) -> HandOut:
    document = offer_document(offer)
    offer_uri = extension.portal_url("wallet-offer", public_id=offer.public_id)
    by_value = json_compact(document)
    return HandOut(
        offer=offer,
        document=document,
        offer_uri=offer_uri,
        deep_link=_deep_link("credential_offer_uri", offer_uri),
        deep_link_by_value=_deep_link("credential_offer", by_value),
        tx_code_sent=tx_code_sent,
    )


def _deep_link(name: str, value: str) -> str:
    return f"{OFFER_SCHEME}?{urlencode({name: value}, quote_via=quote)}"


def json_compact(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


@transaction.atomic
def make_offer(
    *, actor, award: Award, with_tx_code: bool = False, by_learner: bool = False, request=None
) -> HandOut:
    """A fresh single-use offer of `award`'s credential. With `with_tx_code` a 6-digit code goes
    to the learner by mail and the wallet must type it (for offers handed over by an LMS)."""
    record = BadgeRecord.objects.filter(award=award).select_related("award__learner").first()
    if record is None or award.status != Award.Status.ISSUED:
        raise OfferError("not_issued", "the award has no issued credential to offer", 409)
    minutes = getattr(settings, "WALLET_OFFER_MINUTES", 60 * 24)
    offer = CredentialOffer(
        record=record,
        created_by_label="learner" if by_learner else str(actor)[:200] if actor else "",
        expires_at=timezone.now() + timedelta(minutes=minutes),
    )
    tx_code = ""
    if with_tx_code:
        tx_code = f"{secrets.randbelow(10**TX_CODE_LENGTH):0{TX_CODE_LENGTH}d}"
        offer.tx_code_hash = _hash(tx_code)
    offer.save()
    issuer = award.programme_version.programme.issuer
    record_audit(
        actor=actor,
        action="badge.wallet_offer",
        target=offer,
        issuer=issuer,
        details={
            "award": str(award.public_id),
            "by": offer.created_by_label,
            "tx_code": bool(tx_code),
            "expires": offer.expires_at.isoformat(),
        },
        request=request,
    )
    if tx_code:
        email = award.learner.email
        transaction.on_commit(lambda: _mail_tx_code(email, tx_code))
    return hand_out(offer, bool(tx_code))


def _mail_tx_code(email: str, tx_code: str) -> None:
    send_mail(
        "ウォレットへの追加の確認コード / Your wallet code",
        f"ウォレットに次の確認コードを入力してください: {tx_code}\n"
        f"Enter this code in your wallet: {tx_code}\n",
        None,
        [email],
    )


def _usable(offer: CredentialOffer) -> None:
    if offer.used_at is not None:
        raise OfferError("invalid_grant", "this offer has already been used")
    if offer.expires_at <= timezone.now():
        raise OfferError("invalid_grant", "this offer has expired: ask for a new one")
    if offer.record.award.status != Award.Status.ISSUED:
        raise OfferError("invalid_grant", "the credential is no longer issued")


@transaction.atomic
def redeem_code(code, tx_code=None) -> tuple[str, int]:
    """(access token, seconds it lives) for a pre-authorised code; OfferError otherwise."""
    offer = _offer_for_code(code)
    if offer is None:
        raise OfferError("invalid_grant", "unknown pre-authorized_code")
    offer = (
        CredentialOffer.objects.select_for_update().select_related("record__award").get(pk=offer.pk)
    )
    _usable(offer)
    if offer.tx_code_hash:
        if offer.failed_tx_codes >= MAX_FAILED_TX_CODES:
            raise OfferError(
                "invalid_grant", "too many wrong transaction codes: ask for a new offer"
            )
        if not isinstance(tx_code, str) or not hmac.compare_digest(
            _hash(tx_code), offer.tx_code_hash
        ):
            offer.failed_tx_codes += 1
            offer.save(update_fields=["failed_tx_codes"])
            raise OfferError("invalid_grant", "the transaction code (tx_code) is wrong")
    token = secrets.token_urlsafe(32)
    offer.access_token_hash = _hash(token)
    offer.access_token_expires_at = timezone.now() + timedelta(seconds=ACCESS_TOKEN_SECONDS)
    offer.redeemed_at = offer.redeemed_at or timezone.now()
    offer.save(update_fields=["access_token_hash", "access_token_expires_at", "redeemed_at"])
    return token, ACCESS_TOKEN_SECONDS


def offer_for_token(token) -> CredentialOffer:
    if not isinstance(token, str) or not token:
        raise OfferError("invalid_token", "a Bearer access token is required", 401)
    offer = (
        CredentialOffer.objects.select_related(
            "record__award__programme_version__programme__issuer"
        )
        .filter(access_token_hash=_hash(token))
        .first()
    )
    if offer is None or offer.access_token_expires_at <= timezone.now():
        raise OfferError("invalid_token", "the access token is unknown or expired", 401)
    return offer


def holder_bound_credential(record: BadgeRecord, holder: str, credential_id: str) -> tuple:
    """The award's credential for `holder`: its own id, the holder's DID as the subject's id,
    the award's status list entry, signed now with the issuer's active Ed25519 key.
    Returns (the signed credential, the key that signed it)."""
    issuer = record.award.programme_version.programme.issuer
    key = ensure_signing_keys(issuer)["ed25519"]
    credential = ob3.credential_for(record)
    credential["id"] = credential_id
    credential["credentialSubject"] = {"id": holder, **credential["credentialSubject"]}
    return dataintegrity.sign_eddsa_rdfc_2022(
        credential,
        private_key=load_private_key(key),
        verification_method=ob3.verification_method_id(key),
        document_loader=extension.document_loader(),
    ), key


@transaction.atomic
def issue_to_holder(
    *, token, holder: Holder, configuration_id: str, request=None
) -> HolderCredential:
    """OpenID4VCI: the credential for the offer whose access token this is."""
    offer = offer_for_token(token)
    return _issue(offer, holder, configuration_id, protocol="openid4vci", request=request)


@transaction.atomic
def issue_by_exchange(*, offer: CredentialOffer, holder: Holder, request=None) -> HolderCredential:
    """VC-API exchange: the credential for the offer the wallet authenticated to."""
    return _issue(offer, holder, LDP_VC, protocol="vcapi", request=request)


def _issue(offer, holder: Holder, configuration_id: str, *, protocol: str, request):
    offer = (
        CredentialOffer.objects.select_for_update().select_related("record__award").get(pk=offer.pk)
    )
    _usable(offer)
    if configuration_id not in offer_document(offer)["credential_configuration_ids"]:
        raise OfferError("unknown_credential_configuration", f"{configuration_id!r} is not offered")
    record = offer.record
    binding_id = f"urn:uuid:{uuid.uuid4()}"
    credential, key = holder_bound_credential(record, holder.did, binding_id)
    token_form = ""
    if CONFIGURATIONS[configuration_id] == "jwt_vc_json":
        token_form = vc_jwt.sign_vc_jwt(
            credential,
            private_key=load_private_key(key),
            verification_method=ob3.verification_method_id(key),
        )
    try:
        with transaction.atomic():
            bound = HolderCredential.objects.create(
                offer=offer,
                record=record,
                holder=holder.did,
                format=CONFIGURATIONS[configuration_id],
                credential=credential,
                token=token_form,
                nonce_hash=holder.nonce_hash,
            )
    except IntegrityError as error:
        raise OfferError(
            "invalid_nonce", "this nonce was already used: ask for a new one"
        ) from error
    offer.used_at = timezone.now()
    offer.access_token_hash = ""
    offer.save(update_fields=["used_at", "access_token_hash"])
    record_audit(
        actor=None,
        action="badge.wallet_issue",
        target=bound,
        issuer=record.award.programme_version.programme.issuer,
        details={
            "award": str(record.award.public_id),
            "offer": str(offer.public_id),
            "protocol": protocol,
            "holder": holder.did[:200],
            "format": bound.format,
            "credential": binding_id,
            "status_index": record.status_index,
        },
        request=request,
    )
    return bound
