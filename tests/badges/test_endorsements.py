"""Endorsements (badges.endorsements): who may endorse what, the signed OB 3.0
EndorsementCredential and hosted OB 2.0 Endorsement, their embedding in new badges only, the
public endpoints, the staff admin and what verify_badge reports."""

from __future__ import annotations

import copy
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from badges import dataintegrity, extension, ob2, ob3
from badges.endorsements import (
    accept_endorsement,
    endorse_programme_version,
    endorsement_url,
    load_demo_endorsements,
    ob2_endorsement_url,
    withdraw_endorsement,
)
from badges.models import BadgeRecord, Endorsement
from badges.verification import endorsements as endorsement_checks
from badges.verification.result import VerificationResult
from issuers.models import AuditEvent, Issuer, Role
from issuers.services import ensure_signing_keys
from tests.badges.ob3_world import issue, owner_of, passed_assessment
from tests.credentials.factories import ProgrammeVersionFactory
from tests.issuers.factories import IssuerFactory, MembershipFactory

pytestmark = pytest.mark.django_db

COMMENT_JA = "本機構の認証基準を満たすことを確認しました。"
COMMENT_EN = "Meets our accreditation standard."


@pytest.fixture
def endorser():
    return IssuerFactory(
        slug="dsqa-test", kind=Issuer.Kind.QA_BODY, name_ja="データ教育認証機構", name_en="DSQA"
    )


@pytest.fixture
def endorser_owner(endorser):
    return owner_of(endorser)


@pytest.fixture
def version():
    return ProgrammeVersionFactory(programme__issuer=IssuerFactory(slug="uni-test"))


def endorse(owner, endorser, version, **kwargs):
    return endorse_programme_version(
        actor=owner,
        endorser=endorser,
        version=version,
        comment_ja=COMMENT_JA,
        comment_en=COMMENT_EN,
        **kwargs,
    )


def issued_record(version, capture) -> BadgeRecord:
    with capture(execute=True):
        award = issue(passed_assessment(version=version))
    return BadgeRecord.objects.get(award=award)


# --- services ----------------------------------------------------------------------------------


def test_an_owner_endorses_a_published_version_of_another_issuer(endorser, endorser_owner, version):
    endorsement = endorse(endorser_owner, endorser, version)

    assert endorsement.status == Endorsement.Status.ACTIVE
    assert endorsement.signing_key.issuer == endorser
    event = AuditEvent.objects.get(action="endorsement.create")
    assert event.issuer == endorser and event.target_id == str(endorsement.pk)
    assert event.details["endorsed_issuer"] == "uni-test"


@pytest.mark.parametrize("role", [Role.DESIGNER, Role.ISSUER, Role.VIEWER])
def test_only_owners_may_endorse(endorser, version, role):
    staff = MembershipFactory(issuer=endorser, role=role).user
    with pytest.raises(PermissionDenied):
        endorse(staff, endorser, version)
    # Owning the endorsed programme's issuer does not help either.
    with pytest.raises(PermissionDenied):
        endorse(owner_of(version.programme.issuer), endorser, version)
    assert not Endorsement.objects.exists()


def test_an_issuer_cannot_endorse_its_own_programme(endorser, endorser_owner):
    own = ProgrammeVersionFactory(programme__issuer=endorser)
    with translation.override("en"), pytest.raises(ValidationError, match="own programmes"):
        endorse(endorser_owner, endorser, own)


def test_a_draft_version_cannot_be_endorsed(endorser, endorser_owner):
    draft = ProgrammeVersionFactory(published_at=None)
    with translation.override("en"), pytest.raises(ValidationError, match="published"):
        endorse(endorser_owner, endorser, draft)


def test_one_active_endorsement_per_endorser_and_version(endorser, endorser_owner, version):
    first = endorse(endorser_owner, endorser, version)
    with pytest.raises(ValidationError):
        endorse(endorser_owner, endorser, version)
    withdraw_endorsement(actor=endorser_owner, endorsement=first)
    again = endorse(endorser_owner, endorser, version)
    assert again.pk != first.pk and again.status == Endorsement.Status.ACTIVE


def test_withdraw_is_audited_idempotent_and_owner_only(endorser, endorser_owner, version):
    endorsement = endorse(endorser_owner, endorser, version)
    with pytest.raises(PermissionDenied):
        withdraw_endorsement(actor=owner_of(version.programme.issuer), endorsement=endorsement)

    withdrawn = withdraw_endorsement(actor=endorser_owner, endorsement=endorsement)
    withdraw_endorsement(actor=endorser_owner, endorsement=endorsement)

    assert withdrawn.status == Endorsement.Status.WITHDRAWN and withdrawn.withdrawn_at
    assert AuditEvent.objects.filter(action="endorsement.withdraw").count() == 1


# --- documents ---------------------------------------------------------------------------------


def test_the_endorsement_credential(endorser, endorser_owner, version):
    until = timezone.now() + datetime.timedelta(days=365)
    endorsement = endorse(endorser_owner, endorser, version, valid_until=until)
    credential = endorsement.credential

    assert credential["@context"] == [ob3.VC_V2, ob3.OB_V3P0, extension.context_url()]
    assert credential["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert credential["id"] == endorsement_url(endorsement)
    assert credential["issuer"]["id"] == ob3.did_for(endorser)
    assert credential["issuer"]["type"] == ["Profile"]
    assert credential["issuer"]["name"] == "データ教育認証機構"
    assert credential["validFrom"] == ob3.iso(endorsement.issued_at)
    assert credential["validUntil"] == ob3.iso(until)
    assert credential["name"]
    subject = credential["credentialSubject"]
    assert subject["id"] == ob3.achievement_url(version)
    assert subject["type"] == ["EndorsementSubject"]
    assert subject["endorsementComment"].index(COMMENT_JA) < subject["endorsementComment"].index(
        COMMENT_EN
    )
    proof = credential["proof"]
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["verificationMethod"] == ob3.verification_method_id(endorsement.signing_key)
    # Our own verifier, with the endorser's DID document.
    resolver = dataintegrity.ControllerDocumentResolver(
        {ob3.did_for(endorser): ob3.did_document(endorser)}
    )
    verified = dataintegrity.verify_eddsa_rdfc_2022(
        credential, resolver=resolver, document_loader=extension.document_loader()
    )
    assert verified.verified, verified.errors


def test_the_ob2_endorsement(endorser, endorser_owner, version):
    endorsement = endorse(endorser_owner, endorser, version)
    document = endorsement.ob2_endorsement

    assert document == {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Endorsement",
        "id": ob2_endorsement_url(endorsement),
        "claim": {
            "id": ob2.badge_class(version)["id"],
            "endorsementComment": endorsement.credential["credentialSubject"]["endorsementComment"],
        },
        "issuedOn": ob3.iso(endorsement.issued_at),
        "issuer": ob2.issuer_profile(endorser)["id"],
        "verification": {"type": "hosted"},
    }


# --- embedding ---------------------------------------------------------------------------------


def test_new_badges_embed_accepted_endorsements_and_old_ones_keep_theirs(
    endorser, endorser_owner, version, django_capture_on_commit_callbacks
):
    before = issued_record(version, django_capture_on_commit_callbacks)
    signed_before = copy.deepcopy(before.ob3_credential)
    assert "endorsement" not in before.ob3_credential["credentialSubject"]["achievement"]
    assert "endorsement" not in ob2.badge_class(version)

    endorsement = endorse(endorser_owner, endorser, version)
    accept_endorsement(actor=owner_of(version.programme.issuer), endorsement=endorsement)
    after = issued_record(version, django_capture_on_commit_callbacks)

    achievement = after.ob3_credential["credentialSubject"]["achievement"]
    assert achievement["endorsement"] == [endorsement.credential]
    assert ob2.badge_class(version)["endorsement"] == [ob2_endorsement_url(endorsement)]
    assert ob3.achievement_document(version)["endorsement"] == [endorsement.credential]
    before.refresh_from_db()
    assert before.ob3_credential == signed_before  # not re-signed

    withdraw_endorsement(actor=endorser_owner, endorsement=endorsement)
    latest = issued_record(version, django_capture_on_commit_callbacks)
    assert "endorsement" not in latest.ob3_credential["credentialSubject"]["achievement"]
    assert "endorsement" not in ob2.badge_class(version)
    after.refresh_from_db()
    assert after.ob3_credential["credentialSubject"]["achievement"]["endorsement"]


def test_an_expired_endorsement_is_not_embedded(endorser, endorser_owner, version):
    endorsement = endorse(
        endorser_owner, endorser, version, valid_until=timezone.now() + datetime.timedelta(1)
    )
    Endorsement.objects.filter(pk=endorsement.pk).update(
        valid_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert "endorsement" not in ob3.achievement_for(version)


# --- views -------------------------------------------------------------------------------------


def test_public_endpoints(client, endorser, endorser_owner, version):
    endorsement = endorse(endorser_owner, endorser, version)
    ob3_path = reverse("badges:ob3-endorsement", kwargs={"public_id": endorsement.public_id})
    ob2_path = reverse("badges:ob2-endorsement", kwargs={"public_id": endorsement.public_id})

    response = client.get(ob3_path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vc+ld+json")
    assert response.json() == endorsement.credential
    response = client.get(ob2_path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    assert response.json() == endorsement.ob2_endorsement

    withdraw_endorsement(actor=endorser_owner, endorsement=endorsement)
    gone = client.get(ob2_path)
    assert gone.status_code == 410
    assert gone.json()["revoked"] is True and gone.json()["id"] == ob2_endorsement_url(endorsement)
    assert client.get(ob3_path).status_code == 200  # carried by badges issued before

    unknown = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"/ob3/endorsements/{unknown}").status_code == 404
    assert client.get(f"/ob2/endorsements/{unknown}").status_code == 404


# --- admin -------------------------------------------------------------------------------------

CHANGELIST = reverse("admin:badges_endorsement_changelist")
ADD = reverse("admin:badges_endorsement_add")


def test_admin_add_form_calls_the_service(client, endorser, endorser_owner, version):
    client.force_login(endorser_owner)
    page = client.get(ADD)
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert list(form.fields["endorser"].queryset) == [endorser]
    assert version in form.fields["programme_version"].queryset

    response = client.post(
        ADD,
        {
            "endorser": endorser.pk,
            "programme_version": version.pk,
            "comment_ja": COMMENT_JA,
            "comment_en": COMMENT_EN,
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    endorsement = Endorsement.objects.get()
    assert endorsement.credential["proof"]
    assert AuditEvent.objects.filter(action="endorsement.create").count() == 1
    # A second one is refused on the form, with the service's reason.
    again = client.post(
        ADD,
        {"endorser": endorser.pk, "programme_version": version.pk, "comment_ja": COMMENT_JA},
    )
    assert again.status_code == 200 and Endorsement.objects.count() == 1
    assert again.context["adminform"].form.non_field_errors()


def test_admin_is_scoped_and_read_only_for_the_endorsed(client, endorser, endorser_owner, version):
    endorsement = endorse(endorser_owner, endorser, version)
    endorsed_owner = owner_of(version.programme.issuer)
    outsider = owner_of(IssuerFactory())
    change = reverse("admin:badges_endorsement_change", args=[endorsement.pk])

    client.force_login(endorsed_owner)
    listing = client.get(CHANGELIST)
    assert listing.status_code == 200
    assert list(listing.context["cl"].queryset) == [endorsement]
    detail = client.get(change)
    assert detail.status_code == 200 and COMMENT_JA in detail.content.decode()
    client.post(CHANGELIST, {"action": "withdraw", "_selected_action": [endorsement.pk]})
    endorsement.refresh_from_db()
    assert endorsement.status == Endorsement.Status.ACTIVE

    client.force_login(outsider)
    assert list(client.get(CHANGELIST).context["cl"].queryset) == []
    assert client.get(change).status_code == 404

    client.force_login(endorser_owner)
    client.post(CHANGELIST, {"action": "withdraw", "_selected_action": [endorsement.pk]})
    endorsement.refresh_from_db()
    assert endorsement.status == Endorsement.Status.WITHDRAWN


# --- verification ------------------------------------------------------------------------------


def _checked(credential, endorser, issuer) -> VerificationResult:
    result = VerificationResult()
    achievement = credential["credentialSubject"]["achievement"]
    result.achievement = {
        "endorsements": [{"issuer_name": e["issuer"]["name"]} for e in achievement["endorsement"]]
    }
    documents = {ob3.did_for(i): ob3.did_document(i) for i in (endorser, issuer)}
    resolver = dataintegrity.ControllerDocumentResolver(documents)
    endorsement_checks.check_ob3(
        credential,
        result,
        resolver=resolver,
        loader=extension.document_loader(),
        now=timezone.now(),
    )
    return result


def test_embedded_endorsements_are_verified_and_tampering_is_reported(
    endorser, endorser_owner, version, django_capture_on_commit_callbacks
):
    endorsement = endorse(endorser_owner, endorser, version)
    accept_endorsement(actor=owner_of(version.programme.issuer), endorsement=endorsement)
    credential = issued_record(version, django_capture_on_commit_callbacks).ob3_credential
    issuer = version.programme.issuer

    result = _checked(credential, endorser, issuer)
    assert result.achievement["endorsements"][0]["verified"] is True
    assert result.check("endorsement").status == "pass"

    tampered = copy.deepcopy(credential)
    embedded = tampered["credentialSubject"]["achievement"]["endorsement"][0]
    embedded["credentialSubject"]["endorsementComment"] = "改ざんされた推薦文"
    result = _checked(tampered, endorser, issuer)
    assert result.achievement["endorsements"][0]["verified"] is False
    assert result.check("endorsement").status == "warn"
    assert result.verdict == "valid"  # reported, not held against the badge's own issuer


# --- demo --------------------------------------------------------------------------------------


def test_demo_endorsements_are_idempotent():
    from credentials.demo import load_demo_credentials
    from issuers.demo import load_demo_issuers

    load_demo_credentials(load_demo_issuers())
    first = load_demo_endorsements()
    second = load_demo_endorsements()

    assert {e.programme_version.programme.slug for e in first} == {"ds-silver", "ds-gold"}
    assert [e.pk for e in first] == [e.pk for e in second]
    assert Endorsement.objects.count() == 2
    assert {e.acceptance for e in second} == {Endorsement.Acceptance.ACCEPTED}  # by the university
    endorser = Issuer.objects.get(slug="dsqa")
    assert endorser.kind == Issuer.Kind.QA_BODY
    assert ensure_signing_keys(endorser)["ed25519"] == first[0].signing_key
