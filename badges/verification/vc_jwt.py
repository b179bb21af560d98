"""Open Badges 3.0 credentials secured as VC-JWT (1EdTech OB 3.0 §8.2), verified with joserfc.

Two encodings are read: the VC Data Model 1.1 JWT that OB 3.0 §8.2 and most platforms use (the
credential in the `vc` claim; `iss`, `sub`, `nbf`, `exp`, `jti` restate the issuer, subject,
validFrom, validUntil and id, and must agree with it), and the VC-JOSE-COSE form in which the
payload is the credential itself.

The key comes from, in this order: a `kid` that is a DID URL (did:key, did:web, did:jwk), the
`jwk` header, or a `kid` that is an https URL of a JWK or JWK Set. A key is the issuer's when it
is one of the issuer's DID verification methods or the issuer's DID encodes it (did:jwk,
did:key); a signature by any other key is reported, but not as the issuer's.

Everything after the signature (dates, status list, recipient, descriptors) is the same as for
a Data Integrity credential: badges.verification.ob3 does it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OKPKey, import_key

from badges import multikey
from badges.dataintegrity import DataIntegrityError
from badges.verification import ob3
from badges.verification.common import as_list, parse_datetime
from badges.verification.fetch import FetchError
from badges.verification.inputs import MAX_TEXT_BYTES, b64url_json
from badges.verification.messages import text
from badges.verification.result import VerificationResult

# RS256 is the minimum OB 3.0 requires; ES256 and EdDSA are what wallets and did:key use.
ALGORITHMS = ("RS256", "ES256", "EdDSA", "Ed25519")
DID_JWK = "did:jwk:"


class _Registry(jws.JWSRegistry):
    # An RSA public key in the `jwk` header makes the header ~700 bytes (joserfc's default
    # limit is 512); credentials with many descriptors run to tens of kilobytes.
    max_header_length = 8192
    max_payload_length = MAX_TEXT_BYTES


class KeyProblem(Exception):
    """No usable key: the message says why."""


def credential_of(payload: dict) -> dict | None:
    """The credential a VC-JWT payload carries: its `vc` claim, or the payload itself."""
    if isinstance(payload.get("vc"), dict):
        return payload["vc"]
    if "VerifiableCredential" in as_list(payload.get("type")):
        return payload
    return None


def verify(
    token: str, result: VerificationResult, *, fetcher, now, email, loader, did_documents=None
) -> None:
    header = b64url_json(token.split(".")[0]) or {}
    payload = b64url_json(token.split(".")[1]) or {}
    credential = credential_of(payload)
    result.add("input", "pass", text("input_vc_jwt", alg=str(header.get("alg", "?"))))
    if credential is None:
        result.format, result.version = "ob3", "3.0"
        result.add("structure", "fail", text("vc_jwt_no_credential"))
        return

    def check_jwt_proof(document, result, resolver):
        _check_proof(token, header, payload, document, result, resolver, fetcher)

    ob3.verify(
        credential,
        result,
        fetcher=fetcher,
        now=now,
        email=email,
        loader=loader,
        did_documents=did_documents,
        proof_check=check_jwt_proof,
    )
    result.format = "ob3-jwt"


def _check_proof(token, header, payload, document, result, resolver, fetcher) -> None:
    issuer_id = ob3.issuer_id(document)
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        result.add("signature", "fail", text("vc_jwt_alg", alg=str(alg)))
        result.add("issuer", "skip", text("issuer_unknown", detail=f"alg {alg!r}"))
        return
    try:
        key, owner = _key(header, issuer_id, resolver, fetcher)
        jws.deserialize_compact(
            token, import_key(key), algorithms=[alg], registry=_Registry(algorithms=[alg])
        )
    except KeyProblem as problem:
        result.add("signature", "fail", text("signature_bad", detail=str(problem)))
        result.add("issuer", "fail", text("issuer_unknown", detail=str(problem)))
        return
    except (JoseError, ValueError) as error:
        result.add("signature", "fail", text("signature_bad", detail=f"JWS: {error}"))
        result.add("issuer", "skip", text("issuer_unknown", detail="the signature is not valid"))
        return
    mismatches = claim_mismatches(payload, document)
    if mismatches:
        result.add("signature", "fail", text("vc_jwt_claims", detail="; ".join(mismatches)))
    else:
        result.add("signature", "pass", text("signature_ok"))
    name = ob3.issuer_name(document, issuer_id or "")
    if owner:
        result.add("issuer", "pass", text("issuer_ok", issuer=name))
    else:
        result.add("issuer", "fail", text("vc_jwt_key_unbound", issuer=name))


def _key(header: dict, issuer_id: str | None, resolver, fetcher) -> tuple[dict, bool]:
    """(the public JWK that signed the token, whether it is the issuer's)."""
    kid = header.get("kid")
    if isinstance(kid, str) and kid.startswith("did:"):
        controller = kid.partition("#")[0]
        key = _did_key(kid, resolver)
        return key, controller == issuer_id
    if isinstance(header.get("jwk"), dict):
        key = dict(header["jwk"])
        if "d" in key:
            raise KeyProblem("the jwk header holds a private key")
        return key, _is_issuers_key(key, issuer_id, resolver)
    if isinstance(kid, str) and kid.startswith(("https://", "http://")):
        key = _fetched_key(kid, fetcher)
        return key, bool(issuer_id) and kid.startswith(issuer_id.rstrip("/") + "/")
    raise KeyProblem("the JOSE header names no key (kid or jwk)")


def _did_key(kid: str, resolver) -> dict:
    controller, _, fragment = kid.partition("#")
    if controller.startswith(DID_JWK):
        key = b64url_json(controller[len(DID_JWK) :])
        if not isinstance(key, dict):
            raise KeyProblem(f"{controller} does not encode a JWK")
        return key
    try:
        document = resolver.controller_document(controller)
    except DataIntegrityError as error:
        raise KeyProblem(f"{controller}: {error}") from error
    for method in as_list(document.get("verificationMethod")):
        if not isinstance(method, dict):
            continue
        method_id = str(method.get("id", ""))
        if method_id in (kid, f"#{fragment}") or (not fragment and method_id.startswith(kid)):
            return method_jwk(method)
    raise KeyProblem(f"{kid} is not a verification method of {controller}")


def method_jwk(method: dict) -> dict:
    """A DID verification method's public key as a JWK (publicKeyJwk or an Ed25519 Multikey)."""
    if isinstance(method.get("publicKeyJwk"), dict):
        return dict(method["publicKeyJwk"])
    value = method.get("publicKeyMultibase")
    if isinstance(value, str):
        try:
            public = multikey.decode_public_key_multibase(value)
        except (multikey.MultikeyError, ValueError) as error:
            raise KeyProblem(f"{method.get('id')}: {error}") from error
        return OKPKey.import_key(public).as_dict(private=False)
    raise KeyProblem(f"{method.get('id')} has no public key this verifier reads")


def _thumbprint(key: dict) -> str | None:
    try:
        return import_key(key).thumbprint()
    except (JoseError, ValueError, TypeError):
        return None


def _is_issuers_key(key: dict, issuer_id: str | None, resolver) -> bool:
    """Whether the issuer's DID encodes `key` or lists it among its verification methods."""
    if not isinstance(issuer_id, str) or not issuer_id.startswith("did:"):
        return False
    wanted = _thumbprint(key)
    if issuer_id.startswith(DID_JWK):
        encoded = b64url_json(issuer_id[len(DID_JWK) :].partition("#")[0])
        return isinstance(encoded, dict) and _thumbprint(encoded) == wanted
    try:
        document = resolver.controller_document(issuer_id)
    except DataIntegrityError:
        return False
    for method in as_list(document.get("verificationMethod")):
        if isinstance(method, dict):
            try:
                if _thumbprint(method_jwk(method)) == wanted:
                    return True
            except KeyProblem:
                continue
    return False


def _fetched_key(url: str, fetcher) -> dict:
    try:
        response = fetcher.get(url, accept="application/jwk+json, application/json")
        document = json.loads(response.body) if response.status == 200 else None
    except (FetchError, ValueError) as error:
        raise KeyProblem(f"{url}: {error}") from error
    if not isinstance(document, dict):
        raise KeyProblem(f"no JWK at {url}")
    if "keys" in document:
        fragment = url.partition("#")[2]
        try:
            keys = KeySet.import_key_set(document)
        except (JoseError, ValueError) as error:
            raise KeyProblem(f"{url}: {error}") from error
        for key in keys:
            if not fragment or key.kid == fragment:
                return key.as_dict(private=False)
        raise KeyProblem(f"no key {fragment!r} in the JWK Set at {url}")
    return document


def _epoch(value: Any) -> int | None:
    moment = parse_datetime(value)
    return int(moment.timestamp()) if moment else None


def claim_mismatches(payload: dict, credential: dict) -> list[str]:
    """Where the registered claims disagree with the credential they secure (OB 3.0 §8.2.4)."""
    if payload is credential or not isinstance(payload.get("vc"), dict):
        wanted = {"iss": ob3.issuer_id(credential)}
    else:
        subject = credential.get("credentialSubject")
        wanted = {
            "iss": ob3.issuer_id(credential),
            "sub": subject.get("id") if isinstance(subject, dict) else None,
            "jti": credential.get("id"),
            "nbf": _epoch(credential.get("validFrom", credential.get("issuanceDate"))),
            "exp": _epoch(credential.get("validUntil", credential.get("expirationDate"))),
        }
    problems = []
    for claim, value in wanted.items():
        if claim not in payload or value is None:
            continue
        stated = payload[claim]
        if claim in ("nbf", "exp") and isinstance(stated, int | float):
            if int(stated) != value:
                moment = datetime.fromtimestamp(int(stated), UTC).isoformat()
                problems.append(f"{claim} {moment} ≠ the credential's")
        elif stated != value:
            problems.append(f"{claim} {stated!r} ≠ {value!r}")
    if "iss" not in payload and isinstance(payload.get("vc"), dict):
        problems.append("iss is missing")
    return problems
