"""The portal's did:web documents and status lists are rendered once per version for the
verifier (badges.verification.portal_cache): the same bytes as over HTTP, one query per
document, and any change — a revocation, a retired or new key — is seen at once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from badges.services import revoke_badges_for_award
from badges.verification import portal_cache, verify_badge
from badges.verification.portal import PortalFetcher
from badges.verification.portal_cache import DocumentCache, Served
from credentials.services.awards import revoke_award
from issuers.models import SigningKey
from issuers.services import rotate_signing_key
from tests.badges.test_verification_portal import BASE, NoNetwork, _urls
from tests.badges.test_verification_portal import record as portal_record
from tests.issuers.factories import UserFactory


@pytest.fixture
def record(db, settings):
    # This module is about the full path's document cache, which a portal credential takes
    # whenever it is not received exactly as stored (badges/verification/known.py).
    settings.VERIFY_KNOWN_CREDENTIALS = False
    return portal_record.__wrapped__(db, settings)


@pytest.fixture
def cache(monkeypatch) -> DocumentCache:
    fresh = DocumentCache()
    monkeypatch.setattr(portal_cache, "DEFAULT", fresh)
    return fresh


def fetch(url: str):
    return PortalFetcher(NoNetwork()).get(url, accept="application/ld+json, application/json")


def test_a_cached_document_is_byte_for_byte_what_http_serves(record, cache):
    for name in ("did", "status"):
        url = _urls(record)[name]
        first, second = fetch(url), fetch(url)
        served = Client().get(url.removeprefix(BASE))
        assert first.body == second.body == served.content, name
        assert first.content_type == second.content_type == served["Content-Type"], name
    assert cache.counts == {"hit": 2, "miss": 2}


def test_a_cached_document_costs_one_query(record, cache):
    for name in ("did", "status"):
        fetch(_urls(record)[name])
        with CaptureQueriesContext(connection) as queries:
            fetch(_urls(record)[name])
        assert len(queries.captured_queries) == 1, name


def test_a_verification_with_cached_documents_makes_three_queries_and_still_passes(record, cache):
    assert verify_badge(record.ob3_credential, fetcher=PortalFetcher(NoNetwork())).is_valid
    with CaptureQueriesContext(connection) as queries:
        result = verify_badge(record.ob3_credential, fetcher=PortalFetcher(NoNetwork()))
    assert result.verdict == "valid"
    # The did:web document's key set (which also answers the retired-key check) and the two
    # lists (revocation, suspension): one version query each.
    assert len(queries.captured_queries) == 3


def test_revocation_is_seen_at_once_although_the_status_list_was_cached(record, cache):
    assert verify_badge(record.ob3_credential, fetcher=PortalFetcher(NoNetwork())).is_valid
    assert verify_badge(record.ob3_credential, fetcher=PortalFetcher(NoNetwork())).is_valid
    revoke_award(actor=UserFactory(is_superuser=True), award=record.award, reason="不正行為")
    revoke_badges_for_award(record.award.pk)
    result = verify_badge(record.ob3_credential, fetcher=PortalFetcher(NoNetwork()))
    assert result.verdict == "revoked"
    served = Client().get(_urls(record)["status"].removeprefix(BASE))
    assert fetch(_urls(record)["status"]).body == served.content


def test_a_rotated_key_changes_the_cached_did_document_and_the_old_key_reads_as_retired(
    record, cache
):
    did_url = _urls(record)["did"]
    before = fetch(did_url).body
    issuer = record.award.programme_version.programme.issuer
    rotate_signing_key(
        actor=UserFactory(is_superuser=True), issuer=issuer, algorithm=SigningKey.Algorithm.ED25519
    )
    after = fetch(did_url)
    assert after.body != before
    assert after.body == Client().get(did_url.removeprefix(BASE)).content
    result = verify_badge(record.ob3_credential, fetcher=PortalFetcher(NoNetwork()))
    issuer_check = next(c for c in result.checks if c.code == "issuer")
    assert issuer_check.status == "pass"
    assert "retired" in issuer_check.message_en.lower()


def test_unknown_documents_are_not_cached(record, cache):
    missing = fetch(f"{BASE}/status/00000000-0000-4000-8000-000000000000")
    assert missing.status == 404
    assert fetch(f"{BASE}/issuers/no-such-issuer/did.json").status == 404
    assert len(cache) == 0


def test_the_cache_is_bounded_and_keeps_the_most_recently_used():
    cache = DocumentCache(max_entries=3)
    for number in range(5):
        cache.put(("doc", number), 1, Served(200, "application/json", None, b"%d" % number))
    assert cache.get(("doc", 2), 1) is not None
    cache.put(("doc", 5), 1, Served(200, "application/json", None, b"5"))
    assert len(cache) == 3
    assert cache.get(("doc", 0), 1) is None
    assert cache.get(("doc", 3), 1) is None
    assert cache.get(("doc", 2), 1).body == b"2"
    assert cache.get(("doc", 2), 2) is None  # another version is a miss


def test_the_cache_survives_threads_putting_and_getting_at_once():
    cache = DocumentCache(max_entries=16)
    errors: list[BaseException] = []

    def hammer(offset: int) -> None:
        try:
            for number in range(2000):
                key = ("doc", (number + offset) % 40)
                cache.put(key, number % 3, Served(200, "t", None, b"x"))
                cache.get(key, number % 3)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(cache) <= 16
