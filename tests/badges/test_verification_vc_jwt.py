"""verify_badge on Open Badges 3.0 credentials secured as VC-JWT (1EdTech OB 3.0 §8.2).

The foreign credentials are signed by panva's `jose` in Node (interop/node/jwt.mjs), a JOSE
implementation independent of the portal's joserfc, with a fresh key: RS256 with the key in the
`jwk` header, ES256 with a did:jwk `kid`. Then the same tampered, claims that contradict the
credential, a key that is not the issuer's, a did:key issuer's EdDSA key and its status list,
and a VC-JWT baked into a PNG.
"""

import base64
import io
import json

import pytest
from joserfc import jws
from joserfc.jwk import OKPKey
from PIL import Image

from badges import baking
from tests.badges.node import node_sign_vc_jwt
from tests.badges.test_verification_ob3 import (
    EMAIL,
    ISSUER_DID,
    ISSUER_KEY,
    ISSUER_METHOD,
    OTHER_KEY,
    STATUS_INDEX,
    credential,
    site,  # noqa: F401  (fixture)
    status_list_credential,
    statuses,
    verify,
)

pytestmark = pytest.mark.interop


def _part(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def _claims(token: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))


def portal_signed(document: dict, key=ISSUER_KEY, kid=ISSUER_METHOD) -> str:
    """A VC-JWT signed here with joserfc (EdDSA, kid = the issuer's did:key method)."""
    claims = {
        "vc": document,
        "iss": document["issuer"]["id"]
        if isinstance(document["issuer"], dict)
        else document["issuer"],
        "nbf": 1743465600,
    }
    private = OKPKey.import_key(key)
    header = {"alg": "EdDSA", "typ": "JWT", "kid": kid}
    return jws.serialize_compact(header, json.dumps(claims).encode(), private, algorithms=["EdDSA"])


class TestForeignVcJwt:
    def test_an_rs256_credential_with_the_key_in_its_header_verifies(self):
        signed = node_sign_vc_jwt(credential(validFrom="2025-04-01T00:00:00Z"), alg="RS256")
        result = verify(signed["token"], email=EMAIL)
        assert result.verdict == "valid", result.as_dict()["checks"]
        assert (result.format, result.version) == ("ob3-jwt", "3.0")
        assert statuses(result)["signature"] == "pass" and statuses(result)["issuer"] == "pass"
        assert "RS256" in result.check("input").message_en
        assert result.achievement  # the descriptors and achievement are read as for any OB 3.0

    def test_the_same_credential_tampered_is_invalid(self):
        token = node_sign_vc_jwt(credential(validFrom="2025-04-01T00:00:00Z"))["token"]
        header, _payload, signature = token.split(".")
        claims = _claims(token)
        claims["vc"]["credentialSubject"]["achievement"]["name"] = "Forged achievement"
        result = verify(f"{header}.{_part(claims)}.{signature}")
        assert result.verdict == "invalid"
        assert statuses(result)["signature"] == "fail"

    def test_an_es256_credential_whose_kid_is_its_did_jwk_verifies(self):
        signed = node_sign_vc_jwt(
            credential(validFrom="2025-04-01T00:00:00Z"), alg="ES256", header="kid"
        )
        result = verify(signed["token"])
        assert result.verdict == "valid", result.as_dict()["checks"]
        assert signed["issuer"].startswith("did:jwk:")

    def test_claims_that_contradict_the_credential_make_it_invalid(self):
        document = credential(validFrom="2025-04-01T00:00:00Z")
        claims = {"vc": document, "iss": "did:key:z6MkSomeoneElse", "nbf": 1743465600}
        token = jws.serialize_compact(
            {"alg": "EdDSA", "kid": ISSUER_METHOD},
            json.dumps(claims).encode(),
            OKPKey.import_key(ISSUER_KEY),
            algorithms=["EdDSA"],
        )
        result = verify(token)
        assert result.verdict == "invalid"
        assert "iss" in result.check("signature").message_en


class TestKeysAndStatus:
    def test_a_did_key_issuer_signing_with_eddsa_verifies(self):
        result = verify(portal_signed(credential(validFrom="2025-04-01T00:00:00Z")))
        assert result.verdict == "valid", result.as_dict()["checks"]

    def test_a_key_in_the_header_that_is_not_the_issuers_is_refused(self):
        document = credential(validFrom="2025-04-01T00:00:00Z")  # issued by ISSUER_DID
        other = OKPKey.import_key(OTHER_KEY)
        claims = {"vc": document, "iss": ISSUER_DID, "nbf": 1743465600}
        token = jws.serialize_compact(
            {"alg": "EdDSA", "jwk": other.as_dict(private=False)},
            json.dumps(claims).encode(),
            other,
            algorithms=["EdDSA"],
        )
        result = verify(token)
        assert statuses(result)["signature"] == "pass"
        assert statuses(result)["issuer"] == "fail"
        assert result.verdict == "invalid"
        assert "cannot be shown to belong" in result.check("issuer").message_en

    def test_a_revoked_vc_jwt_is_reported_revoked(self, site):  # noqa: F811
        url = site.url("/status/1")
        site.json("/status/1", status_list_credential(url, revoked=[STATUS_INDEX]))
        document = credential(status_url=url, validFrom="2025-04-01T00:00:00Z")
        result = verify(portal_signed(document))
        assert result.verdict == "revoked", result.as_dict()["checks"]

    def test_an_unsupported_algorithm_is_named(self):
        token = f"{_part({'alg': 'HS256', 'typ': 'JWT'})}.{_part({'vc': credential()})}.c2ln"
        result = verify(token)
        assert result.verdict == "invalid"
        assert "HS256" in result.check("signature").message_en


def test_a_vc_jwt_baked_into_a_png_verifies():
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (0, 90, 160)).save(buffer, format="PNG")
    token = portal_signed(credential(validFrom="2025-04-01T00:00:00Z"))
    image = baking.bake_png(buffer.getvalue(), keyword=baking.OB3_PNG_KEYWORD, text=token)
    result = verify(image)
    assert result.verdict == "valid", result.as_dict()["checks"]
    assert result.source == "png" and result.format == "ob3-jwt"


@pytest.mark.django_db
def test_the_verify_page_and_the_api_give_the_same_verdicts_for_vc_jwt(client):
    from rest_framework.test import APIClient

    from tests.badges.test_public_verify import post, verdict

    genuine = node_sign_vc_jwt(credential(validFrom="2025-04-01T00:00:00Z"))["token"]
    header, _payload, signature = genuine.split(".")
    claims = _claims(genuine)
    claims["vc"]["credentialSubject"]["achievement"]["name"] = "Forged achievement"
    tampered = f"{header}.{_part(claims)}.{signature}"
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    for token, expected in ((genuine, "valid"), (tampered, "invalid")):
        assert verdict(post(client, badge=token)) == expected
        answer = api.post("/api/v1/verify/", {"jws": token}, format="json").json()
        assert answer["verdict"] == expected and answer["format"] == "ob3-jwt"
