"""The Learner Credential Wallet's VC-API exchange, played over HTTP against the live portal:
the wallet asks, gets a DIDAuthentication request, answers with a presentation signed by
Digital Bazaar's vc.signPresentation and a fresh did:key (interop/node/present.mjs), and the
credential it receives verifies with Digital Bazaar, bound to that DID. Then a wrong challenge,
another exchange's challenge, a wrong domain, a tampered presentation and a replay."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from badges.models import BadgeRecord
from badges.wallet import exchanges, offers
from tests.badges.node import node_present, node_verify
from tests.badges.ob3_world import issue, owner_of, passed_assessment
from tests.frameworks.fixtures import ensure_frameworks_loaded, fully_described_descriptors
from tests.issuers.factories import IssuerFactory

pytestmark = [pytest.mark.interop, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def portal(live_server, settings):
    settings.PORTAL_BASE_URL = live_server.url
    ensure_frameworks_loaded()
    return live_server.url


@pytest.fixture
def record(portal) -> BadgeRecord:
    issuer = IssuerFactory()
    award = issue(passed_assessment(issuer=issuer, descriptors=fully_described_descriptors()))
    return BadgeRecord.objects.get(award=award)


def _offer(record):
    issuer = record.award.programme_version.programme.issuer
    return offers.make_offer(actor=owner_of(issuer), award=record.award).offer


def _ask(url: str) -> dict:
    return requests.post(url, json={}, timeout=10).json()["verifiablePresentationRequest"]


def test_the_wallet_authenticates_with_its_did_and_receives_its_bound_credential(record):
    offer = _offer(record)
    links = exchanges.wallet_links(offer)
    query = parse_qs(urlsplit(links["lcw_deep_link"]).query)
    assert links["lcw_deep_link"].startswith("https://lcw.app/request?")
    assert query["vc_request_url"] == [links["exchange_url"]]
    assert links["dcc_deep_link"].startswith("dccrequest://request?")

    request = _ask(query["vc_request_url"][0])
    assert request["query"][0]["type"] == "DIDAuthentication"
    answer = node_present(challenge=request["challenge"], domain=request["domain"])
    response = requests.post(
        links["exchange_url"], json={"verifiablePresentation": answer["presentation"]}, timeout=30
    )
    assert response.status_code == 200, response.text
    credential = response.json()["verifiablePresentation"]["verifiableCredential"][0]
    assert credential["credentialSubject"]["id"] == answer["did"]
    result = node_verify(credential)
    assert result["verified"] is True and result["errors"] == [], result
    assert credential["credentialStatus"] == record.ob3_credential["credentialStatus"]

    again = requests.post(
        links["exchange_url"], json={"verifiablePresentation": answer["presentation"]}, timeout=10
    )
    assert again.status_code == 404  # single use: the exchange is closed


def test_wrong_challenges_domains_and_tampered_presentations_are_refused(record):
    offer, other = _offer(record), _offer(record)
    url = exchanges.exchange_url(offer)
    request = _ask(url)
    cases = {
        "invalid_challenge unknown": node_present(challenge="made-up", domain=request["domain"]),
        "another exchange": node_present(
            challenge=_ask(exchanges.exchange_url(other))["challenge"], domain=request["domain"]
        ),
        "domain must be": node_present(challenge=request["challenge"], domain="evil.example"),
    }
    tampered = node_present(challenge=request["challenge"], domain=request["domain"])
    tampered["presentation"]["holder"] = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    cases["does not verify"] = tampered
    for expected, answer in cases.items():
        response = requests.post(
            url, json={"verifiablePresentation": answer["presentation"]}, timeout=30
        )
        body = response.json()
        assert response.status_code == 400, body
        assert expected.split()[-1] in f"{body['error']} {body['error_description']}", body
    interaction = requests.get(url, timeout=10).json()["protocols"]
    assert interaction["vcapi"] == url
    assert interaction["OID4VCI"].startswith("openid-credential-offer://")
