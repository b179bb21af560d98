"""The 1EdTech Open Badges 3.0 API as a backpack or host uses it: discovery → dynamic
registration → authorisation code with PKCE S256 (the learner consents in Japanese) → token →
the learner's credentials, paged → refresh → revocation; and what it must refuse: no PKCE, a
wrong scope, another learner's credentials, a revoked or rotated token."""

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.conf import settings

from badges.models import BadgeRecord
from issuers.models import AuditEvent
from tests.badges.ob3_world import issue, passed_assessment
from tests.credentials.factories import AssessmentFactory, LearnerFactory, ProgrammeVersionFactory
from tests.frameworks.fixtures import ensure_frameworks_loaded, fully_described_descriptors
from tests.issuers.factories import IssuerFactory

pytestmark = pytest.mark.django_db
API = "/ims/ob/v3p0"
SCOPE = settings.OB_API_SCOPE
REDIRECT = "https://backpack.example.org/callback"


@pytest.fixture
def learner_with_badges(settings, django_capture_on_commit_callbacks):
    settings.PORTAL_BASE_URL = "http://testserver"
    ensure_frameworks_loaded()
    issuer = IssuerFactory()
    first = passed_assessment(issuer=issuer, descriptors=fully_described_descriptors())
    learner = first.learner
    assessments = [first] + [
        AssessmentFactory(
            learner=learner,
            programme_version=ProgrammeVersionFactory(
                programme__issuer=issuer, descriptors=fully_described_descriptors()
            ),
        )
        for _ in range(2)
    ]
    for assessment in assessments:
        with django_capture_on_commit_callbacks(execute=True):
            issue(assessment)
    assert BadgeRecord.objects.filter(award__learner=learner).count() == 3
    return learner


def sign_in(client, learner):
    session = client.session
    session["learner_id"] = learner.pk
    session.save()


def registered(client, scope="credential.readonly profile.readonly") -> dict:
    response = client.post(
        f"{API}/register",
        {
            "client_name": "Example Backpack",
            "client_uri": "https://backpack.example.org/",
            "redirect_uris": [REDIRECT],
            "scope": " ".join(SCOPE + name for name in scope.split()),
            "grant_types": ["authorization_code", "refresh_token"],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorise(client, app, learner, scope="credential.readonly") -> tuple[str, str]:
    """(authorization code, PKCE verifier), the learner consenting on the portal's page."""
    verifier, challenge = pkce()
    query = {
        "response_type": "code",
        "client_id": app["client_id"],
        "redirect_uri": REDIRECT,
        "scope": " ".join(SCOPE + name for name in scope.split()),
        "state": "state-123",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    sign_in(client, learner)
    page = client.get(f"{API}/authorize?{urlencode(query)}")
    assert page.status_code == 200, page.content
    assert "Example Backpack" in page.content.decode()
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["allow"] = "Authorize"
    answer = client.post(f"{API}/authorize?{urlencode(query)}", data)
    assert answer.status_code == 302, answer.content
    location = urlsplit(answer["Location"])
    params = parse_qs(location.query)
    assert location._replace(query="").geturl() == REDIRECT and params["state"] == ["state-123"]
    return params["code"][0], verifier


def token(client, app, **data):
    basic = base64.b64encode(f"{app['client_id']}:{app['client_secret']}".encode()).decode()
    return client.post(f"{API}/token", data, HTTP_AUTHORIZATION=f"Basic {basic}")


def bearer(access_token) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {access_token}"}


def test_discovery_names_the_oauth_flow_and_the_registration_url(client):
    document = client.get(f"{API}/discovery").json()
    scheme = document["components"]["securitySchemes"]["OAuth2ACG"]
    assert scheme["x-imssf-registrationUrl"].endswith("/ims/ob/v3p0/register")
    assert SCOPE + "credential.readonly" in scheme["flows"]["authorizationCode"]["scopes"]


def test_a_backpack_registers_is_authorised_and_reads_the_learners_credentials(
    client, learner_with_badges
):
    app = registered(client)
    code, verifier = authorise(client, app, learner_with_badges)
    tokens = token(
        client,
        app,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT,
        code_verifier=verifier,
    ).json()
    assert tokens["token_type"] == "Bearer" and tokens["refresh_token"]

    client.logout()
    page = client.get(f"{API}/credentials?limit=2", **bearer(tokens["access_token"]))
    assert page.status_code == 200
    assert page["X-Total-Count"] == "3"
    assert 'rel="next"' in page["Link"] and "offset=2" in page["Link"]
    credentials = page.json()["credential"]
    assert len(credentials) == 2
    assert all("OpenBadgeCredential" in c["type"] and c["proof"] for c in credentials)
    rest = client.get(f"{API}/credentials?limit=2&offset=2", **bearer(tokens["access_token"]))
    assert len(rest.json()["credential"]) == 1 and 'rel="prev"' in rest["Link"]

    refreshed = token(
        client, app, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert refreshed.status_code == 200
    new = refreshed.json()
    assert client.get(f"{API}/credentials", **bearer(new["access_token"])).status_code == 200

    basic = base64.b64encode(f"{app['client_id']}:{app['client_secret']}".encode()).decode()
    revoked = client.post(
        f"{API}/revoke", {"token": new["access_token"]}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert revoked.status_code == 200
    assert client.get(f"{API}/credentials", **bearer(new["access_token"])).status_code == 401

    # Refresh tokens rotate; replaying a spent one revokes the whole family (RFC 9700 §4.14.2).
    replayed = token(client, app, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert replayed.status_code == 400
    after = token(client, app, grant_type="refresh_token", refresh_token=new["refresh_token"])
    assert after.status_code == 400


def test_pkce_is_required(client, learner_with_badges):
    app = registered(client)
    code, _verifier = authorise(client, app, learner_with_badges)
    answer = token(client, app, grant_type="authorization_code", code=code, redirect_uri=REDIRECT)
    assert answer.status_code == 400


def test_a_wrong_scope_and_another_learners_token_are_refused(client, learner_with_badges):
    app = registered(client)
    code, verifier = authorise(client, app, learner_with_badges, scope="credential.readonly")
    access = token(
        client,
        app,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT,
        code_verifier=verifier,
    ).json()["access_token"]
    profile = client.get(f"{API}/profile", **bearer(access))
    assert profile.status_code == 403 and profile.json()["error"] == "insufficient_scope"

    other = LearnerFactory(email="someone.else@example.ac.jp")
    code, verifier = authorise(client, app, other)
    theirs = token(
        client,
        app,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT,
        code_verifier=verifier,
    ).json()["access_token"]
    answer = client.get(f"{API}/credentials", **bearer(theirs))
    assert answer.json()["credential"] == [] and answer["X-Total-Count"] == "0"
    assert client.get(f"{API}/credentials").status_code == 401


def test_signing_in_first_leads_back_to_the_consent_screen(client):
    response = client.get(f"{API}/authorize?response_type=code&client_id=x")
    assert response.status_code == 302 and "/learner/sign-in/" in response["Location"]
    assert client.session["after_sign_in"].startswith("/ims/ob/v3p0/authorize")


def test_registration_refuses_insecure_redirects_and_unknown_scopes(client):
    bad = client.post(
        f"{API}/register",
        {"client_name": "X", "redirect_uris": ["http://evil.example/cb"]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_redirect_uri"
    unknown = client.post(
        f"{API}/register",
        {"client_name": "X", "redirect_uris": [REDIRECT], "scope": SCOPE + "credential.upsert"},
        content_type="application/json",
    )
    assert unknown.json()["error"] == "invalid_client_metadata"


def test_the_learner_sees_the_app_and_withdraws_its_access(client, learner_with_badges):
    app = registered(client)
    code, verifier = authorise(client, app, learner_with_badges)
    access = token(
        client,
        app,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT,
        code_verifier=verifier,
    ).json()["access_token"]
    page = client.get("/learner/apps/")
    assert "Example Backpack" in page.content.decode()
    application = page.context["apps"][0]["application"]
    client.post("/learner/apps/", {"application": application.pk})
    assert "Example Backpack" not in client.get("/learner/apps/").content.decode()
    assert client.get(f"{API}/credentials", **bearer(access)).status_code == 401
    assert AuditEvent.objects.filter(action="learner.oauth_revoke").exists()
