"""The failed rows of a batch as a CSV download, for the staff job page and the API alike."""

from django.http import StreamingHttpResponse

from common.csv_export import csv_download

from .models import IssuingBatch
from .selectors_batches import failed_items


def failed_items_csv(batch: IssuingBatch, filename: str) -> StreamingHttpResponse:
    """line, email, reason_ja, reason_en for every failed item, UTF-8 with a BOM (so that Excel
    reads the Japanese), formula-safe, streamed."""
    rows = (
        [item.line, item.email, item.error_ja, item.error_en]
        for item in failed_items(batch).iterator(chunk_size=2_000)
    )
    return csv_download(filename, ["line", "email", "reason_ja", "reason_en"], rows)
