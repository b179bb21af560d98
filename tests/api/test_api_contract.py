"""Contract test: schemathesis generates requests for every operation of the LIVE OpenAPI
document (/api/schema/ of a running portal, pytest-django live_server) and checks that the
portal never answers 5xx, that every status code is documented, and that every response body
conforms to the documented schema.

Bounded for CI: 15 derandomized examples per operation, no deadline (the first request
of a live server is slow).
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from credentials.models import Programme
from issuers.api_clients import SCOPES, create_api_client
from tests.credentials.factories import (
    AssessmentFactory,
    AwardFactory,
    EnrolmentFactory,
    LearnerFactory,
    ProgrammeVersionFactory,
)
from tests.frameworks.fixtures import ensure_frameworks_loaded
from tests.issuers.factories import IssuerFactory

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture
def portal(live_server, settings):
    ensure_frameworks_loaded()
    settings.PORTAL_BASE_URL = live_server.url
    # Fuzzing sends many requests with one token: don't let the throttle turn them into 429s.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_client": "100000/minute", "verify": "100000/minute"},
    }
    issuer = IssuerFactory(slug="contract-u", name_en="Contract University")
    version = ProgrammeVersionFactory(programme__issuer=issuer, programme__slug="contract-ds")
    learner = EnrolmentFactory(issuer=issuer, learner=LearnerFactory(email="c@example.ac.jp"))
    assessment = AssessmentFactory(learner=learner.learner, programme_version=version)
    AwardFactory(assessment=assessment, issued=True)
    _, token = create_api_client(actor=None, issuer=issuer, name="contract", scopes=SCOPES)
    return live_server.url, token


# Positive data (valid per the schema, so requests reach the code behind validation) and
# negative data (schema violations, which must come back as documented 4xx problems).
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)


def test_every_operation_honours_its_contract(portal):
    # schemathesis.pytest.from_fixture does not work with this pytest (Function._nodeid), so
    # the operations are driven by hand: one Hypothesis run per operation and mode.
    base_url, token = portal
    schema = schemathesis.openapi.from_url(f"{base_url}/api/schema/?format=json")
    # An LMS sends Accept: application/json (406, for an Accept header naming nothing the API
    # renders, is documented on every operation but has no body schema to check).
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    failures, seen, calls = {}, [], {}
    for result in schema.get_all_operations():
        operation = result.ok()
        seen.append(operation.label)
        for mode in MODES:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=15,
                derandomize=True,
                deadline=None,
                database=None,
                # One live_server for the whole run: the data is shared on purpose.
                suppress_health_check=list(HealthCheck),
            )
            def run(case):
                calls[case.operation.label] = calls.get(case.operation.label, 0) + 1
                case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)

            try:
                run()
            except Exception as error:  # collect every operation's failure, then report all
                failures[f"{operation.label} [{mode.value}]"] = str(error)[:3000]
    assert len(seen) >= 9, seen
    assert set(calls) == set(seen), calls  # every documented operation was really called
    print("schemathesis calls per operation:", calls)
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())


@pytest.mark.django_db
def test_an_unexpected_error_is_a_500_problem(api_a, monkeypatch, caplog):
    from tests.api.conftest import assert_problem

    def broken(user):
        raise RuntimeError("database on fire")

    monkeypatch.setattr("credentials.api.views.selectors.programmes_for_user", broken)
    body = assert_problem(api_a.get("/api/v1/programs/"), 500)
    assert "database on fire" not in str(body)  # no internals leak to the client
    assert "database on fire" in caplog.text  # but the error is logged


def test_the_batch_operations_honour_their_contract_when_they_succeed(portal):
    # Generated ids never name a real job, so the success paths are driven here: a job from
    # a list and one from a file, then its status, the jobs list and its failed items.
    base_url, token = portal
    schema = schemathesis.openapi.from_url(f"{base_url}/api/schema/?format=json")
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    program = Programme.objects.get(slug="contract-ds").pk
    rows = [
        {
            "email": "b1@example.ac.jp",
            "name_en": "B One",
            "result": "pass",
            "score": 80,
            "assessed_on": "2026-07-31",
        },
        {"email": "broken", "result": "pass", "assessed_on": "2026-07-31"},
    ]
    create = schema["/api/v1/batches/"]["POST"]

    def call(case):
        return case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)

    listed = call(
        create.Case(body={"program": program, "items": rows}, media_type="application/json")
    )
    assert listed.status_code == 202, listed.text
    upload = b"email,name_en,result,assessed_on\nb2@example.ac.jp,B Two,pass,2026-07-31\n"
    uploaded = call(
        create.Case(body={"program": program, "file": upload}, media_type="multipart/form-data")
    )
    assert uploaded.status_code == 202, uploaded.text
    job = {"id": listed.json()["id"]}
    status = call(schema["/api/v1/batches/{id}/"]["GET"].Case(path_parameters=job))
    assert status.json()["state"] == "completed_with_errors"
    jobs = call(schema["/api/v1/batches/"]["GET"].Case(query={"program": program}))
    assert len(jobs.json()["results"]) == 2
    errors = call(schema["/api/v1/batches/{id}/errors/"]["GET"].Case(path_parameters=job))
    assert [item["email"] for item in errors.json()["results"]] == ["broken"], errors.json()
