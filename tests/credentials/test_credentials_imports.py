"""CSV import of learners and results: encodings and dialects as Excel writes them, per-row
errors with line and column, dry runs and strict mode that write nothing, and 50,000 rows."""

import codecs
import datetime
import time

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from credentials.models import Assessment, Award, Learner, LearnerEnrolment
from credentials.services.imports import CsvFileError, decode_csv, import_results
from issuers.models import AuditEvent
from tests.credentials.factories import AssessmentFactory, EnrolmentFactory

DAY = (timezone.localdate() - datetime.timedelta(days=3)).isoformat()
SLASHED_DAY = DAY.replace("-", "/")  # as Excel writes dates in Japan
JA_HEADER = "メールアドレス,氏名,氏名（英語）,学籍番号,合否,点数,成績,評価日,エビデンスURL"
EN_HEADER = "email,name_ja,name_en,student_number,result,score,grade,assessed_on,evidence_url"
ROWS = [
    f"sato.hanako@example.ac.jp,佐藤 花子,Hanako Sato,24A001,合格,88.5,A,{DAY},https://lms.ac.jp/e/1",
    f"takahashi.ren@example.ac.jp,髙橋 蓮,Ren Takahashi,24A002,不合格,42,D,{SLASHED_DAY},",
    f"watanabe.rin@example.ac.jp,渡邉 凜,Rin Watanabe,24A003,pass,75,B,{DAY},",
]  # fmt: skip


def csv_bytes(rows=ROWS, header=EN_HEADER, *, encoding="utf-8", newline="\r\n", delimiter=","):
    lines = [header, *rows]
    if delimiter != ",":
        lines = [line.replace(",", delimiter) for line in lines]
    return (newline.join(lines) + newline).encode(encoding)


@pytest.fixture
def run(version_a, assessor_a):
    def run_import(data, **options):
        return import_results(
            actor=assessor_a, programme_version=version_a, data=data, filename="results.csv",
            **{"dry_run": False, **options},
        )  # fmt: skip

    return run_import


def error_cells(report):
    return [(error.line, error.column) for error in report.errors]


class TestEncodings:
    @pytest.mark.parametrize(
        ("encoding", "expected"),
        [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp932", "cp932"), ("utf-16", "utf-16")],
    )
    def test_excels_encodings_are_read_with_japanese_names_intact(self, run, encoding, expected):
        report = run(csv_bytes(header=JA_HEADER, encoding=encoding))
        assert report.encoding == expected
        assert report.errors == [] and report.applied
        names = set(LearnerEnrolment.objects.values_list("name_ja", flat=True))
        assert names == {"佐藤 花子", "髙橋 蓮", "渡邉 凜"}

    def test_a_utf8_bom_does_not_end_up_in_the_first_header(self, run):
        data = csv_bytes()
        assert data.startswith(b"email")
        report = run(codecs.BOM_UTF8 + data)
        assert report.encoding == "utf-8-sig" and report.valid_rows == 3

    def test_shift_jis_as_excel_writes_it_is_detected_as_cp932(self):
        data = "氏名\r\n髙橋 蓮\r\n".encode("cp932")  # 髙 exists in CP932 only
        assert decode_csv(data) == ("氏名\r\n髙橋 蓮\r\n", "cp932")

    @pytest.mark.parametrize(
        "data",
        [b"\x80\xa0\xfd\xfe\xff,\x82", b"email\x00,result\r\n\x00\x01", b"\x81\x20\x81"],
        ids=["bytes-no-text-encoding-has", "binary-with-nul", "truncated-shift-jis"],
    )
    def test_a_file_in_no_known_encoding_is_refused_clearly(self, run, data):
        with pytest.raises(CsvFileError) as caught:
            run(data)
        assert "CSV UTF-8" in caught.value.message_en
        assert "CSV UTF-8" in caught.value.message_ja
        assert not Learner.objects.exists()

    def test_tab_separated_files_are_sniffed(self, run):
        report = run(csv_bytes(delimiter="\t", encoding="utf-16"))
        assert (report.delimiter, report.valid_rows) == ("tab", 3)

    def test_quoted_fields_with_commas_and_line_breaks_are_read(self, run):
        data = (
            "email,name_en,result,assessed_on,evidence\r\n"
            f'a@example.ac.jp,"Sato, Hanako",pass,{DAY},"line one\r\nline two"\r\n'
            f"b@example.ac.jp,Bad,maybe,{DAY},\r\n"
        ).encode()
        report = run(data)
        assert LearnerEnrolment.objects.get(learner__email="a@example.ac.jp").name_en == (
            "Sato, Hanako"
        )
        assert Assessment.objects.get().evidence_narrative == "line one\r\nline two"
        assert error_cells(report) == [(4, "result")]  # the record after the two-line one


class TestColumns:
    def test_missing_required_columns_are_named_in_both_languages(self, run):
        with pytest.raises(CsvFileError) as caught:
            run(b"email,name_ja\r\na@example.ac.jp,A\r\n")
        assert "result" in caught.value.message_en and "assessed_on" in caught.value.message_en
        assert "result" in caught.value.message_ja
        assert caught.value.message_en.startswith("Required columns are missing")

    def test_unknown_columns_are_ignored_and_reported(self, run):
        report = run(csv_bytes(header=EN_HEADER + ",備考", rows=[ROWS[0] + ",メモ"]))
        assert report.ignored_columns == ["備考"]
        assert report.valid_rows == 1

    def test_two_columns_for_the_same_field_are_refused(self, run):
        with pytest.raises(CsvFileError):
            run(b"email,\xe3\x83\xa1\xe3\x83\xbc\xe3\x83\xab,result,assessed_on\r\n")

    def test_an_empty_file_is_refused(self, run):
        with pytest.raises(CsvFileError):
            run(b"")

    def test_trailing_empty_rows_from_excel_are_skipped(self, run):
        report = run(csv_bytes() + b",,,,,,,,\r\n,,,,,,,,\r\n")
        assert (report.total_rows, report.errors) == (3, [])


class TestRowErrors:
    def test_invalid_values_are_reported_with_line_and_column(self, run):
        rows = [
            ROWS[0],
            f"not-an-email,名前,,,合格,,,{DAY},",
            f"c@example.ac.jp,名前,,,合格,abc,,{DAY},",
            "d@example.ac.jp,名前,,,合格,80,,2025-13-40,",
            f"e@example.ac.jp,名前,,,たぶん,,,{DAY},ftp://x",
            "f@example.ac.jp,名前,,,合格,-3,,2999-01-01,",
        ]
        report = run(csv_bytes(rows=rows), dry_run=True)
        assert error_cells(report) == [
            (3, "email"),
            (4, "score"),
            (5, "assessed_on"),
            (6, "evidence_url"),
            (6, "result"),
            (7, "assessed_on"),
            (7, "score"),
        ]
        assert (report.valid_rows, report.invalid_rows) == (1, 5)

    def test_each_error_carries_its_reason_in_japanese_and_english(self, run):
        report = run(csv_bytes(rows=[f"x@example.ac.jp,名前,,,合格,abc,,{DAY},"]), dry_run=True)
        (error,) = report.errors
        assert "abc" in error.message_ja and "abc" in error.message_en
        assert error.message_ja != error.message_en
        with translation.override("en"):
            assert error.message == error.message_en

    def test_duplicate_rows_for_one_email_are_all_reported(self, run):
        rows = [ROWS[0], ROWS[1], ROWS[0].replace("88.5", "90")]
        report = run(csv_bytes(rows=rows))
        duplicates = {e.line: e.message_en for e in report.errors if e.column == "email"}
        assert set(duplicates) == {2, 4}
        assert "line 4" in duplicates[2] and "line 2" in duplicates[4]
        assert report.valid_rows == 1
        assert not Learner.objects.filter(email="sato.hanako@example.ac.jp").exists()

    def test_a_new_learner_without_a_name_is_an_error(self, run):
        report = run(
            b"email,result,assessed_on\r\nnew@example.ac.jp,pass," + DAY.encode() + b"\r\n"
        )
        assert error_cells(report) == [(2, "name_ja")]

    def test_a_known_learner_needs_no_name_and_keeps_theirs(self, run, learner_a):
        report = run(
            f"email,result,assessed_on\r\n{learner_a.email.upper()},pass,{DAY}\r\n".encode()
        )
        assert report.errors == [] and report.new_learners == 0
        learner_a.refresh_from_db()
        assert learner_a.assessments.get().passed

    def test_a_student_number_of_another_learner_is_an_error(self, run, issuer_a):
        EnrolmentFactory(issuer=issuer_a, student_number="24A001")
        report = run(csv_bytes(rows=[ROWS[0]]))
        assert error_cells(report) == [(2, "student_number")]

    def test_a_method_the_programme_does_not_declare_is_an_error(self, run):
        data = f"email,name_ja,result,assessed_on,評価方法\r\na@x.jp,甲,pass,{DAY},oral\r\n"
        assert error_cells(run(data.encode(), dry_run=True)) == [(2, "method")]


class TestWriting:
    def test_a_dry_run_writes_nothing_but_counts_what_would_be_written(self, run):
        report = run(csv_bytes(header=JA_HEADER), dry_run=True)
        assert not report.applied
        assert (report.new_learners, report.new_assessments) == (3, 3)
        assert not Learner.objects.exists() and not Assessment.objects.exists()
        assert not AuditEvent.objects.exists()

    def test_applying_writes_learners_enrolments_and_results(self, run, issuer_a, assessor_a):
        report = run(csv_bytes(header=JA_HEADER))
        assert report.applied and report.valid_rows == 3
        hanako = Learner.objects.get(email="sato.hanako@example.ac.jp")
        assert LearnerEnrolment.objects.get(learner=hanako, issuer=issuer_a).student_number == (
            "24A001"
        )
        assessment = hanako.assessments.get()
        assert (assessment.result, str(assessment.score), assessment.grade) == (
            "pass",
            "88.50",
            "A",
        )
        assert assessment.assessor == assessor_a and assessment.method == "written_exam"
        assert assessment.evidence_url == "https://lms.ac.jp/e/1"
        event = AuditEvent.objects.get()
        assert event.action == "assessment.import"
        assert event.details["applied_rows"] == 3 and event.details["new_learners"] == 3

    def test_invalid_rows_are_skipped_and_reported_when_not_strict(self, run):
        rows = [*ROWS, f"bad,名前,,,合格,,,{DAY},"]
        report = run(csv_bytes(rows=rows))
        assert report.applied and error_cells(report) == [(5, "email")]
        assert Assessment.objects.count() == 3

    def test_strict_mode_writes_nothing_if_one_row_is_invalid(self, run):
        rows = [*ROWS, f"bad,名前,,,合格,,,{DAY},"]
        report = run(csv_bytes(rows=rows), strict=True)
        assert not report.applied and report.valid_rows == 3
        assert not Learner.objects.exists() and not AuditEvent.objects.exists()

    def test_importing_the_same_file_again_corrects_rather_than_duplicates(self, run):
        run(csv_bytes())
        report = run(csv_bytes(rows=[ROWS[0].replace("88.5", "91")]))
        assert (report.new_assessments, report.updated_assessments) == (0, 1)
        assert Assessment.objects.count() == 3
        assert Assessment.objects.get(learner__email="sato.hanako@example.ac.jp").score == 91

    def test_passing_rows_can_be_proposed_as_awards(self, run, version_a, learner_a):
        AssessmentFactory(learner=learner_a, programme_version=version_a)
        Award.objects.create(
            learner=learner_a,
            programme_version=version_a,
            assessment=learner_a.assessments.get(),
        )
        report = run(
            csv_bytes(rows=[*ROWS, f"{learner_a.email},,,,pass,,,{DAY},"]), propose_awards=True
        )
        assert report.proposed_awards == 2  # two new passes; the learner with an award keeps it
        assert set(Award.objects.values_list("learner__email", "status")) == {
            ("sato.hanako@example.ac.jp", "pending"),
            ("watanabe.rin@example.ac.jp", "pending"),
            (learner_a.email, "pending"),
        }

    def test_a_failure_while_writing_leaves_nothing_behind(self, run, monkeypatch):
        def explode(*args, **kwargs):
            raise RuntimeError("database went away")

        # Learners and enrolments are written first; then writing the results fails.
        monkeypatch.setattr(Assessment.objects, "bulk_create", explode)
        with pytest.raises(RuntimeError):
            run(csv_bytes())
        assert not Learner.objects.exists() and not LearnerEnrolment.objects.exists()

    def test_an_issuing_officer_cannot_import_results(self, version_a, officer_a):
        with pytest.raises(PermissionDenied):
            import_results(actor=officer_a, programme_version=version_a, data=csv_bytes())


def test_fifty_thousand_rows_import_in_bulk(run, django_assert_max_num_queries):
    rows = [
        f"learner{n:05d}@example.ac.jp,学習者 {n},Learner {n},S{n:06d},"
        f"{'合格' if n % 10 else '不合格'},{50 + n % 50},,{SLASHED_DAY},"
        for n in range(50_000)
    ]
    data = csv_bytes(rows=rows, header=JA_HEADER, encoding="cp932")
    started = time.perf_counter()
    dry = run(data, dry_run=True)
    checked = time.perf_counter()
    with django_assert_max_num_queries(300):  # bulk: a few queries per 2,000-5,000 rows
        report = run(data)
    applied = time.perf_counter()
    print(
        f"\n50,000-row CSV (cp932): dry run {checked - started:.1f}s, "
        f"apply {applied - checked:.1f}s"
    )
    assert dry.valid_rows == report.valid_rows == 50_000 and report.applied
    assert Learner.objects.count() == 50_000
    assert Assessment.objects.filter(result="pass").count() == 45_000
