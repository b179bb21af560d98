"""verify_badge on Open Badges 2.0: hosted assertions and RS256 JWS signed assertions, with the
issuer's documents served from a loopback http.server (tests/interop/ob2.py)."""

import base64
import hashlib
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from badges.jws import sign_assertion_jws
from badges.verification import SafeFetcher, verify_badge
from badges.verification.common import identity_matches
from tests.interop.ob2 import (
    OB2_CONTEXT,
    LoopbackSite,
    assertion_document,
    public_key_pem,
    publish_issuer,
    publish_revocation_list,
)

EMAIL = "taro.suzuki@example.jp"
SALT = "9b1f"
NOW = datetime(2026, 1, 15, tzinfo=UTC)


@pytest.fixture(scope="module")
def keys():
    return [rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(3)]


@pytest.fixture
def world(keys):
    site = LoopbackSite().start()
    issuer = publish_issuer(site, keys[:1], b"\x89PNG fake image bytes")
    yield issuer
    site.stop()


def verify(data, **kwargs):
    kwargs.setdefault("now", NOW)
    kwargs.setdefault("fetcher", SafeFetcher(allow_loopback=True))
    result = verify_badge(data, **kwargs)
    json.dumps(result.as_dict(), ensure_ascii=False)
    return result


def hosted(world, name="a1", **changes):
    url = world.assertion_url(name)
    document = assertion_document(
        world, assertion_id=url, email=EMAIL, salt=SALT, verification={"type": "hosted"}
    )
    document.update(changes)
    world.site.serve_json(url, document)
    return url, document


def signed(world, key, *, creator=None, name="s1", **changes):
    document = assertion_document(
        world,
        assertion_id=world.assertion_url(name),
        email=EMAIL,
        salt=SALT,
        verification={"type": "signed", "creator": creator or world.key_urls[0]},
    )
    document.update(changes)
    return sign_assertion_jws(document, key)


def test_hosted_by_url_and_by_json(world):
    url, document = hosted(world)
    by_url = verify(url, email=EMAIL)
    assert by_url.verdict == "valid", by_url.as_dict()["checks"]
    assert (by_url.format, by_url.version, by_url.source) == ("ob2-hosted", "2.0", "url")
    assert by_url.check("hosted").status == "pass"
    assert by_url.check("recipient").status == "pass"
    assert by_url.achievement["name"] == "データサイエンス基礎（マイクロクレデンシャル）"
    assert by_url.issuer["name"] == "サンプル大学 数理・データサイエンス教育センター"
    by_json = verify(document, email=EMAIL)
    assert by_json.verdict == "valid"
    assert by_json.check("hosted").status == "pass"


def test_hosted_copy_that_differs_from_the_published_one_is_invalid(world):
    _, document = hosted(world)
    result = verify({**document, "narrative": "改ざん"})
    assert result.verdict == "invalid"
    assert result.check("hosted").status == "fail"


def test_hosted_gone_is_revoked(world):
    url, document = hosted(world)
    world.site.serve_json(
        url,
        {"@context": OB2_CONTEXT, "id": url, "revoked": True, "revocationReason": "不正受験"},
        status=410,
    )
    for data in (url, document):
        result = verify(data)
        assert result.verdict == "revoked"
        assert "不正受験" in result.check("revocation").message_ja


def test_hosted_on_another_origin_than_the_issuer_is_invalid(world, keys):
    other = LoopbackSite().start()
    try:
        url = other.url("/assertions/x")
        document = assertion_document(
            world, assertion_id=url, email=EMAIL, salt=SALT, verification={"type": "hosted"}
        )
        other.serve_json(url, document)
        result = verify(url)
    finally:
        other.stop()
    assert result.verdict == "invalid"
    assert result.check("issuer").status == "fail"


def test_hosted_missing_is_an_error(world):
    result = verify(world.assertion_url("nothing-here"))
    assert result.verdict == "error"


def test_jws_valid(world, keys):
    result = verify(signed(world, keys[0]), email=EMAIL)
    assert result.verdict == "valid", result.as_dict()["checks"]
    assert (result.format, result.source) == ("ob2-signed", "jws")
    assert {c.code: c.status for c in result.checks} == {
        "structure": "pass",
        "signature": "pass",
        "issuer": "pass",
        "not_before": "pass",
        "expiry": "pass",
        "revocation": "pass",
        "recipient": "pass",
    }


def test_jws_tampered_is_invalid(world, keys):
    token = signed(world, keys[0])
    header, payload, signature = token.split(".")
    assertion = json.loads(base64.urlsafe_b64decode(payload + "=="))
    assertion["expires"] = "2199-03-31T23:59:59+09:00"
    forged = base64.urlsafe_b64encode(json.dumps(assertion).encode()).rstrip(b"=").decode()
    result = verify(f"{header}.{forged}.{signature}")
    assert result.verdict == "invalid"
    assert result.check("signature").status == "fail"
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    assert verify(f"{header}.{payload}.{flipped}").verdict == "invalid"


def test_jws_signed_by_another_key_is_invalid(world, keys):
    result = verify(signed(world, keys[1]))
    assert result.verdict == "invalid"
    assert result.check("signature").status == "fail"


def test_jws_with_a_key_the_issuer_does_not_own_is_invalid(world, keys):
    stranger = LoopbackSite().start()
    try:
        key_url = stranger.url("/keys/1")
        stranger.serve_json(
            key_url,
            {
                "@context": OB2_CONTEXT,
                "type": "CryptographicKey",
                "id": key_url,
                "owner": world.issuer_url,
                "publicKeyPem": public_key_pem(keys[2]),
            },
        )
        result = verify(signed(world, keys[2], creator=key_url))
    finally:
        stranger.stop()
    assert result.verdict == "invalid"
    assert result.check("signature").status == "pass"
    assert result.check("issuer").status == "fail"


def test_jws_with_a_retired_key_of_the_issuer_is_valid_with_a_note(world, keys):
    retired_url = world.site.url(f"/ob2/{world.slug}/keys/old")
    world.site.serve_json(
        retired_url,
        {
            "@context": OB2_CONTEXT,
            "type": "CryptographicKey",
            "id": retired_url,
            "owner": world.issuer_url,
            "publicKeyPem": public_key_pem(keys[2]),
        },
    )
    result = verify(signed(world, keys[2], creator=retired_url))
    assert result.verdict == "valid", result.as_dict()["checks"]
    assert "retired" in result.check("issuer").message_en


def test_jws_revoked_in_the_revocation_list(world, keys):
    publish_revocation_list(
        world, [{"id": world.assertion_url("s1"), "revocationReason": "誤発行のため取消"}]
    )
    result = verify(signed(world, keys[0]))
    assert result.verdict == "revoked"
    assert "誤発行のため取消" in result.check("revocation").message_ja


def test_jws_expired_and_recipient_mismatch(world, keys):
    token = signed(world, keys[0], expires="2025-12-31T23:59:59+09:00")
    assert verify(token).verdict == "expired"
    assert verify(signed(world, keys[0]), email="other@example.jp").verdict == (
        "recipient_mismatch"
    )


def test_signed_assertion_given_as_json_cannot_be_verified(world):
    document = assertion_document(
        world,
        assertion_id=world.assertion_url("s9"),
        email=EMAIL,
        salt=SALT,
        verification={"type": "signed", "creator": world.key_urls[0]},
    )
    result = verify(document)
    assert result.verdict == "invalid"
    assert "JWS" in result.check("signature").message_en


def test_unreachable_key_is_invalid_with_a_reason(world, keys):
    result = verify(signed(world, keys[0], creator=world.site.url("/no/such/key")))
    assert result.verdict == "invalid"
    assert "HTTP 404" in result.check("issuer").message_en


@pytest.mark.parametrize(
    ("identity", "hashed", "salt", "email", "expected"),
    [
        ("taro@example.jp", False, None, "Taro@Example.jp", True),
        ("taro@example.jp", False, None, "jiro@example.jp", False),
        (
            "sha256$" + hashlib.sha256(b"taro@example.jpdeadbeef").hexdigest(),
            True,
            "deadbeef",
            "taro@example.jp",
            True,
        ),
        (
            "sha256$" + hashlib.sha256(b"taro@example.jp").hexdigest(),
            True,
            None,
            "TARO@example.jp",
            True,
        ),
        (
            "md5$" + hashlib.md5(b"taro@example.jps", usedforsecurity=False).hexdigest(),
            True,
            "s",
            "taro@example.jp",
            True,
        ),
        ("sha256$" + "0" * 64, True, "s", "taro@example.jp", False),
        ("sha1$abc", True, "s", "taro@example.jp", False),
    ],
)
def test_identity_matching(identity, hashed, salt, email, expected):
    assert identity_matches(identity, hashed=hashed, salt=salt, email=email) is expected
