"""The public OB 2.0 endpoints: JSON-LD by default, a page for browsers, 404 / 410."""

import uuid

import pytest
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone

from badges import ob2_extension
from credentials.models import Award
from issuers.models import SigningKey
from issuers.services import rotate_signing_key
from tests.badges.ob2_world import badge_record, issued_award, make_issuer, make_version
from tests.credentials.factories import AwardFactory
from tests.issuers.factories import UserFactory

pytestmark = pytest.mark.django_db
BASE = "https://portal.example.jp"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
VALIDATOR = "application/ld+json, application/json"


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.PORTAL_BASE_URL = BASE


@pytest.fixture
def issuer():
    return make_issuer(slug="minato-u")


@pytest.fixture
def version(issuer):
    return make_version(issuer, programme__slug="data-science")


@pytest.fixture
def record(version):
    return badge_record(issued_award(version))


def _url(name, **kwargs):
    return reverse(f"badges:{name}", kwargs=kwargs)


def _badgeclass_kwargs(version):
    return {"issuer_slug": "minato-u", "programme_slug": "data-science", "number": version.number}


def test_issuer_profile_is_json_ld(client, issuer):
    response = client.get(_url("ob2-issuer", slug="minato-u"), HTTP_ACCEPT=VALIDATOR)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    assert response.json()["id"] == f"{BASE}/ob2/issuers/minato-u"
    assert "Accept" in response["Vary"]


def test_no_accept_header_gets_json_ld(client, issuer):
    response = client.get(_url("ob2-issuer", slug="minato-u"))

    assert response["Content-Type"].startswith("application/ld+json")


def test_browser_gets_a_page(client, version, record):
    for url, text in (
        (_url("ob2-issuer", slug="minato-u"), version.programme.issuer.name_ja),
        (_url("ob2-badgeclass", **_badgeclass_kwargs(version)), "学修成果"),
        (_url("ob2-assertion", public_id=record.award.public_id), version.title),
    ):
        response = client.get(url, HTTP_ACCEPT=BROWSER, follow=True)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/html")
        assert text in response.content.decode()


def test_unknown_documents_are_404(client, version):
    kwargs = dict(_badgeclass_kwargs(version), number=9)
    for url in (
        _url("ob2-issuer", slug="nobody"),
        _url("ob2-revocations", slug="nobody"),
        _url("ob2-key", key_id="key-0000"),
        _url("ob2-badgeclass", **kwargs),
        _url("ob2-assertion", public_id=uuid.uuid4()),
    ):
        assert client.get(url).status_code == 404, url


def test_badgeclass_and_its_image(client, version):
    response = client.get(_url("ob2-badgeclass", **_badgeclass_kwargs(version)))
    assert response.status_code == 200
    assert response.json()["type"] == "BadgeClass"

    image = client.get(_url("ob2-badgeclass-image", **_badgeclass_kwargs(version)))
    assert image.status_code == 200
    assert image["Content-Type"] in ("image/svg+xml", "image/png")


def test_unpublished_version_has_no_badgeclass(client, version):
    version.published_at = None
    version.save(update_fields=["published_at"])

    assert client.get(_url("ob2-badgeclass", **_badgeclass_kwargs(version))).status_code == 404


def test_issued_assertion_is_the_stored_document(client, record):
    response = client.get(_url("ob2-assertion", public_id=record.award.public_id))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    assert response.json() == record.ob2_assertion


def test_pending_award_assertion_is_404(client, version):
    award = AwardFactory(assessment__programme_version=version)
    badge_record(award, sign=False)

    assert award.status == Award.Status.PENDING
    assert client.get(_url("ob2-assertion", public_id=award.public_id)).status_code == 404


def test_revoked_assertion_is_410_with_only_the_revocation(client, record):
    Award.objects.filter(pk=record.award_id).update(
        status=Award.Status.REVOKED, revoked_at=timezone.now(), revocation_reason="誤発行"
    )
    url = _url("ob2-assertion", public_id=record.award.public_id)

    for accept in (VALIDATOR, BROWSER):
        response = client.get(url, HTTP_ACCEPT=accept)
        assert response.status_code == 410
        assert response.json() == {
            "@context": "https://w3id.org/openbadges/v2",
            "id": f"{BASE}{url}",
            "revoked": True,
            "revocationReason": "誤発行",
        }


def test_issued_assertion_has_a_strong_etag_and_must_be_revalidated(client, record):
    url = _url("ob2-assertion", public_id=record.award.public_id)

    first = client.get(url, HTTP_ACCEPT=VALIDATOR)
    again = client.get(url, HTTP_ACCEPT=VALIDATOR, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200
    assert first["ETag"].startswith('"') and not first["ETag"].startswith("W/")
    assert first["Cache-Control"] == "public, no-cache"
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


def test_assertion_bytes_are_those_the_json_response_gave_before(client, record):
    url = _url("ob2-assertion", public_id=record.award.public_id)
    record.refresh_from_db()  # the document as stored (jsonb orders its keys)
    before = JsonResponse(
        record.ob2_assertion, json_dumps_params={"ensure_ascii": False, "indent": 2}
    ).content

    assert client.get(url).content == before
    assert client.get(url).content == before


def test_revocation_answers_410_at_once_after_the_assertion_was_cached(client, record):
    url = _url("ob2-assertion", public_id=record.award.public_id)
    etag = client.get(url, HTTP_ACCEPT=VALIDATOR)["ETag"]
    Award.objects.filter(pk=record.award_id).update(
        status=Award.Status.REVOKED, revoked_at=timezone.now(), revocation_reason="誤発行"
    )

    assert client.get(url, HTTP_ACCEPT=VALIDATOR).status_code == 410
    assert client.get(url, HTTP_ACCEPT=VALIDATOR, HTTP_IF_NONE_MATCH=etag).status_code == 410


def test_suspension_answers_410_at_once_after_the_assertion_was_cached(client, record):
    url = _url("ob2-assertion", public_id=record.award.public_id)
    assert client.get(url, HTTP_ACCEPT=VALIDATOR).status_code == 200
    Award.objects.filter(pk=record.award_id).update(suspended_at=timezone.now())

    assert client.get(url, HTTP_ACCEPT=VALIDATOR).status_code == 410


def test_browsers_still_get_the_page_after_the_assertion_was_cached(client, record):
    url = _url("ob2-assertion", public_id=record.award.public_id)
    assert client.get(url, HTTP_ACCEPT=VALIDATOR).status_code == 200

    assert client.get(url, HTTP_ACCEPT=BROWSER).status_code == 302


def test_revocation_list_endpoint(client, issuer):
    response = client.get(_url("ob2-revocations", slug="minato-u"))

    assert response.status_code == 200
    assert response.json()["type"] == "RevocationList"


def test_retired_keys_are_still_served(client, issuer):
    old = issuer.signing_keys.get(algorithm=SigningKey.Algorithm.RSA2048)
    owner = UserFactory(is_superuser=True)
    new = rotate_signing_key(actor=owner, issuer=issuer, algorithm=SigningKey.Algorithm.RSA2048)
    old.refresh_from_db()

    assert old.status == SigningKey.Status.RETIRED
    for key in (old, new):
        response = client.get(_url("ob2-key", key_id=key.key_id))
        assert response.status_code == 200
        assert response.json()["publicKeyPem"] == key.public_key_pem
    profile = client.get(_url("ob2-issuer", slug="minato-u")).json()
    assert profile["publicKey"] == f"{BASE}/ob2/keys/{new.key_id}"


def test_ed25519_keys_are_not_ob2_keys(client, issuer):
    key = issuer.signing_keys.get(algorithm=SigningKey.Algorithm.ED25519)

    assert client.get(_url("ob2-key", key_id=key.key_id)).status_code == 404


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("ob2-extension-context", "application/ld+json"),
        ("ob2-extension-schema", "application/json"),
        ("ob2-extension-issuer-schema", "application/json"),
    ],
)
def test_extension_documents_are_served_with_cors(client, name, content_type):
    response = client.get(_url(name))

    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json()


def test_extension_schema_is_the_served_schema(client):
    served = client.get(_url("ob2-extension-schema")).json()

    assert served == ob2_extension.descriptors_schema()
    assert served["$schema"] == "http://json-schema.org/draft-04/schema#"


def test_alignment_targets_are_portal_pages(client, version):
    document = client.get(_url("ob2-badgeclass", **_badgeclass_kwargs(version))).json()

    for alignment in document["alignment"]:
        path, _, fragment = alignment["targetUrl"].removeprefix(BASE).partition("#")
        response = client.get(path, HTTP_ACCEPT=BROWSER)
        assert response.status_code == 200, alignment
        if fragment:
            assert f'id="{fragment}"' in response.content.decode()
