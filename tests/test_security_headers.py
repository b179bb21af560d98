"""Response headers that keep user-supplied images inert, and the site-wide CSP on pages and the
admin (docs/security.md)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from badges import services as badge_services
from issuers.images import IMAGE_CONTENT_SECURITY_POLICY
from tests.badges.ob3_world import issue, passed_assessment
from tests.issuers.factories import IssuerFactory, UserFactory
from tests.issuers.svg_samples import HOSTILE, INKSCAPE_EXPORT, tiny_png

pytestmark = pytest.mark.django_db

HOSTILE_SVG = HOSTILE[0][1]  # SMIL set xlink:href to java<TAB>script:


def directives(policy: str) -> dict[str, str]:
    """{"script-src": "'self'", …}: django-csp does not keep the directives' order."""
    parts = (part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def assert_inert_image_headers(response) -> None:
    assert response["Content-Security-Policy"] == IMAGE_CONTENT_SECURITY_POLICY
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
def record():
    return badge_services.issue_badges_for_award(issue(passed_assessment()).pk)


def _legacy_upload(path: str, data: bytes) -> str:
    """A file stored as-is (as uploads were before the sanitiser): only headers protect it."""
    return default_storage.save(path, ContentFile(data))


def test_the_badge_class_image_is_served_with_the_sandbox_policy(client, record):
    version = record.award.programme_version
    version.badge_image.name = _legacy_upload("credentials/badges/old.svg", HOSTILE_SVG)
    version.save(update_fields=["badge_image"])
    programme = version.programme
    kwargs = {"issuer_slug": programme.issuer.slug, "programme_slug": programme.slug, "number": 1}
    response = client.get(reverse("badges:ob2-badgeclass-image", kwargs=kwargs))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert_inert_image_headers(response)
    response = client.get(reverse("badges:ob3-achievement-image", kwargs=kwargs))
    assert response["Content-Type"] == "image/png"
    assert_inert_image_headers(response)


@pytest.mark.parametrize("variant", ["ob2.svg", "ob3.svg", "ob2.png", "ob3.png"])
def test_baked_images_are_attachments_with_the_sandbox_policy(client, record, variant):
    url = reverse(
        "badges:baked-image", kwargs={"public_id": record.award.public_id, "variant": variant}
    )
    response = client.get(url)
    assert response["Content-Disposition"].startswith("attachment;")
    assert_inert_image_headers(response)


def test_an_issuer_logo_svg_is_served_as_a_download_with_the_sandbox_policy(client):
    path = _legacy_upload("issuers/logos/old.svg", HOSTILE_SVG)
    response = client.get(f"/media/{path}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Disposition"].startswith("attachment;")
    assert_inert_image_headers(response)


def test_a_png_logo_and_a_badge_upload_are_served_inline_with_the_sandbox_policy(client):
    for path in (
        _legacy_upload("issuers/logos/logo.png", tiny_png()),
        _legacy_upload("credentials/badges/badge.svg", INKSCAPE_EXPORT),
    ):
        response = client.get(f"/media/{path}")
        assert response.status_code == 200
        assert_inert_image_headers(response)
    assert client.get("/media/issuers/logos/logo.png")["Content-Disposition"].startswith("inline")


@pytest.mark.parametrize(
    "path",
    [
        "badges/00000000-0000-0000-0000-000000000000/ob2.svg",  # baked: own view only
        "issuers/logos/../../etc/passwd.png",
        "issuers/logos/missing.png",
        "issuers/logos/notes.txt",
        "other/logo.png",
    ],
)
def test_media_outside_the_public_uploads_is_not_served(client, path):
    assert client.get(f"/media/{path}").status_code == 404


def test_the_issuer_profile_links_a_logo_the_portal_serves(client):
    issuer = IssuerFactory()
    issuer.logo.save("logo.png", ContentFile(tiny_png()))
    document = client.get(reverse("badges:ob2-issuer", kwargs={"slug": issuer.slug})).json()
    path = document["image"].split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == tiny_png()


SITE_POLICY = (
    "default-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)


@pytest.mark.parametrize("path", ["/", "/verify/", "/admin/login/", "/learner/sign-in/"])
def test_pages_carry_the_site_wide_content_security_policy(client, path):
    policy = directives(client.get(path)["Content-Security-Policy"])
    for directive in SITE_POLICY:
        name, value = directive.split(" ", 1)
        assert policy[name] == value, (path, name)


def test_the_admin_pages_carry_the_site_wide_policy(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for path in ("/admin/", "/admin/credentials/programme/add/", "/admin/issuers/issuer/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert directives(response["Content-Security-Policy"])["script-src"] == "'self'"


def test_the_api_docs_page_has_no_inline_script_and_loads_swagger_ui_from_our_origin():
    from django.test import Client

    response = Client().get("/api/docs/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>" not in body
    assert directives(response["Content-Security-Policy"])["script-src"] == "'self'"
    assert "cdn" not in body and '<script src="/static/drf_spectacular_sidecar/' in body
    script = Client().get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_the_verify_page_alone_may_show_a_verified_badges_image_from_elsewhere(client):
    verify_policy = directives(client.get("/verify/")["Content-Security-Policy"])
    assert verify_policy["img-src"] == "'self' data: https:"
    assert verify_policy["script-src"] == "'self'"
    assert "https:" not in client.get("/")["Content-Security-Policy"]
