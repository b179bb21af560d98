"""Learners, assessments and awards over the API."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from credentials.models import Assessment, Award, Learner
from issuers.models import AuditEvent
from tests.api.conftest import assert_problem

YESTERDAY = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()


def test_put_learner_creates_then_updates_by_email(api_a, issuer_a):
    body = {"email": "Ichiro@Example.ac.jp", "name_ja": "一郎"}
    first = api_a.put("/api/v1/learners/", body, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["email"] == "ichiro@example.ac.jp"
    second = api_a.put(
        "/api/v1/learners/",
        {"email": "ichiro@example.ac.jp", "name_en": "Ichiro"},
        format="json",
    )
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert (second.json()["name_ja"], second.json()["name_en"]) == ("一郎", "Ichiro")
    enrolment = Learner.objects.get(email="ichiro@example.ac.jp").enrolments.get()
    assert (enrolment.issuer, enrolment.name_ja, enrolment.name_en) == (issuer_a, "一郎", "Ichiro")


@pytest.mark.parametrize(
    ("language", "message"),
    [("ja", "有効なメールアドレスを入力してください。"), ("en", "Enter a valid email address.")],
)
def test_put_learner_validation_in_the_request_language(make_client, issuer_a, language, message):
    client = make_client(issuer_a, ["learners:write"], language=language)
    body = assert_problem(client.put("/api/v1/learners/", {"email": "nope"}, format="json"), 400)
    assert body["errors"] == {"email": [message]}


def test_put_learner_without_any_name_is_a_problem(api_a):
    response = api_a.put("/api/v1/learners/", {"email": "x@example.ac.jp"}, format="json")
    assert_problem(response, 422)
    assert not Learner.objects.filter(email="x@example.ac.jp").exists()


def test_post_assessment(api_a, version_a, learner_a):
    response = api_a.post(
        "/api/v1/assessments/",
        {
            "program": version_a.programme_id,
            "learner_email": learner_a.email,
            "result": "pass",
            "assessed_on": YESTERDAY,
            "method": "written_exam",
            "score": "88.5",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["result"] == "pass" and body["score"] == "88.50" and body["version"] == 1
    assert Assessment.objects.get(pk=body["id"]).assessor == api_a.record.user


@pytest.mark.parametrize(("language", "marker"), [("ja", "評価方法"), ("en", "assessment method")])
def test_post_assessment_with_an_undeclared_method(
    make_client, issuer_a, version_a, learner_a, language, marker
):
    client = make_client(issuer_a, ["assessments:write"], language=language)
    response = client.post(
        "/api/v1/assessments/",
        {
            "program": version_a.programme_id,
            "learner_email": learner_a.email,
            "result": "pass",
            "assessed_on": YESTERDAY,
            "method": "telepathy",
        },
        format="json",
    )
    body = assert_problem(response, 422)
    assert marker in body["errors"]["method"][0]


def _award_body(version, email="jiro@example.ac.jp", **extra):
    return {
        "program": version.programme_id,
        "learner": {"email": email, "name": "次郎"},
        "assessment": {"result": "pass", "assessed_on": YESTERDAY, "method": "written_exam"},
        **extra,
    }


def test_post_award_creates_learner_assessment_and_issued_award(api_a, version_a):
    response = api_a.post("/api/v1/awards/", _award_body(version_a), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    award = Award.objects.get(public_id=body["id"])
    assert award.status == "issued" and body["status"] == "issued"
    assert body["learner"]["name_ja"] == "次郎"
    assert award.learner.enrolments.get(issuer=version_a.programme.issuer).name_ja == "次郎"
    assert award.assessment.method == "written_exam"
    links = body["links"]
    assert set(links) == {
        "ob2_assertion",
        "ob3_credential",
        "ob2_png",
        "ob2_svg",
        "ob3_png",
        "ob3_svg",
        "public_page",
    }
    assert links["ob2_assertion"].endswith(f"/ob2/assertions/{award.public_id}")
    assert links["ob3_credential"].endswith(f"/ob3/credentials/{award.public_id}")
    assert links["ob3_png"].endswith(f"/badges/{award.public_id}/ob3.png")
    assert links["public_page"].endswith(f"/credentials/{award.public_id}/")
    event = AuditEvent.objects.get(action="award.issue", target_id=str(award.pk))
    assert event.actor == api_a.record.user


def test_award_links_name_the_learners_public_page_and_it_is_served(
    api_a, version_a, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the badges are signed after commit
        response = api_a.post("/api/v1/awards/", _award_body(version_a), format="json")
    award = Award.objects.get(public_id=response.json()["id"])
    page = urlsplit(api_a.get(f"/api/v1/awards/{award.public_id}/").json()["links"]["public_page"])
    served = client.get(page.path)
    assert served.status_code == 200
    assert version_a.title_in("ja") in served.content.decode()


def test_post_award_without_assessment_uses_the_recorded_one(api_a, version_a, learner_a):
    Assessment.objects.create(
        learner=learner_a,
        programme_version=version_a,
        result="pass",
        method="written_exam",
        assessed_on=YESTERDAY,
    )
    body = {"program": version_a.programme_id, "learner": {"email": learner_a.email}}
    response = api_a.post("/api/v1/awards/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["learner"]["email"] == learner_a.email


def test_post_award_on_a_failed_assessment_changes_nothing(api_a, version_a):
    body = _award_body(version_a)
    body["assessment"]["result"] = "fail"
    assert_problem(api_a.post("/api/v1/awards/", body, format="json"), 422)
    assert not Award.objects.exists()


def test_post_award_with_an_assessment_needs_assessments_write(make_client, issuer_a, version_a):
    client = make_client(issuer_a, ["awards:write", "learners:write"])
    body = assert_problem(
        client.post("/api/v1/awards/", _award_body(version_a), format="json"), 403
    )
    assert "assessments:write" in body["detail"]


def test_get_award_and_list_with_filters(api_a, award_a, award_b, version_a):
    detail = api_a.get(f"/api/v1/awards/{award_a.public_id}/")
    assert detail.status_code == 200
    assert detail.json()["status"] == "issued"
    listed = api_a.get("/api/v1/awards/").json()
    assert [award["id"] for award in listed["results"]] == [str(award_a.public_id)]
    assert "next" in listed and "previous" in listed
    by_program = api_a.get("/api/v1/awards/", {"program": version_a.programme_id}).json()
    assert len(by_program["results"]) == 1
    assert api_a.get("/api/v1/awards/", {"status": "revoked"}).json()["results"] == []
    by_email = api_a.get("/api/v1/awards/", {"learner": award_a.learner.email.upper()}).json()
    assert len(by_email["results"]) == 1
    future = (timezone.now() + datetime.timedelta(hours=1)).isoformat()
    assert api_a.get("/api/v1/awards/", {"updated_since": future}).json()["results"] == []
    past = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    assert len(api_a.get("/api/v1/awards/", {"updated_since": past}).json()["results"]) == 1


def test_award_list_filter_validation(api_a):
    body = assert_problem(api_a.get("/api/v1/awards/", {"status": "lost"}), 400)
    assert "status" in body["errors"]


def test_award_list_pages_with_a_cursor(api_a, version_a):
    for number in range(3):
        api_a.post(
            "/api/v1/awards/",
            _award_body(version_a, email=f"p{number}@example.ac.jp"),
            format="json",
        )
    first = api_a.get("/api/v1/awards/", {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    second = api_a.get(first["next"]).json()
    assert len(second["results"]) == 1
    seen = {award["id"] for award in first["results"] + second["results"]}
    assert len(seen) == 3


def test_revoke_award(api_a, award_a):
    response = api_a.post(
        f"/api/v1/awards/{award_a.public_id}/revoke/", {"reason": "Misconduct"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "revoked"
    assert response.json()["revocation_reason"] == "Misconduct"
    award_a.refresh_from_db()
    assert award_a.status == "revoked"


@pytest.mark.parametrize(
    ("language", "required"), [("ja", "この項目は必須です。"), ("en", "This field is required.")]
)
def test_revoke_needs_a_reason(make_client, issuer_a, award_a, language, required):
    client = make_client(issuer_a, ["awards:revoke"], language=language)
    response = client.post(f"/api/v1/awards/{award_a.public_id}/revoke/", {}, format="json")
    assert assert_problem(response, 400)["errors"] == {"reason": [required]}
