"""The rows of a results file that could not be read, as a results file again: the cells as
they came in (headed in the reader's language), the line and the reason, which the import
skips. Correct the cells and upload it as is. The batch's failed rows use the same layout."""

import csv
import io

from common.csv_export import safe_cell

from .reading import HEADERS, decode_csv, header_in, map_header, read_rows
from .rows import RowError

COLUMNS = tuple(HEADERS)  # student number and name first, as staff look rows up by them


def failed_rows_header(lang: str) -> list[str]:
    return [header_in(key, lang) for key in (*COLUMNS, "line", "reason")]


def failed_row(cells: dict[str, str], line: int, reason: str) -> list[str]:
    return [safe_cell(cells.get(key, "")) for key in COLUMNS] + [str(line), safe_cell(reason)]


def failed_rows_csv(data: bytes, errors: list[RowError], lang: str) -> bytes:
    """The rows of `data` that `errors` name, UTF-8 with a BOM (so that Excel reads the
    Japanese); the reasons of one row are joined."""
    text, _encoding = decode_csv(data)
    _delimiter, header, raw_rows = read_rows(text)
    positions, _ignored = map_header(header)
    reasons: dict[int, list[str]] = {}
    for error in errors:
        reasons.setdefault(error.line, []).append(
            error.message_en if lang == "en" else error.message_ja
        )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(failed_rows_header(lang))
    for line, values in raw_rows:
        if line in reasons:
            cells = {
                key: values[index].strip()
                for key, index in positions.items()
                if index < len(values)
            }
            writer.writerow(failed_row(cells, line, " / ".join(reasons[line])))
    return ("\ufeff" + out.getvalue()).encode("utf-8")
