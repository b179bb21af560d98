"""A wallet takes an award's credential through OpenID4VCI 1.0's pre-authorised code flow,
played end to end over HTTP against the live portal with independent code: the proof of
possession is made by panva's jose (interop/node/jwt.mjs) with a fresh did:jwk / did:key, and the
credential received is verified by Digital Bazaar with credentialSubject.id = that DID. Then
everything a wallet or an attacker can get wrong: replay, expiry, a wrong nonce, audience or
transaction code, a proof signed by another key."""

import datetime

import pytest
import requests
from django.core import mail
from django.utils import timezone

from badges.models import BadgeRecord, CredentialOffer, HolderCredential
from badges.verification import verify_badge
from badges.wallet import offers
from issuers.models import AuditEvent
from tests.badges.node import node_verify, node_verify_vc_jwt, node_wallet_proof
from tests.badges.ob3_world import issue, owner_of, passed_assessment, revoke
from tests.frameworks.fixtures import ensure_frameworks_loaded, fully_described_descriptors
from tests.interop.test_vc_jwt_portal_issued import _jwk_from_did_document
from tests.issuers.factories import IssuerFactory

pytestmark = [pytest.mark.interop, pytest.mark.django_db(transaction=True)]
PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


@pytest.fixture
def portal(live_server, settings):
    settings.PORTAL_BASE_URL = live_server.url
    ensure_frameworks_loaded()
    return live_server.url


def issued(**issuer_fields) -> BadgeRecord:
    issuer = IssuerFactory(**issuer_fields)
    award = issue(passed_assessment(issuer=issuer, descriptors=fully_described_descriptors()))
    return BadgeRecord.objects.get(award=award)


class Wallet:
    """What a wallet does, over HTTP only."""

    def __init__(self, offer_uri: str):
        self.offer = requests.get(offer_uri, timeout=10).json()
        self.issuer = self.offer["credential_issuer"]
        self.metadata = requests.get(
            f"{self.issuer}/.well-known/openid-credential-issuer", timeout=10
        ).json()
        server = requests.get(
            f"{self.issuer}/.well-known/oauth-authorization-server", timeout=10
        ).json()
        self.token_endpoint = server["token_endpoint"]

    @property
    def code(self) -> str:
        return self.offer["grants"][PRE_AUTH]["pre-authorized_code"]

    def token(self, tx_code=None, code=None) -> requests.Response:
        data = {"grant_type": PRE_AUTH, "pre-authorized_code": code or self.code}
        if tx_code is not None:
            data["tx_code"] = tx_code
        return requests.post(self.token_endpoint, data=data, timeout=10)

    def nonce(self) -> str:
        return requests.post(self.metadata["nonce_endpoint"], timeout=10).json()["c_nonce"]

    def credential(self, access_token, proof_jwt, configuration="OpenBadgeCredential_ldp_vc"):
        return requests.post(
            self.metadata["credential_endpoint"],
            json={
                "credential_configuration_id": configuration,
                "proof": {"proof_type": "jwt", "jwt": proof_jwt},
            },
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=30,
        )


def _offer(record, **kwargs) -> offers.HandOut:
    issuer = record.award.programme_version.programme.issuer
    return offers.make_offer(actor=owner_of(issuer), award=record.award, **kwargs)


def test_a_wallet_receives_the_credential_bound_to_its_did_and_digital_bazaar_verifies_it(portal):
    record = issued()
    hand_out = _offer(record)
    assert hand_out.deep_link.startswith("openid-credential-offer://?credential_offer_uri=")
    wallet = Wallet(hand_out.offer_uri)
    assert wallet.offer["credential_configuration_ids"] == ["OpenBadgeCredential_ldp_vc"]
    configuration = wallet.metadata["credential_configurations_supported"][
        "OpenBadgeCredential_ldp_vc"
    ]
    assert configuration["format"] == "ldp_vc"
    assert "OpenBadgeCredential" in configuration["credential_definition"]["type"]

    token = wallet.token().json()
    assert token["token_type"] == "Bearer" and token["expires_in"] > 0
    proof = node_wallet_proof(aud=wallet.issuer, nonce=wallet.nonce())
    response = wallet.credential(token["access_token"], proof["jwt"])
    assert response.status_code == 200, response.text
    credential = response.json()["credentials"][0]["credential"]

    assert credential["credentialSubject"]["id"] == proof["did"]
    result = node_verify(credential)
    assert result["verified"] is True and result["errors"] == [], result
    # Same status list entry as the award's own credential: revoking the award revokes both.
    assert credential["credentialStatus"] == record.ob3_credential["credentialStatus"]
    assert credential["id"] != record.ob3_credential["id"]
    assert AuditEvent.objects.filter(action="badge.wallet_issue").count() == 1
    revoke(record.award)
    assert verify_badge(credential).verdict == "revoked"


def test_a_did_key_wallet_and_a_bare_jwk_wallet_are_bound_too(portal):
    record = issued()
    for holder, alg in (("did:key", "EdDSA"), ("jwk", "ES256")):
        wallet = Wallet(_offer(record).offer_uri)
        access = wallet.token().json()["access_token"]
        proof = node_wallet_proof(aud=wallet.issuer, nonce=wallet.nonce(), alg=alg, holder=holder)
        credential = wallet.credential(access, proof["jwt"]).json()["credentials"][0]["credential"]
        subject = credential["credentialSubject"]["id"]
        if holder == "did:key":
            assert subject == proof["did"]
        else:
            assert subject.startswith("did:jwk:")
        assert node_verify(credential)["verified"] is True


def test_the_jwt_vc_json_form_is_offered_when_the_issuer_issues_vc_jwt(portal):
    record = issued(issue_vc_jwt=True)
    wallet = Wallet(_offer(record).offer_uri)
    assert "OpenBadgeCredential_jwt_vc_json" in wallet.offer["credential_configuration_ids"]
    access = wallet.token().json()["access_token"]
    proof = node_wallet_proof(aud=wallet.issuer, nonce=wallet.nonce())
    response = wallet.credential(access, proof["jwt"], "OpenBadgeCredential_jwt_vc_json")
    token = response.json()["credentials"][0]["credential"]
    kid = record.ob3_credential["proof"]["verificationMethod"]
    checked = node_verify_vc_jwt(token, jwk=_jwk_from_did_document(kid))
    assert checked["verified"] is True, checked
    assert checked["payload"]["sub"] == proof["did"]


def test_replay_and_expiry_are_refused(portal):
    record = issued()
    wallet = Wallet(_offer(record).offer_uri)
    access = wallet.token().json()["access_token"]
    nonce = wallet.nonce()
    proof = node_wallet_proof(aud=wallet.issuer, nonce=nonce)
    assert wallet.credential(access, proof["jwt"]).status_code == 200
    again = wallet.credential(access, proof["jwt"])
    assert again.status_code == 401 and again.json()["error"] == "invalid_token"
    reused = wallet.token()
    assert reused.status_code == 400 and "already been used" in reused.json()["error_description"]
    # The same nonce on another offer is refused too: each nonce earns one credential.
    second = Wallet(_offer(record).offer_uri)
    replayed = second.credential(second.token().json()["access_token"], proof["jwt"])
    assert replayed.json()["error"] == "invalid_nonce"

    expired = _offer(record)
    CredentialOffer.objects.filter(pk=expired.offer.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert requests.get(expired.offer_uri, timeout=10).status_code == 404
    answer = Wallet.__new__(Wallet)
    answer.token_endpoint = f"{portal}/oid4vci/token"
    late = answer.token(code=offers.pre_authorized_code(expired.offer))
    assert late.json() == {
        "error": "invalid_grant",
        "error_description": "this offer has expired: ask for a new one",
    }


def test_a_wrong_nonce_audience_or_key_is_refused_with_a_clear_error(portal):
    record = issued()
    wallet = Wallet(_offer(record).offer_uri)
    access = wallet.token().json()["access_token"]
    cases = {
        "invalid_nonce": node_wallet_proof(aud=wallet.issuer, nonce="made-up"),
        "aud must be": node_wallet_proof(aud="https://elsewhere.example", nonce=wallet.nonce()),
        "signature does not verify": node_wallet_proof(
            aud=wallet.issuer, nonce=wallet.nonce(), wrongKey=True
        ),
    }
    for expected, proof in cases.items():
        response = wallet.credential(access, proof["jwt"])
        assert response.status_code == 400
        body = response.json()
        assert expected in f"{body['error']} {body['error_description']}", body
    assert not HolderCredential.objects.exists()
    forged = requests.post(
        f"{portal}/oid4vci/token",
        data={"grant_type": PRE_AUTH, "pre-authorized_code": wallet.code[:-4] + "0000"},
        timeout=10,
    )
    assert forged.json()["error"] == "invalid_grant"


def test_a_transaction_code_goes_by_mail_and_a_wrong_one_is_refused(portal):
    record = issued()
    hand_out = _offer(record, with_tx_code=True)
    assert hand_out.document["grants"][PRE_AUTH]["tx_code"]["length"] == 6
    sent = mail.outbox[-1]
    assert sent.to == [record.award.learner.email]
    code = next(word for word in sent.body.split() if word.isdigit() and len(word) == 6)
    wallet = Wallet(hand_out.offer_uri)
    assert wallet.token().json()["error"] == "invalid_grant"
    assert wallet.token(tx_code="000000" if code != "000000" else "111111").status_code == 400
    assert wallet.token(tx_code=code).json()["token_type"] == "Bearer"
