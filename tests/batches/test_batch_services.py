"""Batch issuing through the services, in-process (Celery eager): the sources a job starts
from, what happens to each row, the follow-up stack job and the learners' e-mail."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from badges.models import BadgeRecord
from badges.services import is_complete
from credentials import services
from credentials.models import Award, BatchItem, IssuingBatch
from credentials.selectors import award_learner_name
from credentials.services import batches
from credentials.services.imports import CsvFileError
from issuers.models import AuditEvent
from tests.credentials.factories import (
    AssessmentFactory,
    AwardFactory,
    EnrolmentFactory,
    LearnerFactory,
    ProgrammeVersionFactory,
)

pytestmark = pytest.mark.django_db


def row(i, **fields):
    return {
        "email": f"learner{i}@example.ac.jp",
        "name_ja": f"学習者{i}",
        "result": "pass",
        "assessed_on": "2026-10-01",
        **fields,
    }


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Start a job and let its on-commit hand-over run (eagerly, in this process)."""

    def start(starter, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            batch = starter(**kwargs)
        batch.refresh_from_db()
        return batch

    return start


def items(batch):
    return {item.line: item for item in batch.items.all()}


def test_every_passing_row_gets_an_issued_award_with_complete_badges(run, officer_a, version_a):
    batch = run(
        batches.start_batch_from_list,
        actor=officer_a,
        programme_version=version_a,
        rows=[row(i, score="90", grade="秀") for i in range(5)],
    )
    assert batch.state == IssuingBatch.State.COMPLETED
    assert (batch.total, batch.done_count, batch.failed_count) == (5, 5, 0)
    awards = Award.objects.filter(programme_version=version_a)
    assert awards.count() == 5
    assert set(awards.values_list("status", flat=True)) == {Award.Status.ISSUED}
    assert all(is_complete(record) for record in BadgeRecord.objects.filter(award__in=awards))
    assert AuditEvent.objects.filter(action="award.issue").count() == 5
    assert AuditEvent.objects.filter(action="badge.issue").count() == 5
    assert AuditEvent.objects.filter(action="batch.start").count() == 1
    assert AuditEvent.objects.filter(action="batch.complete").count() == 1
    # Signed on the template path, and the chunk says how long each stage took.
    sign = batch.chunks.get().metrics["sign"]
    assert sign["paths"] == {"fast": 5} and sign["count"] == 5
    assert {"compose", "canonicalise", "sign_ob3", "sign_ob2", "database"} <= set(sign["ms"])
    assert batch.chunks.get().metrics["bake"]["count"] == 5


def test_a_failed_row_is_recorded_but_gets_no_award(run, officer_a, version_a):
    batch = run(
        batches.start_batch_from_list,
        actor=officer_a,
        programme_version=version_a,
        rows=[row(1), row(2, result="fail")],
    )
    assert batch.state == IssuingBatch.State.COMPLETED
    skipped = items(batch)[2]
    assert skipped.state == BatchItem.State.SKIPPED
    assert skipped.award is None and skipped.learner.email == "learner2@example.ac.jp"
    assert skipped.error_ja and skipped.error_en
    assert Award.objects.filter(programme_version=version_a).count() == 1


def test_unreadable_rows_fail_with_reasons_in_both_languages_and_the_rest_is_issued(
    run, officer_a, version_a
):
    batch = run(
        batches.start_batch_from_list,
        actor=officer_a,
        programme_version=version_a,
        rows=[row(1), row(2, email="nobody"), row(3, score="-4"), row(1), row(5)],
    )
    assert batch.state == IssuingBatch.State.COMPLETED_WITH_ERRORS
    by_line = items(batch)
    assert by_line[2].state == BatchItem.State.FAILED
    assert "nobody" in by_line[2].error_en and "nobody" in by_line[2].error_ja
    assert by_line[3].state == BatchItem.State.FAILED and "score" in by_line[3].error_en
    # The same learner twice in one list: both rows are reported (which result is right is
    # the staff's call), and nothing is issued for them.
    assert by_line[1].state == by_line[4].state == BatchItem.State.FAILED
    assert by_line[5].state == BatchItem.State.ISSUED
    assert (batch.done_count, batch.failed_count) == (1, 4)


def test_a_cp932_file_from_excel_becomes_a_batch(run, officer_a, version_a):
    text = "メールアドレス,氏名,合否,点数,評価日\r\n"
    text += "taro@example.ac.jp,山田太郎,合格,88,2026/10/1\r\n"
    text += "jiro@example.ac.jp,山田次郎,合格,abc,2026/10/1\r\n"
    batch = run(
        batches.start_batch_from_csv,
        actor=officer_a,
        programme_version=version_a,
        data=text.encode("cp932"),
        filename="成績.csv",
    )
    assert batch.source == IssuingBatch.Source.CSV and batch.source_name == "成績.csv"
    assert len(batch.source_sha256) == 64
    by_line = items(batch)
    assert by_line[2].state == BatchItem.State.ISSUED
    assert award_learner_name(by_line[2].award).ja == "山田太郎"
    assert by_line[3].state == BatchItem.State.FAILED and "abc" in by_line[3].error_ja


def test_a_file_that_cannot_be_read_starts_no_batch(officer_a, version_a):
    with pytest.raises(CsvFileError):
        batches.start_batch_from_csv(
            actor=officer_a, programme_version=version_a, data=b"just,some\r\nwords,here\r\n"
        )
    assert not IssuingBatch.objects.exists()


def test_an_empty_list_is_refused(officer_a, version_a):
    with pytest.raises(ValidationError):
        batches.start_batch_from_list(actor=officer_a, programme_version=version_a, rows=[])


def test_only_issuing_officers_of_the_issuer_may_start_a_batch(viewer_a, owner_b, version_a):
    for actor in (viewer_a, owner_b):
        with pytest.raises(PermissionDenied):
            batches.start_batch_from_list(actor=actor, programme_version=version_a, rows=[row(1)])


def test_a_learner_who_already_holds_the_award_keeps_it(run, officer_a, version_a):
    learner = LearnerFactory(email="learner1@example.ac.jp")
    EnrolmentFactory(learner=learner, issuer=version_a.programme.issuer)
    held = AwardFactory(
        assessment__learner=learner, assessment__programme_version=version_a, issued=True
    )
    batch = run(
        batches.start_batch_from_list, actor=officer_a, programme_version=version_a, rows=[row(1)]
    )
    item = items(batch)[1]
    assert item.state == BatchItem.State.ISSUED and item.award == held
    assert Award.objects.filter(learner=learner, programme_version=version_a).count() == 1
    assert is_complete(BadgeRecord.objects.get(award=held))


def test_a_revoked_award_is_not_issued_again(run, officer_a, version_a):
    learner = LearnerFactory(email="learner1@example.ac.jp")
    EnrolmentFactory(learner=learner, issuer=version_a.programme.issuer)
    award = AwardFactory(
        assessment__learner=learner, assessment__programme_version=version_a, issued=True
    )
    services.revoke_award(actor=officer_a, award=award, reason="不正")
    batch = run(
        batches.start_batch_from_list, actor=officer_a, programme_version=version_a, rows=[row(1)]
    )
    item = items(batch)[1]
    assert item.state == BatchItem.State.FAILED and "revoked" in item.error_en
    award.refresh_from_db()
    assert award.status == Award.Status.REVOKED


def test_all_learners_with_a_passing_assessment_are_issued_once(run, officer_a, version_a):
    issuer = version_a.programme.issuer
    passing = [
        AssessmentFactory(
            programme_version=version_a, learner=EnrolmentFactory(issuer=issuer).learner
        )
        for _ in range(3)
    ]
    AssessmentFactory(
        programme_version=version_a,
        learner=EnrolmentFactory(issuer=issuer).learner,
        result="fail",
    )
    already = AwardFactory(assessment__programme_version=version_a, issued=True)
    batch = run(batches.start_batch_for_passing, actor=officer_a, programme_version=version_a)
    assert batch.total == 3 and batch.state == IssuingBatch.State.COMPLETED
    issued = Award.objects.filter(programme_version=version_a, status=Award.Status.ISSUED)
    assert set(issued.values_list("assessment", flat=True)) == {
        *(a.pk for a in passing),
        already.assessment_id,
    }


def test_learners_get_one_bilingual_mail_with_their_credential_page(run, officer_a, version_a):
    batch = run(
        batches.start_batch_from_list,
        actor=officer_a,
        programme_version=version_a,
        rows=[row(1), row(2, result="fail")],
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    award = items(batch)[1].award
    assert message.to == ["learner1@example.ac.jp"]
    assert f"/credentials/{award.public_id}/" in message.body
    assert "マイクロクレデンシャル" in message.subject and "micro-credential" in message.subject
    assert "学習者1" in message.body
    item = items(batch)[1]
    assert item.notification == BatchItem.Notification.SENT and item.notified_at


def test_no_mail_when_the_job_says_so(run, officer_a, version_a):
    run(
        batches.start_batch_from_list,
        actor=officer_a,
        programme_version=version_a,
        rows=[row(1)],
        notify=False,
    )
    assert mail.outbox == []


def test_completed_stacks_are_issued_by_a_follow_up_job(run, officer_a, designer_a, issuer_a):
    tiers = {
        name: ProgrammeVersionFactory(programme__issuer=issuer_a, programme__slug=name)
        for name in ("bronze", "silver", "platinum")
    }
    tiers["platinum"].auto_issue_stack = True
    tiers["platinum"].save()
    services.set_stack_requirement(
        actor=designer_a,
        target=tiers["platinum"].programme,
        required=[tiers["bronze"].programme, tiers["silver"].programme],
    )
    learner = EnrolmentFactory(issuer=issuer_a, learner__email="learner1@example.ac.jp").learner
    AwardFactory(
        assessment__learner=learner, assessment__programme_version=tiers["bronze"], issued=True
    )
    batch = run(
        batches.start_batch_from_list,
        actor=officer_a,
        programme_version=tiers["silver"],
        rows=[row(1), row(2)],
    )
    (follow_up,) = batch.follow_ups.all()
    assert follow_up.source == IssuingBatch.Source.STACK
    assert follow_up.programme_version == tiers["platinum"]
    assert follow_up.state == IssuingBatch.State.COMPLETED and follow_up.total == 1
    platinum = Award.objects.get(programme_version=tiers["platinum"])
    assert platinum.learner == learner and platinum.status == Award.Status.ISSUED
    assert platinum.component_awards.count() == 2
    assert is_complete(BadgeRecord.objects.get(award=platinum))


def test_a_cancelled_job_starts_no_more_chunks(officer_a, version_a, settings):
    settings.BATCH_CHUNK_SIZE = 1
    batch = batches.start_batch_from_list(
        actor=officer_a, programme_version=version_a, rows=[row(1), row(2)]
    )
    batches.cancel_batch(actor=officer_a, batch=batch)
    from badges.batches import run_batch

    run_batch(batch.pk)
    batch.refresh_from_db()
    assert batch.state == IssuingBatch.State.CANCELLED
    assert not Award.objects.filter(programme_version=version_a).exists()
    assert AuditEvent.objects.filter(action="batch.cancel").count() == 1


def test_a_batch_names_the_evidence_files_of_the_assessments_that_have_them(
    run, officer_a, owner_a, version_a
):
    # The chunk's files are prefetched in one query; the awards without files name none.
    from django.core.files.uploadedfile import SimpleUploadedFile

    from credentials.services.evidence import attach_evidence_file

    issuer = version_a.programme.issuer
    assessments = [
        AssessmentFactory(
            programme_version=version_a, learner=EnrolmentFactory(issuer=issuer).learner
        )
        for _ in range(3)
    ]
    upload = SimpleUploadedFile("report.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")
    evidence = attach_evidence_file(
        actor=owner_a, assessment=assessments[1], upload=upload, genre="Report"
    )
    batch = run(batches.start_batch_for_passing, actor=officer_a, programme_version=version_a)
    assert batch.state == IssuingBatch.State.COMPLETED
    by_assessment = {
        record.award.assessment_id: record.ob3_credential
        for record in BadgeRecord.objects.filter(award__assessment__in=assessments)
    }
    named = [entry for entry in by_assessment[assessments[1].pk]["evidence"] if "name" in entry]
    assert [entry["name"] for entry in named] == [evidence.name]
    for other in (assessments[0], assessments[2]):
        assert not any("digestMultibase" in e for e in by_assessment[other.pk].get("evidence", []))
