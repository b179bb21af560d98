"""Batch issuing, the record side: start a job, issue a chunk's awards, finish the job.
Signing and baking are the badges app's (tasks looked up by name)."""

from .awarding import award_chunk, save_items
from .counts import item_counts
from .finishing import finish_if_complete
from .starting import (
    MAX_BATCH_ITEMS,
    cancel_batch,
    start_batch_for_passing,
    start_batch_from_csv,
    start_batch_from_list,
)

__all__ = [
    "MAX_BATCH_ITEMS",
    "award_chunk",
    "cancel_batch",
    "finish_if_complete",
    "item_counts",
    "save_items",
    "start_batch_for_passing",
    "start_batch_from_csv",
    "start_batch_from_list",
]
