"""Who may call what: bearer tokens, scopes, issuer isolation, rate limits."""

import pytest
from rest_framework.test import APIClient

from credentials.models import IssuingBatch
from credentials.services.batches import start_batch_from_list
from issuers.api_clients import SCOPES, deactivate_api_client
from tests.api.conftest import assert_problem

ROW = {"email": "jiro@example.ac.jp", "result": "pass", "assessed_on": "2026-07-31"}


def _batch(version):
    # Queued only: the job is dispatched on commit, which a test transaction never reaches.
    return start_batch_from_list(actor=None, programme_version=version, rows=[ROW])


@pytest.fixture
def batch_a(version_a):
    return _batch(version_a)


@pytest.fixture
def batch_b(version_b):
    return _batch(version_b)


# (method, path template, body, scope it needs). Paths use {program}, {award}, {batch}.
ENDPOINTS = [
    ("get", "/api/v1/programs/", None, "programs:read"),
    ("post", "/api/v1/programs/", {"slug": "x", "descriptors": {}}, "programs:write"),
    ("get", "/api/v1/programs/{program}/", None, "programs:read"),
    ("patch", "/api/v1/programs/{program}/", {"criteria_en": "x"}, "programs:write"),
    ("post", "/api/v1/programs/{program}/publish/", {}, "programs:write"),
    ("put", "/api/v1/learners/", {"email": "a@example.ac.jp", "name_ja": "甲"}, "learners:write"),
    ("post", "/api/v1/assessments/", {}, "assessments:write"),
    ("get", "/api/v1/awards/", None, "awards:read"),
    ("post", "/api/v1/awards/", {}, "awards:write"),
    ("get", "/api/v1/awards/{award}/", None, "awards:read"),
    ("post", "/api/v1/awards/{award}/revoke/", {"reason": "x"}, "awards:revoke"),
    ("get", "/api/v1/batches/", None, "awards:read"),
    ("post", "/api/v1/batches/", {}, "awards:write"),
    ("get", "/api/v1/batches/{batch}/", None, "awards:read"),
    ("get", "/api/v1/batches/{batch}/errors/", None, "awards:read"),
]


def _call(client, method, path, body, award, batch):
    path = path.format(
        program=award.programme_version.programme_id, award=award.public_id, batch=batch.public_id
    )
    return (
        getattr(client, method)(path, body, format="json")
        if body is not None
        else getattr(client, method)(path)
    )


@pytest.mark.parametrize(("method", "path", "body", "scope"), ENDPOINTS)
def test_each_missing_scope_is_forbidden(
    make_client, issuer_a, award_a, batch_a, method, path, body, scope
):
    client = make_client(issuer_a, [s for s in SCOPES if s != scope], language="en")
    problem = assert_problem(_call(client, method, path, body, award_a, batch_a), 403)
    assert scope in problem["detail"]


@pytest.mark.parametrize(("method", "path", "body", "scope"), ENDPOINTS)
def test_no_token_is_unauthorised(award_a, batch_a, method, path, body, scope):
    response = _call(APIClient(), method, path, body, award_a, batch_a)
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_wrong_or_deactivated_token_is_unauthorised(api_a, award_a):
    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION=f"Bearer mcp_{api_a.record.prefix}_forged")
    assert_problem(stranger.get("/api/v1/awards/"), 401)
    assert api_a.get("/api/v1/awards/").status_code == 200
    deactivate_api_client(actor=None, client=api_a.record)
    assert_problem(api_a.get("/api/v1/awards/"), 401)


# Every endpoint that names an object, given issuer B's object, with A's all-scopes token.
CROSS_ISSUER = [
    ("get", "/api/v1/programs/{program}/", None),
    ("patch", "/api/v1/programs/{program}/", {"criteria_en": "x"}),
    ("post", "/api/v1/programs/{program}/publish/", {}),
    ("get", "/api/v1/awards/{award}/", None),
    ("post", "/api/v1/awards/{award}/revoke/", {"reason": "x"}),
    (
        "post",
        "/api/v1/assessments/",
        {
            "program": "{program}",
            "learner_email": "hanako@example.ac.jp",
            "result": "pass",
            "assessed_on": "2026-01-05",
        },
    ),
    (
        "post",
        "/api/v1/assessments/",
        {
            "program": "{own_program}",
            "learner_email": "taro@example.ac.jp",
            "result": "pass",
            "assessed_on": "2026-01-05",
        },
    ),
    ("post", "/api/v1/awards/", {"program": "{program}", "learner": {"email": "z@example.ac.jp"}}),
    ("get", "/api/v1/batches/{batch}/", None),
    ("get", "/api/v1/batches/{batch}/errors/", None),
    ("post", "/api/v1/batches/", {"program": "{program}", "items": [ROW]}),
]


@pytest.mark.parametrize(("method", "path", "body"), CROSS_ISSUER)
def test_another_issuers_objects_are_not_found(
    api_a, award_a, learner_a, award_b, batch_b, method, path, body
):
    values = {
        "program": award_b.programme_version.programme_id,
        "own_program": award_a.programme_version.programme_id,
        "award": award_b.public_id,
        "batch": batch_b.public_id,
    }
    path = path.format(**values)
    if body:
        body = {
            key: (int(value.format(**values)) if isinstance(value, str) and "{" in value else value)
            for key, value in body.items()
        }
    response = getattr(api_a, method)(path, body, format="json")
    assert_problem(response, 404)
    award_b.refresh_from_db()
    assert award_b.status == "issued"
    assert (
        IssuingBatch.objects.filter(issuer=award_b.programme_version.programme.issuer).count() == 1
    )


def test_lists_never_show_another_issuers_objects(api_a, award_b, batch_b):
    programme = award_b.programme_version.programme_id
    assert api_a.get("/api/v1/programs/").json()["results"] == []
    assert api_a.get("/api/v1/awards/", {"program": programme}).json()["results"] == []
    assert api_a.get("/api/v1/batches/").json()["results"] == []


def test_rate_limit_per_token(settings, make_client, issuer_a):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_client": "2/minute", "verify": "2/minute"},
    }
    first, second = make_client(issuer_a), make_client(issuer_a)
    assert first.get("/api/v1/awards/").status_code == 200
    assert first.get("/api/v1/awards/").status_code == 200
    response = first.get("/api/v1/awards/")
    assert_problem(response, 429)
    assert "Retry-After" in response
    assert second.get("/api/v1/awards/").status_code == 200  # another token, its own budget


@pytest.mark.parametrize(
    ("headers", "title"),
    [
        ({}, "見つかりません。"),  # Japanese is the default
        ({"HTTP_ACCEPT_LANGUAGE": "ja"}, "見つかりません。"),
        ({"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}, "Not found."),
    ],
)
def test_problem_titles_follow_accept_language(api_a, award_b, headers, title):
    response = api_a.get(f"/api/v1/awards/{award_b.public_id}/", **headers)
    assert assert_problem(response, 404)["title"] == title
