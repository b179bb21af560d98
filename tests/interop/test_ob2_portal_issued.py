"""Badges the portal issues, served by the portal itself, checked by IMS Global's
validator-core 1.1.2 and openbadges-bakery (not by our own code).

The award goes through credentials.services (Celery runs eagerly in tests, so the badges
pipeline signs and bakes it on commit); live_server serves every document on loopback, the only
host validator-core may fetch from.
"""

from __future__ import annotations

import base64
import json

import pytest

from badges import ob2_extension
from badges.models import BadgeRecord
from credentials.models import Award
from credentials.services.assessments import record_assessment
from credentials.services.awards import issue_award, revoke_award
from tests.badges.ob2_world import make_issuer, make_version
from tests.credentials.factories import EnrolmentFactory, LearnerFactory
from tests.frameworks.fixtures import ensure_frameworks_loaded
from tests.interop.ob2 import require_ob2_venv, run_bakery, run_validator
from tests.issuers.factories import UserFactory
from tests.support.baked_images import served_image

pytestmark = [pytest.mark.interop, pytest.mark.django_db(transaction=True)]

EMAIL = "hanako.yamada@example.ac.jp"


@pytest.fixture
def portal(live_server, settings):
    require_ob2_venv()
    ensure_frameworks_loaded()
    settings.PORTAL_BASE_URL = live_server.url
    issuer = make_issuer(slug="minato-u")
    version = make_version(issuer, programme__slug="data-science")
    officer = UserFactory(is_superuser=True)
    return issuer, version, officer


def _issue(portal, email: str) -> BadgeRecord:
    issuer, version, officer = portal
    learner = LearnerFactory(email=email)
    EnrolmentFactory(learner=learner, issuer=issuer)
    assessment = record_assessment(
        actor=officer,
        learner=learner,
        programme_version=version,
        result="pass",
        assessed_on=version.published_at.date(),
        method="written_exam",
        score=85,
        evidence_narrative="最終課題で 85 点。",
    )
    award = issue_award(actor=officer, assessment=assessment)
    assert award.status == Award.Status.ISSUED
    record = BadgeRecord.objects.get(award=award)  # made by the pipeline task on commit
    assert record.ob2_jws and record.ob2_assertion
    return record


def _revoke(portal, record: BadgeRecord, reason: str) -> None:
    revoke_award(actor=portal[2], award=record.award, reason=reason)


def _messages(run) -> list[str]:
    return [message.get("result", "") for message in run.report["messages"]]


def test_hosted_assertion_is_valid_and_its_extensions_validate(portal, live_server):
    record = _issue(portal, EMAIL)
    url = record.ob2_assertion["id"]
    assert url.startswith(live_server.url)

    run = run_validator(url, recipient={"email": EMAIL})

    assert run.valid, run.explain()
    assert run.report["errorCount"] == 0
    assert run.report["openBadgesVersion"] == "2.0"
    [badge] = run.nodes("BadgeClass")
    assert badge["name"] == portal[1].title
    assert any(a.get("targetFramework") == "JEQF" for a in badge["alignment"])
    # validator-core validated both extension objects against the schemas our context names;
    # a failing or missing schema would be an error, and no error means both passed.
    [issuer] = run.nodes("Issuer")
    extension_keys = {ob2_extension.DESCRIPTORS_PROPERTY, ob2_extension.ISSUER_PROPERTY}
    assert extension_keys & set(badge) and extension_keys & set(issuer)
    assert not [m for m in _messages(run) if "xtension" in m], run.explain()


def test_wrong_recipient_is_rejected(portal):
    record = _issue(portal, EMAIL)

    run = run_validator(record.ob2_assertion["id"], recipient={"email": "other@example.ac.jp"})

    assert not run.valid


def test_signed_jws_is_valid(portal):
    record = _issue(portal, EMAIL)

    run = run_validator(record.ob2_jws, recipient={"email": EMAIL})

    assert run.valid, run.explain()
    [node] = run.nodes("Assertion")
    assert node["verification"]["type"] == "SignedBadge"
    assert node["id"] == record.ob2_assertion["id"]


def test_tampered_jws_fails(portal):
    record = _issue(portal, EMAIL)
    header, payload, signature = record.ob2_jws.split(".")
    document = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    document["recipient"]["salt"] = "0" * 32
    forged = base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()

    run = run_validator(f"{header}.{forged}.{signature}")

    assert not run.valid
    assert any("failed verification" in error for error in run.errors), run.explain()


def test_revoked_badges_fail_hosted_and_signed(portal):
    record = _issue(portal, EMAIL)
    other = _issue(portal, "taro.suzuki@example.ac.jp")
    kept = _issue(portal, "jiro.sato@example.ac.jp")
    reason = "成績評価の誤りが判明したため取り消し"
    _revoke(portal, record, reason)
    _revoke(portal, other, "誤発行")  # validator-core matches only lists with ≥ 2 entries

    hosted = run_validator(record.ob2_assertion["id"])
    signed = run_validator(record.ob2_jws)
    still_valid = run_validator(kept.ob2_jws)

    assert not hosted.valid
    assert not hosted.nodes("BadgeClass")  # the 410 body is not a badge
    assert not signed.valid
    assert any("revoked" in e and record.ob2_assertion["id"] in e for e in signed.errors), (
        signed.explain()
    )
    assert any(reason in error for error in signed.errors), signed.explain()
    assert still_valid.valid, still_valid.explain()


@pytest.mark.parametrize("variant", ["ob2.png", "ob2.svg"])
def test_served_baked_image_unbakes_to_the_same_jws_and_validates(portal, tmp_path, variant):
    record = _issue(portal, EMAIL)
    path = tmp_path / f"badge.{variant[-3:]}"
    path.write_bytes(served_image(record, variant))

    seen = run_bakery(path)
    run = run_validator("--file", str(path), recipient={"email": EMAIL})

    assert seen["imageType"] == variant[-3:].upper()
    assert seen["payload"] == record.ob2_jws
    assert run.valid, run.explain()


@pytest.mark.parametrize(
    ("schema", "extension_type"),
    [
        ("descriptors_schema", ob2_extension.DESCRIPTORS_TYPE),
        ("issuer_schema", ob2_extension.ISSUER_TYPE),
    ],
)
def test_validator_core_really_applies_our_schemas(portal, monkeypatch, schema, extension_type):
    """The control for the test above: a served schema that the extension cannot meet makes
    validator-core fail the badge, so a clean run means the real schema was applied."""
    record = _issue(portal, EMAIL)
    stricter = getattr(ob2_extension, schema)()
    stricter["required"] = [*stricter["required"], "not_a_descriptor"]
    monkeypatch.setattr(ob2_extension, schema, lambda: stricter)

    run = run_validator(record.ob2_assertion["id"])

    assert not run.valid
    assert any(extension_type in error and "not_a_descriptor" in error for error in run.errors), (
        run.explain()
    )


def test_a_badge_signed_before_a_key_rotation_still_validates_with_validator_core(portal):
    from badges.verification import verify_badge
    from issuers.models import SigningKey
    from issuers.services import rotate_signing_key

    issuer, _version, officer = portal
    before = _issue(portal, EMAIL)
    old_key = before.ob2_signing_key
    rotate_signing_key(actor=officer, issuer=issuer, algorithm="rsa2048")
    after = _issue(portal, "jiro@example.ac.jp")
    old_key.refresh_from_db()
    assert old_key.status == SigningKey.Status.RETIRED
    assert after.ob2_signing_key != old_key

    for record, email in ((before, EMAIL), (after, "jiro@example.ac.jp")):
        run = run_validator(record.ob2_jws, recipient={"email": email})
        assert run.valid, run.explain()
        assert verify_badge(record.ob2_jws, email=email).verdict == "valid"
    # The plain profile names the active key; the earlier badge reaches the one naming its key.
    [issuer_node] = run_validator(before.ob2_jws).nodes("Issuer")
    assert issuer_node["publicKey"].endswith(old_key.key_id)
