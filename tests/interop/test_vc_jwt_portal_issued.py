"""Open Badges 3.0 as VC-JWT, issued by the portal for an issuer that asks for it, checked by
panva's jose (interop/node/jwt.mjs) with the key read from the issuer's did:web document, and by
the portal's verifier in every form the credential page offers: the token, its URL and the
baked PNG and SVG."""

import base64

import pytest
import requests
from django.urls import reverse

from badges import baking, multikey, ob3
from badges.models import BadgeRecord
from badges.verification import verify_badge
from tests.badges.node import node_verify_vc_jwt
from tests.badges.ob3_world import issue, passed_assessment, revoke
from tests.frameworks.fixtures import ensure_frameworks_loaded, fully_described_descriptors
from tests.issuers.factories import IssuerFactory

pytestmark = [pytest.mark.interop, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def portal(live_server, settings):
    settings.PORTAL_BASE_URL = live_server.url
    ensure_frameworks_loaded()
    return live_server.url


def issued(issuer) -> BadgeRecord:
    award = issue(passed_assessment(issuer=issuer, descriptors=fully_described_descriptors()))
    return BadgeRecord.objects.get(award=award)


def _jwk_from_did_document(kid: str) -> dict:
    """The Ed25519 key the token names, as a JWK, read from the served did.json."""
    did = kid.partition("#")[0]
    from badges.dataintegrity import did_web_url

    document = requests.get(did_web_url(did), timeout=10).json()
    method = next(m for m in document["verificationMethod"] if m["id"] == kid)
    public = multikey.public_key_bytes(
        multikey.decode_public_key_multibase(method["publicKeyMultibase"])
    )
    x = base64.urlsafe_b64encode(public).rstrip(b"=").decode()
    return {"kty": "OKP", "crv": "Ed25519", "x": x}


def test_an_issuer_that_asks_gets_a_vc_jwt_that_jose_verifies_with_its_did_key(portal):
    record = issued(IssuerFactory(issue_vc_jwt=True))
    token = requests.get(
        f"{portal}{reverse('badges:ob3-credential-jwt', args=[record.award.public_id])}", timeout=10
    )
    assert token.status_code == 200 and token.headers["Content-Type"] == "application/jwt"
    assert token.text == record.ob3_jwt

    header = node_verify_vc_jwt(record.ob3_jwt, jwk={"kty": "OKP", "crv": "Ed25519", "x": "AA"})
    assert header["verified"] is False  # jose checks the signature, not only the shape
    kid = record.ob3_credential["proof"]["verificationMethod"]
    checked = node_verify_vc_jwt(record.ob3_jwt, jwk=_jwk_from_did_document(kid))
    assert checked["verified"] is True, checked
    assert checked["header"] == {"alg": "EdDSA", "kid": kid, "typ": "JWT"}
    unsigned = {k: v for k, v in record.ob3_credential.items() if k != "proof"}
    assert checked["payload"]["vc"] == unsigned
    assert checked["payload"]["iss"] == ob3.did_for(record.award.programme_version.programme.issuer)
    assert checked["payload"]["jti"] == unsigned["id"]


def test_the_portal_verifies_the_token_its_url_and_both_baked_images(portal):
    record = issued(IssuerFactory(issue_vc_jwt=True))
    public_id = record.award.public_id
    token_url = f"{portal}{reverse('badges:ob3-credential-jwt', args=[public_id])}"
    png = requests.get(f"{portal}/badges/{public_id}/ob3-jwt.png", timeout=10)
    svg = requests.get(f"{portal}/badges/{public_id}/ob3-jwt.svg", timeout=10)
    assert baking.unbake(png.content)[0].payload == record.ob3_jwt
    assert baking.unbake(svg.content)[0].payload == record.ob3_jwt
    for given in (record.ob3_jwt, token_url, png.content, svg.content):
        result = verify_badge(given)
        assert result.verdict == "valid", result.as_dict()["checks"]
        assert result.format == "ob3-jwt"

    revoke(record.award)
    assert verify_badge(record.ob3_jwt).verdict == "revoked"


def test_the_credential_page_offers_the_vc_jwt_only_when_there_is_one(portal, client):
    with_jwt = issued(IssuerFactory(issue_vc_jwt=True))
    without = issued(IssuerFactory())
    assert without.ob3_jwt == ""
    page = client.get(f"/credentials/{with_jwt.award.public_id}/").content.decode()
    assert f"/ob3/credentials/{with_jwt.award.public_id}.jwt" in page
    assert f"/badges/{with_jwt.award.public_id}/ob3-jwt.png" in page
    assert ".jwt" not in client.get(f"/credentials/{without.award.public_id}/").content.decode()
    assert client.get(f"/ob3/credentials/{without.award.public_id}.jwt").status_code == 404
