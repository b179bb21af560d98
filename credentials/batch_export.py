"""The failed rows of a batch as a CSV download, for the staff job page and the API alike."""

import csv

from django.http import StreamingHttpResponse

from .models import IssuingBatch
from .selectors_batches import failed_items

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): such
# cells are quoted with a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file-like object whose write() returns the line, for streaming csv.writer rows."""

    def write(self, value):
        return value


def failed_items_csv(batch: IssuingBatch, filename: str) -> StreamingHttpResponse:
    """line, email, reason_ja, reason_en for every failed item, UTF-8 with a BOM (so that Excel
    reads the Japanese), streamed."""
    writer = csv.writer(_Echo())

    def rows():
        yield "\ufeff" + writer.writerow(["line", "email", "reason_ja", "reason_en"])
        for item in failed_items(batch).iterator(chunk_size=2_000):
            yield writer.writerow(
                [item.line, safe_cell(item.email), safe_cell(item.error_ja),
                 safe_cell(item.error_en)]
            )  # fmt: skip

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
