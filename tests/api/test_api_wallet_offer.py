"""POST /api/v1/awards/{id}/offer/: an LMS gets a single-use OpenID4VCI offer to hand to the
learner; scoped like award writes, only for the client's own issuer's issued awards."""

import pytest

from badges.models import CredentialOffer
from tests.badges.ob2_world import badge_record
from tests.credentials.factories import AssessmentFactory, AwardFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued_award(version_a, learner_a, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.jp"
    award = AwardFactory(
        assessment=AssessmentFactory(learner=learner_a, programme_version=version_a), issued=True
    )
    badge_record(award, sign=False)
    return award


def test_an_lms_gets_an_offer_by_reference_and_by_value(make_client, issuer_a, issued_award):
    client = make_client(issuer_a, ["awards:write"])
    response = client.post(f"/api/v1/awards/{issued_award.public_id}/offer/", {}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()["openid4vci"]
    offer = CredentialOffer.objects.get()
    assert (
        body["credential_offer_uri"]
        == f"https://portal.example.jp/oid4vci/offers/{offer.public_id}"
    )
    assert body["deep_link"].startswith("openid-credential-offer://?credential_offer_uri=https%3A")
    assert body["credential_offer"]["credential_issuer"] == "https://portal.example.jp"
    assert body["tx_code_sent"] is False


def test_the_offer_needs_the_write_scope_and_the_clients_own_award(
    make_client, issuer_a, issuer_b, issued_award
):
    reader = make_client(issuer_a, ["awards:read"])
    assert reader.post(f"/api/v1/awards/{issued_award.public_id}/offer/").status_code == 403
    other = make_client(issuer_b, ["awards:write"])
    assert other.post(f"/api/v1/awards/{issued_award.public_id}/offer/").status_code == 404
    assert not CredentialOffer.objects.exists()


def test_the_offer_carries_the_learner_credential_wallet_links_too(
    make_client, issuer_a, issued_award
):
    client = make_client(issuer_a, ["awards:write"])
    body = client.post(f"/api/v1/awards/{issued_award.public_id}/offer/", {}, format="json").json()
    offer = CredentialOffer.objects.get()
    vcapi = body["vcapi"]
    assert vcapi["exchange_url"] == f"https://portal.example.jp/exchanges/{offer.public_id}"
    assert vcapi["interaction_url"] == vcapi["exchange_url"] + "?iuv=1"
    assert vcapi["lcw_deep_link"].startswith("https://lcw.app/request?issuer=https%3A")
