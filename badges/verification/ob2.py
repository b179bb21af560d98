"""Open Badges 2.0: hosted assertions (fetched from their id) and signed ones (RS256 JWS).

Trust comes from the issuer's own documents: a hosted assertion must live on the issuer's
origin (or an origin the issuer allows); a signature must come from a CryptographicKey whose
``owner`` is the issuer and which the issuer profile lists — or, for a retired key the profile
no longer lists, which the issuer still serves from its own origin.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from django.conf import settings

from badges import jws
from badges.verification import descriptors, endorsements
from badges.verification.common import (
    Stop,
    as_list,
    check_dates,
    check_recipient,
    fetch,
    fetch_json,
    parse_json_body,
)
from badges.verification.fetch import SafeFetcher
from badges.verification.inputs import b64url_json
from badges.verification.messages import text
from badges.verification.result import VerificationResult

SIGNED_TYPES = ("signed", "SignedBadge")
HOSTED_TYPES = ("hosted", "HostedBadge")


def _id(value: Any) -> Any:
    return value.get("id") if isinstance(value, dict) else value


def _origin(url: Any) -> str:
    try:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}".lower()
    except (TypeError, ValueError, AttributeError):
        return ""


def _structure(assertion: dict, result: VerificationResult) -> None:
    problems = []
    if "Assertion" not in as_list(assertion.get("type")):
        problems.append("type is not Assertion")
    for name in ("id", "recipient", "badge", "verification", "issuedOn"):
        if name not in assertion:
            problems.append(f"{name} missing")
    if problems:
        result.add("structure", "fail", text("structure_bad", detail="; ".join(problems)))
    else:
        result.add("structure", "pass", text("structure_ok"))


def _badge_and_issuer(assertion: dict, fetcher: SafeFetcher, result) -> tuple[dict, dict]:
    """The BadgeClass and the Issuer profile; the profile is always fetched from its id (that
    fetch is what ties the keys and origins to the issuer)."""
    badge = assertion.get("badge")
    if not isinstance(badge, dict):
        badge = fetch_json(fetcher, badge, result, "issuer", outcome="invalid")
    issuer = fetch_json(fetcher, _id(badge.get("issuer")), result, "issuer", outcome="invalid")
    if issuer.get("id") != _id(badge.get("issuer")):
        result.add(
            "issuer",
            "fail",
            text("issuer_unknown", detail="the issuer profile's id is not its URL"),
        )
        raise Stop
    return badge, issuer


def _common_checks(assertion, badge, issuer, result, fetcher, now, email, *, revocation_list):
    check_dates(
        result,
        since_value=assertion.get("issuedOn"),
        until_value=assertion.get("expires"),
        since_name="issuedOn",
        until_name="expires",
        now=now,
    )
    if revocation_list:
        try:
            _check_revocation_list(assertion, issuer, result, fetcher)
        except Stop:
            pass
    recipient = assertion.get("recipient")
    check_recipient(result, [recipient] if isinstance(recipient, dict) else [], email)
    descriptors.describe_ob2(assertion, badge, issuer, result)
    endorsements.check_ob2(badge, issuer, result, fetcher=fetcher)


def _check_revocation_list(assertion, issuer, result, fetcher) -> None:
    url = issuer.get("revocationList")
    if not url:
        result.add("revocation", "warn", text("revocation_none"))
        return
    listing = fetch_json(fetcher, url, result, "revocation")
    assertion_id = assertion.get("id")
    uid = assertion.get("uid")
    for entry in as_list(listing.get("revokedAssertions")):
        entry_id = _id(entry)
        if entry_id == assertion_id or (
            uid and isinstance(entry, dict) and entry.get("uid") == uid
        ):
            reason = entry.get("revocationReason", "") if isinstance(entry, dict) else ""
            result.add(
                "revocation", "fail", text("revocation_revoked", reason=reason), outcome="revoked"
            )
            return
    result.add("revocation", "pass", text("revocation_ok"))


# --- signed ------------------------------------------------------------------------------------


def verify_signed(
    token: str, result: VerificationResult, *, fetcher: SafeFetcher, now: datetime, email
) -> None:
    result.format, result.version = "ob2-signed", "2.0"
    assertion = b64url_json(token.split(".")[1])
    if not isinstance(assertion, dict):
        result.add("structure", "fail", text("structure_bad", detail="JWS payload"))
        return
    result.document = assertion
    _structure(assertion, result)
    verification = assertion.get("verification")
    verification = verification if isinstance(verification, dict) else {}
    creator = verification.get("creator")
    if verification.get("type") not in SIGNED_TYPES or not isinstance(creator, str):
        result.add(
            "structure",
            "fail",
            text("structure_bad", detail="verification is not a SignedBadge with a creator"),
        )
        return
    try:
        key_doc = fetch_json(fetcher, creator, result, "issuer", outcome="invalid")
        public_key = _public_key(key_doc)
        if public_key is None:
            result.add("signature", "fail", text("signature_bad", detail="no RSA publicKeyPem"))
            return
        try:
            jws.verify_assertion_jws(token, public_key)
        except jws.AssertionJWSError as error:
            result.add("signature", "fail", text("signature_bad", detail=str(error)))
        else:
            result.add("signature", "pass", text("signature_ok"))
        badge, issuer = _badge_and_issuer(assertion, fetcher, result)
        _check_key_owner(creator, key_doc, issuer, result)
        _common_checks(assertion, badge, issuer, result, fetcher, now, email, revocation_list=True)
    except Stop:
        return


def _public_key(key_doc: dict) -> RSAPublicKey | None:
    pem = key_doc.get("publicKeyPem")
    if not isinstance(pem, str):
        return None
    try:
        key = load_pem_public_key(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return None
    return key if isinstance(key, RSAPublicKey) else None


def _portal_key_retired(creator: str) -> bool:
    """Whether `creator` is one of the portal's own OB 2.0 keys, since retired."""
    if _origin(creator) != _origin(settings.PORTAL_BASE_URL):
        return False
    from issuers.selectors import published_key

    key = published_key(creator.rstrip("/").rsplit("/", 1)[-1])
    return key is not None and key.status == "retired"


def _same_issuer(owner, issuer_id) -> bool:
    """The key's owner is the issuer: its profile, or the profile as it authorises one key
    (<profile>/keys/<key id>, which the portal's signed assertions reach)."""
    if not isinstance(owner, str) or not isinstance(issuer_id, str):
        return False
    if owner == issuer_id:
        return True
    base, separator, key_id = issuer_id.rpartition("/keys/")
    return bool(separator) and base == owner and "/" not in key_id


def _check_key_owner(creator: str, key_doc: dict, issuer: dict, result) -> None:
    issuer_id = issuer.get("id")
    name = issuer.get("name") or issuer_id
    if key_doc.get("id") not in (None, creator) or not _same_issuer(
        key_doc.get("owner"), issuer_id
    ):
        result.add(
            "issuer",
            "fail",
            text("issuer_key_mismatch", detail=f"key owner {key_doc.get('owner')!r}"),
        )
        return
    listed = {_id(item) for item in as_list(issuer.get("publicKey"))}
    if creator in listed and _portal_key_retired(creator):
        # The profile of its key (…/keys/<id>) lists it; the portal says it has been rotated.
        result.add("issuer", "pass", text("issuer_retired_key", issuer=name))
    elif creator in listed:
        result.add("issuer", "pass", text("issuer_ok", issuer=name))
    elif _origin(creator) == _origin(issuer_id):
        # Profiles list only the active key; older badges name a retired key that the issuer
        # still publishes on its own origin with itself as owner.
        result.add("issuer", "pass", text("issuer_retired_key", issuer=name))
    else:
        result.add(
            "issuer",
            "fail",
            text("issuer_key_mismatch", detail=f"{creator} is not listed by {issuer_id}"),
        )


# --- hosted ------------------------------------------------------------------------------------


def _revoked_body(document: dict, result: VerificationResult) -> bool:
    if document.get("revoked") is True:
        reason = document.get("revocationReason", "")
        result.add(
            "revocation", "fail", text("revocation_revoked", reason=reason), outcome="revoked"
        )
        return True
    return False


def fetch_hosted(url: str, result: VerificationResult, *, fetcher: SafeFetcher) -> dict | None:
    """The assertion published at ``url``; None (with the checks added) when revoked (410)."""
    result.format, result.version = "ob2-hosted", "2.0"
    response = fetch(fetcher, url, result, "hosted")
    if response.status == 410:
        try:
            document = json.loads(response.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            document = None
        document = document if isinstance(document, dict) else {}
        result.document = document or None
        _revoked_body({**document, "revoked": True}, result)
        return None
    if response.status != 200:
        result.add("hosted", "fail", text("fetch_status", url=url, status=response.status))
        raise Stop
    return parse_json_body(response, result, "hosted")


def verify_hosted(
    assertion: dict | None,
    result: VerificationResult,
    *,
    fetcher: SafeFetcher,
    now: datetime,
    email,
    url: str | None = None,
) -> None:
    """``url``: verify what is published there; ``assertion``: a copy to compare with it."""
    result.format, result.version = "ob2-hosted", "2.0"
    try:
        if assertion is not None:
            result.document = assertion
            url = assertion.get("id")
            verification = assertion.get("verification")
            if isinstance(verification, dict) and verification.get("type") in SIGNED_TYPES:
                result.add("signature", "fail", text("signature_unsigned_json"))
                return
            if not isinstance(url, str):
                result.add("structure", "fail", text("structure_bad", detail="id is not a URL"))
                return
        published = fetch_hosted(url, result, fetcher=fetcher)
        if published is None:
            return
        if _revoked_body(published, result):
            return
        if assertion is not None and published != assertion:
            result.add("hosted", "fail", text("hosted_mismatch"))
        else:
            result.add("hosted", "pass", text("hosted_ok"))
        assertion = published
        result.document = assertion
        _structure(assertion, result)
        if published.get("id") != url:
            result.add("hosted", "fail", text("hosted_origin", detail=f"id is not {url}"))
        badge, issuer = _badge_and_issuer(assertion, fetcher, result)
        _check_hosted_origin(url, issuer, result)
        _common_checks(
            assertion,
            badge,
            issuer,
            result,
            fetcher,
            now,
            email,
            revocation_list=bool(issuer.get("revocationList")),
        )
        if result.check("revocation") is None:
            result.add("revocation", "pass", text("revocation_ok"))
    except Stop:
        return


def _check_hosted_origin(url: str, issuer: dict, result: VerificationResult) -> None:
    """OB 2.0 HostedBadge: the assertion URL is on the issuer id's origin unless the issuer's
    VerificationObject allows other origins / prefixes."""
    policy = issuer.get("verification") if isinstance(issuer.get("verification"), dict) else {}
    allowed_hosts = {str(h).lower() for h in as_list(policy.get("allowedOrigins"))}
    prefixes = [str(p) for p in as_list(policy.get("startsWith"))]
    host = (urlsplit(url).netloc or "").lower()
    if allowed_hosts or prefixes:
        ok = (not allowed_hosts or host in allowed_hosts) and (
            not prefixes or any(url.startswith(p) for p in prefixes)
        )
    else:
        ok = _origin(url) == _origin(issuer.get("id"))
    name = issuer.get("name") or issuer.get("id")
    if ok:
        result.add("issuer", "pass", text("issuer_hosted_ok", issuer=name))
    else:
        result.add("issuer", "fail", text("hosted_origin", detail=f"{url} / {issuer.get('id')}"))
