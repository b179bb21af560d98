"""verify_badge on Open Badges 3.0 credentials signed here with eddsa-rdfc-2022 (did:key and
did:web issuers), with Bitstring Status Lists served from a loopback server."""

import copy
import hashlib
import json
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from badges import multikey
from badges.dataintegrity import sign_eddsa_rdfc_2022
from badges.status_list import encode_status_list
from badges.verification import SafeFetcher, verify_badge
from tests.badges.node import VC_V2, open_badge_credential
from tests.badges.verification_support import Site

ISSUER_KEY = Ed25519PrivateKey.from_private_bytes(bytes([7]) * 32)
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes([8]) * 32)
ISSUER_DID = multikey.did_key(ISSUER_KEY.public_key())
ISSUER_METHOD = multikey.did_key_verification_method(ISSUER_KEY.public_key())
OTHER_METHOD = multikey.did_key_verification_method(OTHER_KEY.public_key())
EMAIL = "hanako.yamada@example.jp"
SALT = "c0ffee42"
NOW = datetime(2026, 1, 15, tzinfo=UTC)
STATUS_INDEX = 94_567


def sign(document, key=ISSUER_KEY, method=ISSUER_METHOD):
    return sign_eddsa_rdfc_2022(
        document, private_key=key, verification_method=method, created="2025-04-01T00:00:00Z"
    )


def credential(issuer=ISSUER_DID, status_url=None, **changes):
    document = open_badge_credential(issuer)
    document["credentialSubject"]["identifier"] = [
        {
            "type": "IdentityObject",
            "identityHash": "sha256$" + hashlib.sha256((EMAIL + SALT).encode()).hexdigest(),
            "identityType": "emailAddress",
            "hashed": True,
            "salt": SALT,
        }
    ]
    if status_url:
        document["credentialStatus"] = {
            "id": f"{status_url}#{STATUS_INDEX}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(STATUS_INDEX),
            "statusListCredential": status_url,
        }
    document.update(changes)
    return document


def status_list_credential(url, revoked=(), issuer=ISSUER_DID, key=ISSUER_KEY, method=None):
    return sign(
        {
            "@context": [VC_V2],
            "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": issuer,
            "validFrom": "2025-01-01T00:00:00Z",
            "credentialSubject": {
                "id": url + "#list",
                "type": "BitstringStatusList",
                "statusPurpose": "revocation",
                "encodedList": encode_status_list(revoked),
            },
        },
        key=key,
        method=method or multikey.did_key_verification_method(key.public_key()),
    )


def verify(data, **kwargs):
    kwargs.setdefault("now", NOW)
    kwargs.setdefault("fetcher", SafeFetcher(allow_loopback=True))
    result = verify_badge(data, **kwargs)
    json.dumps(result.as_dict(), ensure_ascii=False)  # always JSON-serialisable
    return result


def statuses(result):
    return {check.code: check.status for check in result.checks}


@pytest.fixture
def site():
    with Site() as server:
        yield server


@pytest.fixture
def status_url(site):
    url = site.url("/status/1")
    site.json("/status/1", status_list_credential(url))
    return url


def test_valid_credential(site, status_url):
    result = verify(sign(credential(status_url=status_url)), email=EMAIL)
    assert result.verdict == "valid", result.as_dict()["checks"]
    assert (result.format, result.version) == ("ob3", "3.0")
    assert statuses(result) == {
        "structure": "pass",
        "signature": "pass",
        "issuer": "pass",
        "not_before": "pass",
        "expiry": "pass",
        "revocation": "pass",
        "recipient": "pass",
    }
    assert result.achievement["name"] == "データサイエンス基礎"
    assert result.achievement["achievement_type"] == "MicroCredential"
    assert result.achievement["criteria"].startswith("全 8 回")
    assert result.issuer["id"] == ISSUER_DID
    assert result.issuer["name"] == "東都デジタル大学 リカレント教育センター"
    assert site.requests == [("/status/1", f"127.0.0.1:{site.port}")]
    for check in result.checks:
        assert check.message_ja and check.message_en


def test_text_input_and_dict_input_agree(status_url):
    signed = sign(credential(status_url=status_url))
    as_text = verify(json.dumps(signed, ensure_ascii=False))
    as_bytes = verify(json.dumps(signed).encode())
    assert as_text.as_dict() == verify(signed).as_dict() == as_bytes.as_dict() | {"source": "json"}


def _paths(value, prefix=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))
    elif isinstance(value, str) and prefix[0] not in ("proof", "@context"):
        yield prefix


def test_one_changed_character_anywhere_is_invalid():
    signed = sign(credential())
    paths = list(_paths(signed))
    assert len(paths) > 25
    for path in paths:
        tampered = copy.deepcopy(signed)
        node = tampered
        for key in path[:-1]:
            node = node[key]
        value = node[path[-1]]
        node[path[-1]] = value[:-1] + ("X" if value[-1:] != "X" else "Y")
        result = verify(tampered)
        assert result.verdict == "invalid", path
        assert result.check("signature").status == "fail", path


def test_signature_by_another_key_is_invalid():
    # The other key signs as itself: the proof holds, but it is not the issuer's key.
    by_other = verify(sign(credential(), key=OTHER_KEY, method=OTHER_METHOD))
    assert by_other.verdict == "invalid"
    assert by_other.check("signature").status == "pass"
    assert by_other.check("issuer").status == "fail"
    # The other key's signature presented as the issuer's.
    forged = sign(credential(), key=OTHER_KEY, method=OTHER_METHOD)
    forged["proof"]["verificationMethod"] = ISSUER_METHOD
    result = verify(forged)
    assert result.verdict == "invalid"
    assert result.check("signature").status == "fail"


def test_revoked_via_status_list(site):
    url = site.url("/status/2")
    site.json("/status/2", status_list_credential(url, revoked=[STATUS_INDEX, 5]))
    result = verify(sign(credential(status_url=url)), email=EMAIL)
    assert result.verdict == "revoked"
    assert result.check("revocation").message_en.startswith("The issuer has revoked")


def test_status_list_signed_by_someone_else_is_not_trusted(site):
    url = site.url("/status/3")
    site.json(
        "/status/3",
        status_list_credential(url, issuer=multikey.did_key(OTHER_KEY.public_key()), key=OTHER_KEY),
    )
    result = verify(sign(credential(status_url=url)))
    assert result.verdict == "error"
    assert result.check("revocation").status == "fail"


def test_tampered_status_list_is_not_trusted(site):
    url = site.url("/status/4")
    listing = status_list_credential(url, revoked=[STATUS_INDEX])
    listing["credentialSubject"]["encodedList"] = encode_status_list([])
    site.json("/status/4", listing)
    result = verify(sign(credential(status_url=url)))
    assert result.verdict == "error"
    assert "proof" in result.check("revocation").message_en


def test_unreachable_status_list_is_an_error(site):
    result = verify(sign(credential(status_url=site.url("/status/missing"))))
    assert result.verdict == "error"
    assert "HTTP 404" in result.check("revocation").message_en


def test_expired_and_not_yet_valid():
    signed = sign(credential())
    expired = verify(signed, now=datetime(2036, 1, 1, tzinfo=UTC))
    assert expired.verdict == "expired"
    assert expired.check("expiry").status == "fail"
    early = verify(signed, now=datetime(2025, 3, 1, tzinfo=UTC))
    assert early.verdict == "invalid"
    assert early.check("not_before").status == "fail"


def test_recipient_match_and_mismatch():
    signed = sign(credential())
    assert verify(signed, email=EMAIL).check("recipient").status == "pass"
    assert verify(signed, email="HANAKO.Yamada@example.jp").verdict == "valid"
    mismatch = verify(signed, email="someone.else@example.jp")
    assert mismatch.verdict == "recipient_mismatch"
    assert verify(signed).check("recipient").status == "skip"


def test_verdict_precedence_revoked_beats_expired_and_mismatch(site):
    url = site.url("/status/5")
    site.json("/status/5", status_list_credential(url, revoked=[STATUS_INDEX]))
    result = verify(
        sign(credential(status_url=url)),
        email="x@example.jp",
        now=datetime(2036, 1, 1, tzinfo=UTC),
    )
    assert {c.outcome for c in result.checks if c.status == "fail"} == {
        "revoked",
        "expired",
        "recipient_mismatch",
    }
    assert result.verdict == "revoked"


def did_web(site, path):
    return f"did:web:127.0.0.1%3A{site.port}:" + ":".join(quote(p) for p in path.split("/"))


def did_document(did, keys):
    methods = []
    for n, (key, extra) in enumerate(keys, start=1):
        methods.append(
            {
                "id": f"{did}#key-{n}",
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": multikey.encode_public_key_multibase(key.public_key()),
                **extra,
            }
        )
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }


def test_did_web_issuer(site):
    did = did_web(site, "issuers/tohoku")
    site.json("/issuers/tohoku/did.json", did_document(did, [(ISSUER_KEY, {})]))
    result = verify(sign(credential(issuer=did), method=f"{did}#key-1"))
    assert result.verdict == "valid", result.as_dict()["checks"]
    assert ("/issuers/tohoku/did.json", f"127.0.0.1:{site.port}") in site.requests


def test_unknown_did_web_issuer_is_invalid_with_a_reason(site):
    did = did_web(site, "issuers/nobody")
    result = verify(sign(credential(issuer=did), method=f"{did}#key-1"))
    assert result.verdict == "invalid"
    issuer = result.check("issuer")
    assert issuer.status == "fail"
    assert "HTTP 404" in issuer.message_en and "発行者を確認できません" in issuer.message_ja


def test_unresolvable_did_is_invalid_with_a_reason():
    did = "did:web:badges.invalid:issuers:x"
    result = verify(sign(credential(issuer=did), method=f"{did}#key-1"))
    assert result.verdict == "invalid"
    assert result.check("issuer").status == "fail"
    assert result.check("issuer").message_en.startswith("The issuer cannot be confirmed")


def test_did_web_refused_when_loopback_is_not_allowed(site):
    did = did_web(site, "issuers/tohoku")
    site.json("/issuers/tohoku/did.json", did_document(did, [(ISSUER_KEY, {})]))
    result = verify(sign(credential(issuer=did), method=f"{did}#key-1"), fetcher=SafeFetcher())
    assert result.verdict == "invalid"
    assert site.requests == []


def test_key_missing_from_the_did_document_is_invalid(site):
    did = did_web(site, "issuers/rotated")
    site.json("/issuers/rotated/did.json", did_document(did, [(OTHER_KEY, {})]))
    result = verify(sign(credential(issuer=did), method=f"{did}#key-1"))
    assert result.verdict == "invalid"
    assert result.check("signature").status == "fail"


def test_retired_but_valid_key_is_valid_with_a_note(site):
    did = did_web(site, "issuers/retired")
    site.json(
        "/issuers/retired/did.json",
        did_document(did, [(OTHER_KEY, {}), (ISSUER_KEY, {"expires": "2025-06-01T00:00:00Z"})]),
    )
    result = verify(sign(credential(issuer=did), method=f"{did}#key-2"))
    assert result.verdict == "valid", result.as_dict()["checks"]
    assert "retired" in result.check("issuer").message_en


def test_unknown_context_is_never_fetched(site):
    document = credential()
    document["@context"] = [*document["@context"], site.url("/contexts/evil.jsonld")]
    site.json("/contexts/evil.jsonld", {"@context": {"@vocab": "https://evil.example/#"}})
    result = verify(document)
    assert result.verdict == "invalid"
    assert site.requests == []
