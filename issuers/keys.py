"""Key material: generation, encryption at rest, public encodings.

Private keys are stored only as MultiFernet tokens over settings.KEY_ENCRYPTION_KEYS, so a
database dump alone holds no usable private key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import base58
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from .models import SigningKey

PrivateKey = ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey

ED25519 = "ed25519"
RSA2048 = "rsa2048"
RSA_BITS = 2048

# Multicodec header of an Ed25519 public key (varint of 0xed), as used by Multikey.
ED25519_MULTICODEC = b"\xed\x01"


class KeyDecryptionError(Exception):
    """A stored private key cannot be decrypted with the configured key-encryption keys."""


def base58btc_encode(data: bytes) -> str:
    """Bitcoin base58 (the multibase 'z' alphabet)."""
    return base58.b58encode(data).decode("ascii")


def ed25519_multibase(raw_public_key: bytes) -> str:
    """Multikey `publicKeyMultibase` of a raw 32-byte Ed25519 public key."""
    if len(raw_public_key) != 32:
        raise ValueError("An Ed25519 public key has 32 bytes.")
    return "z" + base58btc_encode(ED25519_MULTICODEC + raw_public_key)


def generate_private_key(algorithm: str) -> PrivateKey:
    if algorithm == ED25519:
        return ed25519.Ed25519PrivateKey.generate()
    if algorithm == RSA2048:
        return rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    raise ValueError(f"Unknown signing algorithm: {algorithm!r}")


def public_key_bytes(private_key: PrivateKey) -> bytes:
    """What the database stores in clear: raw bytes for Ed25519, PEM (SPKI) for RSA."""
    public_key = private_key.public_key()
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _multifernet() -> MultiFernet:
    # Read on every call so that a KEK rotation (and test overrides) take effect at once.
    kek_list = settings.KEY_ENCRYPTION_KEYS
    if not kek_list:
        raise ImproperlyConfigured("KEY_ENCRYPTION_KEYS must hold at least one Fernet key.")
    return MultiFernet([Fernet(kek) for kek in kek_list])


def encrypt_private_key(private_key: PrivateKey) -> bytes:
    der = private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return _multifernet().encrypt(der)


def decrypt_private_key(token: bytes) -> PrivateKey:
    try:
        der = _multifernet().decrypt(bytes(token))
    except InvalidToken as exc:
        raise KeyDecryptionError(
            "The signing key cannot be decrypted with the configured KEY_ENCRYPTION_KEYS."
        ) from exc
    # Fernet authenticates the ciphertext, so these bytes are the key we generated and stored:
    # the RSA consistency check (tens of milliseconds per load) would find nothing.
    return serialization.load_der_private_key(
        der, password=None, unsafe_skip_rsa_key_validation=True
    )


def reencrypt_token(token: bytes) -> bytes:
    """Re-encrypt under the newest key-encryption key (first in the list)."""
    try:
        return _multifernet().rotate(bytes(token))
    except InvalidToken as exc:
        raise KeyDecryptionError(
            "The signing key cannot be decrypted with the configured KEY_ENCRYPTION_KEYS."
        ) from exc


def load_private_key(signing_key: SigningKey) -> PrivateKey:
    """The private key object of an active signing key, for signing a badge.

    Only the badges app's signing code may call this. Private keys never leave the server: no
    admin field, API, page, log line or audit event shows them. Retired keys still verify
    earlier badges but never sign new ones.
    """
    if not signing_key.is_active:
        raise ValueError(f"Signing key {signing_key.key_id} is retired and cannot sign.")
    return decrypt_private_key(signing_key.encrypted_private_key)
