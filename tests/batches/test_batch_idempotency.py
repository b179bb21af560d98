"""Each stage of a batch chunk, called directly (no worker): a second run does nothing, a chunk
another worker holds is left alone at once, the sweep re-queues what stalled and gives up with
the reason, and a cancelled job takes no further chunk."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from badges import batches as stages
from badges.models import BadgeRecord
from credentials.models import Award, BatchChunk, BatchItem, IssuingBatch
from credentials.services import batches
from credentials.services.batches import starting
from credentials.services.notifications import notify_batch_chunk
from issuers.models import AuditEvent
from tests.frameworks.fixtures import ensure_frameworks_loaded

CHUNK = 3


def rows(count: int) -> list[dict]:
    return [
        {
            "email": f"twice{i}@example.ac.jp",
            "name_ja": f"二度 花子{i}",
            "result": "pass",
            "score": "90",
            "grade": "A",
            "assessed_on": "2026-10-01",
        }
        for i in range(count)
    ]


def running_batch(settings, officer, version, count: int = 2 * CHUNK) -> IssuingBatch:
    """A job started and its chunks queued, as run_batch would, but no task sent."""
    settings.BATCH_CHUNK_SIZE = CHUNK
    batch = batches.start_batch_from_list(
        actor=officer, programme_version=version, rows=rows(count)
    )
    IssuingBatch.objects.filter(pk=batch.pk).update(state=IssuingBatch.State.RUNNING)
    # What schedule() does, without sending the tasks (which, eager, would run them here).
    BatchChunk.objects.filter(batch=batch).update(
        state=BatchChunk.State.SIGNING, enqueued_at=timezone.now()
    )
    return batch


def footprint(batch) -> dict:
    """Everything a chunk run leaves behind, counted."""
    awards = Award.objects.filter(batch_items__batch=batch)
    records = BadgeRecord.objects.filter(award__in=awards)
    return {
        "awards": awards.count(),
        "issued": awards.filter(status=Award.Status.ISSUED).count(),
        "records": records.count(),
        "indices": len(set(records.values_list("status_list_id", "status_index"))),
        "award.issue": audits("award.issue", awards),
        "badge.issue": audits("badge.issue", records),
        "items issued": BatchItem.objects.filter(batch=batch, state=BatchItem.State.ISSUED).count(),
        "mails": len(mail.outbox),
    }


def audits(action: str, targets) -> int:
    ids = [str(pk) for pk in targets.values_list("pk", flat=True)]
    return AuditEvent.objects.filter(action=action, target_id__in=ids).count()


def rewind(batch, number: int, state: str) -> None:
    """As if a stale message (or the sweep) brought the chunk back to an earlier stage."""
    BatchChunk.objects.filter(batch=batch, number=number).update(state=state)


@pytest.mark.django_db
class TestRunningAStageTwice:
    def test_signing_twice_issues_each_award_once(self, settings, officer_a, version_a):
        batch = running_batch(settings, officer_a, version_a)
        assert stages.sign_chunk(batch.pk, 0) == CHUNK
        once = footprint(batch)
        assert once["awards"] == once["records"] == once["indices"] == CHUNK
        assert once["award.issue"] == once["badge.issue"] == CHUNK

        assert stages.sign_chunk(batch.pk, 0) == 0  # redelivered: the chunk is past signing
        rewind(batch, 0, BatchChunk.State.SIGNING)
        assert stages.sign_chunk(batch.pk, 0) == 0  # rewound: its items are past signing

        assert footprint(batch) == once

    def test_finishing_twice_issues_each_item_once(self, settings, officer_a, version_a):
        batch = running_batch(settings, officer_a, version_a)
        stages.sign_chunk(batch.pk, 0)
        assert stages.bake_chunk(batch.pk, 0) == CHUNK
        once = footprint(batch)
        assert once["items issued"] == CHUNK

        assert stages.bake_chunk(batch.pk, 0) == 0
        rewind(batch, 0, BatchChunk.State.BAKING)
        assert stages.bake_chunk(batch.pk, 0) == 0

        assert footprint(batch) == once
        assert set(batch.items.filter(chunk=0).values_list("state", flat=True)) == {"issued"}

    def test_notifying_twice_mails_each_learner_once(self, settings, officer_a, version_a):
        batch = running_batch(settings, officer_a, version_a)
        stages.sign_chunk(batch.pk, 0)
        stages.bake_chunk(batch.pk, 0)

        assert notify_batch_chunk(batch.pk, 0) == CHUNK
        assert notify_batch_chunk(batch.pk, 0) == 0

        assert sorted(m.to[0] for m in mail.outbox) == [f"twice{i}@example.ac.jp" for i in range(3)]
        assert set(batch.items.filter(chunk=0).values_list("notification", flat=True)) == {"sent"}


# --- Another worker holds it --------------------------------------------------------------------


class Holder:
    """Runs `hold` in a transaction on another thread (its own database connection) and keeps
    the transaction open until released, like a worker busy with a chunk."""

    def __init__(self, hold):
        self.hold, self.held, self.release = hold, threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._run)

    def _run(self):
        try:
            with transaction.atomic():
                self.hold()
                self.held.set()
                self.release.wait(timeout=60)
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        assert self.held.wait(timeout=10)
        return self

    def __exit__(self, *exc_info):
        self.release.set()
        self.thread.join(timeout=30)


@pytest.fixture
def world(transactional_db, officer_a, version_a, settings, monkeypatch):
    """A committed running job; its run_batch task is not sent (here it would run eagerly)."""
    ensure_frameworks_loaded()
    monkeypatch.setattr(starting, "dispatch_after_commit", lambda name, pk: None)
    return running_batch(settings, officer_a, version_a)


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_a_duplicate_delivery_of_a_chunk_being_signed_returns_at_once(world):
    batch = world
    with Holder(lambda: stages._locked_chunk(batch.pk, 0, BatchChunk.State.SIGNING)):
        signed, seconds = timed(lambda: stages.sign_chunk(batch.pk, 0))
        assert signed == 0 and seconds < 2
        assert footprint(batch)["awards"] == 0
    assert stages.sign_chunk(batch.pk, 0) == CHUNK  # released: the holder would have done it


def test_another_chunk_of_the_same_job_is_signed_while_one_is_held(world):
    # The lock is the chunk row's alone: not the joined batch, version or issuer rows.
    batch = world
    with Holder(lambda: stages._locked_chunk(batch.pk, 0, BatchChunk.State.SIGNING)):
        assert stages.sign_chunk(batch.pk, 1) == CHUNK


def test_a_chunk_is_signed_while_another_chunk_of_the_issuer_is_mid_signature(world):
    # A chunk's long transaction reads the issuer's signed status lists without locking them or
    # the issuer row, so the other workers' chunks claim indices and sign meanwhile. With those
    # rows locked they waited for its commit: bench_issue's cores stood 40 % idle (#15).
    batch = world
    slots = stages._claim_slots(batch.pk, 0)  # committed before the chunk's transaction

    def mid_signature():
        chunk = stages._locked_chunk(batch.pk, 0, BatchChunk.State.SIGNING)
        awarded = stages.record.award_chunk(chunk.batch, 0)
        assert stages._sign(chunk.batch, awarded, stages.Stopwatch(), slots) == CHUNK

    with Holder(mid_signature):
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '5s'")  # a wait fails the test, not hangs it
        try:
            assert stages.sign_chunk(batch.pk, 1) == CHUNK
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
    assert footprint(batch)["awards"] == 2 * CHUNK


def test_learners_are_mailed_while_the_job_row_is_locked(world):
    # finish_if_complete and schedule lock the batch row; mail must not skip on it.
    batch = world
    stages.sign_chunk(batch.pk, 0)
    stages.bake_chunk(batch.pk, 0)
    with Holder(lambda: IssuingBatch.objects.select_for_update().get(pk=batch.pk)):
        assert notify_batch_chunk(batch.pk, 0) == CHUNK


# --- The sweep and cancelling -------------------------------------------------------------------


def stall(batch, number: int, *, attempts: int = 0) -> None:
    BatchChunk.objects.filter(batch=batch, number=number).update(
        enqueued_at=timezone.now() - timedelta(hours=1), attempts=attempts
    )


@pytest.mark.django_db
def test_the_sweep_requeues_a_stalled_chunk(
    settings, officer_a, version_a, django_capture_on_commit_callbacks
):
    settings.BATCH_STALL_SECONDS = 60
    batch = running_batch(settings, officer_a, version_a)
    stall(batch, 0)

    with django_capture_on_commit_callbacks(execute=False) as sent:
        outcome = stages.sweep()

    assert outcome == {"started": 0, "requeued": 1, "given_up": 0, "mailed": 0}
    chunk = BatchChunk.objects.get(batch=batch, number=0)
    assert chunk.attempts == 1 and chunk.state == BatchChunk.State.SIGNING
    assert timezone.now() - chunk.enqueued_at < timedelta(seconds=30)
    assert len(sent) == 1  # the chunk's signing task, once it commits


@pytest.mark.django_db
def test_the_sweep_gives_up_after_the_last_attempt_with_the_reason_on_the_items(
    settings, officer_a, version_a, django_capture_on_commit_callbacks
):
    settings.BATCH_STALL_SECONDS = 60
    settings.BATCH_MAX_ATTEMPTS = 2
    batch = running_batch(settings, officer_a, version_a)
    stages.sign_chunk(batch.pk, 1)
    stages.bake_chunk(batch.pk, 1)
    stall(batch, 0, attempts=2)

    with django_capture_on_commit_callbacks(execute=False):
        outcome = stages.sweep()

    assert outcome["given_up"] == 1
    failed = batch.items.filter(chunk=0)
    assert set(failed.values_list("state", flat=True)) == {BatchItem.State.FAILED}
    item = failed.first()
    assert "2 attempts" in item.error_en and "2" in item.error_ja and item.error_ja != item.error_en
    batch.refresh_from_db()
    assert batch.state == IssuingBatch.State.COMPLETED_WITH_ERRORS
    assert (batch.done_count, batch.failed_count) == (CHUNK, CHUNK)
    assert not Award.objects.filter(batch_items__in=failed).exists()


@pytest.mark.django_db
def test_a_cancelled_job_takes_no_further_chunk(settings, officer_a, version_a):
    batch = running_batch(settings, officer_a, version_a, count=3 * CHUNK)
    stages.sign_chunk(batch.pk, 0)
    stages.bake_chunk(batch.pk, 0)

    batches.cancel_batch(actor=officer_a, batch=batch)

    # Chunks 1 and 2 were queued before the cancel: their tasks close them without work.
    assert stages.sign_chunk(batch.pk, 1) == stages.sign_chunk(batch.pk, 2) == 0
    assert stages.schedule(batch.pk) == []
    stages.run_inline(batch.pk)
    assert footprint(batch)["awards"] == CHUNK  # the chunk done before stays issued
    assert set(BatchChunk.objects.filter(batch=batch).values_list("state", flat=True)) == {
        BatchChunk.State.DONE
    }
    assert set(batch.items.exclude(chunk=0).values_list("state", flat=True)) == {"pending"}
    batch.refresh_from_db()
    assert batch.state == IssuingBatch.State.CANCELLED


@pytest.mark.django_db
def test_the_sweep_resends_mail_whose_message_was_lost_and_nobody_is_mailed_twice(
    settings, officer_a, version_a, django_capture_on_commit_callbacks
):
    settings.BATCH_STALL_SECONDS = 60
    batch = running_batch(settings, officer_a, version_a)
    for number in (0, 1):
        stages.sign_chunk(batch.pk, number)
        stages.bake_chunk(batch.pk, number)  # its notify message (on commit) never sent
    notify_batch_chunk(batch.pk, 1)
    batch.items.update(updated_at=timezone.now() - timedelta(hours=1))

    outcome = stages.sweep()  # eager: the re-sent notify runs here

    assert outcome["mailed"] == 1  # chunk 0 only; chunk 1 was mailed
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        f"twice{i}@example.ac.jp" for i in range(2 * CHUNK)
    )
    assert stages.sweep()["mailed"] == 0
    assert len(mail.outbox) == 2 * CHUNK
