"""Open Badges 2.0 signed assertions: compact JWS (RFC 7515) with RS256.

OB 2.0 "SignedBadge" verification: the assertion JSON is the JWS payload, signed with the RSA key
that the assertion's ``verification.creator`` points to. The protected header is exactly
``{"alg":"RS256"}`` (no ``typ``, no ``kid``) — what the reference implementations produce and
expect. JOSE is done by joserfc; this module only pins the algorithm and the header and turns
joserfc's errors into one family of clear errors.

Pure functions on dicts and ``cryptography`` key objects; no Django, no models.
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from joserfc import jws
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import RSAKey

__all__ = [
    "ALGORITHM",
    "MIN_RSA_KEY_BITS",
    "PROTECTED_HEADER",
    "AssertionJWSError",
    "BadAssertionSignature",
    "MalformedAssertionJWS",
    "UnsupportedAssertionJWS",
    "assertion_payload_bytes",
    "sign_assertion_jws",
    "verify_assertion_jws",
]

ALGORITHM = "RS256"
PROTECTED_HEADER: dict[str, str] = {"alg": ALGORITHM}
MIN_RSA_KEY_BITS = 2048
# A signed assertion is a few KB; refuse to parse anything absurd.
MAX_TOKEN_LENGTH = 1_000_000


class AssertionJWSError(ValueError):
    """A signed OB 2.0 assertion could not be produced or accepted."""


class MalformedAssertionJWS(AssertionJWSError):
    """Not a compact JWS, or its header/payload is not the JSON we expect."""


class UnsupportedAssertionJWS(AssertionJWSError):
    """A well-formed JWS we refuse: another algorithm (``none``, HS256, ES256, ...), ``crit``."""


class BadAssertionSignature(AssertionJWSError):
    """The signature does not verify with the given public key."""


def assertion_payload_bytes(assertion: dict[str, Any]) -> bytes:
    """The JWS payload: the assertion as compact UTF-8 JSON (non-ASCII kept as UTF-8)."""
    if not isinstance(assertion, dict):
        raise TypeError("the assertion must be a dict")
    return json.dumps(assertion, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _rsa_key(key: Any, *, private: bool) -> RSAKey:
    expected = RSAPrivateKey if private else RSAPublicKey
    if not isinstance(key, expected):
        kind = "RSAPrivateKey" if private else "RSAPublicKey"
        raise TypeError(f"expected a cryptography {kind}, got {type(key).__name__}")
    if key.key_size < MIN_RSA_KEY_BITS:
        raise AssertionJWSError(
            f"RSA key of {key.key_size} bits; at least {MIN_RSA_KEY_BITS} bits are required"
        )
    return RSAKey.import_key(key)


def sign_assertion_jws(assertion: dict[str, Any], private_key: RSAPrivateKey) -> str:
    """Sign an OB 2.0 assertion; returns the compact JWS ``header.payload.signature``."""
    key = _rsa_key(private_key, private=True)
    token = jws.serialize_compact(
        dict(PROTECTED_HEADER), assertion_payload_bytes(assertion), key, algorithms=[ALGORITHM]
    )
    return token


def verify_assertion_jws(token: str | bytes, public_key: RSAPublicKey) -> dict[str, Any]:
    """Verify a compact JWS made by :func:`sign_assertion_jws` and return the assertion dict.

    Raises :class:`MalformedAssertionJWS` (not three base64url parts, header or payload not a
    JSON object), :class:`UnsupportedAssertionJWS` (``alg`` other than RS256, ``crit``,
    unencoded payload) or :class:`BadAssertionSignature`.
    """
    key = _rsa_key(public_key, private=False)
    if isinstance(token, bytes):
        try:
            token = token.decode("ascii")
        except UnicodeDecodeError as exc:
            raise MalformedAssertionJWS("a compact JWS is ASCII") from exc
    if not isinstance(token, str):
        raise TypeError("the token must be str or bytes")
    token = token.strip()
    if len(token) > MAX_TOKEN_LENGTH:
        raise MalformedAssertionJWS(f"JWS longer than {MAX_TOKEN_LENGTH} characters")
    if token.count(".") != 2:
        raise MalformedAssertionJWS("a compact JWS has exactly three dot-separated parts")

    try:
        obj = jws.extract_compact(token.encode("ascii"))
    except (JoseError, ValueError, TypeError) as exc:
        raise MalformedAssertionJWS(f"not a compact JWS: {exc}") from exc

    header = obj.headers()
    alg = header.get("alg")
    if alg != ALGORITHM:
        raise UnsupportedAssertionJWS(f"JWS alg {alg!r} refused; OB 2.0 assertions use RS256")
    if "crit" in header or "b64" in header:
        raise UnsupportedAssertionJWS("JWS with 'crit' or 'b64' header parameters refused")

    try:
        valid = jws.validate_compact(obj, key, algorithms=[ALGORITHM])
    except BadSignatureError as exc:
        raise BadAssertionSignature("JWS signature does not verify") from exc
    except JoseError as exc:
        raise MalformedAssertionJWS(f"JWS rejected: {exc}") from exc
    if not valid:
        raise BadAssertionSignature("JWS signature does not verify with this key")

    try:
        payload = json.loads(obj.payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedAssertionJWS("JWS payload is not UTF-8 JSON") from exc
    if not isinstance(payload, dict):
        raise MalformedAssertionJWS("JWS payload is not a JSON object")
    return payload
