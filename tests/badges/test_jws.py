"""OB 2.0 signed assertions: compact JWS, RS256, header exactly {"alg":"RS256"}."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from badges.jws import (
    AssertionJWSError,
    BadAssertionSignature,
    MalformedAssertionJWS,
    UnsupportedAssertionJWS,
    assertion_payload_bytes,
    sign_assertion_jws,
    verify_assertion_jws,
)

ASSERTION = {
    "@context": "https://w3id.org/openbadges/v2",
    "type": "Assertion",
    "id": "urn:uuid:0b6a3e52-7a0c-4c43-9d0c-5c2f4c8e1a11",
    "recipient": {
        "type": "email",
        "hashed": True,
        "salt": "塩",
        "identity": "sha256$" + hashlib.sha256("hanako@example.jp塩".encode()).hexdigest(),
    },
    "badge": "https://mc.example.jp/ob2/badges/1",
    "issuedOn": "2025-04-01T09:00:00+09:00",
    "verification": {"type": "SignedBadge", "creator": "https://mc.example.jp/ob2/keys/1"},
    "narrative": "データサイエンス基礎を修了",
}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def header_segment(alg: str) -> str:
    return b64url(json.dumps({"alg": alg}, separators=(",", ":")).encode())


@pytest.fixture(scope="module")
def key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def token(key):
    return sign_assertion_jws(ASSERTION, key)


def test_protected_header_is_exactly_alg_rs256(token):
    header = token.split(".")[0]

    assert b64url_decode(header) == b'{"alg":"RS256"}'


def test_payload_is_the_assertion_as_utf8_json(token):
    payload = b64url_decode(token.split(".")[1])

    assert json.loads(payload.decode("utf-8")) == ASSERTION
    assert "データサイエンス基礎".encode() in payload  # raw UTF-8, not \\u escapes
    assert payload == assertion_payload_bytes(ASSERTION)


def test_signature_verifies_independently_with_cryptography(key, token):
    """RFC 7515 by hand: RSASSA-PKCS1-v1_5 with SHA-256 over ASCII(header.payload)."""
    header, payload, signature = token.split(".")

    key.public_key().verify(
        b64url_decode(signature),
        f"{header}.{payload}".encode("ascii"),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )
    assert len(b64url_decode(signature)) == 256  # 2048-bit modulus


def test_round_trip(key, token):
    assert verify_assertion_jws(token, key.public_key()) == ASSERTION
    assert verify_assertion_jws(token.encode("ascii"), key.public_key()) == ASSERTION
    assert verify_assertion_jws(f"  {token}\n", key.public_key()) == ASSERTION


def test_another_key_fails(other_key, token):
    with pytest.raises(BadAssertionSignature):
        verify_assertion_jws(token, other_key.public_key())


def test_tampered_payload_fails(key, token):
    header, _, signature = token.split(".")
    forged = dict(ASSERTION, issuedOn="2020-01-01T00:00:00+09:00")
    tampered = f"{header}.{b64url(json.dumps(forged).encode())}.{signature}"

    with pytest.raises(BadAssertionSignature):
        verify_assertion_jws(tampered, key.public_key())


def test_tampered_signature_fails(key, token):
    header, payload, signature = token.split(".")
    raw = bytearray(b64url_decode(signature))
    raw[10] ^= 0x01

    with pytest.raises(BadAssertionSignature):
        verify_assertion_jws(f"{header}.{payload}.{b64url(bytes(raw))}", key.public_key())


def test_alg_none_is_refused(key):
    unsigned = f"{header_segment('none')}.{b64url(json.dumps(ASSERTION).encode())}."

    with pytest.raises(UnsupportedAssertionJWS, match="'none'"):
        verify_assertion_jws(unsigned, key.public_key())


def test_hs256_key_confusion_is_refused(key):
    """The classic attack: HMAC-sign with the public key PEM as the secret."""
    secret = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = f"{header_segment('HS256')}.{b64url(json.dumps(ASSERTION).encode())}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()

    with pytest.raises(UnsupportedAssertionJWS, match="HS256"):
        verify_assertion_jws(f"{signing_input}.{b64url(mac)}", key.public_key())


def test_crit_header_is_refused(key):
    header = b64url(b'{"alg":"RS256","crit":["exp"],"exp":1}')
    with pytest.raises(UnsupportedAssertionJWS, match="crit"):
        verify_assertion_jws(f"{header}.{b64url(b'{}')}.AAAA", key.public_key())


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "!!!.???.***",
        f"{b64url(b'not json')}.{b64url(b'{}')}.AAAA",
        "ü.ü.ü",
    ],
)
def test_malformed_tokens_are_refused(key, token):
    with pytest.raises(MalformedAssertionJWS):
        verify_assertion_jws(token, key.public_key())


def test_payload_that_is_not_an_object_is_refused(key):
    signing_input = f"{header_segment('RS256')}.{b64url(b'[1,2,3]')}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())

    with pytest.raises(MalformedAssertionJWS, match="JSON object"):
        verify_assertion_jws(f"{signing_input}.{b64url(signature)}", key.public_key())


def test_wrong_key_types_are_refused(key):
    with pytest.raises(TypeError, match="RSAPrivateKey"):
        sign_assertion_jws(ASSERTION, key.public_key())
    with pytest.raises(TypeError, match="RSAPrivateKey"):
        sign_assertion_jws(ASSERTION, ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(TypeError, match="RSAPublicKey"):
        verify_assertion_jws("a.b.c", key)
    with pytest.raises(TypeError):
        sign_assertion_jws("not a dict", key)


def test_short_rsa_keys_are_refused():
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505

    with pytest.raises(AssertionJWSError, match="2048"):
        sign_assertion_jws(ASSERTION, weak)
