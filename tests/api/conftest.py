"""Two issuers, A and B, with a published programme and an enrolled learner each, and API
tokens made through the real service (issuers.api_clients.create_api_client)."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from issuers.api_clients import SCOPES, create_api_client
from tests.credentials.factories import (
    AssessmentFactory,
    AwardFactory,
    EnrolmentFactory,
    LearnerFactory,
    ProgrammeVersionFactory,
)
from tests.issuers.factories import IssuerFactory


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()  # throttle counters live in the cache
    yield
    cache.clear()


@pytest.fixture
def issuer_a(db):
    return IssuerFactory(slug="univ-a", name_ja="甲大学", name_en="Alpha University")


@pytest.fixture
def issuer_b(db):
    return IssuerFactory(slug="society-b", name_ja="乙学会", name_en="Beta Society")


@pytest.fixture
def version_a(issuer_a):
    return ProgrammeVersionFactory(programme__issuer=issuer_a, programme__slug="ds-a")


@pytest.fixture
def version_b(issuer_b):
    return ProgrammeVersionFactory(programme__issuer=issuer_b, programme__slug="ds-b")


@pytest.fixture
def learner_a(issuer_a):
    return EnrolmentFactory(
        issuer=issuer_a, learner=LearnerFactory(email="hanako@example.ac.jp")
    ).learner


@pytest.fixture
def learner_b(issuer_b):
    return EnrolmentFactory(
        issuer=issuer_b, learner=LearnerFactory(email="taro@example.ac.jp")
    ).learner


@pytest.fixture
def award_a(version_a, learner_a):
    assessment = AssessmentFactory(learner=learner_a, programme_version=version_a)
    return AwardFactory(assessment=assessment, issued=True)


@pytest.fixture
def award_b(version_b, learner_b):
    assessment = AssessmentFactory(learner=learner_b, programme_version=version_b)
    return AwardFactory(assessment=assessment, issued=True)


@pytest.fixture
def make_client(db):
    """make_client(issuer, scopes) -> an APIClient sending that issuer's new bearer token."""

    def make(issuer, scopes=SCOPES, language=None):
        record, token = create_api_client(actor=None, issuer=issuer, name="lms", scopes=scopes)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        if language:
            client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
        client.record = record
        return client

    return make


@pytest.fixture
def api_a(make_client, issuer_a):
    """Issuer A's client with every scope."""
    return make_client(issuer_a)


def assert_problem(response, status: int) -> dict:
    """The response is an RFC 9457 problem with `status`; returns its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:mc-portal:problem:")
    assert body["title"]
    assert "detail" in body
    return body
