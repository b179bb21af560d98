"""Exactly once, proven on real processes: batch jobs run by `celery worker` processes on the
test PostgreSQL database and Redis, through a worker killed with SIGKILL mid-job, a Redis that
loses every queued message mid-job, and a row that fails at processing time.

Each test has queues of its own; the workers write mail to files the test counts and use the
live server's URL, so Digital Bazaar's verifier resolves the did:web and status lists from it.
"""

from __future__ import annotations

import json

import pytest
from django.conf import settings as django_settings

from badges import baking, dataintegrity, extension
from badges.jws import verify_assertion_jws
from badges.models import BadgeRecord
from badges.services import is_complete
from config.celery_app import app
from credentials.models import Award, BatchChunk, BatchItem, IssuingBatch
from credentials.services import batches
from issuers.keys import load_private_key
from issuers.models import AuditEvent
from tests.badges.node import node_verify_many
from tests.credentials.factories import ProgrammeVersionFactory
from tests.frameworks.fixtures import ensure_frameworks_loaded
from tests.support.batch_worker import (
    Workers,
    mails_by_recipient,
    routed_to_prefix,
    using_broker,
    wait_until,
    worker_env,
)
from tests.support.services import RedisServer

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

NODE_SAMPLE = 20
FINISHED = {IssuingBatch.State.COMPLETED, IssuingBatch.State.COMPLETED_WITH_ERRORS}


@pytest.fixture
def portal(live_server, settings):
    settings.PORTAL_BASE_URL = live_server.url
    ensure_frameworks_loaded()
    return live_server.url


@pytest.fixture
def version(portal, issuer_a):
    """A published version with every descriptor (the full credential)."""
    return ProgrammeVersionFactory(programme__issuer=issuer_a, programme__slug="ds-once")


@pytest.fixture
def workers(portal, redis_url, tmp_path):
    """Workers on this test's own queues of the shared Redis, mailing into tmp_path/mail."""
    with routed_to_prefix(app) as prefix:
        pool = Workers(
            broker_url=redis_url, database=django_settings.DATABASES["default"], prefix=prefix,
            env=worker_env(portal_url=portal, mailbox=tmp_path / "mail"),
        )  # fmt: skip
        try:
            yield pool
        finally:
            pool.stop_all()


def rows(count: int) -> list[dict]:
    return [
        {
            "email": f"once{i}@example.ac.jp",
            "name_ja": f"一度 太郎{i}",
            "name_en": f"Taro Ichido {i}",
            "student_number": f"S{i:06d}",
            "result": "pass",
            "score": f"{60 + i % 40}.5",
            "grade": "ABC"[i % 3],
            "assessed_on": "2026-10-01",
        }
        for i in range(count)
    ]


def start(settings, officer, version, listed, *, chunk_size: int) -> IssuingBatch:
    """Commits the job; its run_batch task goes to the worker on commit."""
    settings.BATCH_CHUNK_SIZE = chunk_size
    return batches.start_batch_from_list(actor=officer, programme_version=version, rows=listed)


def chunk_states(batch) -> dict:
    counts = dict.fromkeys(BatchChunk.State.values, 0)
    for state in BatchChunk.objects.filter(batch=batch).values_list("state", flat=True):
        counts[state] += 1
    return counts


def wait_mid_job(batch, *, timeout: float) -> dict:
    """Until some chunks are done and some are not."""

    def midway():
        states = chunk_states(batch)
        return states if 0 < states["done"] < sum(states.values()) - 1 else None

    return wait_until(midway, timeout=timeout, what="some chunks done, some not")


def wait_finished(batch, *, timeout: float) -> IssuingBatch:
    def finished():
        batch.refresh_from_db()
        return batch.state in FINISHED

    wait_until(finished, timeout=timeout, every=0.5, what=f"batch finished ({chunk_states(batch)})")
    return batch


def wait_mails_settled(batch, *, timeout: float) -> None:
    """Mail is sent after a chunk is done; wait until no item is waiting for it."""
    wait_until(
        lambda: not batch.items.filter(
            state=BatchItem.State.ISSUED, notification=BatchItem.Notification.NONE
        ).exists(),
        timeout=timeout,
        what="every issued item's mail claimed",
    )


# --- What "exactly once" means ---------------------------------------------------------------


def assert_issued_exactly_once(batch: IssuingBatch, *, expected: int, mailbox) -> list:
    items = list(batch.items.select_related("award", "learner"))
    issued = [item for item in items if item.state == BatchItem.State.ISSUED]
    assert len(issued) == expected
    learners = {item.learner_id for item in issued}
    assert len(learners) == expected

    awards = Award.objects.filter(programme_version=batch.programme_version, learner__in=learners)
    assert awards.count() == expected  # one award per learner
    assert set(awards.values_list("status", flat=True)) == {Award.Status.ISSUED}
    assert {item.award_id for item in issued} == set(awards.values_list("pk", flat=True))

    records = list(BadgeRecord.objects.filter(award__in=awards).select_related("award"))
    assert len(records) == expected  # one BadgeRecord per award
    assert all(is_complete(record) for record in records)
    indices = {(record.status_list_id, record.status_index) for record in records}
    assert len(indices) == expected  # every status index drawn once

    award_ids = {str(pk) for pk in awards.values_list("pk", flat=True)}
    record_ids = {str(record.pk) for record in records}
    issue_audits = AuditEvent.objects.filter(action="award.issue", target_id__in=award_ids)
    badge_audits = AuditEvent.objects.filter(action="badge.issue", target_id__in=record_ids)
    assert sorted(issue_audits.values_list("target_id", flat=True)) == sorted(award_ids)
    assert sorted(badge_audits.values_list("target_id", flat=True)) == sorted(record_ids)

    mails = mails_by_recipient(mailbox)
    assert max(mails.values(), default=0) <= 1  # at most once per learner
    emails = {item.learner.email for item in issued}
    assert set(mails) <= emails
    sent = batch.items.filter(notification=BatchItem.Notification.SENT)
    assert set(sent.values_list("email", flat=True)) == set(mails)
    return records


def assert_every_credential_verifies(records: list, *, sample: int = NODE_SAMPLE) -> None:
    """Every OB 3.0 proof and OB 2.0 signature checked here; a sample, from the baked image,
    by Digital Bazaar's verifier resolving the did:web and status list from the live server."""
    loader = extension.document_loader()
    public_keys = {}
    for record in records:
        for key in (record.ob3_signing_key, record.ob2_signing_key):
            if key.pk not in public_keys:
                public_keys[key.pk] = load_private_key(key).public_key()
        result = dataintegrity.verify_eddsa_rdfc_2022(
            record.ob3_credential,
            public_key=public_keys[record.ob3_signing_key.pk],
            document_loader=loader,
        )
        assert result.verified, (record.pk, result.errors)
        assertion = verify_assertion_jws(record.ob2_jws, public_keys[record.ob2_signing_key.pk])
        assert assertion["id"] == record.ob2_assertion["id"]
    step = max(len(records) // sample, 1)
    picked = records[::step][:sample]
    baked = []
    for record in picked:
        with record.ob3_svg.open("rb") as image:
            (found,) = baking.unbake(image.read())
        assert json.loads(found.payload) == record.ob3_credential
        baked.append(record.ob3_credential)
    results = node_verify_many(baked)
    assert results == [{"verified": True, "errors": []}] * len(picked)


# --- The tests --------------------------------------------------------------------------------


def test_a_worker_killed_mid_job_leaves_every_award_issued_exactly_once(
    settings, officer_a, version, workers, tmp_path
):
    total = 300
    first = workers.start(BATCH_CHUNKS_IN_FLIGHT=4)
    batch = start(settings, officer_a, version, rows(total), chunk_size=100)

    at_kill = wait_mid_job(batch, timeout=300)
    first.kill()
    workers.start(
        beat=True, BATCH_SWEEP_SECONDS=2, BATCH_STALL_SECONDS=20, CELERY_VISIBILITY_TIMEOUT=30
    )
    wait_finished(batch, timeout=600)
    wait_mails_settled(batch, timeout=60)

    assert batch.state == IssuingBatch.State.COMPLETED, at_kill
    assert (batch.total, batch.done_count, batch.failed_count) == (total, total, 0)
    records = assert_issued_exactly_once(batch, expected=total, mailbox=tmp_path / "mail")
    assert_every_credential_verifies(records)
