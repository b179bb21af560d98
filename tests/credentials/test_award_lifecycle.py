"""After issue: suspend and reinstate (the badge's suspension bit), reissue with a correction
(the original revoked as superseded, the new award naming it), each audited and told to the
learner by one bilingual mail; the staff pages and the API do the same through the services."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from badges.models import BadgeRecord
from badges.status_list import StatusBits
from credentials.models import Award, AwardNotice, LearnerEnrolment
from credentials.services.award_lifecycle import reinstate_award, reissue_award, suspend_award
from issuers.models import AuditEvent
from tests.credentials.factories import AssessmentFactory
from tests.credentials.test_credentials_admin import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(version_a, learner_a, django_capture_on_commit_callbacks, settings):
    """An issued award with its badge (tasks run in-process)."""
    settings.PORTAL_BASE_URL = "https://portal.example.jp"
    from credentials.services.awards import issue_award

    officer = _officer(version_a)
    with django_capture_on_commit_callbacks(execute=True):
        award = issue_award(
            actor=officer,
            assessment=AssessmentFactory(learner=learner_a, programme_version=version_a),
        )
    mail.outbox.clear()
    return award


def _officer(version):
    from issuers.models import Role
    from tests.issuers.factories import MembershipFactory

    return MembershipFactory(issuer=version.programme.issuer, role=Role.ISSUER).user


def _bit(status_list, index) -> bool:
    status_list.refresh_from_db()
    return StatusBits.from_bytes(bytes(status_list.bits)).is_set(index)


def test_suspending_sets_the_suspension_bit_mails_the_learner_and_reinstating_clears_it(
    issued, django_capture_on_commit_callbacks
):
    officer = _officer(issued.programme_version)
    record = BadgeRecord.objects.get(award=issued)
    assert record.suspension_list.purpose == "suspension"
    assert not _bit(record.suspension_list, record.status_index)

    with django_capture_on_commit_callbacks(execute=True):
        suspend_award(actor=officer, award=issued, reason="調査中です")
    assert _bit(record.suspension_list, record.status_index)
    assert not _bit(record.status_list, record.status_index)  # suspended, not revoked
    [sent] = mail.outbox
    assert "一時停止" in sent.subject and "suspended" in sent.subject
    assert "調査中です" in sent.body and sent.to == [issued.learner.email]
    assert AwardNotice.objects.get(kind="suspended").sent_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        reinstate_award(actor=officer, award=issued, reason="問題ありませんでした")
    assert not _bit(record.suspension_list, record.status_index)
    assert len(mail.outbox) == 2 and "reinstated" in mail.outbox[1].subject
    actions = list(
        AuditEvent.objects.filter(
            action__in=["award.suspend", "award.reinstate", "badge.suspend", "badge.reinstate"]
        )
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["award.suspend", "badge.suspend", "award.reinstate", "badge.reinstate"]


def test_a_suspension_needs_a_reason_and_the_right_to_revoke(issued, designer_a):
    officer = _officer(issued.programme_version)
    with pytest.raises(ValidationError):
        suspend_award(actor=officer, award=issued, reason="  ")
    with pytest.raises(PermissionDenied):
        suspend_award(actor=designer_a, award=issued, reason="理由")


def test_a_reissue_corrects_the_name_revokes_the_original_as_superseded_and_links_both(
    issued, django_capture_on_commit_callbacks
):
    officer = _officer(issued.programme_version)
    with django_capture_on_commit_callbacks(execute=True):
        new = reissue_award(
            actor=officer, award=issued, reason="氏名の誤記を訂正", name_ja="山田 花子（訂正）"
        )
    issued.refresh_from_db()
    assert issued.status == Award.Status.REVOKED
    assert issued.revocation_reason.startswith("差し替え / superseded")
    assert new.supersedes == issued and new.status == Award.Status.ISSUED
    assert BadgeRecord.objects.filter(award=new).exists()
    old_record = BadgeRecord.objects.get(award=issued)
    assert _bit(old_record.status_list, old_record.status_index)  # the old badge is revoked
    enrolment = LearnerEnrolment.objects.get(
        issuer=issued.programme_version.programme.issuer, learner=issued.learner
    )
    assert enrolment.name_ja == "山田 花子（訂正）"
    event = AuditEvent.objects.get(action="award.reissue")
    assert event.details["corrections"]["name_ja"]["to"] == "山田 花子（訂正）"
    [sent] = mail.outbox  # one notice for the reissue, not a second for the revocation
    assert "reissued" in sent.subject and str(new.public_id) in sent.body


def test_the_award_page_suspends_and_reissues_through_forms(issued, client, owner_a):
    client = login(client, owner_a)
    page = client.get(reverse("admin:credentials_award_change", args=[issued.pk])).content.decode()
    assert "/after-issue/suspend/" in page and "/after-issue/reissue/" in page
    suspend = reverse("admin:credentials_award_lifecycle", args=[issued.pk, "suspend"])
    assert client.post(suspend, {"reason": ""}).status_code == 200  # the reason is required
    assert client.post(suspend, {"reason": "調査中"}).status_code == 302
    issued.refresh_from_db()
    assert issued.suspended_at is not None
    reissue = reverse("admin:credentials_award_lifecycle", args=[issued.pk, "reissue"])
    form = client.get(reissue).context["form"]
    assert form.initial["name_ja"]  # the issuer's recorded name, ready to correct
    response = client.post(
        reissue, {"reason": "訂正", "name_ja": "訂正後の氏名", "name_en": form.initial["name_en"]}
    )
    assert response.status_code == 302
    assert Award.objects.get(supersedes=issued).status == Award.Status.ISSUED


def test_the_credential_page_says_suspended_and_points_a_superseded_one_to_its_replacement(
    issued, client, django_capture_on_commit_callbacks
):
    officer = _officer(issued.programme_version)
    page_url = reverse("badges:credential-page", args=[issued.public_id])
    suspend_award(actor=officer, award=issued, reason="調査中")
    assert "一時停止" in client.get(page_url).content.decode()
    reinstate_award(actor=officer, award=issued)
    with django_capture_on_commit_callbacks(execute=True):
        new = reissue_award(actor=officer, award=issued, reason="訂正")
    page = client.get(page_url).content.decode()
    assert reverse("badges:credential-page", args=[new.public_id]) in page


def test_the_learner_area_says_a_suspended_award_is_suspended(issued, client):
    suspend_award(actor=_officer(issued.programme_version), award=issued, reason="調査中")
    session = client.session
    session["learner_id"] = issued.learner_id
    session.save()
    page = client.get(reverse("credentials:learner-area"), HTTP_ACCEPT_LANGUAGE="ja")
    assert [row["status"] for row in page.context["rows"]] == ["suspended"]
    assert "一時停止" in page.content.decode()


def test_ob2_answers_a_suspended_assertion_as_revoked_until_it_is_reinstated(issued, client):
    officer = _officer(issued.programme_version)
    issuer = issued.programme_version.programme.issuer
    url = reverse("badges:ob2-assertion", args=[issued.public_id])
    revocations = reverse("badges:ob2-revocations", args=[issuer.slug])
    suspend_award(actor=officer, award=issued, reason="調査中")
    answer = client.get(url, HTTP_ACCEPT="application/ld+json")
    assert answer.status_code == 410 and answer.json()["revoked"] is True
    assert "Suspended" in answer.json()["revocationReason"]
    listed = client.get(revocations).json()["revokedAssertions"]
    assert [entry["id"].rsplit("/", 1)[-1] for entry in listed] == [str(issued.public_id)]
    reinstate_award(actor=officer, award=issued)
    assert client.get(url, HTTP_ACCEPT="application/ld+json").status_code == 200
    assert client.get(revocations).json()["revokedAssertions"] == []


def test_staff_attach_an_evidence_file_on_the_assessment_page(issued, client, owner_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from credentials.models import EvidenceFile

    client = login(client, owner_a)
    assessment = issued.assessment
    page = client.get(reverse("admin:credentials_assessment_change", args=[assessment.pk]))
    assert (
        reverse("admin:credentials_assessment_evidence", args=[assessment.pk])
        in page.content.decode()
    )
    url = reverse("admin:credentials_assessment_evidence", args=[assessment.pk])
    refused = client.post(url, {"file": SimpleUploadedFile("x.pdf", b"<html></html>")})
    assert refused.status_code == 200 and not EvidenceFile.objects.exists()
    pdf = b"%PDF-1.7\n%%EOF\n"
    answer = client.post(
        url, {"file": SimpleUploadedFile("レポート.pdf", pdf), "genre": "レポート"}
    )
    assert answer.status_code == 302
    evidence = EvidenceFile.objects.get()
    assert evidence.genre == "レポート" and evidence.file.read() == pdf
    page = client.get(reverse("admin:credentials_assessment_change", args=[assessment.pk]))
    assert evidence.sha256 in page.content.decode()
