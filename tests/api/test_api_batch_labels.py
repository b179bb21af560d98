"""POST /batches/ with what staff systems send: Japanese keys and Japanese labels for the
result and the assessment method; a row with an unknown label fails with the allowed labels."""

import csv
import io

import pytest

from credentials.models import Assessment, Award, IssuingBatch

pytestmark = pytest.mark.django_db

ROWS = [
    {"学籍番号": "S1", "氏名": "一郎", "メールアドレス": "ichiro@example.ac.jp", "合否": "合格",
     "評価日": "2026/07/31", "評価方法": "レポート"},
    {"student_number": "S2", "name_ja": "二郎", "email": "jiro@example.ac.jp", "result": "○",
     "assessed_on": "2026-07-31", "method": "筆記試験"},
    {"学籍番号": "S3", "氏名": "三郎", "メールアドレス": "saburo@example.ac.jp", "合否": "合格",
     "評価日": "2026-07-31", "評価方法": "面接"},
]  # fmt: skip


def test_japanese_keys_and_labels_are_issued_and_an_unknown_label_is_explained(
    api_a, version_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_a.post(
            "/api/v1/batches/", {"program": version_a.programme_id, "items": ROWS}, format="json"
        )
    assert response.status_code == 202, response.content
    batch = IssuingBatch.objects.get()
    assert (batch.done_count, batch.failed_count) == (2, 1)
    assert set(Assessment.objects.values_list("learner__email", "method", "result")) == {
        ("ichiro@example.ac.jp", "report", "pass"),
        ("jiro@example.ac.jp", "written_exam", "pass"),
    }
    assert Award.objects.filter(status=Award.Status.ISSUED).count() == 2

    errors = f"/api/v1/batches/{batch.public_id}/errors/"
    (failed,) = api_a.get(errors).json()["results"]
    assert failed["line"] == 3
    assert "筆記試験、レポート" in failed["reason_ja"] and "評価方法" in failed["reason_ja"]
    assert "Written exam, Report" in failed["reason_en"]
    assert "written_exam" not in failed["reason_ja"] + failed["reason_en"]

    # The CSV of failed rows, in Japanese by default: the row as sent, ready to send again.
    response = api_a.get(errors, HTTP_ACCEPT="text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text)))
    cells = dict(zip(header, row, strict=True))
    assert (cells["学籍番号"], cells["氏名"], cells["評価方法"], cells["元の行"]) == (
        "S3",
        "三郎",
        "面接",
        "3",
    )
    assert response["Content-Language"] == "ja"
