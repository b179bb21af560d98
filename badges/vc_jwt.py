"""The OB 3.0 credential secured as a VC-JWT (1EdTech OB 3.0 §8.2), beside its Data Integrity
proof: the same credential (without the proof) in the `vc` claim, with `iss`, `jti`, `sub`,
`nbf` and `exp` restating it, signed EdDSA (Ed25519) by the key that signed the Data Integrity
proof, named by `kid` as the issuer's did:web verification method. Ed25519 because that is the
key the issuer's DID lists; verifiers that read the DID document find it there.

Signing is deterministic (Ed25519, canonical JSON), so signing the same credential again gives
the same token.
"""

import json
import warnings
from datetime import datetime

from joserfc import jws
from joserfc.jwk import OKPKey

MEDIA_TYPE = "application/jwt"


def _epoch(value) -> int | None:
    if not isinstance(value, str):
        return None
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


def claims_for(credential: dict) -> dict:
    vc = {name: value for name, value in credential.items() if name != "proof"}
    issuer = vc.get("issuer")
    subject = vc.get("credentialSubject")
    claims = {
        "vc": vc,
        "iss": issuer.get("id") if isinstance(issuer, dict) else issuer,
        "jti": vc.get("id"),
        "nbf": _epoch(vc.get("validFrom")),
        "exp": _epoch(vc.get("validUntil")),
        "sub": subject.get("id") if isinstance(subject, dict) else None,
    }
    return {name: value for name, value in claims.items() if value is not None}


def sign_vc_jwt(credential: dict, *, private_key, verification_method: str) -> str:
    """The compact JWS of `credential` (a signed or unsigned OB 3.0 credential)."""
    payload = json.dumps(
        claims_for(credential), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode("utf-8")
    header = {"alg": "EdDSA", "kid": verification_method, "typ": "JWT"}
    with warnings.catch_warnings():
        # joserfc flags "EdDSA" as superseded by "Ed25519" (RFC 9864); verifiers read EdDSA.
        warnings.simplefilter("ignore")
        return jws.serialize_compact(
            header, payload, OKPKey.import_key(private_key), algorithms=["EdDSA"]
        )
