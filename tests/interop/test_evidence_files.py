"""Evidence that lasts (issue #16): a file attached to an assessment is stored by the portal,
named in the OB 3.0 badge with a digestMultibase of its bytes, the credential still verifies
with Digital Bazaar, and anyone shown the credential can fetch the file and check the digest;
hidden credentials keep their evidence to the learner; hostile files are refused."""

import base64
import hashlib

import pytest
import requests
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from badges.models import BadgeRecord
from credentials.services.evidence import attach_evidence_file
from tests.badges.node import assert_verified_and_clear, node_verify
from tests.badges.ob3_world import issue, owner_of, passed_assessment
from tests.frameworks.fixtures import ensure_frameworks_loaded, fully_described_descriptors
from tests.issuers.factories import IssuerFactory

pytestmark = [pytest.mark.interop, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def portal(live_server, settings):
    settings.PORTAL_BASE_URL = live_server.url
    ensure_frameworks_loaded()
    return live_server.url


def _multihash_digest(data: bytes) -> str:
    raw = b"\x12\x20" + hashlib.sha256(data).digest()
    return "u" + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_the_badge_names_the_stored_file_with_a_digest_that_matches_its_bytes(portal):
    issuer = IssuerFactory()
    assessment = passed_assessment(issuer=issuer, descriptors=fully_described_descriptors())
    upload = SimpleUploadedFile("../../最終レポート.pdf", PDF, content_type="text/html")
    evidence = attach_evidence_file(
        actor=owner_of(issuer), assessment=assessment, upload=upload, genre="Report"
    )
    assert evidence.name.endswith(".pdf") and "/" not in evidence.name
    award = issue(assessment)
    record = BadgeRecord.objects.get(award=award)

    [entry] = record.ob3_credential["evidence"]
    assert entry["genre"] == "Report" and entry["type"] == ["Evidence"]
    assert entry["digestMultibase"] == _multihash_digest(PDF)
    assert_verified_and_clear(node_verify(record.ob3_credential))

    fetched = requests.get(entry["id"], timeout=10)
    assert fetched.status_code == 200 and fetched.content == PDF
    assert _multihash_digest(fetched.content) == entry["digestMultibase"]
    assert fetched.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in fetched.headers["Content-Disposition"]
    assert "sandbox" in fetched.headers["Content-Security-Policy"]

    award.public_page_visible = False
    award.save()
    assert requests.get(entry["id"], timeout=10).status_code == 404


def test_html_svg_and_oversize_files_are_not_evidence(portal):
    issuer = IssuerFactory()
    assessment = passed_assessment(issuer=issuer, descriptors=fully_described_descriptors())
    for name, content in (
        ("report.pdf", b"<html><script>alert(1)</script></html>"),
        ("image.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
    ):
        with pytest.raises(ValidationError):
            attach_evidence_file(
                actor=owner_of(issuer),
                assessment=assessment,
                upload=SimpleUploadedFile(name, content),
            )
    assert not assessment.evidence_files.exists()
