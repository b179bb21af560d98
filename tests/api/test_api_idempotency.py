"""Idempotency-Key: a retried POST returns the first response and does nothing twice."""

import datetime

from django.utils import timezone

from credentials.models import Award, Programme
from issuers.models import AuditEvent, IdempotencyRecord
from tests.api.conftest import assert_problem
from tests.frameworks.fixtures import fully_described_descriptors

YESTERDAY = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()


def _award_body(version, email="jiro@example.ac.jp"):
    return {
        "program": version.programme_id,
        "learner": {"email": email, "name": "Jiro"},
        "assessment": {"result": "pass", "assessed_on": YESTERDAY, "method": "written_exam"},
    }


def test_same_key_and_body_replays_the_first_response(api_a, version_a):
    body = _award_body(version_a)
    first = api_a.post("/api/v1/awards/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.content
    again = api_a.post("/api/v1/awards/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Award.objects.count() == 1
    assert AuditEvent.objects.filter(action="award.issue").count() == 1
    assert AuditEvent.objects.filter(action="assessment.record").count() == 1


def test_without_a_key_a_second_post_is_a_new_request(api_a, version_a):
    body = _award_body(version_a)
    assert api_a.post("/api/v1/awards/", body, format="json").status_code == 201
    # issue_award is idempotent itself: the same award, now 200 (not created again).
    assert api_a.post("/api/v1/awards/", body, format="json").status_code == 200
    assert Award.objects.count() == 1


def test_same_key_with_another_body_is_a_422_problem(make_client, issuer_a, version_a):
    client = make_client(issuer_a, language="en")
    first = client.post(
        "/api/v1/awards/", _award_body(version_a), format="json", HTTP_IDEMPOTENCY_KEY="k-2"
    )
    assert first.status_code == 201
    other = client.post(
        "/api/v1/awards/",
        _award_body(version_a, email="saburo@example.ac.jp"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-2",
    )
    problem = assert_problem(other, 422)
    assert "Idempotency-Key" in problem["detail"]
    assert Award.objects.count() == 1


def test_keys_belong_to_one_client(make_client, issuer_a):
    body = {"slug": "same", "descriptors": fully_described_descriptors()}
    one, two = make_client(issuer_a), make_client(issuer_a)
    assert (
        one.post("/api/v1/programs/", body, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code
        == 201
    )
    # Another client's identical key is not a replay: the request runs (and the slug clashes).
    response = two.post("/api/v1/programs/", body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert_problem(response, 422)
    assert Programme.objects.filter(slug="same").count() == 1


def test_errors_are_not_stored_so_a_corrected_retry_runs(api_a, version_a):
    body = {"slug": "p", "descriptors": {"title": {"ja": ""}}}
    assert_problem(
        api_a.post("/api/v1/programs/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-3"), 400
    )
    assert not IdempotencyRecord.objects.exists()
