"""CSV import of learners and their assessment results for one programme version.

Columns (header names in English or Japanese; order free; unknown columns are ignored):

    email / メールアドレス            required: the learner's identity
    name_ja / 氏名                    required for a learner new to this issuer (names: per issuer)
    name_en / 氏名（英語）, ローマ字  (one of name_ja / name_en is enough)
    student_number / 学籍番号         optional: the issuer's own number
    result / 合否, 結果               required: pass/fail, 合格/不合格, ○/×
    score / 点数, 得点                optional: a number ≥ 0, at most two decimals
    grade / 成績                      optional: e.g. A, 秀
    assessed_on / 評価日              required: 2025-04-01, 2025/4/1
    method / 評価方法                 optional: an assessment type the programme declares, by its
                                      label (レポート, Report) or code (framework vocabulary)
    evidence_url / エビデンスURL      optional: http(s) URL
    evidence / エビデンス, 所見       optional: narrative

Values are compared loosely (NFKC, case, spaces); an unknown one is reported with the column's
label and the allowed labels. template.py writes the template staff download per version.

Files as Excel writes them: UTF-8 with or without BOM, UTF-16 ("Unicode text") or
Shift_JIS (CP932); comma- or tab-separated. Nothing is written in a dry run; applying runs in
one transaction, so a failure never leaves part of a file imported. Rows are matched in bulk
(learners fetched by e-mail in chunks, new rows inserted with bulk_create) so that tens of
thousands of rows take seconds, not minutes.
"""

import hashlib
from dataclasses import asdict, dataclass, field

from django.db import transaction

from credentials.models import ProgrammeVersion
from issuers.permissions import Action
from issuers.services import record_audit, require_permission

from ..assessments import check_assessable, declared_method_terms, default_method
from ..awards import check_awardable
from .failed_rows import failed_rows_csv
from .reading import (
    COLUMN_LABELS,
    COLUMNS,
    REQUIRED_COLUMNS,
    CsvFileError,
    decode_csv,
    map_header,
    read_rows,
)
from .rows import (
    Problems,
    RowError,
    check_against_database,
    clean_row,
    flag_duplicates,
    load_known,
)
from .template import allowed_values, template_csv
from .writing import write_rows

__all__ = [
    "COLUMNS",
    "COLUMN_LABELS",
    "REQUIRED_COLUMNS",
    "CsvFileError",
    "ImportReport",
    "RowError",
    "allowed_values",
    "decode_csv",
    "failed_rows_csv",
    "import_results",
    "template_csv",
]


@dataclass
class ImportReport:
    encoding: str
    delimiter: str
    total_rows: int = 0
    valid_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    new_learners: int = 0
    new_enrolments: int = 0
    new_assessments: int = 0
    updated_assessments: int = 0
    proposed_awards: int = 0
    applied: bool = False

    @property
    def invalid_rows(self) -> int:
        return len({error.line for error in self.errors})

    def as_dict(self) -> dict:
        return {**asdict(self), "invalid_rows": self.invalid_rows}


def import_results(
    *,
    actor,
    programme_version: ProgrammeVersion,
    data: bytes,
    filename: str = "",
    dry_run: bool = True,
    strict: bool = False,
    propose_awards: bool = False,
    request=None,
) -> ImportReport:
    """Check (dry run) or apply a results file for `programme_version`.

    Applying writes every valid row and reports the invalid ones, or with `strict` writes
    nothing if any row is invalid. With `propose_awards`, passing rows get pending awards.
    Raises CsvFileError when the file as a whole is unreadable.
    """
    require_permission(actor, programme_version.programme.issuer, Action.RECORD_ASSESSMENT)
    check_assessable(programme_version)
    if propose_awards:
        check_awardable(programme_version)
    text, encoding = decode_csv(data)
    delimiter, header, raw_rows = read_rows(text)
    positions, ignored = map_header(header)
    report = ImportReport(
        encoding=encoding,
        delimiter="tab" if delimiter == "\t" else "comma",
        total_rows=len(raw_rows),
        ignored_columns=ignored,
    )
    problems = Problems()
    methods = declared_method_terms(programme_version)
    fallback_method = default_method(programme_version)
    rows = [
        clean_row(line, values, positions, methods, fallback_method, problems)
        for line, values in raw_rows
    ]
    flag_duplicates(rows, problems)
    known = load_known(rows, programme_version)
    check_against_database(rows, known, problems)
    report.errors = sorted(problems.errors, key=lambda e: (e.line, e.column))
    valid = [row for row in rows if row.line not in problems.bad_lines]
    report.valid_rows = len(valid)
    # New to this issuer (whether another issuer knows the e-mail is not this issuer's business).
    report.new_learners = len(
        {
            row.email
            for row in valid
            if row.email not in known.learners
            or known.learners[row.email].pk not in known.enrolments
        }
    )
    existing = sum(
        1
        for row in valid
        if row.email in known.learners
        and (known.learners[row.email].pk, row.assessed_on) in known.assessments
    )
    report.updated_assessments = existing
    report.new_assessments = len(valid) - existing
    if dry_run or not valid or (strict and report.errors):
        return report
    with transaction.atomic():
        write_rows(valid, known, programme_version, actor, propose_awards, report)
        record_audit(
            actor=actor,
            action="assessment.import",
            target=programme_version,
            issuer=programme_version.programme.issuer,
            details={
                "filename": filename[:200],
                "sha256": hashlib.sha256(data).hexdigest(),
                "encoding": encoding,
                "rows": report.total_rows,
                "applied_rows": report.valid_rows,
                "invalid_rows": report.invalid_rows,
                "new_learners": report.new_learners,
                "new_assessments": report.new_assessments,
                "updated_assessments": report.updated_assessments,
                "proposed_awards": report.proposed_awards,
            },
            request=request,
        )
    report.applied = True
    return report
