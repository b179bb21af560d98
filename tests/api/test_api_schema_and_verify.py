"""The OpenAPI document, and the public verify endpoint."""

import json

import pytest
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from tests.api.conftest import assert_problem

pytestmark = pytest.mark.django_db

PATHS = {
    "/api/v1/programs/": {"get", "post"},
    "/api/v1/programs/{id}/": {"get", "patch"},
    "/api/v1/programs/{id}/publish/": {"post"},
    "/api/v1/learners/": {"put"},
    "/api/v1/assessments/": {"post"},
    "/api/v1/awards/": {"get", "post"},
    "/api/v1/awards/{id}/": {"get"},
    "/api/v1/awards/{id}/revoke/": {"post"},
    "/api/v1/verify/": {"post"},
}


def test_schema_is_valid_openapi_3_with_every_path(db):
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)  # raises on an invalid OpenAPI 3 document
    assert schema["openapi"].startswith("3.")
    normalised = {path: set(item) - {"parameters"} for path, item in schema["paths"].items()}
    for path, methods in PATHS.items():
        assert methods <= normalised.get(path, set()), path
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    verify = schema["paths"]["/api/v1/verify/"]["post"]
    assert "multipart/form-data" in verify["requestBody"]["content"]
    assert schema["paths"]["/api/v1/awards/"]["get"]["security"] == [{"bearerAuth": []}]
    assert APIClient().get("/api/docs/").status_code == 200


def test_verify_needs_no_token_and_reports_a_bad_document():
    response = APIClient().post("/api/v1/verify/", {"json": {"hello": "world"}}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["verdict"] != "valid"
    assert body["checks"] and {"code", "status", "message_ja", "message_en"} <= set(
        body["checks"][0]
    )


def test_verify_accepts_a_file_upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("badge.png", b"\x89PNG\r\n\x1a\nnot really", "image/png")
    response = APIClient().post("/api/v1/verify/", {"file": upload}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["verdict"] != "valid"


@pytest.mark.parametrize(
    ("language", "message"),
    [("ja", "url、json、jws、file"), ("en", "exactly one of url, json, jws or file")],
)
def test_verify_needs_exactly_one_input(language, message):
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    body = assert_problem(
        client.post("/api/v1/verify/", {"jws": "a.b.c", "url": "https://x.example/"}), 400
    )
    assert message in body["errors"]["non_field_errors"][0]


def test_verify_is_rate_limited(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_client": "100/minute", "verify": "1/minute"},
    }
    client = APIClient()
    assert client.post("/api/v1/verify/", {"jws": "a.b.c"}).status_code == 200
    assert_problem(client.post("/api/v1/verify/", {"jws": "a.b.c"}), 429)


def test_verify_a_signed_open_badge_3_credential():
    # A credential signed here with eddsa-rdfc-2022 by a did:key issuer (no status list, so
    # nothing is fetched); the verifier itself is badges.verification.
    from tests.badges.test_verification_ob3 import EMAIL, credential, sign

    signed = sign(credential())
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/api/v1/verify/", {"json": signed, "email": EMAIL}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["verdict"] == "valid", body["checks"]
    assert (body["format"], body["version"]) == ("ob3", "3.0")
    tampered = json.loads(json.dumps(signed))
    tampered["name"] = "Forged"
    response = client.post("/api/v1/verify/", {"json": tampered}, format="json")
    assert response.json()["verdict"] == "invalid"


def test_an_accept_header_the_api_cannot_satisfy_gets_a_documented_406(db):
    schema = json.loads(APIClient().get("/api/schema/", {"format": "json"}).content)
    operations = [
        operation
        for item in schema["paths"].values()
        for method, operation in item.items()
        if method != "parameters"
    ]
    assert operations and all("406" in operation["responses"] for operation in operations)
    response = APIClient().post(
        "/api/v1/verify/", {"jws": "x"}, format="json", HTTP_ACCEPT="application/xml"
    )
    assert response.status_code == 406
    assert response["Content-Type"].startswith("application/problem+json")
