"""The failed rows of a batch as a CSV download, for the staff job page and the API alike.

The file is a results file again (the layout of services.imports.failed_rows): the student
number and name first, then every column of the row as it came in, headed in the reader's
language, then the original line and the reason (which the import skips). Correct the cells
and upload the same file to issue the rest.
"""

from django.http import StreamingHttpResponse

from common.csv_export import csv_download
from frameworks.i18n import current_lang

from .models import BatchItem, IssuingBatch
from .selectors_batches import failed_items
from .services.imports.failed_rows import COLUMNS, failed_row, failed_rows_header


def original_cells(item: BatchItem) -> dict[str, str]:
    """The row's cells as they came in; for an item stored before those were kept (or one
    that came from the record, not from a file), what its data still says."""
    data = item.data or {}
    source = data.get("source")
    if source is None:
        source = {
            key: str(data[key])
            for key in COLUMNS
            if isinstance(data.get(key), str | int | float) and data.get(key) != ""
        }
    return {**source, "email": source.get("email") or item.email}


def failed_items_csv(batch: IssuingBatch, filename: str) -> StreamingHttpResponse:
    """Every failed item, UTF-8 with a BOM (so that Excel reads the Japanese), streamed, in the
    active language (Accept-Language on the API, the staff member's language on the page)."""
    lang = current_lang()
    rows = (
        failed_row(original_cells(item), item.line, item.error_in(lang))
        for item in failed_items(batch).iterator(chunk_size=2_000)
    )
    response = csv_download(filename, failed_rows_header(lang), rows)
    response["Content-Language"] = lang
    return response
