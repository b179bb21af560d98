"""Signing keys: generation, encryption at rest, KEK rotation, key rotation, encodings."""

import base64
import json

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, connection, transaction

from issuers import keys, selectors, services
from issuers.models import AuditEvent, SigningKey

ED25519, RSA = SigningKey.Algorithm.ED25519, SigningKey.Algorithm.RSA2048
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58decode(text: str) -> bytes:
    """Independent of the code under test: decodes the published test vectors."""
    number = 0
    for char in text:
        number = number * 58 + _B58.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def stored_columns(key: SigningKey) -> tuple[bytes, bytes]:
    """The bytes exactly as a database dump would contain them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT public_key, encrypted_private_key FROM issuers_signingkey WHERE id = %s",
            [key.pk],
        )
        public, private = cursor.fetchone()
    return bytes(public), bytes(private)


@pytest.mark.parametrize(
    ("data", "encoded"),
    [
        (b"", ""),
        (b"\0", "1"),
        (b"Hello World!", "2NEpo7TZRRrLZSi2U"),
        (bytes.fromhex("0000287fb4cd"), "11233QC4"),
        (
            b"The quick brown fox jumps over the lazy dog.",
            "USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z",
        ),
    ],
)
def test_base58btc_matches_the_published_test_vectors(data, encoded):
    assert keys.base58btc_encode(data) == encoded


def test_ed25519_multibase_matches_the_w3c_data_integrity_eddsa_test_vector():
    # vc-di-eddsa key pair: secretKeyMultibase holds 0x8026 + the 32-byte seed.
    secret = b58decode("3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")
    assert secret[:2] == b"\x80\x26"
    public = ed25519.Ed25519PrivateKey.from_private_bytes(secret[2:]).public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    key = SigningKey(algorithm=ED25519, public_key=raw)

    assert key.public_key_multibase == "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"


def test_ed25519_multibase_matches_a_did_key_test_vector():
    raw = b58decode("HrBXe7XnjMbscM1roSDTSMCcLNraetDQM9wSVjnzDxn3")
    assert keys.ed25519_multibase(raw) == "z6MkwJSaEMnE4u6LiqrZV1BJHSkc9x8S4mTm3ArNL1m19BZR"


def test_ensure_signing_keys_creates_one_active_key_per_algorithm(issuer_a):
    active = services.ensure_signing_keys(issuer_a)

    assert set(active) == {ED25519, RSA}
    assert all(key.is_active and key.key_id.startswith("key-") for key in active.values())
    assert SigningKey.objects.filter(issuer=issuer_a).count() == 2


def test_ensure_signing_keys_twice_creates_nothing_new(issuer_a):
    first = services.ensure_signing_keys(issuer_a)
    events = AuditEvent.objects.count()

    second = services.ensure_signing_keys(issuer_a)

    assert {k: v.pk for k, v in first.items()} == {k: v.pk for k, v in second.items()}
    assert AuditEvent.objects.count() == events


def test_rsa_key_is_2048_bits_and_published_as_pem(issuer_a):
    key = services.ensure_signing_keys(issuer_a)[RSA]
    public = key.public_key_object

    assert isinstance(public, rsa.RSAPublicKey)
    assert public.key_size == 2048
    assert key.public_key_pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert keys.load_private_key(key).key_size == 2048
    with pytest.raises(ValueError):
        _ = key.public_key_multibase


def test_ed25519_key_stores_the_raw_public_key_and_offers_multibase_and_jwk(issuer_a):
    key = services.ensure_signing_keys(issuer_a)[ED25519]
    raw, _ = stored_columns(key)

    assert len(raw) == 32
    assert key.public_key_multibase == "z" + keys.base58btc_encode(b"\xed\x01" + raw)
    assert key.public_key_multibase.startswith("z6Mk")
    assert key.public_jwk == {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": base64.urlsafe_b64encode(raw).rstrip(b"=").decode(),
        "kid": key.key_id,
    }


@pytest.mark.parametrize("algorithm", [ED25519, RSA])
def test_stored_private_key_is_encrypted_and_holds_no_private_material(issuer_a, algorithm):
    key = services.ensure_signing_keys(issuer_a)[algorithm]
    public, stored = stored_columns(key)
    private = keys.load_private_key(key)
    der = private.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )

    assert stored.startswith(b"gAAAAA")  # a Fernet token
    for secret in (b"PRIVATE KEY", der, base64.b64encode(der), der[-32:]):
        assert secret not in stored
        assert secret not in public
    assert b"-----BEGIN" not in stored


@pytest.mark.parametrize("algorithm", [ED25519, RSA])
def test_loaded_private_key_signs_what_the_published_public_key_verifies(issuer_a, algorithm):
    key = services.ensure_signing_keys(issuer_a)[algorithm]
    private = keys.load_private_key(key)
    published = selectors.published_keys(issuer_a).get(key_id=key.key_id).public_key_object
    message = b"badge payload"

    if algorithm == ED25519:
        published.verify(private.sign(message), message)
    else:
        signature = private.sign(message, padding.PKCS1v15(), hashes.SHA256())
        published.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())


def test_decryption_with_a_wrong_key_encryption_key_fails(issuer_a, settings):
    key = services.ensure_signing_keys(issuer_a)[ED25519]
    settings.KEY_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(keys.KeyDecryptionError):
        keys.load_private_key(SigningKey.objects.get(pk=key.pk))


def test_without_key_encryption_keys_no_key_can_be_generated(issuer_a, settings):
    settings.KEY_ENCRYPTION_KEYS = []

    with pytest.raises(ImproperlyConfigured):
        services.ensure_signing_keys(issuer_a)
    assert not SigningKey.objects.exists()


def test_reencryption_moves_every_key_to_the_newest_key_encryption_key(
    issuer_a, issuer_b, settings
):
    old_kek, new_kek = settings.KEY_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    services.ensure_signing_keys(issuer_a)
    services.ensure_signing_keys(issuer_b)

    settings.KEY_ENCRYPTION_KEYS = [new_kek, old_kek]
    assert services.reencrypt_private_keys() == 4

    settings.KEY_ENCRYPTION_KEYS = [new_kek]
    for key in SigningKey.objects.all():
        keys.load_private_key(key)
    settings.KEY_ENCRYPTION_KEYS = [old_kek]
    with pytest.raises(keys.KeyDecryptionError):
        keys.load_private_key(SigningKey.objects.first())
    assert AuditEvent.objects.filter(action="signing_key.reencrypt").count() == 4


def test_rotation_retires_the_old_key_but_keeps_it_published(issuer_a, owner_a):
    old = services.ensure_signing_keys(issuer_a)[ED25519]

    new = services.rotate_signing_key(actor=owner_a, issuer=issuer_a, algorithm=ED25519)

    old.refresh_from_db()
    assert (old.status, new.status) == (SigningKey.Status.RETIRED, SigningKey.Status.ACTIVE)
    assert old.retired_at is not None and new.retired_at is None
    assert selectors.active_signing_key(issuer_a, ED25519) == new
    assert {old, new} <= set(selectors.published_keys(issuer_a))
    assert selectors.published_key(old.key_id) == old
    event = AuditEvent.objects.get(action="signing_key.rotate")
    assert event.details["retired_key_id"] == old.key_id


def test_a_retired_key_can_no_longer_sign(issuer_a, owner_a):
    old = services.ensure_signing_keys(issuer_a)[ED25519]
    services.rotate_signing_key(actor=owner_a, issuer=issuer_a, algorithm=ED25519)

    with pytest.raises(ValueError, match="retired"):
        keys.load_private_key(SigningKey.objects.get(pk=old.pk))


def test_generating_a_second_active_key_for_an_algorithm_is_refused(issuer_a, owner_a):
    services.generate_signing_key(actor=owner_a, issuer=issuer_a, algorithm=ED25519)

    with pytest.raises(ValidationError):
        services.generate_signing_key(actor=owner_a, issuer=issuer_a, algorithm=ED25519)
    with pytest.raises(ValidationError):
        services.generate_signing_key(actor=owner_a, issuer=issuer_a, algorithm="dsa")


def test_the_database_allows_one_active_key_per_issuer_and_algorithm(issuer_a):
    key = services.ensure_signing_keys(issuer_a)[ED25519]

    with pytest.raises(IntegrityError), transaction.atomic():
        SigningKey.objects.create(
            issuer=issuer_a,
            algorithm=ED25519,
            public_key=bytes(key.public_key),
            encrypted_private_key=bytes(key.encrypted_private_key),
        )


def test_published_keys_do_not_load_the_encrypted_private_key(issuer_a):
    services.ensure_signing_keys(issuer_a)

    for key in selectors.published_keys(issuer_a):
        assert "encrypted_private_key" in key.get_deferred_fields()
    assert (
        "encrypted_private_key" in selectors.active_signing_key(issuer_a, RSA).get_deferred_fields()
    )


def test_key_audit_events_name_keys_but_never_contain_key_material(issuer_a, owner_a):
    services.ensure_signing_keys(issuer_a, actor=owner_a)
    services.rotate_signing_key(actor=owner_a, issuer=issuer_a, algorithm=RSA)
    events = AuditEvent.objects.filter(action__startswith="signing_key.")
    dumped = json.dumps([event.details for event in events])

    assert events.count() == 3
    for key in SigningKey.objects.all():
        assert key.key_id in dumped
        _, stored = stored_columns(key)
        for material in (stored.decode(), key.public_key_pem, key.public_jwk.get("x", "n")):
            assert material not in dumped
    assert "PRIVATE" not in dumped and "BEGIN" not in dumped
