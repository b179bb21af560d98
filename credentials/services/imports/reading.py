"""Reading a results file: its encoding, its dialect and its header."""

import codecs
import csv
import io
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from frameworks.i18n import current_lang, in_both, in_language

MAX_ROWS = 100_000

# Canonical column → the header spellings accepted (compared after normalise_header()).
COLUMNS: dict[str, tuple[str, ...]] = {
    "email": ("email", "e-mail", "mail", "emailaddress", "メールアドレス", "メール", "eメール",
              "電子メール", "電子メールアドレス"),
    "name_ja": ("name_ja", "name", "namejapanese", "氏名", "名前", "氏名漢字", "氏名日本語",
                "日本語氏名", "学生氏名"),
    "name_en": ("name_en", "nameenglish", "氏名英語", "英語氏名", "氏名ローマ字", "ローマ字氏名",
                "ローマ字"),
    "student_number": ("student_number", "studentnumber", "studentid", "学籍番号", "学生番号"),
    "result": ("result", "passfail", "結果", "合否", "判定", "評価結果"),
    "score": ("score", "点数", "得点", "スコア"),
    "grade": ("grade", "成績", "評語", "グレード"),
    "assessed_on": ("assessed_on", "assessedon", "date", "評価日", "判定日", "試験日", "実施日"),
    "method": ("method", "assessment_method", "assessmentmethod", "評価方法", "評価の方法"),
    "evidence_url": ("evidence_url", "evidenceurl", "エビデンスurl", "証拠url", "url"),
    "evidence": ("evidence", "evidence_narrative", "エビデンス", "所見", "評価コメント"),
}  # fmt: skip
REQUIRED_COLUMNS = ("email", "result", "assessed_on")
# The headers of the template and of the failed-rows report, per language (each one is an
# accepted spelling above), in the order staff fill them in.
HEADERS = {
    "student_number": ("学籍番号", "Student number"),
    "name_ja": ("氏名", "Name (Japanese)"),
    "name_en": ("氏名（英語）", "Name (English)"),
    "email": ("メールアドレス", "E-mail"),
    "result": ("合否", "Result"),
    "score": ("点数", "Score"),
    "grade": ("成績", "Grade"),
    "assessed_on": ("評価日", "Assessed on"),
    "method": ("評価方法", "Assessment method"),
    "evidence_url": ("エビデンスURL", "Evidence URL"),
    "evidence": ("エビデンス", "Evidence"),
}
# Columns the failed-rows report adds, skipped without a word when that file comes back.
REPORT_HEADERS = {"line": ("元の行", "Original line"), "reason": ("エラー理由", "Reason")}
COLUMN_LABELS = {
    "email": _("e-mail"),
    "name_ja": _("full name (Japanese)"),
    "name_en": _("full name (English)"),
    "student_number": _("student number"),
    "result": _("result"),
    "score": _("score"),
    "grade": _("grade"),
    "assessed_on": _("assessed on"),
    "method": _("assessment method"),
    "evidence_url": _("evidence URL"),
    "evidence": _("evidence"),
}

# Code points a Shift_JIS decoder yields for bytes no Japanese text contains: a sign that the
# file is in some other encoding.
IMPLAUSIBLE_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\uf8f0-\uf8ff]")


class CsvFileError(ValidationError):
    """The file as a whole cannot be read; carries the reason in Japanese and English."""

    def __init__(self, message, params: dict | None = None):
        self.message_ja, self.message_en = in_both(message, params)
        super().__init__(in_language(current_lang(), message, params), code="csv_file")


def decode_csv(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was in: BOM → UTF-8/16; else strict UTF-8; else CP932."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise _unreadable() from error
    if b"\x00" in data:
        raise _unreadable()
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp932")
    except UnicodeDecodeError as error:
        raise _unreadable() from error
    if IMPLAUSIBLE_TEXT.search(text):
        raise _unreadable()
    return text, "cp932"


def _unreadable() -> CsvFileError:
    return CsvFileError(
        _(
            "The file could not be read as text. Save it from Excel as “CSV UTF-8” or “CSV "
            "(comma delimited)” (Shift_JIS) and try again."
        )
    )


def normalise_header(name: str) -> str:
    name = unicodedata.normalize("NFKC", name or "").strip().lower()
    return re.sub(r"[\s\-()（）\[\]【】・]", "", name)


HEADER_ALIASES = {
    normalise_header(alias): key for key, aliases in COLUMNS.items() for alias in aliases
}
SILENTLY_IGNORED = {normalise_header(name) for names in REPORT_HEADERS.values() for name in names}


def canonical_column(name) -> str | None:
    """The column a header (or an API key) names, in English or Japanese; None if unknown."""
    return HEADER_ALIASES.get(normalise_header(str(name)))


def canonical_row(row: dict) -> dict:
    """An API row keyed by column, whichever spelling it used ("学籍番号" or "student_number");
    unknown keys are dropped, and of two keys naming one column the first non-empty wins."""
    canonical = {}
    for name, value in row.items():
        key = canonical_column(name)
        if key and (canonical.get(key) in (None, "")):
            canonical[key] = value
    return canonical


def header_in(key: str, lang: str) -> str:
    """A column's header (or a report column's) as the template writes it in `lang`."""
    ja, en = HEADERS.get(key) or REPORT_HEADERS[key]
    return en if lang == "en" else ja


def read_rows(text: str) -> tuple[str, list[str], list[tuple[int, list[str]]]]:
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), dialect="excel", delimiter=delimiter)
    rows, line = [], 1
    try:
        header = next(reader, None)
        line = reader.line_num + 1
        for values in reader:
            if any(value.strip() for value in values):  # Excel leaves empty rows at the end
                rows.append((line, values))
            line = reader.line_num + 1
            if len(rows) > MAX_ROWS:
                raise CsvFileError(
                    _("The file has more than %(max)s rows; split it into smaller files."),
                    {"max": f"{MAX_ROWS:,}"},
                )
    except csv.Error as error:
        raise CsvFileError(
            _("The CSV is malformed near line %(line)s: %(error)s"),
            {"line": line, "error": str(error)},
        ) from error
    if not header or not any(cell.strip() for cell in header):
        raise CsvFileError(_("The file is empty: it needs a header row and at least one row."))
    return delimiter, header, rows


def map_header(header: list[str]) -> tuple[dict[str, int], list[str]]:
    positions: dict[str, int] = {}
    ignored = []
    for index, name in enumerate(header):
        key = HEADER_ALIASES.get(normalise_header(name))
        if key is None:
            if name.strip() and normalise_header(name) not in SILENTLY_IGNORED:
                ignored.append(name.strip())
            continue
        if key in positions:
            raise CsvFileError(
                _("Two columns mean the same thing (%(column)s): keep one of them."),
                {"column": COLUMN_LABELS[key]},
            )
        positions[key] = index
    missing = [key for key in REQUIRED_COLUMNS if key not in positions]
    if missing:
        # Each missing column by its label (rendered in each language) and its CSV name.
        columns = format_lazy(
            ", ".join(["{} ({})"] * len(missing)),
            *[part for key in missing for part in (COLUMN_LABELS[key], key)],
        )
        raise CsvFileError(_("Required columns are missing: %(columns)s"), {"columns": columns})
    return positions, ignored
