"""Verifying the portal's own credentials without calling the portal over HTTP: its did:web
documents and status lists come from the very views that serve them, byte for byte, and every
other URL still goes through the SafeFetcher."""

from __future__ import annotations

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from badges.models import BadgeRecord
from badges.services import issue_badges_for_award, revoke_badges_for_award
from badges.verification import SafeFetcher, verify_badge
from badges.verification.portal import PortalFetcher, portal_path
from badges.verification.status_proofs import forget
from credentials.services.awards import revoke_award
from tests.badges.ob2_world import make_issuer, make_version
from tests.badges.verification_support import Site
from tests.credentials.factories import AwardFactory
from tests.frameworks.fixtures import ensure_frameworks_loaded
from tests.issuers.factories import UserFactory

BASE = "https://portal.example.jp"


class NoNetwork(SafeFetcher):
    """Records what would have gone over the network, and refuses it."""

    def __init__(self):
        super().__init__()
        self.asked: list[str] = []

    def get(self, url, *, accept="application/json"):
        self.asked.append(url)
        raise AssertionError(f"fetched over the network: {url}")


@pytest.fixture
def record(db, settings) -> BadgeRecord:
    ensure_frameworks_loaded()
    settings.PORTAL_BASE_URL = BASE
    version = make_version(make_issuer(slug="minato-u"), programme__slug="data-science")
    now = timezone.now()
    award = AwardFactory(
        issued=True,
        assessment__programme_version=version,
        issued_at=now - datetime.timedelta(minutes=5),
        expires_at=now + datetime.timedelta(days=365),
    )
    record = issue_badges_for_award(award.pk)
    record.refresh_from_db()
    return record


def _urls(record: BadgeRecord) -> dict[str, str]:
    credential = record.ob3_credential
    did = credential["issuer"]["id"]
    host, _, path = did.removeprefix("did:web:").partition(":")
    return {
        "did": f"https://{host.replace('%3A', ':')}/{path.replace(':', '/')}/did.json",
        "status": next(
            entry["statusListCredential"]
            for entry in credential["credentialStatus"]
            if entry["statusPurpose"] == "revocation"
        ),
        "credential": credential["id"]
        if credential["id"].startswith("http")
        else f"{BASE}/ob3/credentials/{record.award.public_id}",
    }


def test_the_in_process_documents_are_byte_for_byte_what_http_serves(record):
    fetcher = PortalFetcher(NoNetwork())
    http = Client()
    for name, url in _urls(record).items():
        local = fetcher.get(url, accept="application/ld+json, application/json")
        served = http.get(url.removeprefix(BASE), HTTP_ACCEPT="application/ld+json")
        assert served.status_code == 200, name
        assert local.status == 200, name
        assert local.body == served.content, name
        assert local.content_type == served["Content-Type"], name
    assert fetcher.remote.asked == []


@pytest.mark.parametrize(("known", "fetched"), [(True, 0), (False, 3)])
def test_a_portal_credential_verifies_without_any_network_access(record, settings, known, fetched):
    # Received exactly as stored it is answered from the portal's records; otherwise the
    # did:web document and the two status lists are served in-process.
    settings.VERIFY_KNOWN_CREDENTIALS = known
    fetcher = PortalFetcher(NoNetwork())
    result = verify_badge(record.ob3_credential, fetcher=fetcher)
    assert result.verdict == "valid", [(c.code, c.status, c.message_en) for c in result.checks]
    assert {c.code for c in result.checks if c.status == "pass"} >= {
        "signature",
        "issuer",
        "revocation",
    }
    assert fetcher.local_hits == fetched
    assert fetcher.remote.asked == []


def test_revocation_is_seen_at_once_through_the_in_process_status_list(record):
    forget()
    assert verify_badge(record.ob3_credential, fetcher=PortalFetcher(NoNetwork())).verdict == (
        "valid"
    )
    revoke_award(actor=UserFactory(is_superuser=True), award=record.award, reason="不正行為")
    revoke_badges_for_award(record.award.pk)
    result = verify_badge(record.ob3_credential, fetcher=PortalFetcher(NoNetwork()))
    assert result.verdict == "revoked"


def test_a_tampered_portal_credential_is_still_invalid(record):
    credential = json.loads(json.dumps(record.ob3_credential))
    credential["credentialSubject"]["achievement"]["name"] = "改ざんされた名前"
    result = verify_badge(credential, fetcher=PortalFetcher(NoNetwork()))
    assert result.verdict == "invalid"


def test_an_unknown_portal_document_is_a_404_like_over_http(record):
    fetcher = PortalFetcher(NoNetwork())
    missing = fetcher.get(f"{BASE}/status/00000000-0000-4000-8000-000000000000")
    assert missing.status == 404
    assert Client().get("/status/00000000-0000-4000-8000-000000000000").status_code == 404
    assert fetcher.remote.asked == []


def test_other_origins_and_portal_pages_go_through_the_safe_fetcher(settings):
    with Site() as site:
        settings.PORTAL_BASE_URL = site.base.replace("127.0.0.1", "localhost")
        site.json("/issuers/x/did.json", {"id": "did:web:elsewhere"})
        fetcher = PortalFetcher(SafeFetcher(allow_loopback=True))
        # Same host, another origin spelling (127.0.0.1 vs localhost): not ours.
        response = fetcher.get(site.url("/issuers/x/did.json"))
    assert json.loads(response.body) == {"id": "did:web:elsewhere"}
    assert fetcher.local_hits == 0
    remote = NoNetwork()
    page = PortalFetcher(remote, base_url=BASE)
    with pytest.raises(AssertionError):
        page.get(f"{BASE}/verify/")  # a page, not a badge document: fetched like any URL
    assert remote.asked == [f"{BASE}/verify/"]


@pytest.mark.parametrize(
    ("url", "base", "path"),
    [
        ("https://portal.example.jp/status/1", "https://portal.example.jp", "/status/1"),
        ("https://PORTAL.example.jp:443/status/1", "https://portal.example.jp/", "/status/1"),
        ("https://portal.example.jp/mc/status/1", "https://portal.example.jp/mc/", "/status/1"),
        ("https://portal.example.jp/status/1", "https://portal.example.jp/mc", None),
        ("http://portal.example.jp/status/1", "https://portal.example.jp", None),
        ("https://portal.example.jp:8443/status/1", "https://portal.example.jp", None),
        ("https://evil.example/status/1", "https://portal.example.jp", None),
        ("https://portal.example.jp.evil.example/x", "https://portal.example.jp", None),
        ("https://user@portal.example.jp/status/1", "https://portal.example.jp", None),
        ("ftp://portal.example.jp/status/1", "https://portal.example.jp", None),
    ],
)
def test_only_urls_on_the_portals_own_origin_are_answered_in_process(url, base, path):
    assert portal_path(url, base) == path


def test_a_status_list_proof_is_checked_once_per_list_version(record, monkeypatch, settings):
    settings.VERIFY_KNOWN_CREDENTIALS = False  # the full path's status list check
    from badges.verification import status_proofs

    checked: list[str] = []
    real = status_proofs.verify_eddsa_rdfc_2022

    def counting(document, **kwargs):
        checked.append(document["id"])
        return real(document, **kwargs)

    monkeypatch.setattr(status_proofs, "verify_eddsa_rdfc_2022", counting)
    forget()
    for _ in range(3):
        assert verify_badge(record.ob3_credential, fetcher=PortalFetcher(NoNetwork())).verdict == (
            "valid"
        )
    assert len(checked) == 2  # the revocation and the suspension list, once each
    revoke_award(actor=UserFactory(is_superuser=True), award=record.award, reason="不正行為")
    revoke_badges_for_award(record.award.pk)  # the list is re-signed: a new version
    assert verify_badge(record.ob3_credential, fetcher=PortalFetcher(NoNetwork())).verdict == (
        "revoked"
    )
    assert len(checked) == 3  # only the revocation list changed
