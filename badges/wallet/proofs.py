"""The wallet's proof of possession (OpenID4VCI 1.0 §F.1, proof type `jwt`).

A compact JWS with `typ` "openid4vci-proof+jwt", signed by the key the credential will be bound
to, named by a did:key / did:jwk `kid` or given as a `jwk` header; its claims: `aud` = the
credential issuer, `iat` now, `nonce` one the nonce endpoint handed out. The holder's identifier
is that DID (for a bare `jwk`, the key's did:jwk).

Nonces are stateless (signed with the site's secret and timestamped); each is accepted once,
because the credential it earned stores its hash under a unique constraint.
"""

import base64
import hashlib
import json
import secrets
import time
import warnings
from dataclasses import dataclass

from django.core import signing
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey, import_key

from badges import multikey
from badges.verification.inputs import b64url_json

PROOF_TYPE = "openid4vci-proof+jwt"
ALGORITHMS = ("ES256", "EdDSA", "Ed25519", "RS256")
NONCE_SALT = "badges.wallet.nonce"
NONCE_SECONDS = 300
CLOCK_SKEW_SECONDS = 60


class ProofError(Exception):
    """Why a proof was refused: an OpenID4VCI error code and a description for the wallet."""

    def __init__(self, code: str, description: str):
        super().__init__(description)
        self.code, self.description = code, description


@dataclass(frozen=True)
class Holder:
    did: str
    nonce_hash: str


class _Registry(jws.JWSRegistry):
    max_header_length = 4096  # an RSA key in the jwk header


def new_nonce() -> str:
    return signing.dumps({"n": secrets.token_urlsafe(16)}, salt=NONCE_SALT, compress=True)


def nonce_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode("utf-8")).hexdigest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def did_jwk(jwk: dict) -> str:
    """did:jwk of a public key, from its required members in lexicographic order (RFC 7638)."""
    required = {
        "EC": ("crv", "kty", "x", "y"),
        "OKP": ("crv", "kty", "x"),
        "RSA": ("e", "kty", "n"),
    }
    members = required.get(jwk.get("kty"), tuple(sorted(jwk)))
    body = json.dumps({name: jwk[name] for name in members if name in jwk}, separators=(",", ":"))
    return "did:jwk:" + _b64(body.encode("utf-8"))


def _key_and_holder(header: dict) -> tuple[dict, str]:
    kid, jwk = header.get("kid"), header.get("jwk")
    if isinstance(jwk, dict):
        if "d" in jwk or "p" in jwk:
            raise ProofError("invalid_proof", "the jwk header holds a private key")
        return jwk, did_jwk(jwk)
    if isinstance(kid, str) and kid.startswith("did:jwk:"):
        did = kid.partition("#")[0]
        key = b64url_json(did[len("did:jwk:") :])
        if not isinstance(key, dict):
            raise ProofError("invalid_proof", f"{did} does not encode a JWK")
        return key, did
    if isinstance(kid, str) and kid.startswith(multikey.DID_KEY_PREFIX):
        did = kid.partition("#")[0]
        try:
            public = multikey.decode_public_key_multibase(did[len(multikey.DID_KEY_PREFIX) :])
        except (multikey.MultikeyError, ValueError) as error:
            raise ProofError("invalid_proof", f"{did}: only Ed25519 did:key is read") from error
        return OKPKey.import_key(public).as_dict(private=False), did
    raise ProofError("invalid_proof", "the proof names no key: give a did:key/did:jwk kid or a jwk")


def check_proof(token, *, audience: str, now: float | None = None) -> Holder:
    """The holder the proof binds the credential to; ProofError if it proves nothing."""
    now = time.time() if now is None else now
    parts = token.split(".") if isinstance(token, str) else []
    header = b64url_json(parts[0]) if len(parts) == 3 else None
    claims = b64url_json(parts[1]) if len(parts) == 3 else None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise ProofError("invalid_proof", "the proof is not a compact JWS")
    if header.get("typ") != PROOF_TYPE:
        raise ProofError("invalid_proof", f"the proof's typ must be {PROOF_TYPE}")
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise ProofError("invalid_proof", f"alg {alg!r} is not one of {', '.join(ALGORITHMS)}")
    key, holder = _key_and_holder(header)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # joserfc flags EdDSA (RFC 9864); wallets use it
            jws.deserialize_compact(
                token, import_key(key), algorithms=[alg], registry=_Registry(algorithms=[alg])
            )
    except (JoseError, ValueError) as error:
        raise ProofError(
            "invalid_proof", f"the proof's signature does not verify: {error}"
        ) from error
    audiences = claims.get("aud") if isinstance(claims.get("aud"), list) else [claims.get("aud")]
    if audience not in audiences:
        raise ProofError("invalid_proof", f"aud must be {audience}")
    issued = claims.get("iat")
    if not isinstance(issued, int | float) or not (
        now - NONCE_SECONDS - CLOCK_SKEW_SECONDS <= issued <= now + CLOCK_SKEW_SECONDS
    ):
        raise ProofError("invalid_proof", "iat is missing or not recent")
    nonce = claims.get("nonce")
    try:
        signing.loads(nonce, salt=NONCE_SALT, max_age=NONCE_SECONDS)
    except (signing.BadSignature, TypeError) as error:
        raise ProofError(
            "invalid_nonce", "the nonce is unknown or expired: ask for a new one"
        ) from error
    return Holder(did=holder, nonce_hash=nonce_hash(nonce))
