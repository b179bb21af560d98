"""Issue #13: an endorsement of another issuer's programme goes into that issuer's badges only
once that issuer accepts it (pending → accepted / declined, audited). Pending and declined
endorsements appear in no issued OB 3.0 credential, no OB 2.0 BadgeClass and no batch-signed
credential; only the endorsed issuer's owners decide."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from badges import ob2, ob3
from badges.endorsements import (
    accept_endorsement,
    decline_endorsement,
    endorse_programme_version,
    ob2_endorsement_url,
    withdraw_endorsement,
)
from badges.models import BadgeRecord, Endorsement
from issuers.models import AuditEvent, Issuer, Role
from tests.badges.ob3_world import issue, owner_of, passed_assessment
from tests.credentials.factories import ProgrammeVersionFactory
from tests.issuers.factories import IssuerFactory, MembershipFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:badges_endorsement_changelist")


@pytest.fixture
def endorser():
    return IssuerFactory(slug="dsqa-consent", kind=Issuer.Kind.QA_BODY, name_ja="認証機構")


@pytest.fixture
def endorser_owner(endorser):
    return owner_of(endorser)


@pytest.fixture
def version():
    return ProgrammeVersionFactory(programme__issuer=IssuerFactory(slug="uni-consent"))


@pytest.fixture
def endorsed_owner(version):
    return owner_of(version.programme.issuer)


@pytest.fixture
def endorsement(endorser, endorser_owner, version):
    return endorse_programme_version(
        actor=endorser_owner, endorser=endorser, version=version, comment_ja="基準を満たします。"
    )


def issued_credential(version, capture) -> dict:
    with capture(execute=True):
        award = issue(passed_assessment(version=version))
    return BadgeRecord.objects.get(award=award).ob3_credential


def hosted_badge_class(client, version) -> dict:
    programme = version.programme
    path = reverse(
        "badges:ob2-badgeclass",
        kwargs={
            "issuer_slug": programme.issuer.slug,
            "programme_slug": programme.slug,
            "number": version.number,
        },
    )
    response = client.get(path)
    assert response.status_code == 200
    return response.json()


def test_a_new_endorsement_of_another_issuers_programme_waits_for_acceptance(endorsement):
    assert endorsement.acceptance == Endorsement.Acceptance.PENDING
    assert endorsement.decided_at is None and endorsement.decided_by is None


def test_a_pending_endorsement_never_appears_in_an_issued_ob3_or_ob2_badge(
    client, endorsement, version, django_capture_on_commit_callbacks
):
    credential = issued_credential(version, django_capture_on_commit_callbacks)
    assert "endorsement" not in credential["credentialSubject"]["achievement"]
    assert "endorsement" not in ob3.achievement_document(version)
    assert "endorsement" not in ob2.badge_class(version)
    assert "endorsement" not in hosted_badge_class(client, version)


def test_an_accepted_endorsement_appears_in_new_ob3_and_ob2_badges(
    client, endorsement, endorsed_owner, version, django_capture_on_commit_callbacks
):
    accept_endorsement(actor=endorsed_owner, endorsement=endorsement)

    credential = issued_credential(version, django_capture_on_commit_callbacks)
    assert credential["credentialSubject"]["achievement"]["endorsement"] == [endorsement.credential]
    assert hosted_badge_class(client, version)["endorsement"] == [ob2_endorsement_url(endorsement)]


def test_batch_signing_embeds_accepted_endorsements_only(endorsement, endorsed_owner, version):
    # Batch signing builds every credential of a chunk from the version's shared parts.
    assert "endorsement" not in ob3.shared_parts(version).achievement
    accept_endorsement(actor=endorsed_owner, endorsement=endorsement)
    assert ob3.shared_parts(version).achievement["endorsement"] == [endorsement.credential]
    decline_endorsement(actor=endorsed_owner, endorsement=endorsement)
    assert "endorsement" not in ob3.shared_parts(version).achievement


def test_accepting_is_audited_at_the_endorsed_issuer(endorsement, endorsed_owner, version):
    accepted = accept_endorsement(actor=endorsed_owner, endorsement=endorsement)
    assert accepted.acceptance == Endorsement.Acceptance.ACCEPTED
    assert accepted.decided_by == endorsed_owner and accepted.decided_at
    event = AuditEvent.objects.get(action="endorsement.accept")
    assert event.issuer == version.programme.issuer and event.actor == endorsed_owner


def test_declining_is_audited_and_keeps_the_endorsement_out_of_badges(
    endorsement, endorsed_owner, version, django_capture_on_commit_callbacks
):
    accept_endorsement(actor=endorsed_owner, endorsement=endorsement)
    declined = decline_endorsement(actor=endorsed_owner, endorsement=endorsement)
    decline_endorsement(actor=endorsed_owner, endorsement=endorsement)  # idempotent

    assert declined.acceptance == Endorsement.Acceptance.DECLINED
    event = AuditEvent.objects.get(action="endorsement.decline")
    assert event.issuer == version.programme.issuer
    assert event.details["previous"] == Endorsement.Acceptance.ACCEPTED
    credential = issued_credential(version, django_capture_on_commit_callbacks)
    assert "endorsement" not in credential["credentialSubject"]["achievement"]
    assert "endorsement" not in ob2.badge_class(version)


@pytest.mark.parametrize("who", ["endorser owner", "another issuer's owner", "endorsed designer"])
def test_nobody_but_the_endorsed_issuers_owner_can_accept_or_decline(
    endorsement, endorser_owner, version, who
):
    actor = {
        "endorser owner": endorser_owner,
        "another issuer's owner": owner_of(IssuerFactory()),
        "endorsed designer": MembershipFactory(
            issuer=version.programme.issuer, role=Role.DESIGNER
        ).user,
    }[who]
    for decide in (accept_endorsement, decline_endorsement):
        with pytest.raises(PermissionDenied):
            decide(actor=actor, endorsement=endorsement)
    endorsement.refresh_from_db()
    assert endorsement.acceptance == Endorsement.Acceptance.PENDING
    assert not AuditEvent.objects.filter(action__in=["endorsement.accept", "endorsement.decline"])


def test_a_withdrawn_endorsement_cannot_be_accepted(endorsement, endorser_owner, endorsed_owner):
    withdraw_endorsement(actor=endorser_owner, endorsement=endorsement)
    with pytest.raises(ValidationError):
        accept_endorsement(actor=endorsed_owner, endorsement=endorsement)


def test_the_endorsed_owner_accepts_and_declines_in_the_admin(client, endorsement, endorsed_owner):
    client.force_login(endorsed_owner)
    listing = client.get(CHANGELIST)
    assert {"accept", "decline"} <= set(
        dict(listing.context["action_form"].fields["action"].choices)
    )
    client.post(CHANGELIST, {"action": "accept", "_selected_action": [endorsement.pk]})
    endorsement.refresh_from_db()
    assert endorsement.acceptance == Endorsement.Acceptance.ACCEPTED
    client.post(CHANGELIST, {"action": "decline", "_selected_action": [endorsement.pk]})
    endorsement.refresh_from_db()
    assert endorsement.acceptance == Endorsement.Acceptance.DECLINED


def test_the_endorser_cannot_accept_its_own_endorsement_in_the_admin(
    client, endorsement, endorser_owner
):
    client.force_login(endorser_owner)
    response = client.post(
        CHANGELIST, {"action": "accept", "_selected_action": [endorsement.pk]}, follow=True
    )
    assert "Only active endorsements of your issuers" in response.content.decode() or (
        "承諾・辞退できるのは" in response.content.decode()
    )
    endorsement.refresh_from_db()
    assert endorsement.acceptance == Endorsement.Acceptance.PENDING
