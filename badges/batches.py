"""Batch issuing, the envelope side. A job runs as a window of chunks in flight; each chunk is

1. signed (queue `signing`): its awards are issued in the record, status indices drawn, OB 3.0
   and OB 2.0 signed, BadgeRecords written, in ONE transaction, so a crash leaves nothing half
   made and a second run finds the chunk past that stage;
2. finished (queue `baking`, task `badges.bake_batch_chunk`, chunk state BAKING: names kept
   from when this stage baked and wrote four images per award; the images are now made when
   asked for, badges.baked): its items marked issued, the chunk done, the job finished when it
   was the last chunk;
3. its learners notified (queue `mail`, credentials.notify_batch_chunk).

Every stage locks its chunk row (SKIP LOCKED: a duplicate delivery of a running chunk returns
at once) and checks the chunk's state first, so a task run twice does its work once. Lost
messages (a killed worker, a restarted Redis) are re-queued by :func:`sweep`, driven by beat.
"""

from __future__ import annotations

import logging
import resource
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from badges import dataintegrity, ob2, ob3, status, vc_jwt
from badges.jsonld import JsonLdProcessingError
from badges.models import BadgeRecord
from badges.ob3_batch import Ob3BatchSigner
from common.bulk import create_objects
from credentials.models import Award, BatchChunk, BatchItem, IssuingBatch
from credentials.representations import award_event_payload
from credentials.selectors import award_learner_names
from credentials.services import batches as record
from frameworks.i18n import in_both
from issuers import webhooks
from issuers.keys import load_private_key
from issuers.models import SigningKey
from issuers.selectors import active_signing_key
from issuers.services import audit_event, ensure_signing_keys, record_audits

logger = logging.getLogger(__name__)

RUN_BATCH_TASK = "badges.run_batch"
SIGN_TASK = "badges.sign_batch_chunk"
BAKE_TASK = "badges.bake_batch_chunk"
NOTIFY_TASK = "credentials.notify_batch_chunk"

SIGN_SLICE = 100

SIGNING_FAILED = _("The credential could not be signed: %(reason)s")
GAVE_UP = _("Not processed after %(attempts)s attempts; start a new batch for this row.")


def _setting(name: str, default):
    return getattr(settings, name, default)


def chunks_in_flight() -> int:
    return int(_setting("BATCH_CHUNKS_IN_FLIGHT", 4))


def stall_after() -> timedelta:
    return timedelta(seconds=int(_setting("BATCH_STALL_SECONDS", 300)))


def max_attempts() -> int:
    return int(_setting("BATCH_MAX_ATTEMPTS", 5))


def _eager() -> bool:
    from celery import current_app as app

    return bool(app.conf.task_always_eager)


def _send(name: str, *args) -> None:
    from celery import current_app as app

    app.tasks[name].delay(*args)


def _send_after_commit(name: str, *args) -> None:
    # robust: if the broker is down the chunk keeps its state and the sweep sends it again.
    transaction.on_commit(lambda: _send(name, *args), robust=True)


class Stopwatch:
    """Milliseconds per stage, summed over a chunk."""

    def __init__(self):
        self.ms: dict[str, float] = defaultdict(float)
        self.paths: dict[str, int] = {}

    @contextmanager
    def stage(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.ms[name] += (time.perf_counter() - start) * 1000

    def add(self, name: str, ms: float) -> None:
        self.ms[name] += ms

    def as_metrics(self, count: int) -> dict:
        # ru_maxrss is in KiB on Linux: this worker process's peak so far.
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        metrics = {
            "count": count,
            "ms": {name: round(value, 3) for name, value in self.ms.items()},
            "peak_rss_mb": round(peak_kib / 1024, 1),
        }
        if self.paths:
            metrics["paths"] = self.paths
        return metrics


# --- Scheduling ---------------------------------------------------------------------------


def run_batch(batch_pk: int) -> None:
    """Start (or resume) a job: mark it running and fill the window of chunks in flight."""
    with transaction.atomic():
        batch = IssuingBatch.objects.select_for_update().get(pk=batch_pk)
        if batch.is_finished:
            return
        if batch.state == IssuingBatch.State.QUEUED:
            batch.state = IssuingBatch.State.RUNNING
            batch.started_at = timezone.now()
            batch.save(update_fields=["state", "started_at", "updated_at"])
        # A job whose every item failed on reading has no chunk to run.
        record.finish_if_complete(batch.pk)
    if _eager():
        run_inline(batch_pk)
    else:
        schedule(batch_pk)


def schedule(batch_pk: int) -> list[int]:
    """Queue pending chunks up to the window. Returns the chunk numbers queued."""
    with transaction.atomic():
        batch = IssuingBatch.objects.select_for_update().get(pk=batch_pk)
        if batch.state != IssuingBatch.State.RUNNING:
            return []
        chunks = BatchChunk.objects.filter(batch=batch)
        busy = chunks.filter(state__in=[BatchChunk.State.SIGNING, BatchChunk.State.BAKING]).count()
        free = max(chunks_in_flight() - busy, 0)
        picked = list(chunks.filter(state=BatchChunk.State.PENDING).order_by("number")[:free])
        now = timezone.now()
        for chunk in picked:
            chunk.state = BatchChunk.State.SIGNING
            chunk.enqueued_at = now
        BatchChunk.objects.bulk_update(picked, ["state", "enqueued_at"])
        for chunk in picked:
            _send_after_commit(SIGN_TASK, batch_pk, chunk.number)
    return [chunk.number for chunk in picked]


def run_inline(batch_pk: int) -> None:
    """Eager mode (the demo, most tests): every chunk, one after the other, in this process,
    without the recursion that chained eager tasks would build."""
    while True:
        with transaction.atomic():
            batch = IssuingBatch.objects.select_for_update().get(pk=batch_pk)
            if batch.state != IssuingBatch.State.RUNNING:
                return
            chunk = (
                BatchChunk.objects.filter(batch=batch)
                .exclude(state=BatchChunk.State.DONE)
                .order_by("number")
                .first()
            )
            if chunk is None:
                record.finish_if_complete(batch_pk)
                return
            if chunk.state == BatchChunk.State.PENDING:
                chunk.state = BatchChunk.State.SIGNING
                chunk.save(update_fields=["state"])
        sign_chunk(batch_pk, chunk.number)
        bake_chunk(batch_pk, chunk.number)
        if batch.notify_learners:
            _send(NOTIFY_TASK, batch_pk, chunk.number)


def _locked_chunk(batch_pk: int, number: int, state: str) -> BatchChunk | None:
    """The chunk, locked, if it is at `state` and no other worker holds it."""
    # of=self: without it PostgreSQL also locks the joined batch, version and issuer rows, and
    # SKIP LOCKED then skips every other chunk of the batch while one is being worked on.
    chunk = (
        BatchChunk.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("batch__programme_version__programme__issuer")
        .filter(batch_id=batch_pk, number=number)
        .first()
    )
    if chunk is None or chunk.state != state:
        return None
    return chunk


# --- Signing ----------------------------------------------------------------------------------


def sign_chunk(batch_pk: int, number: int) -> int:
    """Stage 1. Returns the number of awards signed (0 if the chunk was not at this stage)."""
    watch = Stopwatch()
    with watch.stage("database"):
        slots = _claim_slots(batch_pk, number)
    if slots is None:
        return 0
    with transaction.atomic():
        chunk = _locked_chunk(batch_pk, number, BatchChunk.State.SIGNING)
        if chunk is None:
            return 0
        batch = chunk.batch
        if batch.state == IssuingBatch.State.CANCELLED:
            chunk.state = BatchChunk.State.DONE
            chunk.save(update_fields=["state"])
            return 0
        with watch.stage("database"):
            awarded = record.award_chunk(batch, number)
        signed = _sign(batch, awarded, watch, slots)
        chunk.state = BatchChunk.State.BAKING
        chunk.enqueued_at = timezone.now()
        chunk.metrics = {"sign": watch.as_metrics(signed)}
        chunk.save(update_fields=["state", "enqueued_at", "metrics"])
        if not _eager():
            _send_after_commit(BAKE_TASK, batch_pk, number)
    return signed


def _claim_slots(batch_pk: int, number: int) -> list | None:
    """Status indices for the chunk's waiting items, claimed and committed BEFORE the chunk's
    long transaction, so that chunks of one issuer sign in parallel (the claim locks the
    issuer's list for milliseconds). None if the chunk is not waiting to be signed."""
    chunk = (
        BatchChunk.objects.select_related("batch__issuer")
        .filter(batch_id=batch_pk, number=number, state=BatchChunk.State.SIGNING)
        .first()
    )
    if chunk is None:
        return None
    waiting = BatchItem.objects.filter(
        batch_id=batch_pk, chunk=number, state=BatchItem.State.PENDING
    ).count()
    issuer = chunk.batch.issuer
    with transaction.atomic():
        # Keys made (if missing) and lists signed here, in short transactions of their own: done
        # inside the chunk's transaction they would hold the issuer and list rows until it
        # commits, and chunks of one issuer would sign one after the other.
        ensure_signing_keys(issuer)
    slots = status.claim_status_indices(issuer, waiting)
    for status_list in {slot[0].pk: slot[0] for slot in slots}.values():
        # The lists must be signed before a verifier follows a credential to them: the
        # revocation list and its paired suspension list, here, outside the chunk's transaction.
        status.signed_status_list_credential(status_list)
        status.signed_status_list_credential(status.suspension_list_for(status_list))
    return slots


def _sign(batch: IssuingBatch, awarded: list, watch: Stopwatch, slots: list) -> int:
    """Sign what the chunk's awards lack; returns how many badge records were made."""
    issuer = batch.issuer
    version = batch.programme_version
    with watch.stage("database"):
        have = set(
            BadgeRecord.objects.filter(award__in=[award for _item, award in awarded]).values_list(
                "award_id", flat=True
            )
        )
        todo = [(item, award) for item, award in awarded if award.pk not in have]
        # Their evidence files in one query (the credentials name them; usually none).
        prefetch_related_objects(
            [award.assessment for _item, award in todo if award.assessment_id],
            "evidence_files",
        )
        keys = {
            algorithm: active_signing_key(issuer, algorithm)
            for algorithm in (SigningKey.Algorithm.ED25519, SigningKey.Algorithm.RSA2048)
        }
        if len(slots) < len(todo):  # items added since the claim (not expected): claim more
            extra = status.claim_status_indices(issuer, len(todo) - len(slots))
            for slot in extra:
                status.signed_status_list_credential(slot[0])
            slots = slots + extra
        slots = slots[: len(todo)]
        # Each revocation list's paired suspension list (signed when the slots were claimed;
        # a signed list is only read here, so the chunk's transaction locks neither).
        suspensions = {}
        for status_list, _index in slots:
            if status_list.pk not in suspensions:
                suspension = status.suspension_list_for(status_list)
                status.signed_status_list_credential(suspension)
                suspensions[status_list.pk] = suspension
    ob3_key, ob2_key = keys["ed25519"], keys["rsa2048"]
    ob2_private = load_private_key(ob2_key)
    # The issuer may want each credential as a VC-JWT too (badges/vc_jwt.py).
    jwt_key = load_private_key(ob3_key) if issuer.issue_vc_jwt else None
    jwt_method = ob3.verification_method_id(ob3_key)
    signer = Ob3BatchSigner(version, ob3_key, created=dataintegrity.now_date_time_stamp())
    signed_awards = set(have)
    # Slices: a signed credential is ~100 KB of Python objects; a worker holds one slice of
    # them at a time, not the whole chunk.
    for start in range(0, len(todo), SIGN_SLICE):
        records, failed = [], []
        for (item, award), (status_list, index) in zip(
            todo[start : start + SIGN_SLICE], slots[start : start + SIGN_SLICE], strict=True
        ):
            award.programme_version = version  # shares the chunk's loaded version and issuer
            record_ = BadgeRecord(
                award=award,
                status_list=status_list,
                status_index=index,
                suspension_list=suspensions[status_list.pk],
            )
            try:
                record_.ob3_credential = signer.sign_record(record_)
                record_.ob3_signing_key = ob3_key
                if jwt_key is not None:
                    record_.ob3_jwt = vc_jwt.sign_vc_jwt(
                        record_.ob3_credential,
                        private_key=jwt_key,
                        verification_method=jwt_method,
                    )
                with watch.stage("sign_ob2"):
                    record_.ob2_assertion, record_.ob2_jws = ob2.signed_assertion_for(
                        record_, key=ob2_key, private_key=ob2_private
                    )
                record_.ob2_signing_key = ob2_key
            except (dataintegrity.DataIntegrityError, JsonLdProcessingError, ValueError) as error:
                failed.append((item, award, error))
                continue
            records.append(record_)
        with watch.stage("database"):
            _fail_unsigned(failed, batch)
            create_objects(records)
            record_audits([_issue_audit(r, batch) for r in records])
            _announce(issuer, [r.award for r in records])
        signed_awards.update(record_.award_id for record_ in records)
    # The signer's own stages: compose, canonicalise, sign (OB 3.0), full (records that took
    # the full pyld path), setup (shared parts, templates, first-record checks).
    for stage, seconds in signer.timings.items():
        watch.add("sign_ob3" if stage == "sign" else stage, seconds * 1000)
    watch.paths = dict(signer.paths)
    with watch.stage("database"):
        items = [item for item, award in awarded if award.pk in signed_awards]
        for item in items:
            item.state = BatchItem.State.SIGNED
        record.save_items(items)
    return len(signed_awards - have)


def _fail_unsigned(failed: list, batch: IssuingBatch) -> None:
    """Items whose credential could not be signed: reported, and their award put back to
    pending (it was issued in this very transaction, so nothing outside has seen it)."""
    items, audits = [], []
    for item, award, error in failed:
        logger.warning("Batch item %s: signing failed: %s", item.pk, error)
        item.state = BatchItem.State.FAILED
        item.error_ja, item.error_en = in_both(SIGNING_FAILED, {"reason": str(error)})
        items.append(item)
        award.status = Award.Status.PENDING
        award.issued_at = award.expires_at = award.approved_by = None
        award.save(update_fields=["status", "issued_at", "expires_at", "approved_by", "updated_at"])
        audits.append(
            audit_event(
                actor=None, action="badge.sign_failed", target=award, issuer=batch.issuer,
                details={"batch": str(batch.public_id), "reason": str(error)},
            )
        )  # fmt: skip
    record.save_items(items)
    record_audits(audits)


def _issue_audit(record_: BadgeRecord, batch: IssuingBatch):
    return audit_event(
        actor=None, action="badge.issue", target=record_, issuer=batch.issuer,
        details={
            "award": str(record_.award.public_id),
            "batch": str(batch.public_id),
            "status_list": str(record_.status_list.public_id),
            "status_index": record_.status_index,
            "ob3_key": record_.ob3_signing_key.key_id,
            "ob2_key": record_.ob2_signing_key.key_id,
        },
    )  # fmt: skip


def _announce(issuer, awards: list) -> None:
    """award.issued webhooks, only when the issuer has an endpoint for them."""
    if not any(
        "award.issued" in endpoint.events
        for endpoint in issuer.webhook_endpoints.filter(is_active=True)
    ):
        return
    names = award_learner_names(awards)  # one query, not one per award
    for award in awards:
        webhooks.emit(issuer, "award.issued", award_event_payload(award, names))


# --- Finishing --------------------------------------------------------------------------------


def bake_chunk(batch_pk: int, number: int) -> int:
    """Stage 2: the chunk's signed items become issued and the chunk done, in one transaction
    (so the notification and the next chunks follow exactly once). Nothing is baked: the images
    are made from the signed badges when asked for (badges.baked). Returns the number of items
    issued (0 if the chunk was not at this stage)."""
    watch = Stopwatch()
    with transaction.atomic():
        chunk = _locked_chunk(batch_pk, number, BatchChunk.State.BAKING)
        if chunk is None:
            return 0
        batch = chunk.batch
        with watch.stage("database"):
            # One statement: only the state moves (learner, award and reason were set when
            # the chunk was signed).
            issued = BatchItem.objects.filter(
                batch=batch, chunk=number, state=BatchItem.State.SIGNED
            ).update(state=BatchItem.State.ISSUED, updated_at=timezone.now())
        # Measured before it is written: the chunk's own save is not in its figures.
        chunk.state = BatchChunk.State.DONE
        chunk.finished_at = timezone.now()
        chunk.metrics = {**chunk.metrics, "bake": watch.as_metrics(issued)}
        chunk.save(update_fields=["state", "finished_at", "metrics"])
        record.finish_if_complete(batch_pk)
        if not _eager():
            if batch.notify_learners:
                _send_after_commit(NOTIFY_TASK, batch_pk, number)
            transaction.on_commit(lambda: schedule(batch_pk), robust=True)
    return issued


# --- Recovery -----------------------------------------------------------------------------


def sweep() -> dict:
    """Re-queue what a lost message left behind (beat runs it every BATCH_SWEEP_SECONDS):
    queued jobs never started, chunks whose stage task has not finished within
    BATCH_STALL_SECONDS. A chunk that keeps failing is given up after BATCH_MAX_ATTEMPTS:
    its unfinished items fail with the reason, and the job completes."""
    cutoff = timezone.now() - stall_after()
    started = 0
    for batch_pk in IssuingBatch.objects.filter(
        state=IssuingBatch.State.QUEUED, created_at__lt=cutoff
    ).values_list("pk", flat=True):
        _send(RUN_BATCH_TASK, batch_pk)
        started += 1
    requeued, given_up = 0, 0
    stalled = BatchChunk.objects.filter(
        batch__state=IssuingBatch.State.RUNNING,
        state__in=[BatchChunk.State.SIGNING, BatchChunk.State.BAKING],
        enqueued_at__lt=cutoff,
    ).values_list("pk", flat=True)
    for chunk_pk in stalled:
        outcome = _requeue(chunk_pk, cutoff)
        requeued += outcome == "requeued"
        given_up += outcome == "given_up"
    running = list(
        IssuingBatch.objects.filter(state=IssuingBatch.State.RUNNING).values_list("pk", flat=True)
    )
    for batch_pk in running:
        schedule(batch_pk)
        with transaction.atomic():
            record.finish_if_complete(batch_pk)
    mailed = _renotify(cutoff)
    return {"started": started, "requeued": requeued, "given_up": given_up, "mailed": mailed}


def _renotify(cutoff) -> int:
    """Chunks with issued items whose mail was never claimed since before the cutoff: their
    message was lost (a worker killed between a chunk's commit and sending it, a restarted
    Redis). Sent again; notify claims each item once, so nobody is mailed twice. Only jobs
    running or finished within a day, so old jobs are not scanned on every sweep."""
    since = timezone.now() - timedelta(days=1)
    chunks = list(
        BatchItem.objects.filter(
            Q(batch__finished_at__isnull=True) | Q(batch__finished_at__gte=since),
            batch__notify_learners=True,
            state=BatchItem.State.ISSUED,
            notification=BatchItem.Notification.NONE,
            updated_at__lt=cutoff,
        )
        .values_list("batch_id", "chunk")
        .order_by()  # no default ordering columns in the DISTINCT
        .distinct()
    )
    for batch_pk, number in chunks:
        _send(NOTIFY_TASK, batch_pk, number)
    return len(chunks)


def _requeue(chunk_pk: int, cutoff) -> str:
    with transaction.atomic():
        chunk = (
            BatchChunk.objects.select_for_update(skip_locked=True)
            .filter(pk=chunk_pk, enqueued_at__lt=cutoff)
            .first()
        )
        if chunk is None:  # a worker holds it (still running) or it moved on
            return "busy"
        chunk.attempts += 1
        if chunk.attempts > max_attempts():
            _give_up(chunk)
            return "given_up"
        chunk.enqueued_at = timezone.now()
        chunk.save(update_fields=["attempts", "enqueued_at"])
        task = SIGN_TASK if chunk.state == BatchChunk.State.SIGNING else BAKE_TASK
        _send_after_commit(task, chunk.batch_id, chunk.number)
    return "requeued"


def _give_up(chunk: BatchChunk) -> None:
    ja, en = in_both(GAVE_UP, {"attempts": chunk.attempts - 1})
    unfinished = BatchItem.objects.filter(
        batch_id=chunk.batch_id,
        chunk=chunk.number,
        state__in=[BatchItem.State.PENDING, BatchItem.State.SIGNED],
    )
    unfinished.update(
        state=BatchItem.State.FAILED, error_ja=ja, error_en=en, updated_at=timezone.now()
    )
    chunk.state = BatchChunk.State.DONE
    chunk.finished_at = timezone.now()
    chunk.save(update_fields=["attempts", "state", "finished_at"])
    record.finish_if_complete(chunk.batch_id)
