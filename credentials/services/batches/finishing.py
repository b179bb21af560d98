"""Finishing a batch: once no item is waiting, the job is completed (with or without errors)
exactly once, audited, announced by the `batch.completed` webhook, and the stacks its
learners completed are issued by a follow-up job."""

from collections import defaultdict

from django.utils import timezone

from credentials.models import Award, BatchItem, IssuingBatch, Learner
from credentials.representations import batch_event_payload
from issuers import webhooks
from issuers.services import record_audit

from ..stacks import stack_plan
from .counts import item_counts
from .starting import start_stack_batch


def finish_if_complete(batch_pk: int) -> IssuingBatch | None:
    """Complete the batch if nothing is left to do (caller's transaction). Returns the batch
    when this call completed it, None otherwise (still running, or finished before)."""
    batch = (
        IssuingBatch.objects.select_for_update(of=("self",))
        .select_related("programme_version__programme", "issuer")
        .get(pk=batch_pk)
    )
    if batch.state not in (IssuingBatch.State.RUNNING, IssuingBatch.State.QUEUED):
        return None
    counts = item_counts(batch)
    if counts["pending"] or counts["signed"]:
        return None
    batch.state = (
        IssuingBatch.State.COMPLETED_WITH_ERRORS if counts["failed"]
        else IssuingBatch.State.COMPLETED
    )  # fmt: skip
    batch.done_count = counts["issued"] + counts["skipped"]
    batch.failed_count = counts["failed"]
    batch.finished_at = timezone.now()
    batch.save(update_fields=["state", "done_count", "failed_count", "finished_at", "updated_at"])
    record_audit(
        actor=None, action="batch.complete", target=batch, issuer=batch.issuer,
        details={"public_id": str(batch.public_id), **counts},
    )  # fmt: skip
    start_follow_ups(batch)  # first, so that the event names them
    webhooks.emit(batch.issuer, "batch.completed", batch_event_payload(batch))
    return batch


def start_follow_ups(batch: IssuingBatch) -> list[IssuingBatch]:
    """One follow-up job per stacked programme version the batch's learners completed."""
    learner_ids = set(
        batch.items.filter(state=BatchItem.State.ISSUED).values_list("learner_id", flat=True)
    )
    by_version = defaultdict(list)
    for requirement, version, learner_id, components in stack_plan(learner_ids):
        by_version[version].append(
            {
                "learner": learner_id,
                "stack_requirement": requirement.pk,
                "components": [c.pk for c in components if isinstance(c, Award)],
                "recognitions": [c.pk for c in components if not isinstance(c, Award)],
            }
        )
    follow_ups = []
    emails = {}
    if by_version:
        emails = dict(Learner.objects.filter(pk__in=learner_ids).values_list("pk", "email"))
    for version, entries in by_version.items():
        for entry in entries:
            entry["email"] = emails.get(entry["learner"], "")
        follow_ups.append(start_stack_batch(parent=batch, version=version, entries=entries))
    return follow_ups
