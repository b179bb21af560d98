"""Integer query parameters and cursors of every list: out-of-range or malformed values answer
a 400 problem naming the parameter, in Japanese or English, and never reach the database."""

import base64
from urllib.parse import urlencode

import pytest

from credentials.services.batches import start_batch_from_list
from tests.api.conftest import assert_problem
from tests.credentials.factories import AssessmentFactory, AwardFactory, LearnerFactory

TOO_LARGE = str(2**63)
BAD_INTEGERS = [TOO_LARGE, "-1", "0", "abc", "1.5"]
# Every list endpoint and its integer query parameters (page_size is the pagination's).
LIST_INTEGER_PARAMS = [
    ("/api/v1/programs/", "page_size"),
    ("/api/v1/awards/", "program"),
    ("/api/v1/awards/", "page_size"),
    ("/api/v1/batches/", "program"),
    ("/api/v1/batches/", "page_size"),
    ("/api/v1/batches/{batch}/errors/", "page_size"),
]


@pytest.fixture
def batch_path(version_a):
    row = {"email": "jiro@example.ac.jp", "result": "pass", "assessed_on": "2026-07-31"}
    batch = start_batch_from_list(actor=None, programme_version=version_a, rows=[row])
    return lambda path: path.format(batch=batch.public_id)


@pytest.mark.parametrize(("path", "param"), LIST_INTEGER_PARAMS)
@pytest.mark.parametrize("value", BAD_INTEGERS)
def test_bad_integer_parameters_answer_400_naming_the_parameter(
    make_client, issuer_a, batch_path, path, param, value
):
    client = make_client(issuer_a, language="en")
    problem = assert_problem(client.get(batch_path(path), {param: value}), 400)
    assert list(problem["errors"]) == [param]
    assert problem["errors"][param][0]


def test_the_problem_is_in_japanese_by_default(make_client, issuer_a):
    client = make_client(issuer_a)
    problem = assert_problem(client.get("/api/v1/awards/", {"program": TOO_LARGE}), 400)
    assert problem["title"] == "リクエストが正しくありません。"
    assert "9223372036854775807" in problem["errors"]["program"][0]
    english = make_client(issuer_a, language="en").get("/api/v1/awards/", {"program": TOO_LARGE})
    assert "less than or equal to 9223372036854775807" in english.json()["errors"]["program"][0]


def test_good_values_still_filter_and_page(api_a, award_a):
    program = award_a.programme_version.programme_id
    body = api_a.get("/api/v1/awards/", {"program": program, "page_size": 1}).json()
    assert [award["id"] for award in body["results"]] == [str(award_a.public_id)]
    assert api_a.get("/api/v1/awards/", {"program": program + 1}).json()["results"] == []
    assert api_a.get("/api/v1/programs/", {"page_size": 200}).status_code == 200


def _cursor(position: str) -> str:
    return base64.b64encode(urlencode({"p": position}).encode()).decode()


@pytest.mark.parametrize(
    ("path", "cursor"),
    [
        ("/api/v1/programs/", _cursor("abc")),
        ("/api/v1/programs/", _cursor(TOO_LARGE)),
        ("/api/v1/awards/", _cursor("abc")),
        ("/api/v1/batches/", _cursor("not-a-time")),
        ("/api/v1/awards/", "%%%not-base64"),
    ],
)
def test_forged_cursors_answer_400_naming_the_cursor(make_client, issuer_a, path, cursor):
    client = make_client(issuer_a, language="en")
    problem = assert_problem(client.get(path, {"cursor": cursor}), 400)
    assert problem["errors"] == {
        "cursor": ["This cursor is not valid: use the next or previous link as given."]
    }


def test_the_next_link_still_works(api_a, version_a, learner_a):
    for index in range(3):
        learner = LearnerFactory(email=f"p{index}@example.ac.jp")
        AwardFactory(
            assessment=AssessmentFactory(learner=learner, programme_version=version_a), issued=True
        )
    first = api_a.get("/api/v1/awards/", {"page_size": 2}).json()
    second = api_a.get(first["next"]).json()
    assert len(first["results"]) == 2 and len(second["results"]) == 1
