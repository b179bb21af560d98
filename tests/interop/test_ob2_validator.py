"""Our OB 2.0 output checked by IMS Global's validator-core 1.1.2 (not by our own code).

Hosted documents are served from a loopback HTTP server started here; validator-core runs in
its own virtualenv, offline (interop/python/validate_ob2.py). Signed assertions are made by
badges/jws.py, baked images by badges/baking.py.
"""

from __future__ import annotations

import base64
import io
import json
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from PIL import Image

from badges.baking import OB2_PNG_KEYWORD, bake_png, bake_svg
from badges.jws import sign_assertion_jws
from tests.interop.ob2 import (
    LoopbackSite,
    Ob2Issuer,
    assertion_document,
    public_key_pem,
    publish_issuer,
    publish_revocation_list,
    require_ob2_venv,
    run_validator,
)

pytestmark = pytest.mark.interop

EMAIL = "yamada.hanako@example.ac.jp"


def _rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def keys():
    """The issuer's signing key, a second issuer key and a stranger's key."""
    return {"current": _rsa_key(), "second": _rsa_key(), "stranger": _rsa_key()}


@pytest.fixture(scope="module")
def badge_png() -> bytes:
    image = Image.new("RGBA", (64, 64), (0, 90, 160, 255))
    for x in range(16, 48):
        image.putpixel((x, 32), (255, 200, 0, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def site():
    require_ob2_venv()
    site = LoopbackSite().start()
    yield site
    site.stop()


@pytest.fixture(scope="module")
def issuer(site, keys, badge_png) -> Ob2Issuer:
    return publish_issuer(site, [keys["current"]], badge_png)


def _hosted(issuer: Ob2Issuer, name: str) -> tuple[str, dict]:
    url = issuer.assertion_url(name)
    document = assertion_document(
        issuer,
        assertion_id=url,
        email=EMAIL,
        salt=uuid.uuid4().hex,
        verification={"type": "hosted"},
    )
    issuer.site.serve_json(url, document)
    return url, document


def _signed(issuer: Ob2Issuer, *, creator: str | None = None) -> dict:
    return assertion_document(
        issuer,
        assertion_id=f"urn:uuid:{uuid.uuid4()}",
        email=EMAIL,
        salt=uuid.uuid4().hex,
        verification={"type": "SignedBadge", "creator": creator or issuer.key_urls[0]},
    )


def _b64url_json(segment: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def _b64url(document: dict) -> str:
    raw = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# --- hosted -----------------------------------------------------------------------------------


def test_hosted_assertion_passes_validator_core(issuer):
    url, _ = _hosted(issuer, "hosted-ok")
    before = len(issuer.site.requested)

    run = run_validator(url, recipient={"email": EMAIL})

    assert run.valid, run.explain()
    assert run.report["errorCount"] == 0
    assert run.report["openBadgesVersion"] == "2.0"
    assert run.report["validationSubject"] == url
    graph_types = {node.get("type") for node in run.result["graph"]}
    assert {"Assertion", "BadgeClass", "Issuer"} <= graph_types
    [badge] = run.nodes("BadgeClass")
    assert badge["name"] == "データサイエンス基礎（マイクロクレデンシャル）"
    assert len(badge["alignment"]) == 2
    # validator-core really fetched the documents from our loopback server.
    fetched = set(issuer.site.requested[before:])
    assert {"/ob2/sample-university/assertions/hosted-ok"} <= fetched
    assert {
        "/ob2/sample-university/badges/data-science-basics",
        "/ob2/sample-university",
    } <= fetched


def test_hosted_assertion_given_as_json_is_fetched_and_passes(issuer):
    _, document = _hosted(issuer, "hosted-json")

    run = run_validator("-", stdin=json.dumps(document, ensure_ascii=False))

    assert run.valid, run.explain()
    assert run.report["validationSubject"] == document["id"]


def test_hashed_recipient_is_checked_against_the_profile(issuer):
    url, _ = _hosted(issuer, "hosted-recipient")

    wrong = run_validator(url, recipient={"email": "someone.else@example.ac.jp"})

    assert not wrong.valid
    assert any(
        "recipient" in error.lower() or "identity" in error.lower() for error in wrong.errors
    )


@pytest.mark.parametrize("with_type", [False, True], ids=["spec-shape", "typed"])
def test_revoked_hosted_assertion_410_is_invalid(issuer, with_type):
    """A revoked hosted assertion answers 410 Gone with id, revoked and revocationReason.

    validator-core has no notion of hosted revocation: it rejects the document because it is not
    a complete Assertion (untyped: "Chosen OBClass None"; typed: required properties missing).
    Either way the revoked badge must not validate.
    """
    url = issuer.assertion_url(f"hosted-revoked-{with_type}")
    document = {
        "@context": "https://w3id.org/openbadges/v2",
        "id": url,
        "revoked": True,
        "revocationReason": "成績評価の誤りが判明したため取り消し",
    }
    if with_type:
        document["type"] = "Assertion"
    issuer.site.serve_json(url, document, status=410)

    run = run_validator(url)

    assert not run.valid
    assert run.report["errorCount"] >= 1
    assert not run.nodes("BadgeClass")  # nothing of the badge was accepted
    if with_type:
        assert any("Required property recipient not present" in error for error in run.errors), (
            run.explain()
        )


# --- signed (JWS) -----------------------------------------------------------------------------


def test_signed_assertion_from_our_jws_passes(issuer, keys):
    assertion = _signed(issuer)
    token = sign_assertion_jws(assertion, keys["current"])
    assert _b64url_json(token.split(".")[0]) == {"alg": "RS256"}
    before = len(issuer.site.requested)

    run = run_validator(token, recipient={"email": EMAIL})

    assert run.valid, run.explain()
    assert run.report["validationSubject"] == assertion["id"]
    [node] = run.nodes("Assertion")
    assert node["verification"]["type"] == "SignedBadge"
    # The key came from the issuer's published list and the revocation list was consulted.
    fetched = issuer.site.requested[before:]
    assert "/ob2/sample-university/keys/1" in fetched
    assert "/ob2/sample-university/revocations" in fetched


def test_issuer_listing_two_public_keys_is_rejected(site, keys, badge_png):
    """validator-core 1.1.2 allows one publicKey value on an Issuer (not an array), so an OB 2.0
    issuer profile publishes exactly one key: rotating it invalidates older signed badges there.
    This pins down that constraint for the issuer-profile code."""
    two_keys = publish_issuer(site, [keys["current"], keys["second"]], badge_png, slug="two-keys")
    url, _ = _hosted(two_keys, "hosted-two-keys")

    run = run_validator(url)

    assert not run.valid
    assert any(
        "publicKey" in error and "more than the single allowed value" in error
        for error in run.errors
    ), run.explain()


def test_revoked_signed_assertion_is_invalid(issuer, keys):
    assertion = _signed(issuer)
    reason = "不正行為により取り消し"
    publish_revocation_list(issuer, [{"id": assertion["id"], "revocationReason": reason}])
    try:
        run = run_validator(sign_assertion_jws(assertion, keys["current"]))
    finally:
        publish_revocation_list(issuer, [])

    assert not run.valid
    assert any("revoked" in error and assertion["id"] in error for error in run.errors), (
        run.explain()
    )
    assert any(reason in error for error in run.errors)


def test_tampered_jws_fails(issuer, keys):
    assertion = _signed(issuer)
    header, _payload, signature = sign_assertion_jws(assertion, keys["current"]).split(".")
    tampered = dict(assertion, expires="2199-12-31T23:59:59+09:00")

    run = run_validator(f"{header}.{_b64url(tampered)}.{signature}")

    assert not run.valid
    assert any("failed verification" in error for error in run.errors), run.explain()


def test_jws_signed_by_another_key_fails(issuer, keys):
    assertion = _signed(issuer)  # claims the issuer's current key …

    run = run_validator(sign_assertion_jws(assertion, keys["stranger"]))  # … stranger signs

    assert not run.valid
    assert any("failed verification" in error for error in run.errors), run.explain()


def test_key_not_listed_by_the_issuer_fails(issuer, keys):
    """A self-consistent signature with a key the issuer profile does not list."""
    rogue_url = issuer.site.url("/ob2/rogue-key")
    issuer.site.serve_json(
        rogue_url,
        {
            "@context": "https://w3id.org/openbadges/v2",
            "type": "CryptographicKey",
            "id": rogue_url,
            "owner": issuer.issuer_url,
            "publicKeyPem": public_key_pem(keys["stranger"]),
        },
    )
    assertion = _signed(issuer, creator=rogue_url)

    run = run_validator(sign_assertion_jws(assertion, keys["stranger"]))

    assert not run.valid
    assert any("other than those authorized" in error for error in run.errors), run.explain()


# --- baked images (baked by us, unbaked by openbadges-bakery inside validator-core) -------------


def test_baked_png_with_our_jws_passes(issuer, keys, badge_png, tmp_path):
    token = sign_assertion_jws(_signed(issuer), keys["current"])
    path = tmp_path / "badge.png"
    path.write_bytes(bake_png(badge_png, keyword=OB2_PNG_KEYWORD, text=token))

    run = run_validator("--file", str(path))

    assert run.valid, run.explain()


def test_baked_svg_hosted_passes(issuer, tmp_path):
    url, document = _hosted(issuer, "hosted-svg")
    svg = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
        b'<circle cx="32" cy="32" r="30" fill="#005aa0"/></svg>\n'
    )
    path = tmp_path / "badge.svg"
    path.write_bytes(bake_svg(svg, version="2.0", verify=url, assertion_json=document))

    run = run_validator("--file", str(path))

    assert run.valid, run.explain()
    assert run.report["validationSubject"] == url


# --- the harness itself -------------------------------------------------------------------------


def test_harness_refuses_non_loopback_urls(issuer):
    """validator-core must not reach the internet: a badge on a public host cannot be fetched."""
    url = issuer.assertion_url("hosted-offsite-badge")
    document = assertion_document(
        issuer,
        assertion_id=url,
        email=EMAIL,
        salt="x",
        verification={"type": "hosted"},
    )
    document["badge"] = "https://badges.example.org/badges/1"
    issuer.site.serve_json(url, document)

    run = run_validator(url)

    assert not run.valid
    assert any("badges.example.org" in error for error in run.errors), run.explain()
