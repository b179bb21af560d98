from django.db.models import Count

from credentials.models import BatchItem, IssuingBatch


def item_counts(batch: IssuingBatch) -> dict[str, int]:
    """Items by state: pending, signed, issued, skipped, failed (all keys present)."""
    counts = dict.fromkeys(BatchItem.State.values, 0)
    for row in batch.items.values("state").annotate(n=Count("id")).order_by():
        counts[row["state"]] = row["n"]
    return counts
