"""POST /batches/ (a JSON list or a CSV upload) and following the job: status, failed items
(JSON and CSV), the batch.completed webhook, idempotency. Celery is eager here: the job runs
when the request's transaction commits (django_capture_on_commit_callbacks)."""

import csv
import io
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from credentials import services
from credentials.models import Award, IssuingBatch
from credentials.selectors import award_learner_name
from credentials.services import batches
from issuers import webhooks
from tests.api.conftest import assert_problem
from tests.api.test_api_webhooks import Receiver, receiver_verifies
from tests.credentials.factories import AwardFactory, ProgrammeVersionFactory

pytestmark = pytest.mark.django_db

ROWS = [
    {"email": "ichiro@example.ac.jp", "name_ja": "一郎", "result": "pass", "score": 86,
     "grade": "A", "assessed_on": "2026-07-31", "method": "written_exam"},
    {"email": "jiro@example.ac.jp", "name_en": "Jiro", "result": "pass", "score": "71.5",
     "assessed_on": "2026-07-31"},
    {"email": "not-an-email", "result": "pass", "assessed_on": "2026-07-31"},
]  # fmt: skip


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _start(client, version, rows=ROWS, **headers):
    body = {"program": version.programme_id, "items": rows}
    return client.post("/api/v1/batches/", body, format="json", **headers)


def test_a_json_list_is_accepted_and_runs_to_completion_with_its_bad_row_reported(
    api_a, version_a, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_BASE_URL = "https://portal.example.ac.jp"
    settings.BATCH_CHUNK_SIZE = 2
    with django_capture_on_commit_callbacks(execute=True):
        response = _start(api_a, version_a)
    assert response.status_code == 202, response.content
    accepted = response.json()
    # The answer describes the job as it was queued; the work runs after the commit.
    assert (accepted["state"], accepted["total"], accepted["pending"]) == ("queued", 3, 2)
    assert accepted["failed"] == 1  # the unreadable row is failed from the start
    assert response["Location"] == accepted["links"]["self"]
    assert accepted["links"]["self"] == (
        f"https://portal.example.ac.jp/api/v1/batches/{accepted['id']}/"
    )
    assert (accepted["program"], accepted["program_slug"], accepted["source"]) == (
        version_a.programme_id,
        "ds-a",
        "api",
    )

    job = api_a.get(_path(response["Location"]))
    assert job.status_code == 200
    status = job.json()
    assert status["state"] == "completed_with_errors"
    counts = {k: status[k] for k in ("total", "done", "issued", "skipped", "failed", "pending")}
    assert counts == {"total": 3, "done": 2, "issued": 2, "skipped": 0, "failed": 1, "pending": 0}
    assert status["percent"] == 100 and status["eta_seconds"] == 0
    assert status["started_at"] and status["finished_at"]
    assert status["rate"] > 0
    assert (status["parent"], status["follow_ups"]) == (None, [])
    issued = Award.objects.filter(batch_items__batch__public_id=status["id"], status="issued")
    assert sorted(issued.values_list("learner__email", flat=True)) == [
        "ichiro@example.ac.jp",
        "jiro@example.ac.jp",
    ]

    errors = api_a.get(_path(status["links"]["errors"]), HTTP_ACCEPT_LANGUAGE="en")
    assert errors.status_code == 200
    (failed,) = errors.json()["results"]
    assert (failed["line"], failed["email"]) == (3, "not-an-email")
    assert "not-an-email" in failed["reason_en"] and "not-an-email" in failed["reason_ja"]
    assert failed["reason_ja"] != failed["reason_en"]


def test_the_failed_items_come_as_csv_when_asked_for(api_a, version_a):
    batch = batches.start_batch_from_list(
        actor=None, programme_version=version_a, rows=[*ROWS, {"email": "=cmd|calc", "result": "x"}]
    )
    path = f"/api/v1/batches/{batch.public_id}/errors/"
    response = api_a.get(path, HTTP_ACCEPT="text/csv", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads the Japanese as UTF-8
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["Student number", "Name (Japanese)", "Name (English)", "E-mail"]
    assert rows[0][-2:] == ["Original line", "Reason"]
    # A cell that a spreadsheet would run as a formula is defused.
    assert [(row[3], row[-2]) for row in rows[1:]] == [("not-an-email", "3"), ("'=cmd|calc", "4")]
    assert "is not an e-mail address" in rows[1][-1]
    # One way to ask: the Accept header (a `format` parameter is not another switch).
    assert api_a.get(path, {"format": "csv"})["Content-Type"] == "application/json"
    missing = api_a.get(
        path.replace(str(batch.public_id), str(uuid.uuid4())), HTTP_ACCEPT="text/csv"
    )
    assert_problem(missing, 404)  # a problem stays JSON


def test_a_cp932_csv_upload_starts_a_job_named_after_the_file(
    api_a, version_a, django_capture_on_commit_callbacks
):
    text = (
        "メールアドレス,氏名,結果,点数,評価日,評価方法\r\n"
        "hanako@example.ac.jp,港 花子,合格,90,2026/7/31,written_exam\r\n"
        "saburo@example.ac.jp,三郎,不合格,40,2026/7/31,written_exam\r\n"
        "shiro@example.ac.jp,四郎,合格,75,いつか,written_exam\r\n"
    )
    upload = SimpleUploadedFile("成績.csv", text.encode("cp932"), "text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = api_a.post(
            "/api/v1/batches/",
            {"program": version_a.programme_id, "file": upload, "notify": "false"},
            format="multipart",
        )
    assert response.status_code == 202, response.content
    assert response.json()["source_name"] == "成績.csv"
    assert response.json()["notify"] is False
    status = api_a.get(_path(response["Location"])).json()
    assert (status["issued"], status["skipped"], status["failed"]) == (1, 1, 1)
    award = Award.objects.get(batch_items__batch__public_id=status["id"])
    assert (award.learner.email, award_learner_name(award).ja) == (
        "hanako@example.ac.jp",
        "港 花子",
    )
    (failed,) = api_a.get(_path(status["links"]["errors"])).json()["results"]
    assert (failed["line"], failed["email"]) == (4, "shiro@example.ac.jp")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"items": ROWS}, "program"),
        ({"program": "{program}"}, "items"),
        ({"program": "{program}", "items": []}, "items"),
        ({"program": "{program}", "items": {"email": "a@example.ac.jp"}}, "items"),
        ({"program": "{program}", "items": [ROWS[0], "a@example.ac.jp"]}, "items[1]"),
        ({"program": "{program}", "items": [{"email": ["a@example.ac.jp"]}]}, "items[0].email"),
        ({"program": "{program}", "items": [{"email": "a" * 255}]}, "items[0].email"),
        ({"program": "{program}", "items": [{"name_ja": "\x00"}]}, "items[0].name_ja"),
    ],
)
def test_a_malformed_request_is_a_problem_per_field(make_client, issuer_a, version_a, body, field):
    client = make_client(issuer_a, language="en")
    body = {k: version_a.programme_id if v == "{program}" else v for k, v in body.items()}
    problem = assert_problem(client.post("/api/v1/batches/", body, format="json"), 400)
    assert set(problem["errors"]) == {field}
    assert not IssuingBatch.objects.exists()


def test_too_many_items_are_refused_before_anything_is_stored(api_a, version_a, monkeypatch):
    monkeypatch.setattr(batches, "MAX_BATCH_ITEMS", 2)
    problem = assert_problem(_start(api_a, version_a, HTTP_ACCEPT_LANGUAGE="en"), 400)
    assert problem["errors"]["items"] == ["A batch can hold at most 2 awards; split the list."]
    assert not IssuingBatch.objects.exists()


def test_a_file_that_cannot_be_read_is_a_problem_on_the_file(api_a, version_a):
    upload = SimpleUploadedFile("results.csv", b"\xff\xfe\x00\x00garbage\x00", "text/csv")
    response = api_a.post(
        "/api/v1/batches/",
        {"program": version_a.programme_id, "file": upload},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    problem = assert_problem(response, 400)
    assert set(problem["errors"]) == {"file"}
    assert not IssuingBatch.objects.exists()


def test_an_unpublished_programme_is_refused(api_a, version_a):
    version_a.published_at = None
    version_a.save(update_fields=["published_at"])
    assert_problem(_start(api_a, version_a), 422)


def test_another_issuers_programme_is_not_found_for_an_upload_either(api_a, version_b):
    upload = SimpleUploadedFile("r.csv", b"email,result,assessed_on\na@x.jp,pass,2026-07-31\n")
    response = api_a.post(
        "/api/v1/batches/", {"program": version_b.programme_id, "file": upload}, format="multipart"
    )
    assert_problem(response, 404)
    assert not IssuingBatch.objects.exists()


def test_a_retry_with_the_same_key_returns_the_same_job_and_starts_no_second_one(
    api_a, version_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as first_callbacks:
        first = _start(api_a, version_a, HTTP_IDEMPOTENCY_KEY="term-end-2026")
    with django_capture_on_commit_callbacks() as retry_callbacks:
        again = _start(api_a, version_a, HTTP_IDEMPOTENCY_KEY="term-end-2026")
    assert first.status_code == again.status_code == 202
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert again["Location"] == first["Location"]  # the replay says where the job is, too
    assert IssuingBatch.objects.count() == 1
    assert len(first_callbacks) >= 1 and retry_callbacks == []  # nothing queued again
    other = _start(api_a, version_a, rows=ROWS[:1], HTTP_IDEMPOTENCY_KEY="term-end-2026")
    assert_problem(other, 422)


def test_an_upload_retried_with_the_same_key_but_another_file_is_refused(api_a, version_a):
    def upload(content):
        file = SimpleUploadedFile("results.csv", content.encode(), "text/csv")
        return api_a.post(
            "/api/v1/batches/",
            {"program": version_a.programme_id, "file": file},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="upload-1",
        )

    header = "email,result,assessed_on\n"
    first = upload(header + "a@example.ac.jp,pass,2026-07-31\n")
    assert first.status_code == 202, first.content
    assert upload(header + "a@example.ac.jp,pass,2026-07-31\n").json()["id"] == first.json()["id"]
    # Same name, other content: another request, not a replay.
    assert_problem(upload(header + "b@example.ac.jp,pass,2026-07-31\n"), 422)
    assert IssuingBatch.objects.count() == 1


def test_jobs_are_listed_newest_first_and_filtered(api_a, version_a, award_b):
    older = batches.start_batch_from_list(actor=None, programme_version=version_a, rows=ROWS)
    newer = batches.start_batch_from_list(actor=None, programme_version=version_a, rows=ROWS[:1])
    IssuingBatch.objects.filter(pk=older.pk).update(state=IssuingBatch.State.COMPLETED)
    batches.start_batch_from_list(
        actor=None, programme_version=award_b.programme_version, rows=ROWS[:1]
    )

    def ids(**params):
        return [b["id"] for b in api_a.get("/api/v1/batches/", params).json()["results"]]

    assert ids() == [str(newer.public_id), str(older.public_id)]  # never issuer B's
    assert ids(state="completed") == [str(older.public_id)]
    assert ids(program=version_a.programme_id, state="queued") == [str(newer.public_id)]
    assert ids(program=award_b.programme_version.programme_id) == []
    page = api_a.get("/api/v1/batches/", {"page_size": 1}).json()
    assert len(page["results"]) == 1 and page["next"]


def test_a_queued_job_has_no_rate_or_estimate_yet(api_a, version_a):
    batch = batches.start_batch_from_list(actor=None, programme_version=version_a, rows=ROWS)
    status = api_a.get(f"/api/v1/batches/{batch.public_id}/").json()
    assert (status["state"], status["started_at"], status["finished_at"]) == ("queued", None, None)
    assert (status["pending"], status["rate"], status["eta_seconds"]) == (2, 0.0, None)


def test_a_follow_up_job_for_completed_stacks_is_linked_both_ways(
    api_a, issuer_a, learner_a, django_capture_on_commit_callbacks
):
    tiers = {
        name: ProgrammeVersionFactory(programme__issuer=issuer_a, programme__slug=name)
        for name in ("bronze", "silver", "platinum")
    }
    tiers["platinum"].auto_issue_stack = True
    tiers["platinum"].save()
    services.set_stack_requirement(
        actor=api_a.record.user,
        target=tiers["platinum"].programme,
        required=[tiers["bronze"].programme, tiers["silver"].programme],
    )
    AwardFactory(
        assessment__learner=learner_a, assessment__programme_version=tiers["bronze"], issued=True
    )
    row = {"email": learner_a.email, "result": "pass", "assessed_on": "2026-07-31"}
    with django_capture_on_commit_callbacks(execute=True):
        response = _start(api_a, tiers["silver"], rows=[row])
    job = api_a.get(_path(response["Location"])).json()
    (follow_up_id,) = job["follow_ups"]
    follow_up = api_a.get(_path(job["links"]["follow_ups"][0])).json()
    assert follow_up["id"] == follow_up_id and follow_up["parent"] == job["id"]
    assert (follow_up["source"], follow_up["program_slug"]) == ("stack", "platinum")
    assert (follow_up["state"], follow_up["issued"]) == ("completed", 1)
    assert _path(follow_up["links"]["parent"]) == _path(job["links"]["self"])


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    server = Receiver()
    yield server
    server.close()


def test_batch_completed_is_delivered_signed_with_the_job_as_get_shows_it(
    receiver, api_a, version_a, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_BASE_URL = "https://portal.example.ac.jp"
    hook = api_a.post("/api/v1/webhooks/", {"url": receiver.url, "events": ["batch.completed"]})
    assert hook.status_code == 201, hook.content
    secret = hook.json()["secret"]
    with django_capture_on_commit_callbacks(execute=True):
        response = _start(api_a, version_a)
    assert response.status_code == 202

    (headers, body), *others = receiver.requests
    assert others == []  # only the subscribed event (no award.issued)
    assert receiver_verifies(secret, headers, body)
    assert webhooks.verify_signature(secret, headers["x-mc-portal-signature"], body)
    event = json.loads(body)
    assert (event["type"], headers["x-mc-portal-event"]) == ("batch.completed", "batch.completed")
    assert event["data"] == api_a.get(_path(response["Location"])).json()
    assert (event["data"]["state"], event["data"]["failed"]) == ("completed_with_errors", 1)


def test_the_schema_describes_the_batch_operations():
    schema = json.loads(APIClient().get("/api/schema/", {"format": "json"}).content)
    create = schema["paths"]["/api/v1/batches/"]["post"]
    assert set(create["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert "202" in create["responses"]
    assert "get" in schema["paths"]["/api/v1/batches/{id}/"]
    errors = schema["paths"]["/api/v1/batches/{id}/errors/"]["get"]["responses"]["200"]
    assert set(errors["content"]) == {"application/json", "text/csv"}
