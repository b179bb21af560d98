"""The daily staff loop with a batch: upload a file typed in Japanese, download its failed
rows, correct the cells, upload that same file again, and everyone is issued. The start page
links a template per programme and keeps a file when the form comes back with an error."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from credentials.models import Assessment, Award, IssuingBatch

pytestmark = pytest.mark.django_db

START = reverse("admin:credentials_issuingbatch_start")
DAY = (timezone.localdate() - datetime.timedelta(days=2)).strftime("%Y/%m/%d")

ROWS = [
    ("学籍番号", "氏名", "メールアドレス", "合否", "評価日", "評価方法"),
    ("S001", "山田 太郎", "yamada@example.ac.jp", "合格", DAY, "レポート"),
    ("S002", "佐藤 次郎", "sato@example.ac.jp", "合格", DAY, "面接"),  # no such method
    ("S003", "鈴木 花子", "suzuki@example.ac.jp", "保留", DAY, "筆記試験"),  # no such result
    ("S004", "髙橋 一郎", "takahashi@example.ac.jp", "○", DAY, " ＲＥＰＯＲＴ "),
]


def as_file(rows, name="成績.csv", encoding="cp932") -> SimpleUploadedFile:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(encoding), content_type="text/csv")


def start(client, version, upload, capture):
    with capture(execute=True):
        return client.post(
            START, {"csv-version": version.pk, "csv-file": upload, "csv-notify": "", "_csv": "1"}
        )


def test_failed_rows_corrected_in_their_own_file_are_issued_on_the_second_upload(
    client, officer_a, version_a, django_capture_on_commit_callbacks
):
    client.force_login(officer_a)
    start(client, version_a, as_file(ROWS), django_capture_on_commit_callbacks)
    first = IssuingBatch.objects.get()
    assert (first.done_count, first.failed_count) == (2, 2)
    assert set(Assessment.objects.values_list("learner__email", "method")) == {
        ("yamada@example.ac.jp", "report"),
        ("takahashi@example.ac.jp", "report"),
    }

    failed_url = reverse("admin:credentials_issuingbatch_failed_csv", args=[first.pk])
    body = b"".join(client.get(failed_url).streaming_content).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(body)))
    header = table[0]
    assert header[:2] == ["学籍番号", "氏名"] and header[-1] == "エラー理由"
    rows = [dict(zip(header, row, strict=True)) for row in table[1:]]
    assert [(r["学籍番号"], r["氏名"], r["評価方法"], r["合否"]) for r in rows] == [
        ("S002", "佐藤 次郎", "面接", "合格"),
        ("S003", "鈴木 花子", "筆記試験", "保留"),
    ]
    assert "評価方法" in rows[0]["エラー理由"] and "筆記試験、レポート" in rows[0]["エラー理由"]

    # The staff member corrects the two cells in the downloaded file and uploads it as is.
    rows[0]["評価方法"], rows[1]["合否"] = "筆記試験", "合格"
    corrected = [header, *[[row[column] for column in header] for row in rows]]
    start(
        client,
        version_a,
        as_file(corrected, name="failed.csv", encoding="utf-8-sig"),
        django_capture_on_commit_callbacks,
    )
    second = IssuingBatch.objects.latest("created_at")
    assert second.pk != first.pk
    assert (second.state, second.done_count, second.failed_count) == (
        IssuingBatch.State.COMPLETED,
        2,
        0,
    )
    issued = Award.objects.filter(status=Award.Status.ISSUED)
    assert sorted(issued.values_list("learner__email", flat=True)) == [
        "sato@example.ac.jp",
        "suzuki@example.ac.jp",
        "takahashi@example.ac.jp",
        "yamada@example.ac.jp",
    ]


def test_the_failed_rows_come_with_english_headers_for_an_english_speaking_member(
    client, officer_a, version_a, django_capture_on_commit_callbacks
):
    client.force_login(officer_a)
    start(client, version_a, as_file(ROWS[:3]), django_capture_on_commit_callbacks)
    batch = IssuingBatch.objects.get()
    failed_url = reverse("admin:credentials_issuingbatch_failed_csv", args=[batch.pk])
    response = client.get(failed_url, HTTP_ACCEPT_LANGUAGE="en")
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert table[0][:2] == ["Student number", "Name (Japanese)"]
    assert table[0][-1] == "Reason" and "Written exam, Report" in table[1][-1]


def test_the_start_page_links_a_template_per_programme_with_its_allowed_labels(
    client, officer_a, version_a
):
    client.force_login(officer_a)
    page = client.get(START).content.decode()
    assert reverse("admin:credentials_programme_template", args=[version_a.pk]) in page
    assert "筆記試験, レポート" in page and "合格, 不合格" in page


def test_a_start_form_that_comes_back_keeps_the_file_and_starts_without_choosing_it_again(
    client, officer_a, version_a, version_b, django_capture_on_commit_callbacks
):
    client.force_login(officer_a)
    # Another issuer's programme: the form comes back with an error on the programme.
    refused = client.post(
        START, {"csv-version": version_b.pk, "csv-file": as_file(ROWS[:2]), "_csv": "1"}
    )
    form = refused.context["csv_form"]
    assert form.errors["version"] and not IssuingBatch.objects.exists()
    assert form.kept_file == "成績.csv" and form.kept_token
    page = refused.content.decode()
    assert "成績.csv" in page and 'name="kept"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            START, {"csv-version": version_a.pk, "kept": form.kept_token, "_csv": "1"}
        )
    batch = IssuingBatch.objects.get()
    assert response.status_code == 302
    assert (batch.source_name, batch.done_count) == ("成績.csv", 1)
