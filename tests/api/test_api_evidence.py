"""POST /api/v1/assessments/{id}/evidence/: an LMS attaches the learner's file; it is checked by
content, digested and kept; the answer gives the digest and the lasting URL."""

import base64
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from credentials.models import EvidenceFile
from issuers.models import AuditEvent
from tests.api.conftest import assert_problem
from tests.credentials.factories import AssessmentFactory

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def assessment(version_a, learner_a, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.jp"
    return AssessmentFactory(learner=learner_a, programme_version=version_a)


def test_an_lms_attaches_a_file_and_gets_its_digest_and_lasting_url(
    make_client, issuer_a, assessment
):
    client = make_client(issuer_a, ["assessments:write"])
    response = client.post(
        f"/api/v1/assessments/{assessment.pk}/evidence/",
        {"file": SimpleUploadedFile("poster.png", PNG), "genre": "Poster"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    digest = base64.urlsafe_b64encode(b"\x12\x20" + hashlib.sha256(PNG).digest()).rstrip(b"=")
    assert body["digest_multibase"] == "u" + digest.decode()
    assert body["url"].startswith("https://portal.example.jp/evidence/")
    assert body["content_type"] == "image/png" and body["size"] == len(PNG)
    assert EvidenceFile.objects.get().file.read() == PNG
    assert AuditEvent.objects.filter(action="assessment.evidence_file").exists()


def test_another_issuers_assessment_and_a_hostile_file_are_refused(
    make_client, issuer_a, issuer_b, assessment
):
    other = make_client(issuer_b, ["assessments:write"])
    url = f"/api/v1/assessments/{assessment.pk}/evidence/"
    assert (
        other.post(url, {"file": SimpleUploadedFile("a.png", PNG)}, format="multipart").status_code
        == 404
    )
    mine = make_client(issuer_a, ["assessments:write"])
    response = mine.post(
        url, {"file": SimpleUploadedFile("a.pdf", b"<script>alert(1)</script>")}, format="multipart"
    )
    assert_problem(response, 422)
    assert not EvidenceFile.objects.exists()
