"""/verify/: an employer pastes or uploads a badge the portal issued and reads one verdict.

The badges are really issued (badges.services on a live_server) and reached by the verifier
through its SafeFetcher with loopback allowed by VERIFY_ALLOW_LOOPBACK, as on a public site."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from badges import baking
from badges.images import badge_images
from badges.models import BadgeRecord
from badges.services import issue_badges_for_award, revoke_badges_for_award
from credentials.models import Award
from credentials.services.awards import revoke_award
from tests.badges.ob2_world import make_issuer, make_version
from tests.credentials.factories import AwardFactory
from tests.frameworks.fixtures import ensure_frameworks_loaded
from tests.issuers.factories import UserFactory
from tests.support.baked_images import served_image

EMAIL = "hanako.yamada@example.ac.jp"
URL = "/verify/"


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()  # the per-address verification counters live in the cache
    yield
    cache.clear()


def issue(version, *, email=EMAIL, expires_at=None, issued_at=None) -> BadgeRecord:
    """An award issued through the portal's badge pipeline (signed, baked, on a status list)."""
    now = timezone.now()
    award = AwardFactory(
        issued=True,
        assessment__programme_version=version,
        assessment__learner__email=email,
        issued_at=issued_at or now - datetime.timedelta(minutes=5),
        expires_at=expires_at or now + datetime.timedelta(days=365),
    )
    record = issue_badges_for_award(award.pk)
    record.refresh_from_db()
    assert record.ob3_credential and record.ob2_jws
    return record


def tampered_png(record: BadgeRecord) -> bytes:
    credential = json.loads(json.dumps(record.ob3_credential))
    credential["credentialSubject"]["achievement"]["name"] = "改ざんされた名前"
    return baking.bake_png(
        served_image(record, "ob3.png"),
        keyword="openbadgecredential",
        text=json.dumps(credential, ensure_ascii=False),
    )


def revoke(record: BadgeRecord) -> None:
    revoke_award(actor=UserFactory(is_superuser=True), award=record.award, reason="不正行為")
    revoke_badges_for_award(record.award.pk)  # idempotent after the on-commit task
    assert Award.objects.get(pk=record.award.pk).status == Award.Status.REVOKED


def post(client, *, badge="", upload=None, email="", **headers):
    data = {"badge": badge, "email": email}
    if upload is not None:
        data["file"] = upload
    return client.post(URL, data, **headers)


def verdict(response) -> str:
    assert response.status_code == 200
    return response.context["result"]["verdict"]


def png(data: bytes, name="badge.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


# --- with a live portal ----------------------------------------------------------------------


@pytest.fixture
def version(live_server, settings, transactional_db):
    ensure_frameworks_loaded()
    settings.PORTAL_BASE_URL = live_server.url
    settings.VERIFY_ALLOW_LOOPBACK = True
    return make_version(make_issuer(slug="minato-u"), programme__slug="data-science")


def test_portal_badge_is_valid_in_every_form(client, version):
    record = issue(version)
    forms = {
        "ob3-json": {"badge": json.dumps(record.ob3_credential, ensure_ascii=False)},
        "ob2-jws": {"badge": record.ob2_jws},
        "ob3-url": {"badge": record.ob3_credential["id"]},
        "ob3-png": {"upload": png(served_image(record, "ob3.png"))},
        "ob2-png": {"upload": png(served_image(record, "ob2.png"))},
        "ob3-svg": {
            "upload": SimpleUploadedFile("b.svg", served_image(record, "ob3.svg"), "image/svg+xml")
        },
    }
    for name, kwargs in forms.items():
        response = post(client, email=EMAIL, **kwargs)
        assert verdict(response) == "valid", (name, response.context["result"]["checks"])
        page = response.content.decode()
        assert "有効です" in page, name
        assert 'data-verdict="valid"' in page
    # What the badge certifies is readable, with the level's JEQF meaning and the raw JSON.
    result = response.context["result"]
    assert result["issuer"]["quality_assurance"]
    assert result["jeqf"]["level"] == 6
    assert {e.key for e in result["crosswalk"].elements if e.value} >= {
        "title",
        "learning_outcomes",
        "learner_effort",
    }
    assert 'aria-live="polite"' in page and "<details" in page


def test_tampered_badge_is_not_valid(client, version):
    record = issue(version)
    response = post(client, upload=png(tampered_png(record)))
    assert verdict(response) == "invalid"
    assert "有効ではありません" in response.content.decode()
    document = json.loads(json.dumps(record.ob3_credential))
    document["validUntil"] = "2099-01-01T00:00:00Z"
    assert verdict(post(client, badge=json.dumps(document))) == "invalid"


def test_revoked_expired_and_someone_elses_badges(client, version):
    record = issue(version)
    assert verdict(post(client, badge=record.ob2_jws, email="other@example.jp")) == (
        "recipient_mismatch"
    )
    revoke(record)
    response = post(client, badge=json.dumps(record.ob3_credential))
    assert verdict(response) == "revoked"
    assert "失効しています" in response.content.decode()

    now = timezone.now()
    old = issue(
        version,
        email="taro.sato@example.ac.jp",
        issued_at=now - datetime.timedelta(days=800),
        expires_at=now - datetime.timedelta(days=1),
    )
    response = post(client, upload=png(served_image(old, "ob3.png")))
    assert verdict(response) == "expired"
    assert "有効期限が切れています" in response.content.decode()


def test_english_verdict_and_checks(client, version):
    record = issue(version)
    response = post(client, badge=json.dumps(record.ob3_credential), HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert verdict(response) == "valid"
    assert "This badge is valid" in page and '<html lang="en">' in page
    assert response.context["result"]["checks"][0]["message"].isascii()
    client.cookies["django_language"] = "ja"
    assert "有効です" in post(client, badge=record.ob2_jws).content.decode()


def test_a_url_that_cannot_be_fetched_is_explained(client, live_server, version):
    response = post(client, badge=live_server.url + "/ob3/credentials/nothing-here")
    assert verdict(response) == "error"
    assert "HTTP 404" in response.context["result"]["verdict_explanation"]


# --- without the network -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_form_is_accessible_and_japanese_by_default(client):
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200 and '<html lang="ja">' in page
    assert "バッジを検証" in page
    for field in ("id_badge", "id_file", "id_email"):
        assert f'for="{field}"' in page
    assert "<legend>" in page and "csrfmiddlewaretoken" in page
    assert reverse("badges:verify") == URL


@pytest.mark.django_db
def test_empty_form_and_both_inputs_are_refused(client):
    page = post(client).content.decode()
    assert "バッジの URL、JSON、JWS を貼り付けるか" in page
    assert "result" not in post(client).context
    both = post(client, badge="https://example.jp/b", upload=png(b"\x89PNG"))
    assert "どちらか一方" in both.content.decode()


@pytest.mark.django_db
def test_oversize_upload_is_refused_with_the_limit(client):
    response = post(client, upload=png(b"\x89PNG\r\n\x1a\n" + bytes(5 * 1024 * 1024)))
    assert "ファイルが大きすぎます（上限 5 MB）" in response.content.decode()
    assert "result" not in response.context


@pytest.mark.django_db
def test_png_without_a_badge_is_explained(client):
    plain_png, _svg = badge_images(make_version(make_issuer(slug="minato-u")))
    response = post(client, upload=png(plain_png))
    assert verdict(response) == "error"
    page = response.content.decode()
    assert "この画像にはバッジ情報が埋め込まれていません。" in page
    assert "検証できませんでした" in page


@pytest.mark.django_db
def test_loopback_urls_are_refused_unless_allowed(client, settings):
    settings.VERIFY_ALLOW_LOOPBACK = False
    response = post(client, badge="http://127.0.0.1:8000/ob3/credentials/x")
    assert verdict(response) == "error"


@pytest.mark.django_db
def test_post_needs_a_csrf_token():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(URL, {"badge": "{}"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_links_from_an_untrusted_badge_are_only_http(client):
    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:5f0c2b52-9a2e-4c53-9d2f-1f1b1b1b1b1b",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": "https://issuer.example.jp/profile",
            "type": ["Profile"],
            "name": "悪意のある発行者",
            "url": "javascript:alert(1)",
        },
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://issuer.example.jp/a",
                "type": ["Achievement"],
                "name": "偽のバッジ",
                "image": {"id": "javascript:alert(2)", "type": "Image"},
                "criteria": {"narrative": "-"},
                "description": "-",
            },
        },
    }
    response = post(client, badge=json.dumps(document, ensure_ascii=False))
    page = response.content.decode()
    assert verdict(response) != "valid"
    assert "悪意のある発行者" in page and "偽のバッジ" in page
    assert "javascript:" not in page.split("<details", 1)[0]


# --- rate limit ------------------------------------------------------------------------------


@pytest.fixture
def verify_rate(settings):
    def set_rate(rate):
        rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "verify": rate}
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}

    return set_rate


@pytest.mark.django_db
def test_the_form_is_rate_limited_per_address_with_a_plain_message(client, verify_rate):
    verify_rate("2/minute")
    for _ in range(2):
        assert post(client, badge="{}").status_code == 200
    refused = post(client, badge="{}")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert "result" not in refused.context
    assert "検証の回数が多すぎます" in refused.content.decode()
    assert refused.context["form"]["badge"].value() == "{}"  # what was typed stays
    english = post(client, badge="{}", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 429
    assert "Too many verifications from your address" in english.content.decode()
    assert client.get(URL).status_code == 200  # reading the page is not limited
    other_address = post(client, badge="{}", REMOTE_ADDR="192.0.2.7")
    assert other_address.status_code == 200


@pytest.mark.django_db
def test_the_form_and_the_api_count_separately(client, verify_rate):
    verify_rate("1/minute")
    assert post(client, badge="{}").status_code == 200
    api = client.post("/api/v1/verify/", {"json": {}}, content_type="application/json")
    assert api.status_code == 200
    assert post(client, badge="{}").status_code == 429


@pytest.mark.django_db
def test_no_rate_means_no_limit(client, verify_rate):
    verify_rate(None)
    assert all(post(client, badge="{}").status_code == 200 for _ in range(40))
