"""Batches in the staff UI: starting one from a results file or from the passing results, the
job page with its JSON progress and failed-items CSV, cancelling, and who may do what."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as in_active_language

from credentials.models import Assessment, Award, BatchItem, IssuingBatch
from credentials.selectors import award_learner_name
from credentials.selectors_batches import batch_progress
from credentials.services import batches
from tests.credentials.factories import AssessmentFactory, EnrolmentFactory, LearnerFactory

pytestmark = pytest.mark.django_db

START = reverse("admin:credentials_issuingbatch_start")
ASSESSED_ON = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()

# Line 1 is the header; line 3 is the bad row (a result that is neither pass nor fail).
CSV_ROWS = [
    ("メールアドレス", "氏名", "学籍番号", "合否", "点数", "評価日"),
    ("yamada@example.ac.jp", "山田 太郎", "S001", "合格", "85", ASSESSED_ON),
    ("sato@example.ac.jp", "佐藤 次郎", "S003", "保留", "50", ASSESSED_ON),
    ("suzuki@example.ac.jp", "髙橋 花子", "S002", "合格", "92", ASSESSED_ON),
]
BAD_LINE = 3


def shift_jis_file(rows=CSV_ROWS, name="成績.csv") -> SimpleUploadedFile:
    text = "\r\n".join(",".join(row) for row in rows) + "\r\n"
    return SimpleUploadedFile(name, text.encode("cp932"), content_type="text/csv")


def job_url(batch, suffix="change/"):
    return reverse("admin:credentials_issuingbatch_change", args=[batch.pk]).replace(
        "change/", suffix
    )


def start_from_file(client, user, version, upload, capture, notify=True):
    client.force_login(user)
    data = {"csv-version": version.pk, "csv-file": upload, "_csv": "1"}
    if notify:
        data["csv-notify"] = "on"
    with capture(execute=True):  # the job runs once the request's transaction commits
        return client.post(START, data)


@pytest.fixture
def queued_batch(officer_a, version_a):
    """A job of four rows whose run has not begun (its task is still waiting for a worker)."""
    rows = [
        {"email": f"q{i}@example.ac.jp", "result": "pass", "assessed_on": ASSESSED_ON}
        for i in range(4)
    ]
    return batches.start_batch_from_list(actor=officer_a, programme_version=version_a, rows=rows)


@pytest.fixture
def finished_batch(client, officer_a, version_a, django_capture_on_commit_callbacks):
    start_from_file(
        client, officer_a, version_a, shift_jis_file(), django_capture_on_commit_callbacks
    )
    return IssuingBatch.objects.get()


# --- starting -------------------------------------------------------------------------------


def test_a_shift_jis_results_file_is_issued_as_a_batch_and_its_bad_row_is_listed(
    client, officer_a, version_a, django_capture_on_commit_callbacks
):
    response = start_from_file(
        client, officer_a, version_a, shift_jis_file(), django_capture_on_commit_callbacks
    )

    batch = IssuingBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == job_url(batch)
    assert (batch.source, batch.source_name, batch.started_by) == ("csv", "成績.csv", officer_a)
    assert batch.state == IssuingBatch.State.COMPLETED_WITH_ERRORS
    issued = Award.objects.filter(batch_items__batch=batch, status=Award.Status.ISSUED)
    assert set(issued.values_list("learner__email", flat=True)) == {
        "yamada@example.ac.jp",
        "suzuki@example.ac.jp",
    }
    assert award_learner_name(issued.get(learner__email="suzuki@example.ac.jp")).ja == "髙橋 花子"

    page = client.get(job_url(batch))
    assert page.status_code == 200
    assert page.context["failed_rows"] == [
        (
            BAD_LINE,
            "S003",
            "佐藤 次郎",
            "sato@example.ac.jp",
            batch.items.get(line=BAD_LINE).error_ja,
        )
    ]
    html = page.content.decode()
    assert "保留" in batch.items.get(line=BAD_LINE).error_ja
    assert 'aria-valuenow="100"' in html
    assert reverse("admin:credentials_issuingbatch_failed_csv", args=[batch.pk]) in html


def test_the_passing_button_issues_to_each_learner_with_a_pass_and_no_award(
    client, officer_a, issuer_a, version_a, django_capture_on_commit_callbacks
):
    passed = [
        AssessmentFactory(
            learner=EnrolmentFactory(issuer=issuer_a, learner=LearnerFactory()).learner,
            programme_version=version_a,
        )
        for _ in range(3)
    ]
    AssessmentFactory(programme_version=version_a, result=Assessment.Result.FAIL, score=20)
    client.force_login(officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            START, {"passing-version": version_a.pk, "_passing": "1"}
        )  # notify unticked

    batch = IssuingBatch.objects.get()
    assert response["Location"] == job_url(batch)
    assert (batch.source, batch.total, batch.notify_learners) == ("passing", 3, False)
    assert batch.state == IssuingBatch.State.COMPLETED
    assert set(
        Award.objects.filter(batch_items__batch=batch).values_list("learner", flat=True)
    ) == {a.learner_id for a in passed}


def test_a_file_that_cannot_be_read_is_refused_on_the_form_and_nothing_is_started(
    client, officer_a, version_a, django_capture_on_commit_callbacks
):
    garbage = SimpleUploadedFile("results.csv", b"\x00\x01PK\x03\x04" * 50)
    response = start_from_file(
        client, officer_a, version_a, garbage, django_capture_on_commit_callbacks
    )

    assert response.status_code == 200
    assert response.context["csv_form"].errors["file"]
    assert response.context["csv_form"]["version"].value() == str(version_a.pk)  # kept
    assert not IssuingBatch.objects.exists()


def test_no_one_to_issue_to_is_said_plainly(client, officer_a, version_a):
    client.force_login(officer_a)
    response = client.post(START, {"passing-version": version_a.pk, "_passing": "1"})

    assert response.status_code == 200
    errors = response.context["passing_form"].non_field_errors()
    # The service's own words (an alias, so that makemessages does not take the test's call).
    assert errors == [in_active_language("The list is empty: there is nothing to issue.")]
    assert not IssuingBatch.objects.exists()


def test_another_issuers_programme_cannot_be_named_in_the_form(
    client, officer_a, version_a, version_b, django_capture_on_commit_callbacks
):
    response = start_from_file(
        client, officer_a, version_b, shift_jis_file(), django_capture_on_commit_callbacks
    )

    assert response.status_code == 200
    assert response.context["csv_form"].errors["version"]
    choices = [value for value, _label in response.context["csv_form"].fields["version"].choices]
    assert [int(str(value)) for value in choices] == [version_a.pk]
    assert not IssuingBatch.objects.exists()


# --- who may do what ------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["change/", "progress.json", "failed.csv"])
def test_another_issuers_staff_get_not_found_for_the_job_its_progress_and_its_file(
    client, owner_b, finished_batch, suffix
):
    client.force_login(owner_b)
    assert client.get(job_url(finished_batch, suffix)).status_code == 404


def test_another_issuers_staff_do_not_see_the_job_listed(client, owner_b, finished_batch):
    client.force_login(owner_b)
    response = client.get(reverse("admin:credentials_issuingbatch_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


def test_a_viewer_sees_the_job_but_may_neither_start_nor_cancel(client, viewer_a, queued_batch):
    client.force_login(viewer_a)
    listing = client.get(reverse("admin:credentials_issuingbatch_changelist"))
    assert list(listing.context["cl"].result_list) == [queued_batch]
    assert START not in listing.content.decode()

    page = client.get(job_url(queued_batch))
    assert page.status_code == 200 and not page.context["may_cancel"]
    assert job_url(queued_batch, "cancel/") not in page.content.decode()

    assert client.get(START).status_code == 403
    assert client.post(job_url(queued_batch, "cancel/")).status_code == 403
    queued_batch.refresh_from_db()
    assert queued_batch.state == IssuingBatch.State.QUEUED


def test_the_list_shows_each_jobs_programme_source_state_and_counts(
    client, officer_a, finished_batch
):
    client.force_login(officer_a)
    response = client.get(reverse("admin:credentials_issuingbatch_changelist"))
    row = response.content.decode()
    assert START in row
    assert finished_batch.get_source_display() in row
    assert finished_batch.get_state_display() in row
    admin = response.context["cl"].model_admin
    assert (admin.done_display(finished_batch), admin.failed_display(finished_batch)) == (2, 1)
    assert admin.started_by_display(finished_batch) == officer_a.username


# --- progress ---------------------------------------------------------------------------------


def test_the_json_progress_of_a_finished_job(client, officer_a, finished_batch):
    client.force_login(officer_a)
    response = client.get(job_url(finished_batch, "progress.json"))

    assert response["Content-Type"] == "application/json"
    progress = response.json()
    assert progress["id"] == str(finished_batch.public_id)
    assert progress["state"] == "completed_with_errors" and progress["finished"] is True
    assert progress["total"] == 3 and progress["percent"] == 100
    assert progress["counts"] == {"issued": 2, "skipped": 0, "failed": 1, "waiting": 0, "done": 2}
    assert progress["eta_seconds"] == 0
    assert progress["state_label"] == finished_batch.get_state_display()
    assert progress["rate_text"].endswith("件/秒")
    assert progress["started_at"] and progress["finished_at"]


def test_rate_and_time_left_come_from_the_items_done_since_the_start(queued_batch):
    started = timezone.now()
    IssuingBatch.objects.filter(pk=queued_batch.pk).update(state="running", started_at=started)
    first_two = queued_batch.items.order_by("line")[:2].values("pk")
    BatchItem.objects.filter(pk__in=first_two).update(state=BatchItem.State.ISSUED)
    queued_batch.refresh_from_db()

    progress = batch_progress(queued_batch, now=started + datetime.timedelta(seconds=10))

    assert progress["counts"]["done"] == 2 and progress["counts"]["waiting"] == 2
    assert progress["percent"] == 50
    assert progress["rate"] == 0.2  # 2 awards in 10 s
    assert progress["eta_seconds"] == 10  # 2 waiting at 0.2/s


def test_a_job_not_yet_started_has_no_estimate(client, officer_a, queued_batch):
    client.force_login(officer_a)
    progress = client.get(job_url(queued_batch, "progress.json")).json()
    assert progress["state"] == "queued" and progress["finished"] is False
    assert progress["percent"] == 0 and progress["counts"]["waiting"] == 4
    assert progress["eta_seconds"] is None and progress["eta_text"] == "—"


# --- failed items as CSV --------------------------------------------------------------------


def test_the_failed_items_file_has_a_bom_the_original_cells_and_the_reason_in_japanese(
    client, officer_a, version_a, django_capture_on_commit_callbacks
):
    rows = [*CSV_ROWS, ('=HYPERLINK("x")', "悪意", "S9", "合格", "80", ASSESSED_ON)]
    start_from_file(
        client, officer_a, version_a, shift_jis_file(rows), django_capture_on_commit_callbacks
    )
    batch = IssuingBatch.objects.get()

    response = client.get(job_url(batch, "failed.csv"))
    body = b"".join(response.streaming_content)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"batch-{batch.public_id}-failed.csv" in response["Content-Disposition"]
    assert body.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert table[0] == [
        "学籍番号", "氏名", "氏名（英語）", "メールアドレス", "合否", "点数", "成績", "評価日",
        "評価方法", "エビデンスURL", "エビデンス", "元の行", "エラー理由",
    ]  # fmt: skip
    bad = batch.items.get(line=BAD_LINE)
    assert table[1] == [
        "S003", "佐藤 次郎", "", "sato@example.ac.jp", "保留", "50", "", ASSESSED_ON, "", "", "",
        str(BAD_LINE), bad.error_ja,
    ]  # fmt: skip
    assert "保留" in table[1][-1] and "合格、不合格" in table[1][-1]
    assert table[2][3] == '\'=HYPERLINK("x")'  # not run as a formula
    assert table[2][-2] == "5"
    assert len(table) == 3


# --- cancelling -----------------------------------------------------------------------------


def test_cancelling_a_queued_job_stops_it_and_says_so(client, officer_a, queued_batch):
    client.force_login(officer_a)
    page = client.get(job_url(queued_batch))
    assert page.context["may_cancel"]

    response = client.post(job_url(queued_batch, "cancel/"), follow=True)

    queued_batch.refresh_from_db()
    assert queued_batch.state == IssuingBatch.State.CANCELLED
    assert "取り消" in " ".join(str(m) for m in response.context["messages"])
    assert not response.context["may_cancel"]
    progress = client.get(job_url(queued_batch, "progress.json")).json()
    assert progress["finished"] is True and progress["counts"]["waiting"] == 4
    assert progress["eta_seconds"] is None


def test_the_programme_editor_offers_batch_issuing_to_those_who_may_issue(
    client, officer_a, viewer_a, version_a
):
    editor = reverse("admin:credentials_programme_change", args=[version_a.programme_id])
    link = f"{START}?version={version_a.pk}"
    client.force_login(officer_a)
    assert link in client.get(editor).content.decode()
    client.force_login(viewer_a)
    assert link not in client.get(editor).content.decode()


def test_the_job_page_says_how_many_mails_went_out_and_which_were_never_confirmed(
    client, officer_a, finished_batch
):
    issued = finished_batch.items.filter(state=BatchItem.State.ISSUED)
    assert issued.filter(notification=BatchItem.Notification.SENT).count() == issued.count()
    # A worker stopped between claiming and sending one mail.
    claimed = issued.first()
    claimed.notification = BatchItem.Notification.SENDING
    claimed.save()
    client.force_login(officer_a)
    page = client.get(job_url(finished_batch), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Learner mails sent: {issued.count() - 1}" in page
    assert "1 not confirmed" in page
    progress = batch_progress(finished_batch)
    assert progress["mail"] == {"sent": issued.count() - 1, "sending": 1, "failed": 0}
