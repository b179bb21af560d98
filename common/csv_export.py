"""CSV downloads that spreadsheets open safely: UTF-8 with a BOM (so that Excel reads
Japanese), cells that would run as formulas neutralised, streamed row by row."""

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): such
# cells get a leading apostrophe, which spreadsheets show as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file-like object whose write() returns the line, for streaming csv.writer rows."""

    def write(self, value):
        return value


def csv_lines(header: list, rows: Iterable[list]) -> Iterable[str]:
    """The CSV text, line by line: the BOM, the header, then each row; every cell made safe."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])


def csv_download(filename: str, header: list, rows: Iterable[list]) -> StreamingHttpResponse:
    """A streamed CSV attachment; `rows` may be a generator over a large queryset."""
    response = StreamingHttpResponse(
        csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
