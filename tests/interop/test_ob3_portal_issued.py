"""Open Badges 3.0 credentials issued by the portal end to end, checked by independent tools.

An award is issued through the credentials services (programme with fully described
descriptors); the badges task signs it. Digital Bazaar's verifier (interop/node/verify.mjs,
JSON-LD safe mode) then resolves everything over loopback HTTP from the running portal: the
issuer's did:web document, the portal's extension context and the status list credential.
Also checked: key rotation (an earlier credential still verifies with the retired key),
revocation as Digital Bazaar's status list decoder sees it, and the baked images as our unbake
and openbadges-bakery's parsers read them.
"""

from __future__ import annotations

import json

import pytest
import requests

from badges import baking, dataintegrity, ob3
from badges.models import BadgeRecord
from badges.verification import verify_badge
from credentials.services.award_lifecycle import reinstate_award, suspend_award
from issuers.models import SigningKey
from issuers.services import rotate_signing_key
from tests.badges.node import (
    assert_verified_and_clear,
    node_decode_status_list,
    node_verify,
    status_bits,
)
from tests.badges.ob3_world import issue, owner_of, passed_assessment, revoke
from tests.frameworks.fixtures import ensure_frameworks_loaded, fully_described_descriptors
from tests.interop.ob2 import run_bakery
from tests.issuers.factories import ExternalQualityAssuranceFactory, IssuerFactory

pytestmark = [pytest.mark.interop, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def portal(live_server, settings):
    """The live portal as PORTAL_BASE_URL (so every id and the did:web resolve to it)."""
    settings.PORTAL_BASE_URL = live_server.url
    ensure_frameworks_loaded()
    return live_server.url


@pytest.fixture
def issuer(portal):
    issuer = IssuerFactory(
        slug="minato-u",
        name_ja="みなと大学",
        name_en="Minato University",
        qa_standard_name_ja="みなと大学 内部質保証に関する方針",
        qa_standard_name_en="Minato University internal QA policy",
        qa_standard_uri="https://www.minato-u.example.ac.jp/about/quality-assurance",
    )
    ExternalQualityAssuranceFactory(issuer=issuer)
    return issuer


def issued_record(issuer, version=None, **kwargs) -> BadgeRecord:
    # A transactional test: issue_award commits, the on-commit dispatch runs the badges task.
    if version is None:
        kwargs.setdefault("descriptors", fully_described_descriptors())
    award = issue(passed_assessment(issuer=issuer, version=version, **kwargs))
    return BadgeRecord.objects.get(award=award)


def served_credential(record) -> dict:
    response = requests.get(ob3.credential_url(record.award), timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vc+ld+json")
    return response.json()


def test_portal_issued_credential_verifies_with_digital_bazaar(issuer):
    record = issued_record(issuer, validity_months=36)
    credential = served_credential(record)
    assert credential == record.ob3_credential
    assert credential["credentialSubject"]["achievement"]["achievementType"] == "MicroCredential"
    assert credential["proof"]["verificationMethod"].startswith("did:web:localhost%3A")

    result = node_verify(credential)  # no documents given: all resolved from the portal

    assert_verified_and_clear(result)


def test_an_earlier_credential_still_verifies_after_key_rotation(issuer):
    before = issued_record(issuer)
    old_key = before.ob3_signing_key
    new_key = rotate_signing_key(actor=owner_of(issuer), issuer=issuer, algorithm="ed25519")
    after = issued_record(issuer, version=before.award.programme_version)
    assert after.ob3_signing_key == new_key
    old_key.refresh_from_db()
    assert old_key.status == SigningKey.Status.RETIRED

    did = requests.get(dataintegrity.did_web_url(ob3.did_for(issuer)), timeout=10).json()
    assert [m["id"].rsplit("#", 1)[1] for m in did["verificationMethod"]] == [
        new_key.key_id,
        old_key.key_id,
    ]
    assert_verified_and_clear(node_verify(served_credential(before)))
    assert_verified_and_clear(node_verify(served_credential(after)))


def _entries(credential) -> dict:
    return {entry["statusPurpose"]: entry for entry in credential["credentialStatus"]}


def test_revocation_is_seen_by_digital_bazaar(issuer):
    revoked = issued_record(issuer)
    kept = issued_record(issuer, version=revoked.award.programme_version)
    assert revoked.status_list_id == kept.status_list_id

    revoke(revoked.award)  # commits; the revoke task sets the bit and re-signs the list

    status_url = _entries(revoked.ob3_credential)["revocation"]["statusListCredential"]
    status_credential = requests.get(status_url, timeout=10).json()
    assert_verified_and_clear(node_verify(status_credential))
    decoded = node_decode_status_list(status_credential["credentialSubject"]["encodedList"])
    assert decoded["set"] == [revoked.status_index]
    assert decoded["length"] >= 131_072

    # vc.verifyCredential says "verified" for the revoked credential too (the status check
    # ran); the bit, read by Digital Bazaar's status list library, is what says it is revoked.
    result = node_verify(served_credential(revoked))
    assert result["verified"] is True
    assert status_bits(result) == {"revocation": True, "suspension": False}
    assert status_bits(node_verify(served_credential(kept))) == {
        "revocation": False,
        "suspension": False,
    }


def test_suspension_and_reinstatement_are_seen_by_digital_bazaar(issuer):
    record = issued_record(issuer)
    officer = owner_of(issuer)
    entries = _entries(record.ob3_credential)
    assert entries["suspension"]["statusListIndex"] == entries["revocation"]["statusListIndex"]
    assert status_bits(node_verify(served_credential(record))) == {
        "revocation": False,
        "suspension": False,
    }

    suspend_award(actor=officer, award=record.award, reason="調査中 / Under investigation")
    result = node_verify(served_credential(record))
    assert status_bits(result) == {"revocation": False, "suspension": True}
    assert verify_badge(served_credential(record)).verdict == "revoked"  # not to be relied on

    reinstate_award(actor=officer, award=record.award, reason="調査完了 / Cleared")
    assert_verified_and_clear(node_verify(served_credential(record)))
    assert verify_badge(served_credential(record)).verdict == "valid"


def _download(record, variant: str) -> bytes:
    url = ob3.extension.portal_url("baked-image", public_id=record.award.public_id, variant=variant)
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    return response.content


def test_baked_images_carry_the_same_credential(issuer, tmp_path):
    record = issued_record(issuer)
    credential = served_credential(record)

    png = _download(record, "ob3.png")
    svg = _download(record, "ob3.svg")
    for data, image_format in ((png, "png"), (svg, "svg")):
        (baked,) = baking.unbake(data)
        assert baked.version == "3.0" and baked.image_format == image_format
        assert json.loads(baked.payload) == credential

    # openbadges-bakery's own parsers (pypng with CRC checks, defusedxml) see the same payload.
    (tmp_path / "ob3.png").write_bytes(png)
    (tmp_path / "ob3.svg").write_bytes(svg)
    seen_png = run_bakery(tmp_path / "ob3.png")
    [chunk] = [
        c
        for c in seen_png["structure"]
        if c["type"] == "iTXt" and c.get("keyword") == baking.OB3_PNG_KEYWORD
    ]
    assert json.loads(chunk["text"]) == credential
    seen_svg = run_bakery(tmp_path / "ob3.svg")
    [element] = [e for e in seen_svg["structure"][1:] if e["tagName"] == "openbadges:credential"]
    assert json.loads(element["body"]) == credential

    # The unbaked credential verifies like the served one.
    assert_verified_and_clear(node_verify(json.loads(baking.unbake(svg)[0].payload)))
