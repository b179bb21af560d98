"""Checking rows: each value, duplicates within the file, and clashes with the database."""

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credentials.models import Assessment, Award, Learner, LearnerEnrolment, ProgrammeVersion
from frameworks.i18n import current_lang, in_both
from frameworks.vocabularies import LabelList, TermInfo, code_for_label, normalise_label

from .reading import COLUMN_LABELS

CHUNK = 5_000
# The result column's values, named by their labels like a framework vocabulary's terms.
RESULT_TERMS = (
    TermInfo(Assessment.Result.PASS, "合格", "pass"),
    TermInfo(Assessment.Result.FAIL, "不合格", "fail"),
)
# Other spellings staff use (compared after normalise_label()).
RESULT_SYNONYMS = {
    **dict.fromkeys(("passed", "p", "可", "○", "〇", "◯"), Assessment.Result.PASS),
    **dict.fromkeys(("failed", "f", "不可", "×", "✕", "x"), Assessment.Result.FAIL),
}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")

_email_validator = EmailValidator()
_url_validator = URLValidator(schemes=["http", "https"])


@dataclass
class RowError:
    line: int  # the line in the file where the record starts (the header is line 1)
    column: str  # canonical column name, or "" for the row as a whole
    message_ja: str
    message_en: str

    @property
    def message(self) -> str:
        return self.message_en if current_lang() == "en" else self.message_ja

    @property
    def column_label(self) -> str:
        """The column as staff know it, in the active language ("" for the whole row)."""
        return str(COLUMN_LABELS[self.column]) if self.column in COLUMN_LABELS else ""


@dataclass
class Row:
    line: int
    email: str
    name_ja: str = ""
    name_en: str = ""
    student_number: str = ""
    result: str = ""
    score: Decimal | None = None
    grade: str = ""
    assessed_on: date | None = None
    method: str = ""
    evidence_url: str = ""
    evidence: str = ""


class Problems:
    def __init__(self):
        self.errors: list[RowError] = []
        self.bad_lines: set[int] = set()

    def add(self, line: int, column: str, message, params: dict | None = None) -> None:
        ja, en = in_both(message, params)
        self.errors.append(RowError(line, column, ja, en))
        self.bad_lines.add(line)


def read_result(value: str) -> str:
    """ "pass"/"fail" for what staff write (合格, ○, Pass, ｐａｓｓ …), or "" if it is neither."""
    return code_for_label(RESULT_TERMS, value) or RESULT_SYNONYMS.get(normalise_label(value), "")


def clean_row(
    line, values, positions, methods: list[TermInfo], fallback_method: str, problems: Problems
) -> Row:
    """`methods`: the programme's declared assessment methods, as vocabulary terms."""

    def raw(key: str) -> str:
        index = positions.get(key)
        return values[index].strip() if index is not None and index < len(values) else ""

    def cell(key: str) -> str:
        # NFKC: full-width digits and letters, as Japanese input methods type them.
        return unicodedata.normalize("NFKC", raw(key)).strip()

    row = Row(line=line, email=cell("email").lower())
    if not row.email:
        problems.add(line, "email", _("The e-mail address is empty."))
    else:
        try:
            _email_validator(row.email)
        except ValidationError:
            problems.add(
                line, "email", _("“%(value)s” is not an e-mail address."), {"value": row.email}
            )
    # Names and narrative keep their original form (NFKC would rewrite full-width spaces).
    for key in ("name_ja", "name_en"):
        value = raw(key)
        if len(value) > 200:
            problems.add(line, key, _("The name is longer than 200 characters."))
        setattr(row, key, value[:200])
    row.student_number = cell("student_number")
    if len(row.student_number) > 64:
        problems.add(line, "student_number", _("The student number is longer than 64 characters."))
    raw_result = cell("result")
    row.result = read_result(raw_result)
    if not row.result:
        problems.add(
            line,
            "result",
            _("%(column)s: “%(value)s” is not allowed; use one of: %(allowed)s."),
            {"column": COLUMN_LABELS["result"], "value": raw_result or "-",
             "allowed": LabelList(RESULT_TERMS)},
        )  # fmt: skip
    raw_score = cell("score")
    if raw_score:
        try:
            row.score = Decimal(raw_score)
            if not row.score.is_finite() or row.score < 0 or row.score > Decimal("99999.99"):
                raise InvalidOperation
            if row.score.as_tuple().exponent < -2:
                raise InvalidOperation
        except InvalidOperation:
            row.score = None
            problems.add(
                line,
                "score",
                _("“%(value)s” is not a score: a number from 0 with at most two decimals."),
                {"value": raw_score},
            )
    row.grade = cell("grade")
    if len(row.grade) > 32:
        problems.add(line, "grade", _("The grade is longer than 32 characters."))
    raw_date = cell("assessed_on").split(" ")[0]  # Excel may append a time: 2025/4/1 0:00
    row.assessed_on = _parse_date(raw_date)
    if row.assessed_on is None:
        problems.add(
            line,
            "assessed_on",
            _("“%(value)s” is not a date: write it as 2025-04-01 or 2025/4/1."),
            {"value": raw_date},
        )
    elif row.assessed_on > timezone.localdate():
        problems.add(line, "assessed_on", _("The assessment date is in the future."))
    raw_method = raw("method")
    row.method = code_for_label(methods, raw_method) if raw_method else fallback_method
    if not row.method:
        row.method = raw_method  # kept as typed: the failed-rows report gives it back
        problems.add(
            line,
            "method",
            _("%(column)s: “%(value)s” is not allowed; use one of: %(allowed)s."),
            {"column": COLUMN_LABELS["method"], "value": raw_method or "-",
             "allowed": LabelList(methods)},
        )  # fmt: skip
    row.evidence_url = cell("evidence_url")
    if row.evidence_url:
        try:
            if len(row.evidence_url) > 500:
                raise ValidationError("too long")
            _url_validator(row.evidence_url)
        except ValidationError:
            problems.add(
                line,
                "evidence_url",
                _("“%(value)s” is not an http(s) URL."),
                {"value": row.evidence_url[:80]},
            )
    row.evidence = raw("evidence")
    return row


def _parse_date(value: str) -> date | None:
    for date_format in DATE_FORMATS:
        try:
            return datetime.strptime(value, date_format).date()
        except ValueError:
            continue
    return None


def flag_duplicates(rows: list[Row], problems: Problems) -> None:
    """Rows that name the same learner (or the same student number for different learners)."""
    lines_by_email: dict[str, list[int]] = {}
    for row in rows:
        if row.email:
            lines_by_email.setdefault(row.email, []).append(row.line)
    for row in rows:
        others = [line for line in lines_by_email.get(row.email, []) if line != row.line]
        if others:
            problems.add(
                row.line,
                "email",
                _("Duplicate row: %(email)s also appears on line %(lines)s; keep only one."),
                {"email": row.email, "lines": ", ".join(map(str, others))},
            )
    emails_by_number: dict[str, set[str]] = {}
    for row in rows:
        if row.student_number:
            emails_by_number.setdefault(row.student_number, set()).add(row.email)
    for row in rows:
        if len(emails_by_number.get(row.student_number, ())) > 1:
            problems.add(
                row.line,
                "student_number",
                _("The student number %(number)s is given to more than one e-mail address."),
                {"number": row.student_number},
            )


def chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class Known:
    """What the database already holds for the file's learners (read in bulk)."""

    learners: dict[str, Learner]
    enrolments: dict[int, LearnerEnrolment]  # by learner id, at this issuer
    numbers: dict[str, int]  # student number → learner id, at this issuer
    assessments: set[tuple[int, date]]  # (learner id, assessed_on) under this version
    awarded: set[int]  # learner ids that already have an award under this version


def load_known(rows: list[Row], version: ProgrammeVersion) -> Known:
    issuer = version.programme.issuer
    emails = sorted({row.email for row in rows if row.email})
    learners = {}
    for chunk in chunks(emails):
        learners.update(
            {learner.email: learner for learner in Learner.objects.filter(email__in=chunk)}
        )
    ids = [learner.pk for learner in learners.values()]
    enrolments, assessments, awarded = {}, set(), set()
    for chunk in chunks(ids):
        enrolments.update(
            {
                e.learner_id: e
                for e in LearnerEnrolment.objects.filter(issuer=issuer, learner_id__in=chunk)
            }
        )
        assessments.update(
            Assessment.objects.filter(programme_version=version, learner_id__in=chunk).values_list(
                "learner_id", "assessed_on"
            )
        )
        awarded.update(
            Award.objects.filter(programme_version=version, learner_id__in=chunk).values_list(
                "learner_id", flat=True
            )
        )
    numbers = sorted({row.student_number for row in rows if row.student_number})
    known_numbers = {}
    for chunk in chunks(numbers):
        known_numbers.update(
            LearnerEnrolment.objects.filter(issuer=issuer, student_number__in=chunk).values_list(
                "student_number", "learner_id"
            )
        )
    return Known(learners, enrolments, known_numbers, assessments, awarded)


def check_against_database(rows: list[Row], known: Known, problems: Problems) -> None:
    for row in rows:
        learner = known.learners.get(row.email)
        # New to this issuer, whether or not another issuer knows the e-mail: the answer
        # must not reveal that, and names are recorded per issuer.
        new_here = learner is None or learner.pk not in known.enrolments
        if new_here and not (row.name_ja or row.name_en):
            problems.add(
                row.line, "name_ja", _("A new learner needs a name (Japanese or English).")
            )
        if not row.student_number:
            continue
        enrolment = known.enrolments.get(learner.pk) if learner else None
        if (
            enrolment
            and enrolment.student_number
            and enrolment.student_number != row.student_number
        ):
            problems.add(
                row.line,
                "student_number",
                _("This learner already has student number %(number)s here."),
                {"number": enrolment.student_number},
            )
        holder = known.numbers.get(row.student_number)
        if holder is not None and (learner is None or holder != learner.pk):
            problems.add(
                row.line,
                "student_number",
                _("The student number %(number)s belongs to another learner here."),
                {"number": row.student_number},
            )
