"""Awards: proposed, approved or issued (once), revoked with a reason, expired by date; and
handed to the badges app by task name after the transaction commits."""

import datetime
import logging

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from credentials import selectors, services
from credentials.models import Award
from credentials.services.common import add_months
from credentials.services.dispatch import ISSUE_BADGES_TASK, REVOKE_BADGES_TASK
from issuers.models import AuditEvent
from tests.credentials.factories import AssessmentFactory, AwardFactory


@pytest.fixture
def passed(version_a, learner_a):
    return AssessmentFactory(learner=learner_a, programme_version=version_a)


@pytest.fixture
def failed(version_a, learner_a):
    return AssessmentFactory(
        learner=learner_a,
        programme_version=version_a,
        result="fail",
        assessed_on=timezone.localdate() - datetime.timedelta(days=30),
    )


def audit_actions():
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


class TestProposeAndApprove:
    def test_an_assessor_proposes_a_pending_award_for_a_passing_assessment(
        self, passed, assessor_a
    ):
        award = services.propose_award(actor=assessor_a, assessment=passed)
        assert award.status == Award.Status.PENDING
        assert (award.proposed_by, award.issued_at, award.assessment) == (assessor_a, None, passed)
        assert audit_actions() == ["award.propose"]

    def test_an_officer_approves_it_and_it_is_issued(self, passed, assessor_a, officer_a):
        award = services.propose_award(actor=assessor_a, assessment=passed)
        award = services.approve_award(actor=officer_a, award=award)
        assert award.status == Award.Status.ISSUED
        assert award.approved_by == officer_a and award.issued_at is not None
        assert audit_actions() == ["award.propose", "award.issue"]

    def test_an_assessor_cannot_approve(self, passed, assessor_a):
        award = services.propose_award(actor=assessor_a, assessment=passed)
        with pytest.raises(PermissionDenied):
            services.approve_award(actor=assessor_a, award=award)
        assert Award.objects.get().status == Award.Status.PENDING

    def test_a_failing_assessment_cannot_lead_to_an_award(self, failed, owner_a):
        with pytest.raises(ValidationError, match="合格した評価"):
            services.propose_award(actor=owner_a, assessment=failed)
        with pytest.raises(ValidationError, match="合格した評価"):
            services.issue_award(actor=owner_a, assessment=failed)
        assert not Award.objects.exists()

    def test_participation_is_not_an_assessment_that_can_lead_to_an_award(
        self, version_a, learner_a, owner_a
    ):
        version_a.descriptors["type_of_assessment"]["methods"].append(
            {"type": "participation", "supervised": False, "identity_verified": False}
        )
        version_a.save()
        attended = AssessmentFactory(
            learner=learner_a, programme_version=version_a, method="participation"
        )
        with pytest.raises(ValidationError):
            services.issue_award(actor=owner_a, assessment=attended)

    def test_an_unpublished_version_cannot_award(self, passed, owner_a):
        passed.programme_version.published_at = None
        passed.programme_version.save()
        with pytest.raises(ValidationError):
            services.issue_award(actor=owner_a, assessment=passed)

    def test_the_model_refuses_an_assessment_of_another_learner(self, passed, version_a):
        other = AssessmentFactory(programme_version=version_a)
        award = Award(learner=passed.learner, programme_version=version_a, assessment=other)
        with pytest.raises(ValidationError):
            award.full_clean()


class TestIssueIsIdempotent:
    def test_issuing_twice_returns_the_same_award_with_one_issue_event(
        self, passed, officer_a, badge_tasks, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            first = services.issue_award(actor=officer_a, assessment=passed)
        with django_capture_on_commit_callbacks(execute=True):
            second = services.issue_award(actor=officer_a, assessment=passed)
        assert first.pk == second.pk
        assert first.issued_at == second.issued_at
        assert Award.objects.count() == 1
        assert audit_actions().count("award.issue") == 1
        assert badge_tasks == [(ISSUE_BADGES_TASK, first.pk)]

    def test_approving_an_issued_award_again_changes_nothing(self, passed, officer_a):
        award = services.issue_award(actor=officer_a, assessment=passed)
        again = services.approve_award(actor=officer_a, award=award)
        assert again.issued_at == award.issued_at
        assert audit_actions().count("award.issue") == 1

    def test_issuing_a_proposed_award_issues_that_award(self, passed, assessor_a, officer_a):
        proposed = services.propose_award(actor=assessor_a, assessment=passed)
        issued = services.issue_award(actor=officer_a, assessment=passed)
        assert issued.pk == proposed.pk and issued.status == Award.Status.ISSUED

    def test_the_database_allows_one_award_per_learner_and_version(self, passed):
        AwardFactory(assessment=passed)
        with pytest.raises(Exception, match="one_live_award_per_learner_version"):
            AwardFactory(assessment=passed)


class TestRevoke:
    def test_revoking_records_who_when_and_why(self, passed, officer_a):
        award = services.issue_award(actor=officer_a, assessment=passed)
        award = services.revoke_award(actor=officer_a, award=award, reason="不正行為が判明")
        assert award.status == Award.Status.REVOKED
        assert (award.revoked_by, award.revocation_reason) == (officer_a, "不正行為が判明")
        assert award.revoked_at is not None
        event = AuditEvent.objects.get(action="award.revoke")
        assert event.details == {"reason": "不正行為が判明", "was_issued": True}

    def test_a_reason_is_required(self, passed, officer_a):
        award = services.issue_award(actor=officer_a, assessment=passed)
        with pytest.raises(ValidationError):
            services.revoke_award(actor=officer_a, award=award, reason="  ")
        assert Award.objects.get().status == Award.Status.ISSUED

    def test_an_assessor_cannot_revoke(self, passed, officer_a, assessor_a):
        award = services.issue_award(actor=officer_a, assessment=passed)
        with pytest.raises(PermissionDenied):
            services.revoke_award(actor=assessor_a, award=award, reason="x")

    def test_a_revoked_award_cannot_be_issued_again(self, passed, officer_a):
        award = services.issue_award(actor=officer_a, assessment=passed)
        services.revoke_award(actor=officer_a, award=award, reason="誤登録")
        with pytest.raises(ValidationError):
            services.issue_award(actor=officer_a, assessment=passed)
        with pytest.raises(ValidationError):
            services.approve_award(actor=officer_a, award=award)

    def test_revoking_twice_is_a_no_op(self, passed, officer_a):
        award = services.issue_award(actor=officer_a, assessment=passed)
        first = services.revoke_award(actor=officer_a, award=award, reason="one")
        second = services.revoke_award(actor=officer_a, award=award, reason="two")
        assert second.revocation_reason == "one" and second.revoked_at == first.revoked_at
        assert audit_actions().count("award.revoke") == 1


class TestExpiry:
    def test_expiry_is_the_versions_validity_after_issue(self, passed, officer_a):
        passed.programme_version.validity_months = 12
        passed.programme_version.save()
        award = services.issue_award(actor=officer_a, assessment=passed)
        assert award.expires_at == add_months(award.issued_at, 12)
        assert not award.is_expired

    def test_without_a_validity_period_an_award_never_expires(self, passed, officer_a):
        award = services.issue_award(actor=officer_a, assessment=passed)
        assert award.expires_at is None and award.is_valid

    def test_an_award_past_its_expiry_reads_as_expired_without_any_job(self, version_a, viewer_a):
        past = timezone.now() - datetime.timedelta(days=400)
        award = AwardFactory(
            assessment__programme_version=version_a,
            issued=True,
            issued_at=past,
            expires_at=past + datetime.timedelta(days=365),
        )
        assert award.is_expired and not award.is_valid
        assert award.status == Award.Status.ISSUED  # stored status unchanged
        listed = selectors.awards_for_user(viewer_a).get(pk=award.pk)
        assert listed.effective_status == selectors.EXPIRED
        assert not selectors.valid_awards().filter(pk=award.pk).exists()

    @pytest.mark.parametrize(
        ("start", "months", "expected"),
        [
            (datetime.datetime(2025, 1, 31, 9), 1, datetime.datetime(2025, 2, 28, 9)),
            (datetime.datetime(2024, 2, 29, 9), 12, datetime.datetime(2025, 2, 28, 9)),
            (datetime.datetime(2025, 11, 15, 9), 3, datetime.datetime(2026, 2, 15, 9)),
        ],
    )
    def test_months_are_calendar_months_clamped_to_the_months_end(self, start, months, expected):
        assert add_months(start, months) == expected


class TestDispatchToBadges:
    def test_an_issued_award_is_handed_to_the_task_named_badges_issue_after_commit(
        self, passed, officer_a, badge_tasks, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            award = services.issue_award(actor=officer_a, assessment=passed)
        assert badge_tasks == []  # nothing before the commit
        assert len(callbacks) == 1
        callbacks[0]()
        assert badge_tasks == [(ISSUE_BADGES_TASK, award.pk)]

    def test_a_revoked_award_is_handed_to_the_task_named_badges_revoke(
        self, passed, officer_a, badge_tasks, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            award = services.issue_award(actor=officer_a, assessment=passed)
            services.revoke_award(actor=officer_a, award=award, reason="誤発行")
        assert badge_tasks == [(ISSUE_BADGES_TASK, award.pk), (REVOKE_BADGES_TASK, award.pk)]

    def test_withdrawing_a_pending_award_dispatches_nothing(
        self, passed, owner_a, badge_tasks, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            award = services.propose_award(actor=owner_a, assessment=passed)
            services.revoke_award(actor=owner_a, award=award, reason="取り下げ")
        assert badge_tasks == []

    def test_a_rolled_back_issue_dispatches_nothing(
        self, passed, officer_a, badge_tasks, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            with pytest.raises(RuntimeError), transaction.atomic():
                services.issue_award(actor=officer_a, assessment=passed)
                raise RuntimeError("the request failed after issuing")
        assert callbacks == [] and badge_tasks == []
        assert not Award.objects.exists()

    def test_without_a_registered_badges_task_it_only_logs(
        self, passed, officer_a, no_badge_tasks, django_capture_on_commit_callbacks, caplog
    ):
        with caplog.at_level(logging.INFO, logger="credentials.services.dispatch"):
            with django_capture_on_commit_callbacks(execute=True):
                award = services.issue_award(actor=officer_a, assessment=passed)
        assert award.status == Award.Status.ISSUED
        assert any(
            ISSUE_BADGES_TASK in record.getMessage() and record.levelno == logging.INFO
            for record in caplog.records
        )

    def test_a_real_registered_celery_task_receives_the_award_id(
        self, passed, officer_a, django_capture_on_commit_callbacks, monkeypatch
    ):
        from config.celery_app import app

        received = []

        @app.task(name="tests.credentials.record_issue")
        def record_issue(award_pk):
            received.append(award_pk)

        monkeypatch.setitem(app.tasks, ISSUE_BADGES_TASK, record_issue)
        with django_capture_on_commit_callbacks(execute=True):
            award = services.issue_award(actor=officer_a, assessment=passed)
        assert received == [award.pk]  # tests run tasks eagerly (CELERY_TASK_ALWAYS_EAGER)
