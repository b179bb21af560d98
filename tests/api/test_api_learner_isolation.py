"""Issue #13: a learner is shared across issuers by e-mail, but an issuer sees only what it
recorded itself. Issuer A's upsert of an e-mail known only to B neither answers with B's
names nor changes B's record, and answers exactly as for an e-mail nobody knows."""

from credentials.models import LearnerEnrolment
from tests.api.conftest import assert_problem

B_NAMES = ("乙の記録 太郎", "Taro of B")


def _b_records(learner_b):
    enrolment = learner_b.enrolments.get()
    enrolment.name_ja, enrolment.name_en = B_NAMES
    enrolment.student_number = "B-0001"
    enrolment.save()
    return enrolment


def test_a_put_for_a_learner_known_only_to_b_answers_none_of_bs_names(api_a, learner_b):
    _b_records(learner_b)
    response = api_a.put("/api/v1/learners/", {"email": learner_b.email, "name_ja": "甲の記録"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name_ja"], body["name_en"]) == ("甲の記録", "")
    text = response.content.decode()
    assert all(name not in text for name in (*B_NAMES, "B-0001"))


def test_a_put_does_not_change_what_b_recorded(api_a, learner_b, issuer_a, issuer_b):
    before = _b_records(learner_b)
    api_a.put(
        "/api/v1/learners/",
        {
            "email": learner_b.email,
            "name_ja": "上書き",
            "name_en": "Overwritten",
            "student_number": "A-9",
        },
        format="json",
    )
    at_b = LearnerEnrolment.objects.get(learner=learner_b, issuer=issuer_b)
    assert (at_b.name_ja, at_b.name_en, at_b.student_number) == (*B_NAMES, before.student_number)
    at_a = LearnerEnrolment.objects.get(learner=learner_b, issuer=issuer_a)
    assert (at_a.name_ja, at_a.name_en, at_a.student_number) == ("上書き", "Overwritten", "A-9")


def test_a_put_without_a_name_is_refused_alike_whether_or_not_b_knows_the_email(api_a, learner_b):
    _b_records(learner_b)
    known_to_b = api_a.put("/api/v1/learners/", {"email": learner_b.email}, format="json")
    unknown = api_a.put("/api/v1/learners/", {"email": "nobody@example.ac.jp"}, format="json")
    assert assert_problem(known_to_b, 422) == assert_problem(unknown, 422)
    assert not learner_b.enrolments.exclude(issuer__slug="society-b").exists()


def test_as_award_list_shows_the_name_a_recorded_not_bs(api_a, learner_b, version_a):
    _b_records(learner_b)
    body = {
        "program": version_a.programme_id,
        "learner": {"email": learner_b.email, "name": "甲が記録した名前"},
        "assessment": {"result": "pass", "assessed_on": "2026-01-05", "method": "written_exam"},
    }
    created = api_a.post("/api/v1/awards/", body, format="json")
    assert created.status_code == 201, created.content
    listed = api_a.get("/api/v1/awards/").json()["results"]
    for learner in (created.json()["learner"], listed[0]["learner"]):
        assert (learner["name_ja"], learner["name_en"]) == ("甲が記録した名前", "")
