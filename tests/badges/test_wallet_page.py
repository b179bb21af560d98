"""ウォレットに追加 on the learner's own credential page: only the signed-in learner sees it and
may make an offer; the offer comes back as a QR code and a deep link, and is audited."""

import re

import pytest
from django.urls import reverse

from badges.models import CredentialOffer
from issuers.models import AuditEvent
from tests.badges.ob2_world import badge_record, issued_award, make_issuer, make_version

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.PORTAL_BASE_URL = "https://portal.example.jp"


@pytest.fixture
def record():
    version = make_version(make_issuer(slug="minato-u"), programme__slug="data-science")
    return badge_record(issued_award(version))


def sign_in(client, learner):
    session = client.session
    session["learner_id"] = learner.pk
    session.save()


def test_the_learner_is_offered_add_to_wallet_and_gets_a_qr_code(client, record):
    award = record.award
    sign_in(client, award.learner)
    page = client.get(reverse("badges:credential-page", args=[award.public_id]))
    assert "ウォレットに追加" in page.content.decode()

    response = client.post(reverse("badges:credential-wallet", args=[award.public_id]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<svg") >= 2 and "openid-credential-offer://?credential_offer_uri=" in html
    assert "https://lcw.app/request?" in html
    offer = CredentialOffer.objects.get(record=record)
    assert offer.created_by_label == "learner"
    assert str(offer.public_id) in re.sub("%2F", "/", html)
    event = AuditEvent.objects.get(action="badge.wallet_offer")
    assert event.details["by"] == "learner"


def test_others_neither_see_the_button_nor_can_make_an_offer(client, record):
    award = record.award
    page = client.get(reverse("badges:credential-page", args=[award.public_id]))
    assert "ウォレットに追加" not in page.content.decode()
    url = reverse("badges:credential-wallet", args=[award.public_id])
    assert client.post(url).status_code == 404
    assert not CredentialOffer.objects.exists()
