"""A small batch, in-process (eager), through every stage."""

import pytest
from django.core import mail

from badges import services as badge_services
from badges.models import BadgeRecord
from badges.verification import verify_badge
from credentials.models import BatchItem, IssuingBatch
from credentials.services import batches

pytestmark = pytest.mark.django_db


def rows(n, start=0):
    return [
        {
            "email": f"learner{i}@example.ac.jp",
            "name_ja": f"学習者{i}",
            "result": "pass",
            "score": "85.5",
            "grade": "A",
            "assessed_on": "2026-10-01",
        }
        for i in range(start, start + n)
    ]


def test_a_batch_from_a_list_issues_signs_bakes_and_mails(
    officer_a, version_a, django_capture_on_commit_callbacks, settings
):
    settings.BATCH_CHUNK_SIZE = 2
    listed = [*rows(4), {"email": "not-an-email", "result": "pass", "assessed_on": "2026-10-01"}]
    with django_capture_on_commit_callbacks(execute=True):
        batch = batches.start_batch_from_list(
            actor=officer_a, programme_version=version_a, rows=listed
        )
    batch.refresh_from_db()
    assert batch.state == IssuingBatch.State.COMPLETED_WITH_ERRORS
    assert (batch.total, batch.done_count, batch.failed_count) == (5, 4, 1)
    failed = batch.items.get(state=BatchItem.State.FAILED)
    assert failed.line == 5 and "not-an-email" in failed.error_en
    records = BadgeRecord.objects.filter(award__batch_items__batch=batch)
    assert records.count() == 4
    assert all(badge_services.is_complete(r) for r in records)
    assert len({(r.status_list_id, r.status_index) for r in records}) == 4
    assert len(mail.outbox) == 4
    assert "/credentials/" in mail.outbox[0].body


def test_a_batch_for_an_issuer_that_issues_vc_jwt_signs_each_credential_as_a_jwt_too(
    officer_a, version_a, django_capture_on_commit_callbacks
):
    issuer = version_a.programme.issuer
    issuer.issue_vc_jwt = True
    issuer.save()
    with django_capture_on_commit_callbacks(execute=True):
        batch = batches.start_batch_from_list(
            actor=officer_a, programme_version=version_a, rows=rows(3)
        )
    records = BadgeRecord.objects.filter(award__batch_items__batch=batch)
    assert records.count() == 3
    for record in records:
        assert record.ob3_jwt.count(".") == 2
        assert verify_badge(record.ob3_jwt).check("signature").status == "pass"
