"""The credential page of an award: what learners share and employers land on."""

from __future__ import annotations

import datetime
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from credentials.models import Award
from tests.badges.ob2_world import badge_record, issued_award, make_issuer, make_version
from tests.credentials.factories import AwardFactory

pytestmark = pytest.mark.django_db
BASE = "https://portal.example.jp"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.PORTAL_BASE_URL = BASE


@pytest.fixture
def version():
    issuer = make_issuer(slug="minato-u", name_ja="みなと大学", name_en="Minato University")
    return make_version(issuer, programme__slug="data-science")


@pytest.fixture
def record(version):
    return badge_record(issued_award(version))


def page_url(award) -> str:
    return reverse("badges:credential-page", kwargs={"public_id": award.public_id})


def meta(page: str, prop: str) -> str:
    found = re.search(rf'<meta (?:property|name)="{re.escape(prop)}" content="([^"]*)"', page)
    assert found, prop
    return found.group(1)


def test_issued_award_page_has_share_data(client, record):
    award = record.award
    response = client.get(page_url(award))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-verdict="valid"' in page and "有効です" in page
    title = award.programme_version.title
    assert title in page and "みなと大学" in page
    absolute = f"{BASE}/credentials/{award.public_id}/"
    assert meta(page, "og:url") == absolute
    assert meta(page, "og:title").startswith(title)
    assert meta(page, "og:image").startswith(f"{BASE}/ob3/achievements/minato-u/data-science/")
    assert meta(page, "og:description")
    assert meta(page, "twitter:card") == "summary"
    assert re.search(r'<div class="qr-code"[^>]*><svg[^>]*>.*?<path', page, re.S)
    assert "<?xml" not in page
    # The descriptor table and the downloads.
    assert 'data-element="learning_outcomes"' in page
    for variant in ("ob2.png", "ob2.svg", "ob3.png", "ob3.svg"):
        assert f"/badges/{award.public_id}/{variant}" in page
    assert f"/ob3/credentials/{award.public_id}" in page
    ob2_json = reverse("badges:credential-ob2-json", kwargs={"public_id": award.public_id})
    assert ob2_json in page
    download = client.get(ob2_json)
    assert download.json()["id"] == record.ob2_assertion["id"]
    assert "attachment" in download["Content-Disposition"]


def test_linkedin_add_to_profile_url_is_encoded(client, record):
    award = record.award
    page = client.get(page_url(award)).content.decode()
    href = re.search(r'href="(https://www\.linkedin\.com/profile/add\?[^"]+)"', page).group(1)
    href = href.replace("&amp;", "&")
    assert " " not in href and "+" not in href
    query = parse_qs(urlsplit(href).query)
    assert query["startTask"] == ["CERTIFICATION_NAME"]
    assert query["name"] == [award.programme_version.title]
    assert query["organizationName"] == ["みなと大学"]
    assert query["issueYear"] == [str(award.issued_at.year)]
    assert query["issueMonth"] == [str(award.issued_at.month)]
    assert query["certUrl"] == [f"{BASE}/credentials/{award.public_id}/"]
    assert query["certId"] == [str(award.public_id)]
    assert query["expirationYear"] == [str(award.expires_at.year)]
    for share in ("linkedin", "x", "email"):
        assert f'data-share="{share}"' in page


def test_english_page(client, record):
    page = client.get(page_url(record.award), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This badge is valid" in page and "Minato University" in page
    assert record.award.programme_version.title_in("en") in page


def test_pending_and_unknown_awards_are_404(client, version):
    pending = AwardFactory(assessment__programme_version=version)
    assert pending.status == Award.Status.PENDING
    assert client.get(page_url(pending)).status_code == 404
    unknown = reverse("badges:credential-page", kwargs={"public_id": pending.public_id})
    assert client.get(unknown).status_code == 404


def test_revoked_award_says_so(client, record):
    award = record.award
    award.status = Award.Status.REVOKED
    award.revoked_at = timezone.now()
    award.revocation_reason = "不正行為が判明したため"
    award.save()
    page = client.get(page_url(award)).content.decode()
    assert 'data-verdict="revoked"' in page and "失効しています" in page
    assert "不正行為が判明したため" in page
    assert "linkedin.com/profile/add" not in page


def test_expired_award_says_so(client, version):
    now = timezone.now()
    award = issued_award(version)
    Award.objects.filter(pk=award.pk).update(
        issued_at=now - datetime.timedelta(days=800), expires_at=now - datetime.timedelta(days=1)
    )
    award.refresh_from_db()
    badge_record(award)
    page = client.get(page_url(award)).content.decode()
    assert 'data-verdict="expired"' in page and "有効期限が切れています" in page


def test_ob2_assertion_url_redirects_browsers_and_serves_json_ld(client, record):
    award = record.award
    url = reverse("badges:ob2-assertion", kwargs={"public_id": award.public_id})
    browser = client.get(url, HTTP_ACCEPT=BROWSER)
    assert browser.status_code == 302
    assert browser["Location"] == page_url(award)
    assert "Accept" in browser["Vary"]
    machine = client.get(url, HTTP_ACCEPT="application/ld+json")
    assert machine.status_code == 200
    assert machine["Content-Type"].startswith("application/ld+json")
    assert machine.json()["id"] == record.ob2_assertion["id"]
    assert client.get(url).json()["id"] == record.ob2_assertion["id"]


def test_revoked_ob2_assertion_stays_410_for_everyone(client, record):
    # OB 2.0 hosted verification: a revoked assertion answers 410 Gone, browsers included.
    award = record.award
    Award.objects.filter(pk=award.pk).update(
        status=Award.Status.REVOKED, revoked_at=timezone.now(), revocation_reason="誤発行"
    )
    url = reverse("badges:ob2-assertion", kwargs={"public_id": award.public_id})
    for accept in (BROWSER, "application/ld+json"):
        gone = client.get(url, HTTP_ACCEPT=accept)
        assert gone.status_code == 410 and gone.json()["revoked"] is True
    assert "失効しています" in client.get(page_url(award)).content.decode()
