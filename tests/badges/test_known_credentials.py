"""A credential the portal issued, received exactly as stored, is answered from the portal's own
records (badges/verification/known.py): the same checks, messages and verdict as the full path
(canonicalisation, Ed25519, did:web, both status lists), without fetching or canonicalising."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from badges.models import BadgeRecord
from badges.services import (
    issue_badges_for_award,
    revoke_badges_for_award,
    set_suspension_for_award,
)
from badges.verification import known as known_module
from badges.verification import verify_badge
from badges.verification.known import known_credential
from badges.verification.portal import PortalFetcher
from credentials.services.award_lifecycle import suspend_award
from credentials.services.awards import revoke_award
from issuers.services import rotate_signing_key
from tests.badges.ob2_world import make_issuer, make_version
from tests.badges.test_verification_portal import NoNetwork
from tests.credentials.factories import AwardFactory
from tests.frameworks.fixtures import ensure_frameworks_loaded
from tests.issuers.factories import UserFactory

BASE = "https://portal.example.jp"


@pytest.fixture
def record(db, settings) -> BadgeRecord:
    ensure_frameworks_loaded()
    settings.PORTAL_BASE_URL = BASE
    known_module.STORED.clear()
    version = make_version(make_issuer(slug="minato-u"), programme__slug="data-science")
    now = timezone.now()
    award = AwardFactory(
        issued=True,
        assessment__programme_version=version,
        assessment__learner__email="hanako@example.ac.jp",
        issued_at=now - datetime.timedelta(minutes=5),
        expires_at=now + datetime.timedelta(days=365),
    )
    record = issue_badges_for_award(award.pk)
    record.refresh_from_db()
    return record


def answer(document, settings, *, known: bool, **kwargs) -> tuple[str, list]:
    settings.VERIFY_KNOWN_CREDENTIALS = known
    result = verify_badge(document, fetcher=PortalFetcher(NoNetwork()), **kwargs)
    checks = [(c.code, c.status, c.message_ja, c.message_en, c.outcome) for c in result.checks]
    return result.verdict, checks


def both_paths_agree(document, settings, **kwargs) -> str:
    settings.VERIFY_KNOWN_CREDENTIALS = True
    assert known_credential(document) is not None, "not answered from the records"
    fast = answer(document, settings, known=True, **kwargs)
    full = answer(document, settings, known=False, **kwargs)
    assert fast == full
    return fast[0]


def officer():
    return UserFactory(is_superuser=True)


def test_a_fresh_credential_gets_the_full_paths_answer(record, settings):
    assert both_paths_agree(record.ob3_credential, settings) == "valid"


def test_the_recipient_check_is_the_same_on_both_paths(record, settings):
    credential = record.ob3_credential
    assert both_paths_agree(credential, settings, email="hanako@example.ac.jp") == "valid"
    assert both_paths_agree(credential, settings, email="someone@example.jp") == (
        "recipient_mismatch"
    )


def test_a_revoked_credential_is_revoked_on_both_paths_at_once(record, settings):
    assert both_paths_agree(record.ob3_credential, settings) == "valid"
    revoke_award(actor=officer(), award=record.award, reason="不正行為")
    revoke_badges_for_award(record.award.pk)
    assert both_paths_agree(record.ob3_credential, settings) == "revoked"


def test_a_suspended_credential_is_reported_suspended_on_both_paths(record, settings):
    suspend_award(actor=officer(), award=record.award, reason="調査中のため")
    set_suspension_for_award(record.award.pk)
    assert both_paths_agree(record.ob3_credential, settings) == "revoked"
    _verdict, checks = answer(record.ob3_credential, settings, known=True)
    assert any(code == "revocation" and "停止" in ja for code, _s, ja, _en, _o in checks)


def test_a_credential_signed_with_a_retired_key_says_so_on_both_paths(record, settings):
    def issuer_check():
        _verdict, checks = answer(record.ob3_credential, settings, known=True)
        return next(check for check in checks if check[0] == "issuer")

    before = issuer_check()
    issuer = record.award.programme_version.programme.issuer
    rotate_signing_key(actor=officer(), issuer=issuer, algorithm="ed25519")
    assert both_paths_agree(record.ob3_credential, settings) == "valid"
    after = issuer_check()
    assert before[1] == after[1] == "pass"
    assert before[3] != after[3]  # "… retired key …" instead of the plain issuer message


def test_an_expired_credential_is_expired_on_both_paths(record, settings):
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=400)
    assert both_paths_agree(record.ob3_credential, settings, now=later) == "expired"


def test_a_credential_given_with_its_keys_in_another_order_is_still_known(record, settings):
    reordered = dict(reversed(list(record.ob3_credential.items())))
    assert both_paths_agree(reordered, settings) == "valid"


@pytest.mark.parametrize(
    "change",
    [
        lambda c: c["credentialSubject"]["achievement"].update(name="改ざんされた名前"),
        lambda c: c.update(extra="added"),
        lambda c: c["proof"].update(proofValue=c["proof"]["proofValue"][:-2] + "zz"),
        lambda c: c.update(id=c["id"].replace(BASE, "https://other.example.jp")),
    ],
    ids=["changed value", "added property", "changed proof", "other host"],
)
def test_anything_not_exactly_as_stored_takes_the_full_path_and_fails(record, settings, change):
    tampered = json.loads(json.dumps(record.ob3_credential))
    change(tampered)
    assert known_credential(tampered) is None
    settings.VERIFY_KNOWN_CREDENTIALS = True
    assert verify_badge(tampered, fetcher=PortalFetcher(NoNetwork())).verdict != "valid"


def test_json_true_is_not_the_number_one(record, settings):
    credential = json.loads(json.dumps(record.ob3_credential))
    credential["credentialSubject"]["achievement"]["extra"] = 1
    BadgeRecord.objects.filter(pk=record.pk).update(ob3_credential=credential)
    known_module.STORED.clear()
    assert known_credential(credential) is not None
    credential["credentialSubject"]["achievement"]["extra"] = True
    assert known_credential(credential) is None


def test_a_known_credential_costs_one_query_and_no_fetch(record, settings):
    settings.VERIFY_KNOWN_CREDENTIALS = True
    assert known_credential(record.ob3_credential) is not None  # the stored text is now kept
    fetcher = PortalFetcher(NoNetwork())
    with CaptureQueriesContext(connection) as queries:
        result = verify_badge(record.ob3_credential, fetcher=fetcher)
    assert result.verdict == "valid"
    assert len(queries.captured_queries) == 1  # the key's status and both lists' bits
    assert fetcher.local_hits == 0 and fetcher.remote.asked == []


def test_the_switch_turns_the_known_path_off(record, settings):
    settings.VERIFY_KNOWN_CREDENTIALS = False
    assert known_credential(record.ob3_credential) is None
