"""Reads for batch jobs: the jobs a staff member may see, and where a job is. The staff job
page and the API describe a job with the same batch_progress()."""

from django.db.models import Count, QuerySet
from django.utils import timezone

from issuers.permissions import Action
from issuers.selectors import issuers_for_user

from .models import BatchItem, IssuingBatch, Programme, ProgrammeVersion
from .services.batches import item_counts


def batches_for_user(user, action: Action = Action.VIEW) -> QuerySet[IssuingBatch]:
    return IssuingBatch.objects.filter(issuer__in=issuers_for_user(user, action)).select_related(
        "issuer", "programme_version__programme", "started_by", "api_client", "parent"
    )


def batch_counts(batch: IssuingBatch) -> dict[str, int]:
    """issued, skipped, failed and waiting (pending + signed), with done = issued + skipped.
    From the items, so it holds while the job runs and after a cancel (chunks already taken
    still finish)."""
    counts = item_counts(batch)
    return {
        "issued": counts["issued"],
        "skipped": counts["skipped"],
        "failed": counts["failed"],
        "waiting": counts["pending"] + counts["signed"],
        "done": counts["issued"] + counts["skipped"],
    }


def mail_counts(batch: IssuingBatch) -> dict[str, int]:
    """Learner mails: sent, sending (claimed but never confirmed: the worker stopped while
    sending; never sent twice, so these learners may not have their mail) and failed."""
    counts = dict.fromkeys(("sent", "sending", "failed"), 0)
    for row in (
        batch.items.exclude(notification="").values("notification").annotate(n=Count("id"))
    ).order_by():
        counts[row["notification"]] = row["n"]
    return counts


def batch_progress(batch: IssuingBatch, *, now=None) -> dict:
    """State, counts, percent, rate (items done per second since the job started) and the
    estimated seconds left at that rate (None while nothing is done yet, or when cancelled)."""
    counts = batch_counts(batch)
    processed = counts["done"] + counts["failed"]
    end = batch.finished_at or now or timezone.now()
    elapsed = (end - batch.started_at).total_seconds() if batch.started_at else 0.0
    rate = counts["done"] / elapsed if elapsed > 0 else 0.0
    if not counts["waiting"]:
        eta = 0
    elif rate > 0 and not batch.is_finished:
        eta = round(counts["waiting"] / rate)
    else:
        eta = None
    return {
        "id": str(batch.public_id),
        "state": batch.state,
        "finished": batch.is_finished,
        "total": batch.total,
        "counts": counts,
        "mail": mail_counts(batch) if batch.notify_learners else None,
        # Floor, so that 100 means every item is through.
        "percent": processed * 100 // batch.total if batch.total else 100,
        "rate": round(rate, 2),
        "eta_seconds": eta,
        "elapsed_seconds": round(elapsed, 1),
        "created_at": batch.created_at,
        "started_at": batch.started_at,
        "finished_at": batch.finished_at,
    }


def failed_items(batch: IssuingBatch) -> QuerySet[BatchItem]:
    return batch.items.filter(state=BatchItem.State.FAILED).order_by("line")


def batch_versions_for_user(user) -> list[ProgrammeVersion]:
    """The live version of each published programme the user may issue for: what a batch
    can be started under."""
    programmes = Programme.objects.filter(
        issuer__in=issuers_for_user(user, Action.ISSUE_AWARD), status=Programme.Status.PUBLISHED
    ).prefetch_related("versions", "issuer")
    versions = [programme.published_version for programme in programmes]
    return sorted(
        (v for v in versions if v is not None), key=lambda v: (v.programme.issuer_id, v.title)
    )
