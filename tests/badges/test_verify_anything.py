"""Whatever an employer is handed verifies the same: the credential page URL a LinkedIn link or
QR code carries, each download link of that page, a web page of another site that links its
badge; a page without a badge link or a PDF gets a message saying what to paste instead; a
credential that fails shows its descriptors only under an "unverified content" caution. The
verify page and POST /api/v1/verify/ agree on every verdict."""

import json

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from badges.verification import SafeFetcher, verify_badge
from tests.badges.test_public_verify import (
    EMAIL,
    issue,
    post,
    verdict,
    version,  # noqa: F401  (fixture)
)
from tests.badges.test_verification_ob3 import credential, sign
from tests.badges.verification_support import Reply, Site


def both(client, given: str) -> tuple[dict, dict]:
    page = post(client, badge=given)
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en").post(
        "/api/v1/verify/", {"url": given}, format="json"
    )
    return page.context["result"], api.json()


def test_the_credential_page_and_every_download_link_verify_as_genuine(client, version):  # noqa: F811
    record = issue(version)
    public_id = record.award.public_id
    page = client.get(f"/credentials/{public_id}/").content.decode()
    assert 'rel="alternate" type="application/vc+ld+json"' in page
    links = {
        "page": f"/credentials/{public_id}/",
        "ob2.json": f"/credentials/{public_id}/ob2.json",
        "ob3.json": f"/ob3/credentials/{public_id}",
        **{
            variant: f"/badges/{public_id}/{variant}"
            for variant in ("ob3.png", "ob3.svg", "ob2.png", "ob2.svg")
        },
    }
    for name, path in links.items():
        on_page, by_api = both(client, settings.PORTAL_BASE_URL + path)
        assert on_page["verdict"] == "valid", (name, on_page["checks"])
        assert by_api["verdict"] == "valid", (name, by_api["checks"])
    assert both(client, settings.PORTAL_BASE_URL + links["ob2.json"])[1]["format"] == "ob2-hosted"


def test_a_web_page_of_another_site_is_followed_to_the_badge_it_links():
    with Site() as site:
        document = sign(credential(validFrom="2025-04-01T00:00:00Z"))
        badge = site.json("/badges/42.json", document)
        site.routes["/people/hanako"] = Reply(
            200,
            b'<!DOCTYPE html><html><head><link rel="alternate" type="application/vc+ld+json" '
            b'href="/badges/42.json"></head><body><svg></svg></body></html>',
            "text/html; charset=utf-8",
        )
        result = verify_badge(site.url("/people/hanako"), fetcher=SafeFetcher(allow_loopback=True))
    assert result.verdict == "valid", [c.as_dict() for c in result.checks]
    assert any(badge in check.message_en for check in result.checks if check.code == "input")


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (
            b"<!DOCTYPE html><html><body><svg><circle/></svg>QR</body></html>",
            "text/html",
            "web page with no link",
        ),
        (b"%PDF-1.7\n...", "application/pdf", "PDF document"),
    ],
)
def test_a_page_without_a_badge_link_or_a_pdf_says_what_to_paste_instead(
    body, content_type, expected
):
    with Site() as site:
        site.routes["/thing"] = Reply(200, body, content_type)
        result = verify_badge(site.url("/thing"), fetcher=SafeFetcher(allow_loopback=True))
    assert result.verdict == "error"
    check = result.check("input")
    assert expected in check.message_en and "PNG/SVG" in check.message_en
    assert "DTD" not in check.message_en and "バッジ" in check.message_ja


def test_a_credential_that_fails_shows_its_descriptors_under_a_caution(client, version):  # noqa: F811
    record = issue(version)
    document = json.loads(json.dumps(record.ob3_credential))
    document["validUntil"] = "2099-01-01T00:00:00Z"
    response = post(client, badge=json.dumps(document), email=EMAIL)
    assert verdict(response) == "invalid"
    html = response.content.decode()
    assert "unverified-content" in html and "未検証の内容" in html
    genuine = post(client, badge=json.dumps(record.ob3_credential)).content.decode()
    assert "unverified-content" not in genuine
