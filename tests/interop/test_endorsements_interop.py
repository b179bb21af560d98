"""Endorsements as independent tools see them, everything served by the running portal:

* Digital Bazaar's verify.mjs (JSON-LD safe mode) verifies the EndorsementCredential on its own,
  resolving the endorser's did:web over loopback, and an OpenBadgeCredential that embeds it;
* IMS Global's validator-core 1.1.2 accepts the hosted OB 2.0 assertion of a badge whose
  BadgeClass lists the hosted Endorsement (which it fetches and validates as well);
* the portal's verify_badge lists the endorsement as verified and reports a tampered one.
"""

from __future__ import annotations

import copy

import pytest
import requests

from badges import dataintegrity, extension, ob3
from badges.endorsements import (
    accept_endorsement,
    endorse_programme_version,
    ob2_endorsement_url,
)
from badges.models import BadgeRecord
from badges.verification import verify_badge
from badges.verification.fetch import SafeFetcher
from issuers.keys import load_private_key
from issuers.models import Issuer
from issuers.services import ensure_signing_keys
from tests.badges.node import assert_verified_and_clear, node_verify
from tests.badges.ob2_world import make_issuer, make_version
from tests.badges.ob3_world import issue, owner_of, passed_assessment
from tests.frameworks.fixtures import ensure_frameworks_loaded
from tests.interop.ob2 import require_ob2_venv, run_validator
from tests.issuers.factories import IssuerFactory

pytestmark = [pytest.mark.interop, pytest.mark.django_db(transaction=True)]

EMAIL = "hanako.yamada@example.ac.jp"


@pytest.fixture
def world(live_server, settings):
    settings.PORTAL_BASE_URL = live_server.url
    ensure_frameworks_loaded()
    issuer = make_issuer(slug="minato-u")
    version = make_version(issuer, programme__slug="data-science")
    endorser = IssuerFactory(
        slug="dsqa",
        kind=Issuer.Kind.QA_BODY,
        name_ja="一般社団法人 データサイエンス教育認証機構",
        name_en="Data Science Education Accreditation Organisation",
    )
    endorsement = endorse_programme_version(
        actor=owner_of(endorser),
        endorser=endorser,
        version=version,
        comment_ja="本機構の認証基準に照らして審査し、基準を満たすことを確認しました。",
        comment_en="Reviewed against our standard: it meets the standard.",
    )
    # Only endorsements the endorsed issuer accepted go into its badges.
    endorsement = accept_endorsement(actor=owner_of(issuer), endorsement=endorsement)
    return issuer, version, endorser, endorsement


def issued(version) -> BadgeRecord:
    # Transactional: issue_award commits and the badges task runs on commit.
    award = issue(passed_assessment(version=version, email=EMAIL))
    return BadgeRecord.objects.get(award=award)


def test_the_endorsement_credential_verifies_on_its_own_with_digital_bazaar(world):
    _issuer, _version, endorser, endorsement = world
    served = requests.get(endorsement.credential["id"], timeout=10)
    assert served.status_code == 200
    assert served.headers["Content-Type"].startswith("application/vc+ld+json")
    credential = served.json()
    assert credential["proof"]["verificationMethod"].startswith(ob3.did_for(endorser) + "#")

    assert_verified_and_clear(node_verify(credential))

    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["endorsementComment"] = "改ざん"
    assert node_verify(tampered)["verified"] is False


def test_a_badge_embedding_the_endorsement_verifies_with_digital_bazaar(world):
    _issuer, version, _endorser, endorsement = world
    record = issued(version)
    credential = requests.get(ob3.credential_url(record.award), timeout=10).json()
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["endorsement"] == [endorsement.credential]

    assert_verified_and_clear(node_verify(credential))
    # The embedded one is also a credential Digital Bazaar verifies as it is.
    assert_verified_and_clear(node_verify(achievement["endorsement"][0]))


def test_validator_core_accepts_a_badge_whose_badgeclass_is_endorsed(world):
    require_ob2_venv()
    _issuer, version, _endorser, endorsement = world
    record = issued(version)
    badge_class = requests.get(record.ob2_assertion["badge"], timeout=10).json()
    assert badge_class["endorsement"] == [ob2_endorsement_url(endorsement)]

    run = run_validator(record.ob2_assertion["id"], recipient={"email": EMAIL})

    assert run.valid, run.explain()
    assert run.report["errorCount"] == 0
    [node] = run.nodes("Endorsement")
    assert node["id"] == ob2_endorsement_url(endorsement)


def _verify(data):
    return verify_badge(data, email=EMAIL, fetcher=SafeFetcher(allow_loopback=True))


def test_verify_badge_reports_the_endorsements(world):
    issuer, version, endorser, _endorsement = world
    record = issued(version)

    result = _verify(record.ob3_credential)
    assert result.verdict == "valid", result.as_dict()["checks"]
    [listed] = result.achievement["endorsements"]
    assert listed["verified"] is True
    assert listed["issuer"] == ob3.did_for(endorser)
    assert listed["issuer_name"] == endorser.name_ja
    assert listed["comment"].startswith("本機構の認証基準")
    assert result.check("endorsement").status == "pass"

    hosted = _verify(record.ob2_assertion["id"])
    assert hosted.verdict == "valid", hosted.as_dict()["checks"]
    [listed] = hosted.achievement["endorsements"]
    assert listed["verified"] is True and listed["issuer_name"] == endorser.name_ja
    assert listed["comment"].startswith("本機構の認証基準")

    # An issuer embedding a forged endorsement (re-signing its own credential): the badge is
    # still its issuer's, the endorsement is reported as not verified.
    forged = copy.deepcopy(record.ob3_credential)
    forged.pop("proof")
    embedded = forged["credentialSubject"]["achievement"]["endorsement"][0]
    embedded["credentialSubject"]["endorsementComment"] = "最高評価で推薦します。"
    key = ensure_signing_keys(issuer)["ed25519"]
    forged = dataintegrity.sign_eddsa_rdfc_2022(
        forged,
        private_key=load_private_key(key),
        verification_method=ob3.verification_method_id(key),
        document_loader=extension.document_loader(),
    )
    result = _verify(forged)
    assert result.check("signature").status == "pass"
    [listed] = result.achievement["endorsements"]
    assert listed["verified"] is False and listed["problem"].startswith("proof")
    assert result.check("endorsement").status == "warn"
