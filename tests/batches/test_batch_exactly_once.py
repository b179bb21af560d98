"""Exactly once, proven on real processes: batch jobs run by `celery worker` processes on the
test PostgreSQL database and Redis, through a worker killed with SIGKILL mid-job, a Redis that
loses every queued message mid-job, and a row that fails at processing time.

Each test has queues of its own; the workers write mail to files the test counts and use the
live server's URL, so Digital Bazaar's verifier resolves the did:web and status lists from it.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager

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
from tests.badges.node import assert_verified_and_clear, node_verify_many
from tests.credentials.factories import EnrolmentFactory, LearnerFactory, ProgrammeVersionFactory
from tests.frameworks.fixtures import ensure_frameworks_loaded
from tests.support.baked_images import served_image
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


@contextmanager
def workers_on(broker_url: str, portal: str, tmp_path):
    """Workers on this test's own queues, mailing into tmp_path/mail, logging to tmp_path."""
    with routed_to_prefix(app) as prefix:
        pool = Workers(
            broker_url=broker_url, database=django_settings.DATABASES["default"], prefix=prefix,
            env=worker_env(portal_url=portal, mailbox=tmp_path / "mail"), logs=tmp_path,
        )  # fmt: skip
        try:
            yield pool
        finally:
            pool.stop_all()


@pytest.fixture
def workers(portal, redis_url, tmp_path):
    with workers_on(redis_url, portal, tmp_path) as pool:
        yield pool


@pytest.fixture
def private_redis():
    """A Redis of this test's own, which it may kill without harming anyone else's."""
    server = RedisServer()
    server.start()
    try:
        with using_broker(app, server.url):
            yield server
    finally:
        server.kill()


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


def wait_mid_job(batch, *, timeout: float, done: int = 3) -> dict:
    """Until `done` chunks are done and at least two are not."""

    def midway():
        states = chunk_states(batch)
        return states if done <= states["done"] < sum(states.values()) - 1 else None

    return wait_until(midway, timeout=timeout, what="some chunks done, some not")


def wait_finished(batch, *, timeout: float) -> IssuingBatch:
    def finished():
        batch.refresh_from_db()
        return batch.state in FINISHED

    wait_until(finished, timeout=timeout, every=0.5, what=f"batch finished ({chunk_states(batch)})")
    return batch


def wait_mails_settled(batch, *, timeout: float) -> None:
    """Mail goes out after a chunk is done: wait until every issued item's mail is claimed
    and none is being sent any more (an item a killed worker left `sending` stays so)."""
    issued = batch.items.filter(state=BatchItem.State.ISSUED)
    sending = []

    def settled():
        if issued.filter(notification=BatchItem.Notification.NONE).exists():
            return False
        sending.append(issued.filter(notification=BatchItem.Notification.SENDING).count())
        return sending[-1] == 0 or sending[-6:] == [sending[-1]] * 6

    wait_until(settled, timeout=timeout, every=0.5, what="every issued item's mail sent")


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
    sent = set(
        batch.items.filter(notification=BatchItem.Notification.SENT).values_list("email", flat=True)
    )
    # Sent: mailed. Still `sending`: a worker was killed while mailing them (mailed or not).
    sending = set(
        batch.items.filter(notification=BatchItem.Notification.SENDING).values_list(
            "email", flat=True
        )
    )
    assert sent <= set(mails) <= sent | sending
    assert len(sending) <= 2 * batch.chunk_size  # at most a chunk per killed worker process
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
        (found,) = baking.unbake(served_image(record, "ob3.svg"))
        assert json.loads(found.payload) == record.ob3_credential
        baked.append(record.ob3_credential)
    results = node_verify_many(baked)
    for result in results:
        assert_verified_and_clear(result)
    assert len(results) == len(picked)


# --- The tests --------------------------------------------------------------------------------


def test_a_worker_killed_mid_job_leaves_every_award_issued_exactly_once(
    settings, officer_a, version, workers, tmp_path
):
    total = 2_000
    first = workers.start(BATCH_CHUNKS_IN_FLIGHT=4)
    batch = start(settings, officer_a, version, rows(total), chunk_size=100)

    at_kill = wait_mid_job(batch, timeout=300)
    first.kill()
    assert at_kill["signing"] + at_kill["baking"] > 0  # chunks were in flight
    workers.start(
        beat=True, BATCH_SWEEP_SECONDS=2, BATCH_STALL_SECONDS=10, CELERY_VISIBILITY_TIMEOUT=30
    )
    wait_finished(batch, timeout=600)
    wait_mails_settled(batch, timeout=60)

    assert batch.state == IssuingBatch.State.COMPLETED, at_kill
    assert (batch.total, batch.done_count, batch.failed_count) == (total, total, 0)
    records = assert_issued_exactly_once(batch, expected=total, mailbox=tmp_path / "mail")
    assert_every_credential_verifies(records)


def test_a_redis_restart_mid_job_loses_every_queued_message_and_the_job_still_completes_once(
    settings, officer_a, version, portal, private_redis, tmp_path
):
    total = 600
    with workers_on(private_redis.url, portal, tmp_path) as workers:
        workers.start(
            beat=True, BATCH_SWEEP_SECONDS=2, BATCH_STALL_SECONDS=10, CELERY_VISIBILITY_TIMEOUT=30
        )
        batch = start(settings, officer_a, version, rows(total), chunk_size=50)
        at_restart = wait_mid_job(batch, timeout=300)

        private_redis.kill()  # nothing saved: every queued and unacknowledged message is gone
        time.sleep(1)
        private_redis.start()

        wait_finished(batch, timeout=600)
        wait_mails_settled(batch, timeout=60)

    assert batch.state == IssuingBatch.State.COMPLETED, at_restart
    assert (batch.total, batch.done_count, batch.failed_count) == (total, total, 0)
    records = assert_issued_exactly_once(batch, expected=total, mailbox=tmp_path / "mail")
    assert_every_credential_verifies(records)


def test_a_row_failing_at_processing_time_is_reported_and_the_rest_is_issued(
    settings, officer_a, issuer_a, version, workers, tmp_path
):
    total, bad_line = 120, 77
    listed = rows(total)
    # Another learner already holds the row's student number at this issuer: reading the list
    # cannot know it, only processing the row against the record does.
    EnrolmentFactory(
        issuer=issuer_a, learner=LearnerFactory(email="holder@example.ac.jp"),
        student_number=listed[bad_line - 1]["student_number"],
    )  # fmt: skip
    workers.start()
    batch = start(settings, officer_a, version, listed, chunk_size=50)
    assert not batch.items.filter(state=BatchItem.State.FAILED).exists()

    wait_finished(batch, timeout=300)
    wait_mails_settled(batch, timeout=60)

    assert batch.state == IssuingBatch.State.COMPLETED_WITH_ERRORS
    assert (batch.total, batch.done_count, batch.failed_count) == (total, total - 1, 1)
    failed = batch.items.get(state=BatchItem.State.FAILED)
    assert failed.line == bad_line and failed.award is None
    assert listed[bad_line - 1]["student_number"] in failed.error_en
    assert "student number" in failed.error_en
    assert "学籍番号" in failed.error_ja
    assert not Award.objects.filter(learner__email=failed.email, programme_version=version).exists()
    records = assert_issued_exactly_once(batch, expected=total - 1, mailbox=tmp_path / "mail")
    assert failed.email not in mails_by_recipient(tmp_path / "mail")
    assert_every_credential_verifies(records, sample=5)
