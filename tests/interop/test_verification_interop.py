"""verify_badge on what the portal really issues: an award goes through credentials.services
and the badges pipeline, live_server publishes every document on loopback, and the verifier
reaches them only through its SafeFetcher (loopback allowed), like an employer's browser would
reach the public site."""

from __future__ import annotations

import pytest

from badges.models import BadgeRecord
from badges.services import issue_badges_for_award, revoke_badges_for_award
from badges.verification import SafeFetcher, verify_badge
from credentials.models import Award
from credentials.services.assessments import record_assessment
from credentials.services.awards import issue_award, revoke_award
from issuers.services import rotate_signing_key
from tests.badges.ob2_world import make_issuer, make_version
from tests.credentials.factories import EnrolmentFactory, LearnerFactory
from tests.frameworks.fixtures import ensure_frameworks_loaded
from tests.issuers.factories import UserFactory
from tests.support.baked_images import served_image

pytestmark = [pytest.mark.interop, pytest.mark.django_db(transaction=True)]

EMAIL = "hanako.yamada@example.ac.jp"


@pytest.fixture
def portal(live_server, settings):
    ensure_frameworks_loaded()
    settings.PORTAL_BASE_URL = live_server.url
    issuer = make_issuer(slug="minato-u")
    version = make_version(issuer, programme__slug="data-science")
    officer = UserFactory(is_superuser=True)
    return issuer, version, officer


def issued(portal) -> BadgeRecord:
    issuer, version, officer = portal
    learner = LearnerFactory(email=EMAIL)
    EnrolmentFactory(learner=learner, issuer=issuer)
    assessment = record_assessment(
        actor=officer,
        learner=learner,
        programme_version=version,
        result="pass",
        assessed_on=version.published_at.date(),
        method="written_exam",
        score=85,
    )
    award = issue_award(actor=officer, assessment=assessment)
    assert award.status == Award.Status.ISSUED
    record = issue_badges_for_award(award.pk)  # a no-op when the on-commit task already ran
    assert record.ob3_credential and record.ob2_jws
    return record


def all_forms(record: BadgeRecord) -> dict[str, object]:
    record.refresh_from_db()
    forms: dict[str, object] = {
        "ob3-json": record.ob3_credential,
        "ob3-url": record.ob3_credential["id"],
        "ob2-jws": record.ob2_jws,
        "ob2-hosted-url": record.ob2_assertion["id"],
        "ob2-hosted-json": record.ob2_assertion,
    }
    for variant in ("ob2.png", "ob2.svg", "ob3.png", "ob3.svg"):
        forms[variant] = served_image(record, variant)
    return forms


def verify(data, email=EMAIL):
    return verify_badge(data, email=email, fetcher=SafeFetcher(allow_loopback=True))


def test_portal_badges_verify_in_every_form_then_are_revoked(portal):
    record = issued(portal)
    forms = all_forms(record)
    for name, data in forms.items():
        result = verify(data)
        assert result.verdict == "valid", (name, result.as_dict()["checks"])
        expected_format = "ob3" if name.startswith("ob3") else None
        if expected_format:
            assert result.format == "ob3", name
    ob3 = verify(forms["ob3-json"])
    assert ob3.check("revocation").status == "pass"
    assert ob3.descriptors["title"]
    assert set(ob3.descriptors) >= {"title", "learning_outcomes", "awarding_body"}
    assert ob3.issuer["quality_assurance"]
    assert ob3.achievement["achievement_type"] in ("MicroCredential", "Badge")
    ob2 = verify(forms["ob2-jws"])
    assert ob2.format == "ob2-signed"
    assert ob2.descriptors["title"]
    assert ob2.issuer["quality_assurance"]
    assert verify(forms["ob3-json"], email="someone@example.jp").verdict == "recipient_mismatch"

    revoke_award(actor=portal[2], award=record.award, reason="不正行為が判明したため")
    revoke_badges_for_award(record.award.pk)  # idempotent after the on-commit task
    for name, data in forms.items():
        result = verify(data)
        assert result.verdict == "revoked", (name, result.as_dict()["checks"])


def test_badges_signed_with_keys_rotated_since_are_valid_with_a_note(portal):
    record = issued(portal)
    issuer, _, officer = portal
    rotate_signing_key(actor=officer, issuer=issuer, algorithm="ed25519")
    rotate_signing_key(actor=officer, issuer=issuer, algorithm="rsa2048")
    forms = all_forms(record)
    for name in ("ob3-json", "ob2-jws"):
        result = verify(forms[name])
        assert result.verdict == "valid", (name, result.as_dict()["checks"])
        assert "retired" in result.check("issuer").message_en, name


# --- agreement with Digital Bazaar's verifier (no Django needed) -------------------------------


@pytest.mark.django_db(transaction=False)
def test_credentials_signed_by_digital_bazaar_verify_and_verdicts_agree():
    """A credential signed by @digitalbazaar/vc (sign.mjs) is valid for verify_badge; a tampered
    copy is rejected by both verifiers, and so is our portal-independent signed credential."""
    import copy

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from badges import multikey
    from tests.badges.node import node_sign, node_verify_many, open_badge_credential

    key = Ed25519PrivateKey.from_private_bytes(bytes(range(100, 132)))
    did = multikey.did_key(key.public_key())
    signed = node_sign(
        open_badge_credential(did),
        secret_key_multibase=multikey.encode_secret_key_multibase(key),
        verification_method=multikey.did_key_verification_method(key.public_key()),
    )
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["name"] += "（改）"
    theirs = node_verify_many([signed, tampered])
    ours = [verify_badge(document).verdict for document in (signed, tampered)]
    assert [result["verified"] for result in theirs] == [True, False]
    assert ours == ["valid", "invalid"]
