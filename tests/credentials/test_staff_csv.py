"""What staff type in a results file: Japanese labels for the assessment method and the result
(full-width, any case, spaces around), errors that name the column and the allowed values by
their labels, the template CSV per version, and an uploaded file kept when the form returns."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from credentials.models import Assessment, Learner, LearnerEnrolment
from credentials.services.imports import allowed_values, import_results, template_csv
from frameworks.selectors import get_default_framework, vocabulary_index
from frameworks.vocabularies import LabelList, code_for_label

pytestmark = pytest.mark.django_db

DAY = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()


def run(version, actor, text: str, **options):
    return import_results(
        actor=actor, programme_version=version, data=text.encode("utf-8"),
        **{"dry_run": False, **options},
    )  # fmt: skip


# --- the vocabulary lookup (frameworks) ----------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("レポート", "report"),
        ("  レポート ", "report"),
        ("ﾚﾎﾟｰﾄ", "report"),  # half-width katakana, as some keyboards type it
        ("ＲＥＰＯＲＴ", "report"),  # full-width Latin letters
        ("report", "report"),
        ("筆記試験", "written_exam"),
        ("written  EXAM", "written_exam"),
        ("実技・実習", "practical"),
    ],
)
def test_a_term_is_found_by_its_japanese_or_english_label_or_its_code(typed, code):
    terms = vocabulary_index(get_default_framework()).terms("assessment_types")
    assert code_for_label(terms, typed) == code


def test_an_unknown_label_or_an_empty_cell_finds_no_term():
    index = vocabulary_index(get_default_framework())
    assert index.code_for_label("assessment_types", "面接") is None
    assert index.code_for_label("assessment_types", "  ") is None


def test_a_label_list_is_written_in_the_active_language():
    index = vocabulary_index(get_default_framework())
    labels = LabelList([index.term("assessment_types", c) for c in ("written_exam", "report")])
    with translation.override("ja"):
        assert str(labels) == "筆記試験、レポート"
    with translation.override("en"):
        assert str(labels) == "Written exam, Report"


# --- the import accepts labels -------------------------------------------------------------


def test_japanese_method_labels_and_result_marks_are_stored_as_codes(version_a, assessor_a):
    report = run(
        version_a, assessor_a,
        "学籍番号,氏名,メールアドレス,合否,評価日,評価方法\r\n"
        f"S1,甲,a@example.ac.jp,○,{DAY},レポート\r\n"
        f"S2,乙,b@example.ac.jp,×,{DAY}, 筆記試験 \r\n"
        f"S3,丙,c@example.ac.jp,ＰＡＳＳ,{DAY},Report\r\n"
        f"S4,丁,d@example.ac.jp,不合格,{DAY},\r\n",
    )  # fmt: skip
    assert report.errors == [] and report.applied
    stored = dict(Assessment.objects.values_list("learner__email", "method"))
    results = dict(Assessment.objects.values_list("learner__email", "result"))
    assert stored == {
        "a@example.ac.jp": "report",
        "b@example.ac.jp": "written_exam",
        "c@example.ac.jp": "report",
        "d@example.ac.jp": "written_exam",  # left empty: the first assessing method
    }
    assert results == {
        "a@example.ac.jp": "pass", "b@example.ac.jp": "fail",
        "c@example.ac.jp": "pass", "d@example.ac.jp": "fail",
    }  # fmt: skip


def test_an_unknown_method_names_the_column_and_the_allowed_labels_never_codes(
    version_a, assessor_a
):
    report = run(
        version_a, assessor_a,
        f"メールアドレス,氏名,合否,評価日,評価方法\r\na@example.ac.jp,甲,合格,{DAY},面接\r\n",
        dry_run=True,
    )  # fmt: skip
    (error,) = report.errors
    assert error.column == "method"
    assert "評価方法" in error.message_ja and "筆記試験、レポート" in error.message_ja
    assert "面接" in error.message_ja
    assert "assessment method" in error.message_en and "Written exam, Report" in error.message_en
    assert "written_exam" not in error.message_ja + error.message_en
    with translation.override("ja"):
        assert error.column_label == "評価方法"


def test_an_unknown_result_lists_pass_and_fail_by_their_labels(version_a, assessor_a):
    report = run(
        version_a, assessor_a,
        f"email,name_ja,result,assessed_on\r\na@example.ac.jp,甲,保留,{DAY}\r\n", dry_run=True,
    )  # fmt: skip
    (error,) = report.errors
    assert "合否" in error.message_ja and "合格、不合格" in error.message_ja
    assert "result" in error.message_en and "pass, fail" in error.message_en


# --- the template --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "first_headers", "method"),
    [("ja", ["学籍番号", "氏名", "氏名（英語）", "メールアドレス"], "筆記試験"),
     ("en", ["Student number", "Name (Japanese)", "Name (English)", "E-mail"], "Written exam")],
)  # fmt: skip
def test_the_template_has_a_bom_headers_in_the_language_and_an_example_row_with_labels(
    version_a, lang, first_headers, method
):
    data = template_csv(version_a, lang)
    assert data.startswith(b"\xef\xbb\xbf")
    header, example = data.decode("utf-8-sig").splitlines()
    assert header.split(",")[:4] == first_headers
    assert method in example.split(",")
    assert allowed_values(version_a, lang)["method"] == (
        ["筆記試験", "レポート"] if lang == "ja" else ["Written exam", "Report"]
    )


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_template_as_downloaded_and_then_filled_in_imports_cleanly(version_a, assessor_a, lang):
    template = template_csv(version_a, lang).decode("utf-8-sig")
    row = f"S0002,佐藤 花子,Hanako Sato,hanako@example.ac.jp,合格,90,A,{DAY},レポート,,\r\n"
    report = import_results(
        actor=assessor_a, programme_version=version_a, data=("\ufeff" + template + row).encode(),
        dry_run=False,
    )  # fmt: skip
    assert report.errors == [] and report.ignored_columns == []
    assert report.applied and report.valid_rows == 2
    assert LearnerEnrolment.objects.get(learner__email="hanako@example.ac.jp").name_en == (
        "Hanako Sato"
    )


# --- the admin pages, as an assessor (not a superuser) -------------------------------------


def import_url(version):
    return reverse("admin:credentials_programme_import", args=[version.pk])


def upload(text: str, name="成績.csv"):
    return SimpleUploadedFile(name, text.encode("cp932"), content_type="text/csv")


def test_the_import_page_links_the_template_and_lists_the_allowed_labels(
    client, assessor_a, version_a
):
    client.force_login(assessor_a)
    page = client.get(import_url(version_a)).content.decode()
    template_url = reverse("admin:credentials_programme_template", args=[version_a.pk])
    assert template_url in page
    assert "筆記試験, レポート" in page and "合格, 不合格" in page

    download = client.get(template_url)
    assert download["Content-Type"] == "text/csv"
    assert download.content.decode("utf-8-sig").startswith("学籍番号,氏名,")
    english = client.get(template_url, HTTP_ACCEPT_LANGUAGE="en")
    assert english.content.decode("utf-8-sig").startswith("Student number,Name (Japanese),")


def test_errors_on_the_import_page_name_the_column_by_its_label(client, assessor_a, version_a):
    client.force_login(assessor_a)
    text = f"メールアドレス,氏名,合否,評価日,評価方法\r\na@example.ac.jp,甲,合格,{DAY},面接\r\n"
    response = client.post(import_url(version_a), {"file": upload(text)})
    page = response.content.decode()
    assert "<td>評価方法</td>" in page and "<td>method</td>" not in page


def test_a_strict_check_that_fails_keeps_the_file_for_the_next_try(client, assessor_a, version_a):
    client.force_login(assessor_a)
    text = (
        "メールアドレス,氏名,合否,評価日\r\n"
        f"a@example.ac.jp,甲,合格,{DAY}\r\nb@example.ac.jp,乙,保留,{DAY}\r\n"
    )
    first = client.post(import_url(version_a), {"file": upload(text), "strict": "on"})
    assert first.context["token"] is None  # strict and an error: nothing to confirm
    kept = first.context["kept_token"]
    page = first.content.decode()
    assert "成績.csv" in page and 'name="kept"' in page

    # Strict unticked, no file chosen again: the kept file is checked.
    second = client.post(import_url(version_a), {"kept": kept})
    assert second.context["form"].errors == {}
    report = second.context["report"]
    assert (report.valid_rows, report.invalid_rows) == (1, 1)
    confirmed = client.post(import_url(version_a), {"token": second.context["token"]})
    assert confirmed.context["report"].applied
    assert list(Learner.objects.values_list("email", flat=True)) == ["a@example.ac.jp"]


def test_a_kept_file_of_another_session_is_not_used(client, assessor_a, version_a):
    client.force_login(assessor_a)
    text = f"メールアドレス,氏名,合否,評価日\r\na@example.ac.jp,甲,保留,{DAY}\r\n"
    kept = client.post(import_url(version_a), {"file": upload(text)}).context["kept_token"]
    other = Client()
    other.force_login(assessor_a)
    response = other.post(import_url(version_a), {"kept": kept})
    assert response.context["form"].errors["file"] and response.context["report"] is None


def test_the_rows_with_errors_download_corrected_and_upload_again_as_is(
    client, assessor_a, version_a
):
    client.force_login(assessor_a)
    text = (
        "学籍番号,氏名,メールアドレス,合否,評価日,評価方法\r\n"
        f"S1,甲,a@example.ac.jp,合格,{DAY},レポート\r\n"
        f"S2,乙,b@example.ac.jp,合格,{DAY},面接\r\n"
        f"S3,丙,c@example.ac.jp,保留,{DAY},筆記試験\r\n"
    )
    checked = client.post(import_url(version_a), {"file": upload(text)})
    applied = client.post(import_url(version_a), {"token": checked.context["token"]})
    assert applied.context["report"].applied and applied.context["report"].invalid_rows == 2
    failed_url = reverse("admin:credentials_programme_import_failed", args=[version_a.pk])
    assert failed_url in applied.content.decode()

    download = client.get(failed_url, {"token": applied.context["kept_token"]})
    header, *rows = csv.reader(io.StringIO(download.content.decode("utf-8-sig")))
    assert header[:2] == ["学籍番号", "氏名"] and header[-2:] == ["元の行", "エラー理由"]
    cells = [dict(zip(header, row, strict=True)) for row in rows]
    assert [(c["学籍番号"], c["評価方法"], c["合否"], c["元の行"]) for c in cells] == [
        ("S2", "面接", "合格", "3"),
        ("S3", "筆記試験", "保留", "4"),
    ]
    assert "筆記試験、レポート" in cells[0]["エラー理由"]

    cells[0]["評価方法"], cells[1]["合否"] = "筆記試験", "不合格"
    corrected = "\r\n".join(",".join(row) for row in [header, *[c.values() for c in cells]])
    again = client.post(import_url(version_a), {"file": upload(corrected + "\r\n")})
    assert again.context["report"].errors == [] and again.context["report"].ignored_columns == []
    client.post(import_url(version_a), {"token": again.context["token"]})
    assert dict(Assessment.objects.values_list("learner__email", "result")) == {
        "a@example.ac.jp": "pass",
        "b@example.ac.jp": "pass",
        "c@example.ac.jp": "fail",
    }
