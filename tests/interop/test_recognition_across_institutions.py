"""Across institutions (issue #16): a learner's badge from issuer B on the portal (under a
consortium agreement) and one from an outside issuer (signed here by Digital Bazaar with a
did:key, its status list on a loopback server) count toward issuer A's stack after A's staff
approve the recognition; the stacked award verifies with Digital Bazaar and names both
components; revoking B's badge, or the outside issuer revoking theirs (found by the periodic
re-check), revokes the stack."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client
from rest_framework.test import APIClient

from badges import multikey
from badges.models import BadgeRecord, HolderCredential
from badges.ob3 import identity_hash
from badges.recognition import recheck_outside_achievements
from badges.status_list import encode_status_list
from badges.wallet import offers
from credentials.models import Award, RecognisedAchievement, Recognition
from credentials.services.learner_access import LEARNER_SESSION_KEY
from credentials.services.programmes import set_stack_requirement
from credentials.services.recognition import set_recognition_rule
from issuers.agreements import answer_agreement, propose_agreement
from issuers.api_clients import create_api_client
from issuers.models import AuditEvent, Role
from tests.badges.node import (
    LoopbackServer,
    assert_verified_and_clear,
    node_sign,
    node_verify,
    open_badge_credential,
    status_bits,
)
from tests.badges.ob3_world import issue, owner_of, passed_assessment, revoke
from tests.credentials.factories import EnrolmentFactory, ProgrammeVersionFactory
from tests.frameworks.fixtures import ensure_frameworks_loaded
from tests.issuers.factories import IssuerFactory, MembershipFactory

pytestmark = [pytest.mark.interop, pytest.mark.django_db(transaction=True)]

EMAIL = "sakura.ito@example.ac.jp"
OUTSIDE_ACHIEVEMENT = "https://lms.example.org/achievements/statistics-101"
SALT = "9c1e7a"
INDEX = 7


@pytest.fixture
def portal(live_server, settings):
    settings.PORTAL_BASE_URL = live_server.url
    settings.VERIFY_ALLOW_LOOPBACK = True
    ensure_frameworks_loaded()
    return live_server.url


@pytest.fixture
def outside_issuer():
    """An issuer outside the portal: a did:key and a status list on a loopback server."""
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(40, 72)))
    did = multikey.did_key(key.public_key())
    with LoopbackServer() as server:
        signer = {
            "secret_key_multibase": multikey.encode_secret_key_multibase(key),
            "verification_method": multikey.did_key_verification_method(key.public_key()),
        }

        def publish_status(revoked: bool) -> None:
            url = server.url("/status/1")
            server.documents["/status/1"] = node_sign(
                {
                    "@context": ["https://www.w3.org/ns/credentials/v2"],
                    "id": url,
                    "type": ["VerifiableCredential", "BitstringStatusListCredential"],
                    "issuer": did,
                    "validFrom": "2025-01-01T00:00:00Z",
                    "credentialSubject": {
                        "id": f"{url}#list",
                        "type": "BitstringStatusList",
                        "statusPurpose": "revocation",
                        "encodedList": encode_status_list([INDEX] if revoked else []),
                    },
                },
                **signer,
            )

        def badge_for(email: str, holder_did: str | None = None) -> dict:
            credential = open_badge_credential(
                did,
                achievement={
                    "id": OUTSIDE_ACHIEVEMENT,
                    "type": ["Achievement"],
                    "name": "統計学入門（オンライン講座）",
                    "description": "記述統計と推測統計の基礎。",
                    "criteria": {"narrative": "全課題に合格すること。"},
                },
            )
            credential["credentialSubject"]["identifier"][0].update(
                identityHash=identity_hash(email, SALT), salt=SALT
            )
            if holder_did:  # bound to the learner's wallet key instead of the e-mail
                del credential["credentialSubject"]["identifier"]
                credential["credentialSubject"]["id"] = holder_did
            credential["credentialStatus"] = {
                "id": server.url(f"/status/1#{INDEX}"),
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": str(INDEX),
                "statusListCredential": server.url("/status/1"),
            }
            return node_sign(credential, **signer)

        publish_status(revoked=False)
        yield {"did": did, "badge_for": badge_for, "publish_status": publish_status}


@pytest.fixture
def world(portal):
    """Issuer A's stack 「データ活用スペシャリスト」 requires B's 「データベース基礎」 (under an
    agreement in force) and A's 「統計基礎」, for which an outside statistics badge is
    recognised on approval. The stack is issued automatically once complete."""
    a, b = IssuerFactory(slug="kita-u"), IssuerFactory(slug="minami-u")
    owner_a, owner_b = owner_of(a), owner_of(b)
    agreement = propose_agreement(
        actor=owner_a, proposer=a, partner=b, title="南北大学 単位互換協定"
    )
    answer_agreement(actor=owner_b, agreement=agreement, accept=True)
    database_b = ProgrammeVersionFactory(programme__issuer=b, programme__slug="db-basics")
    statistics_a = ProgrammeVersionFactory(programme__issuer=a, programme__slug="statistics")
    stack = ProgrammeVersionFactory(
        programme__issuer=a, programme__slug="data-specialist", auto_issue_stack=True
    )
    requirement = set_stack_requirement(
        actor=owner_a,
        target=stack.programme,
        required=[database_b.programme, statistics_a.programme],
    )
    set_recognition_rule(
        actor=owner_a,
        requirement=requirement,
        stands_for=statistics_a.programme,
        achievement_id=OUTSIDE_ACHIEVEMENT,
    )
    return {"a": a, "b": b, "database_b": database_b, "stack": stack, "owner_a": owner_a}


def _learner_client(learner) -> Client:
    client = Client()
    session = client.session
    session[LEARNER_SESSION_KEY] = learner.pk
    session.save()
    return client


def _earn_stack(world, outside_issuer) -> tuple[Award, Award]:
    """B's award issued, the outside badge handed in by the learner, approved by A's staff."""
    award_b = issue(passed_assessment(version=world["database_b"], email=EMAIL))
    learner = award_b.learner
    EnrolmentFactory(issuer=world["a"], learner=learner)

    learner_page = _learner_client(learner)
    response = learner_page.post(
        "/learner/outside-badges/",
        {"badge": json.dumps(outside_issuer["badge_for"](EMAIL))},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    achievement = RecognisedAchievement.objects.get(learner=learner)
    assert achievement.issuer_id == outside_issuer["did"]
    assert achievement.achievement_id == OUTSIDE_ACHIEVEMENT
    recognition = achievement.recognitions.get()
    assert recognition.status == Recognition.Status.PENDING
    assert not Award.objects.filter(programme_version=world["stack"]).exists()

    officer = MembershipFactory(issuer=world["a"], role=Role.ISSUER).user
    staff = Client()
    staff.force_login(officer)
    page = staff.get(f"/admin/credentials/recognition/{recognition.pk}/change/")
    assert page.status_code == 200
    assert "統計学入門" in page.content.decode()
    decided = staff.post(
        f"/admin/credentials/recognition/{recognition.pk}/decide/",
        {"reason": "シラバスと評価方法を確認し、統計基礎と同等と判断", "approve": "1"},
    )
    assert decided.status_code == 302
    recognition.refresh_from_db()
    assert recognition.status == Recognition.Status.APPROVED
    assert recognition.decided_by == officer
    assert AuditEvent.objects.filter(action="recognition.approve", issuer=world["a"]).exists()

    stacked = Award.objects.get(programme_version=world["stack"], learner=learner)
    assert stacked.status == Award.Status.ISSUED
    assert list(stacked.component_awards.all()) == [award_b]
    assert list(stacked.component_recognitions.all()) == [recognition]
    return stacked, award_b


def test_a_badge_from_a_partner_and_an_outside_badge_build_a_stack_that_names_both(
    world, outside_issuer
):
    stacked, award_b = _earn_stack(world, outside_issuer)

    credential = BadgeRecord.objects.get(award=stacked).ob3_credential
    assert_verified_and_clear(node_verify(credential))
    evidence = {entry["genre"]: entry for entry in credential["evidence"]}
    component = evidence["構成要素 / Component"]
    assert component["id"] == BadgeRecord.objects.get(award=award_b).ob3_credential["id"]
    outside = evidence["既修得学習の認定 / Recognised prior learning"]
    assert outside["id"] == outside_issuer["badge_for"](EMAIL)["id"]
    assert outside_issuer["did"] in outside["narrative"]

    page = Client(HTTP_ACCEPT_LANGUAGE="ja").get(f"/credentials/{stacked.public_id}/")
    html = page.content.decode()
    assert page.status_code == 200 and "積み上げた学修成果" in html
    assert f"/credentials/{award_b.public_id}/" in html  # the partner's award, linked
    assert "統計学入門（オンライン講座）" in html and "ポータル外の既修得学習" in html


def test_revoking_the_partners_badge_revokes_the_stack(world, outside_issuer):
    stacked, award_b = _earn_stack(world, outside_issuer)

    revoke(award_b)

    stacked.refresh_from_db()
    assert stacked.status == Award.Status.REVOKED
    assert "構成要素の認定" in stacked.revocation_reason
    result = node_verify(BadgeRecord.objects.get(award=stacked).ob3_credential)
    assert result["verified"] is True  # the signature stands; the status bit says revoked
    assert status_bits(result)["revocation"] is True


def test_the_outside_issuer_revoking_its_badge_withdraws_it_and_revokes_the_stack(
    world, outside_issuer
):
    stacked, _award_b = _earn_stack(world, outside_issuer)
    assert recheck_outside_achievements() == {"checked": 1, "withdrawn": 0, "unreachable": 0}

    outside_issuer["publish_status"](revoked=True)
    assert recheck_outside_achievements() == {"checked": 1, "withdrawn": 1, "unreachable": 0}

    achievement = RecognisedAchievement.objects.get()
    assert achievement.status == RecognisedAchievement.Status.WITHDRAWN
    assert achievement.recognitions.get().status == Recognition.Status.WITHDRAWN
    stacked.refresh_from_db()
    assert stacked.status == Award.Status.REVOKED
    assert "他機関の学修成果" in stacked.revocation_reason


def test_an_outside_badge_of_someone_else_or_tampered_is_refused_and_nothing_is_stored(
    world, outside_issuer
):
    award_b = issue(passed_assessment(version=world["database_b"], email=EMAIL))
    learner_page = _learner_client(award_b.learner)
    someone_else = outside_issuer["badge_for"]("other.person@example.com")
    tampered = outside_issuer["badge_for"](EMAIL)
    tampered["credentialSubject"]["achievement"]["name"] = "統計学応用"
    for badge, expected in ((someone_else, "sakura.ito"), (tampered, "検証に合格しなかった")):
        response = learner_page.post("/learner/outside-badges/", {"badge": json.dumps(badge)})
        assert response.status_code == 400
        body = response.content.decode()
        assert expected in body
        assert OUTSIDE_ACHIEVEMENT in body  # what was pasted is kept in the form
    assert not RecognisedAchievement.objects.exists()


def test_a_portal_badge_is_not_registered_as_an_outside_one(world):
    award_b = issue(passed_assessment(version=world["database_b"], email=EMAIL))
    learner_page = _learner_client(award_b.learner)
    credential = BadgeRecord.objects.get(award=award_b).ob3_credential
    response = learner_page.post("/learner/outside-badges/", {"badge": json.dumps(credential)})
    assert response.status_code == 400
    assert "すでに積み上げに数えられます" in response.content.decode()
    assert not RecognisedAchievement.objects.exists()


def test_an_lms_registers_an_outside_badge_through_the_api_and_is_told_what_failed(
    world, outside_issuer
):
    award_b = issue(passed_assessment(version=world["database_b"], email=EMAIL))
    EnrolmentFactory(issuer=world["a"], learner=award_b.learner)
    _record, token = create_api_client(
        actor=None, issuer=world["a"], name="jv-campus", scopes=["awards:write"]
    )
    api = APIClient(HTTP_ACCEPT_LANGUAGE="ja")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    tampered = outside_issuer["badge_for"](EMAIL)
    tampered["validUntil"] = "2099-12-31T23:59:59Z"
    refused = api.post(
        "/api/v1/learners/outside-badges/",
        {"email": EMAIL, "badge": json.dumps(tampered)},
        format="json",
    )
    assert refused.status_code == 422
    assert refused["Content-Type"].startswith("application/problem+json")
    assert refused.json()["errors"]["badge"]  # each failed check, in Japanese / English

    created = api.post(
        "/api/v1/learners/outside-badges/",
        {"email": EMAIL, "badge": json.dumps(outside_issuer["badge_for"](EMAIL))},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["issuer_id"], body["achievement_id"]) == (
        outside_issuer["did"],
        OUTSIDE_ACHIEVEMENT,
    )
    assert body["recognitions"] == [
        {"stacked_programme": "data-specialist", "counts_as": "statistics", "status": "pending"}
    ]
    unknown = api.post(
        "/api/v1/learners/outside-badges/",
        {"email": "nobody@example.com", "badge": json.dumps(outside_issuer["badge_for"](EMAIL))},
        format="json",
    )
    assert unknown.status_code == 404


def test_a_badge_bound_to_a_did_counts_when_the_learners_wallet_proved_that_did(
    world, outside_issuer
):
    award_b = issue(passed_assessment(version=world["database_b"], email=EMAIL))
    holder = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    offer = offers.make_offer(actor=None, award=award_b, by_learner=True).offer
    HolderCredential.objects.create(
        offer=offer,
        record=BadgeRecord.objects.get(award=award_b),
        holder=holder,
        format="ldp_vc",
        credential={},
        nonce_hash="0" * 64,
    )
    someone_else = issue(passed_assessment(version=world["database_b"], email="ken@example.jp"))
    badge = json.dumps(outside_issuer["badge_for"](EMAIL, holder_did=holder))

    refused = _learner_client(someone_else.learner).post(
        "/learner/outside-badges/", {"badge": badge}
    )
    assert refused.status_code == 400 and "DID" in refused.content.decode()
    accepted = _learner_client(award_b.learner).post("/learner/outside-badges/", {"badge": badge})
    assert accepted.status_code == 302
    assert RecognisedAchievement.objects.get().learner == award_b.learner
