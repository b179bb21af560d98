"""Ed25519 keys as Multikey values and did:key identifiers.

Multikey (W3C Controlled Identifiers 1.0, §2.2.2): ``publicKeyMultibase`` is ``'z'`` +
base58btc(0xed 0x01 + the 32-byte public key); ``secretKeyMultibase`` is ``'z'`` +
base58btc(0x80 0x26 + the 32-byte seed). Digital Bazaar's libraries historically exported the
64-byte seed‖public-key form under the same header; it is accepted on input (the public half
must match the seed) but never produced.
"""

import re

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

ED25519_PUBLIC_HEADER = b"\xed\x01"
ED25519_SECRET_HEADER = b"\x80\x26"
MULTIBASE_BASE58BTC = "z"
DID_KEY_PREFIX = "did:key:"

_BASE58 = re.compile(r"[1-9A-HJ-NP-Za-km-z]+")


class MultikeyError(ValueError):
    """A value is not a well-formed multibase / Multikey / did:key for an Ed25519 key."""


def multibase_encode(data: bytes) -> str:
    """Multibase base58btc: ``'z'`` followed by the bitcoin-alphabet base58 of ``data``."""
    return MULTIBASE_BASE58BTC + base58.b58encode(data).decode("ascii")


def multibase_decode(value: str) -> bytes:
    """The bytes of a multibase base58btc string; anything else raises :class:`MultikeyError`."""
    if not isinstance(value, str) or not value.startswith(MULTIBASE_BASE58BTC):
        raise MultikeyError("expected a multibase base58btc string starting with 'z'")
    body = value[1:]
    if not _BASE58.fullmatch(body):
        raise MultikeyError("multibase value contains characters outside base58btc")
    return base58.b58decode(body)


def public_key_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def private_key_seed(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def encode_public_key_multibase(public_key: Ed25519PublicKey) -> str:
    return multibase_encode(ED25519_PUBLIC_HEADER + public_key_bytes(public_key))


def decode_public_key_multibase(value: str) -> Ed25519PublicKey:
    data = multibase_decode(value)
    if not data.startswith(ED25519_PUBLIC_HEADER):
        raise MultikeyError("publicKeyMultibase is not an Ed25519 public key (header 0xed01)")
    raw = data[len(ED25519_PUBLIC_HEADER) :]
    if len(raw) != 32:
        raise MultikeyError(f"Ed25519 public key must be 32 bytes, got {len(raw)}")
    return Ed25519PublicKey.from_public_bytes(raw)


def encode_secret_key_multibase(private_key: Ed25519PrivateKey) -> str:
    return multibase_encode(ED25519_SECRET_HEADER + private_key_seed(private_key))


def decode_secret_key_multibase(value: str) -> Ed25519PrivateKey:
    data = multibase_decode(value)
    if not data.startswith(ED25519_SECRET_HEADER):
        raise MultikeyError("secretKeyMultibase is not an Ed25519 secret key (header 0x8026)")
    raw = data[len(ED25519_SECRET_HEADER) :]
    if len(raw) not in (32, 64):
        raise MultikeyError(f"Ed25519 secret key must be 32 (or legacy 64) bytes, got {len(raw)}")
    private_key = Ed25519PrivateKey.from_private_bytes(raw[:32])
    if len(raw) == 64 and raw[32:] != public_key_bytes(private_key.public_key()):
        raise MultikeyError("legacy 64-byte secret key: public half does not match the seed")
    return private_key


def did_key(public_key: Ed25519PublicKey) -> str:
    """The did:key DID of an Ed25519 public key."""
    return DID_KEY_PREFIX + encode_public_key_multibase(public_key)


def did_key_verification_method(public_key: Ed25519PublicKey) -> str:
    """``did:key:z6Mk…#z6Mk…``, the verification method id used in proofs."""
    multibase = encode_public_key_multibase(public_key)
    return f"{DID_KEY_PREFIX}{multibase}#{multibase}"


def did_key_document(did: str) -> dict:
    """The DID document of an Ed25519 did:key (did:key method v0.7, Multikey representation),
    as Digital Bazaar's did-method-key driver produces it."""
    if not isinstance(did, str) or not did.startswith(DID_KEY_PREFIX) or "#" in did:
        raise MultikeyError(f"not a did:key DID: {did!r}")
    multibase = did[len(DID_KEY_PREFIX) :]
    decode_public_key_multibase(multibase)
    method = f"{did}#{multibase}"
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": method,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": multibase,
            }
        ],
        "authentication": [method],
        "assertionMethod": [method],
        "capabilityDelegation": [method],
        "capabilityInvocation": [method],
    }
