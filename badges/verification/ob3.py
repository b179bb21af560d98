"""Open Badges 3.0: a VC Data Model 2.0 credential with an eddsa-rdfc-2022 Data Integrity proof.

Keys come from the issuer's DID (did:key derived locally; did:web fetched through the
:class:`~badges.verification.fetch.SafeFetcher`); JSON-LD contexts only from the bundled set and
the portal's own documents, never from the network. Revocation is a W3C Bitstring Status List
whose credential is fetched and verified like the badge itself.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings

from badges import multikey
from badges.dataintegrity import (
    INVALID_VERIFICATION_METHOD,
    ControllerDocumentResolver,
    DataIntegrityError,
    did_web_url,
    verify_eddsa_rdfc_2022,
)
from badges.jsonld import LocalDocumentLoader
from badges.status_list import StatusListError, decode_status_list
from badges.verification import canonical_cache, descriptors, endorsements, known
from badges.verification.common import (
    Stop,
    as_list,
    check_dates,
    check_recipient,
    fetch_json,
    parse_datetime,
)
from badges.verification.fetch import FetchError, SafeFetcher
from badges.verification.messages import text
from badges.verification.result import VerificationResult
from badges.verification.status_proofs import verify_status_list_proof

CREDENTIAL_TYPES = {"OpenBadgeCredential", "AchievementCredential"}


class DidResolver:
    """A Data Integrity resolver for did:key and did:web (and https controller documents) that
    fetches only through the SafeFetcher and remembers what went wrong, for clear messages."""

    def __init__(self, fetcher: SafeFetcher, documents: Mapping[str, Any] | None = None):
        self.fetcher = fetcher
        self.documents = dict(documents or {})
        self.fetch_errors: list[FetchError | str] = []
        self.methods: dict[str, dict] = {}
        self.fetched: set[str] = set()  # controllers whose documents this resolver fetched

    def controller_document(self, controller: str) -> dict:
        if controller in self.documents:
            return self.documents[controller]
        if controller.startswith(multikey.DID_KEY_PREFIX):
            return ControllerDocumentResolver().controller_document(controller)
        if controller.startswith("did:web:"):
            url = did_web_url(controller)
        elif controller.startswith("https://") or controller.startswith("http://"):
            url = controller
        else:
            self.fetch_errors.append(f"unsupported DID method: {controller}")
            raise DataIntegrityError(
                INVALID_VERIFICATION_METHOD, f"unsupported controller {controller!r}"
            )
        try:
            response = self.fetcher.get(url, accept="application/did+json, application/json")
        except FetchError as error:
            self.fetch_errors.append(error)
            raise DataIntegrityError(INVALID_VERIFICATION_METHOD, str(error)) from error
        try:
            document = json.loads(response.body) if response.status == 200 else None
        except ValueError:
            document = None
        if not isinstance(document, dict):
            reason = f"{url}: HTTP {response.status}" if response.status != 200 else url
            self.fetch_errors.append(f"no DID document at {reason}")
            raise DataIntegrityError(INVALID_VERIFICATION_METHOD, f"no DID document at {reason}")
        self.documents[controller] = document
        self.fetched.add(controller)
        return document

    def __call__(self, verification_method: str, *, proof_purpose: str):
        controller = verification_method.partition("#")[0]
        document = self.controller_document(controller)
        key = ControllerDocumentResolver({controller: document})(
            verification_method, proof_purpose=proof_purpose
        )
        for method in as_list(document.get("verificationMethod")):
            if isinstance(method, dict):
                method_id = str(method.get("id", ""))
                if method_id.startswith("#"):
                    method_id = controller + method_id
                self.methods[method_id] = method
        return key


def _issuer_id(document: dict) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def issuer_id(document: dict) -> str | None:
    """The credential's issuer id (a DID or URL), or None."""
    return _issuer_id(document)


def issuer_name(document: dict, fallback: str) -> str:
    """The issuer's name as the credential gives it (Japanese first), or `fallback`."""
    return _name(document, fallback)


def _structure_problems(document: dict) -> list[str]:
    problems = []
    types = as_list(document.get("type"))
    if "VerifiableCredential" not in types:
        problems.append("type lacks VerifiableCredential")
    if not CREDENTIAL_TYPES & set(types):
        problems.append("type lacks OpenBadgeCredential")
    if _issuer_id(document) is None:
        problems.append("issuer id missing")
    subject = document.get("credentialSubject")
    if not isinstance(subject, dict):
        problems.append("credentialSubject missing")
    elif not isinstance(subject.get("achievement"), dict):
        problems.append("credentialSubject.achievement missing")
    if "validFrom" not in document and "issuanceDate" not in document:
        problems.append("validFrom missing")
    return problems


def verify(
    document: dict,
    result: VerificationResult,
    *,
    fetcher: SafeFetcher,
    now: datetime,
    email: str | None,
    loader: LocalDocumentLoader,
    did_documents: Mapping[str, Any] | None = None,
    proof_check=None,
) -> None:
    """`proof_check(document, result, resolver)`, when given, replaces the Data Integrity proof
    check (a VC-JWT is secured by its JWS instead: badges.verification.vc_jwt)."""
    result.format, result.version, result.document = "ob3", "3.0", document
    problems = _structure_problems(document)
    if problems:
        result.add("structure", "fail", text("structure_bad", detail="; ".join(problems)))
    else:
        result.add("structure", "pass", text("structure_ok"))

    resolver = DidResolver(fetcher, did_documents)
    issuer_id = _issuer_id(document)
    # A credential the portal issued and stored, exactly: answered from its records (known.py).
    ours = known.known_credential(document) if proof_check is None else None
    if proof_check is not None:
        proof_check(document, result, resolver)
    elif ours is not None:
        _check_known_proof(document, result, ours, issuer_id)
    else:
        _check_proof(document, result, resolver, loader, issuer_id, now)
    check_dates(
        result,
        since_value=document.get("validFrom", document.get("issuanceDate")),
        until_value=document.get("validUntil", document.get("expirationDate")),
        since_name="validFrom",
        until_name="validUntil",
        now=now,
    )
    if ours is not None:
        _report_statuses(result, ours.statuses)
    else:
        try:
            _check_status(document, result, fetcher, resolver, loader, issuer_id, now)
        except Stop:
            pass
    subject = document.get("credentialSubject")
    identities = []
    if isinstance(subject, dict):
        for item in as_list(subject.get("identifier")):
            if isinstance(item, dict):
                identities.append(
                    {
                        "type": item.get("identityType"),
                        "identity": item.get("identityHash"),
                        "hashed": item.get("hashed"),
                        "salt": item.get("salt"),
                    }
                )
    check_recipient(result, identities, email)
    descriptors.describe_ob3(document, result)
    endorsements.check_ob3(
        document, result, resolver=DidResolver(fetcher, did_documents), loader=loader, now=now
    )


def _check_proof(document, result, resolver, loader, issuer_id, now) -> None:
    proof = document.get("proof")
    canonicaliser = canonical_cache.DEFAULT.session(loader)
    verification = verify_eddsa_rdfc_2022(
        document, resolver=resolver, document_loader=loader, canonicaliser=canonicaliser
    )
    method = verification.verification_method or (
        proof.get("verificationMethod") if isinstance(proof, dict) else None
    )
    if verification.verified:
        result.add("signature", "pass", text("signature_ok"))
    else:
        result.add(
            "signature", "fail", text("signature_bad", detail="; ".join(verification.errors))
        )
    if not isinstance(proof, dict):
        result.add("issuer", "skip", text("issuer_unknown", detail="no proof"))
        return
    if resolver.fetch_errors:
        error = resolver.fetch_errors[0]
        detail = f"{error.message_ja} {error.url}" if isinstance(error, FetchError) else str(error)
        detail_en = (
            f"{error.message_en} {error.url}" if isinstance(error, FetchError) else str(error)
        )
        result.add(
            "issuer",
            "fail",
            (text("issuer_unknown", detail=detail)[0], text("issuer_unknown", detail=detail_en)[1]),
        )
        return
    controller = method.partition("#")[0] if isinstance(method, str) else None
    if controller is None or controller != issuer_id:
        result.add(
            "issuer",
            "fail",
            text(
                "issuer_key_mismatch",
                detail=f"verificationMethod {method!r}, issuer {issuer_id!r}",
            ),
        )
        return
    if not verification.verified:
        result.add("issuer", "fail", text("issuer_unknown", detail="; ".join(verification.errors)))
        return
    if canonicaliser.missed and canonical_cache.is_portal_issuer(issuer_id):
        # Signed with our issuer's key: its shape may be learned (canonical_cache: abuse).
        canonicaliser.learn()
    name = result.issuer.get("name") or issuer_id
    method_doc = resolver.methods.get(method, {})
    created = parse_datetime(proof.get("created")) if isinstance(proof, dict) else None
    retired_at = _retired_at(method_doc)
    if retired_at is None and _portal_key_retired(method, resolver):
        result.add("issuer", "pass", text("issuer_retired_key", issuer=_name(document, name)))
        return
    if retired_at is not None:
        if created is not None and created > retired_at:
            result.add(
                "issuer",
                "fail",
                text("issuer_key_mismatch", detail=f"{method} was retired before signing"),
            )
        else:
            result.add("issuer", "pass", text("issuer_retired_key", issuer=_name(document, name)))
        return
    result.add("issuer", "pass", text("issuer_ok", issuer=_name(document, name)))


def _check_known_proof(document, result, ours: known.KnownCredential, issuer_id) -> None:
    """What _check_proof finds for this credential, from the portal's records."""
    result.add("signature", "pass", text("signature_ok"))
    name = _name(document, result.issuer.get("name") or issuer_id)
    key = "issuer_retired_key" if ours.key_status == "retired" else "issuer_ok"
    result.add("issuer", "pass", text(key, issuer=name))


def _portal_key_retired(method: str, resolver: DidResolver) -> bool:
    """Our DID documents list retired keys unmarked (verifiers would reject marked ones), so
    for the portal's own issuers the key's status comes from the database: read with the DID
    document when this verification had the PortalFetcher serve it, else queried here."""
    did, _, key_id = method.partition("#")
    parts = did.split(":")
    portal_host = urlsplit(settings.PORTAL_BASE_URL).netloc
    if len(parts) < 3 or parts[:2] != ["did", "web"] or unquote(parts[2]) != portal_host:
        return False
    if did in resolver.fetched:
        known = getattr(resolver.fetcher, "key_statuses", {}).get(key_id)
        if known is not None:
            return known == "retired"
    from issuers.selectors import published_key

    key = published_key(key_id)
    return key is not None and key.status == "retired"


def _retired_at(method: dict) -> datetime | None:
    for key in ("revoked", "retired", "expires"):
        value = parse_datetime(method.get(key))
        if value is not None:
            return value
    return None


def _name(document: dict, fallback: str) -> str:
    issuer = document.get("issuer")
    name = issuer.get("name") if isinstance(issuer, dict) else None
    if isinstance(name, dict):
        name = name.get("ja") or name.get("en") or next(iter(name.values()), None)
    return name if isinstance(name, str) else fallback


def _check_status(document, result, fetcher, resolver, loader, issuer_id, now) -> None:
    entries = [e for e in as_list(document.get("credentialStatus")) if isinstance(e, dict)]
    if not entries:
        result.add("revocation", "warn", text("revocation_none"))
        return
    for entry in entries:
        if entry.get("type") != "BitstringStatusListEntry":
            result.add(
                "revocation",
                "warn",
                text("revocation_unchecked", detail=f"status type {entry.get('type')!r}"),
            )
            continue
        purpose = entry.get("statusPurpose")
        try:
            index = int(entry.get("statusListIndex"))
        except (TypeError, ValueError):
            result.add("revocation", "fail", text("structure_bad", detail="statusListIndex"))
            continue
        url = entry.get("statusListCredential")
        status_doc = fetch_json(fetcher, url, result, "revocation")
        problem = _status_list_problem(status_doc, url, purpose, issuer_id, resolver, loader, now)
        if problem:
            result.add(
                "revocation", "fail", text("status_list_bad", detail=problem), outcome="error"
            )
            continue
        try:
            bits = decode_status_list(status_doc["credentialSubject"].get("encodedList"))
            is_set = bits.is_set(index)
        except StatusListError as error:
            result.add(
                "revocation", "fail", text("status_list_bad", detail=str(error)), outcome="error"
            )
            continue
        _report_statuses(result, [(purpose, is_set)])


def _report_statuses(result, statuses) -> None:
    for purpose, is_set in statuses:
        if not is_set:
            result.add("revocation", "pass", text("revocation_ok"))
        elif purpose == "suspension":
            result.add("revocation", "fail", text("revocation_suspended"), outcome="revoked")
        else:
            result.add(
                "revocation", "fail", text("revocation_revoked", reason=""), outcome="revoked"
            )


def _status_list_problem(status_doc, url, purpose, issuer_id, resolver, loader, now) -> str:
    verification = verify_status_list_proof(status_doc, resolver=resolver, loader=loader)
    if not verification.verified:
        return "proof: " + "; ".join(verification.errors)
    method = verification.verification_method or ""
    if _issuer_id(status_doc) != issuer_id or method.partition("#")[0] != issuer_id:
        return f"issued by {_issuer_id(status_doc)!r}, not the credential's issuer"
    if status_doc.get("id") not in (None, url):
        return f"its id {status_doc.get('id')!r} is not {url!r}"
    if "BitstringStatusListCredential" not in as_list(status_doc.get("type")):
        return "type is not BitstringStatusListCredential"
    subject = status_doc.get("credentialSubject")
    # Bitstring Status List allows one list to serve several purposes.
    if not isinstance(subject, dict) or purpose not in as_list(subject.get("statusPurpose")):
        return f"statusPurpose is not {purpose!r}"
    until = parse_datetime(status_doc.get("validUntil"))
    if until is not None and until <= now:
        return "the status list has expired"
    return ""
