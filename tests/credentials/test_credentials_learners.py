"""Learners (identified by e-mail, enrolled per issuer) and recording assessments."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from credentials import selectors, services
from credentials.models import Assessment, Learner, LearnerEnrolment
from issuers.models import AuditEvent
from tests.credentials.factories import LearnerFactory

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


class TestRegisterLearner:
    def test_the_email_is_normalised_to_lowercase_and_is_the_identity(self, assessor_a, issuer_a):
        first = services.register_learner(
            actor=assessor_a,
            issuer=issuer_a,
            email="  Hanako.Sato@Example.AC.JP ",
            name_ja="佐藤 花子",
        )
        again = services.register_learner(
            actor=assessor_a, issuer=issuer_a, email="hanako.sato@example.ac.jp"
        )
        assert first.pk == again.pk and first.email == "hanako.sato@example.ac.jp"
        assert Learner.objects.count() == 1
        events = AuditEvent.objects.order_by("pk")
        assert [(e.action, e.issuer) for e in events] == [
            ("learner.create", None),  # the portal's, not the issuer's: see below
            ("learner.enrol", issuer_a),
        ]

    def test_the_database_refuses_an_uppercase_email(self, db):
        with pytest.raises(IntegrityError, match="learner_email_lower"):
            Learner.objects.create(email="Upper@example.ac.jp")

    def test_a_new_learner_needs_a_name(self, assessor_a, issuer_a):
        with pytest.raises(ValidationError):
            services.register_learner(actor=assessor_a, issuer=issuer_a, email="x@example.ac.jp")

    def test_a_learner_known_elsewhere_is_enrolled_with_names_of_its_own_not_duplicated(
        self, learner_a, issuer_a, owner_b, issuer_b
    ):
        learner = services.register_learner(
            actor=owner_b,
            issuer=issuer_b,
            email=learner_a.email,
            name_ja="別の名前",
            student_number="B-001",
        )
        assert learner.pk == learner_a.pk
        at_a = LearnerEnrolment.objects.get(learner=learner, issuer=issuer_a)
        at_b = LearnerEnrolment.objects.get(learner=learner, issuer=issuer_b)
        assert (at_b.name_ja, at_b.student_number) == ("別の名前", "B-001")
        assert at_a.name_ja != "別の名前"  # A's record is A's own, untouched by B
        assert AuditEvent.objects.get().action == "learner.enrol"  # no learner.create here

    def test_an_issuers_trail_does_not_tell_whether_another_issuer_knew_the_email(
        self, learner_a, owner_b, issuer_b
    ):
        for email in (learner_a.email, "nobody-yet@example.ac.jp"):
            services.register_learner(actor=owner_b, issuer=issuer_b, email=email, name_ja="乙")
        at_b = AuditEvent.objects.filter(issuer=issuer_b).order_by("pk")
        assert [(e.action, e.details) for e in at_b] == [("learner.enrol", {})] * 2

    def test_a_student_number_belongs_to_one_learner_per_issuer(self, assessor_a, issuer_a):
        services.register_learner(
            actor=assessor_a,
            issuer=issuer_a,
            email="a@example.ac.jp",
            name_ja="甲",
            student_number="S1",
        )
        with pytest.raises(ValidationError):
            services.register_learner(
                actor=assessor_a,
                issuer=issuer_a,
                email="b@example.ac.jp",
                name_ja="乙",
                student_number="S1",
            )

    def test_a_learners_student_number_is_not_silently_changed(self, assessor_a, issuer_a):
        services.register_learner(
            actor=assessor_a,
            issuer=issuer_a,
            email="a@example.ac.jp",
            name_ja="甲",
            student_number="S1",
        )
        with pytest.raises(ValidationError):
            services.register_learner(
                actor=assessor_a, issuer=issuer_a, email="a@example.ac.jp", student_number="S2"
            )

    def test_a_designer_cannot_register_learners(self, designer_a, issuer_a):
        with pytest.raises(PermissionDenied):
            services.register_learner(
                actor=designer_a, issuer=issuer_a, email="a@example.ac.jp", name_ja="甲"
            )


class TestRecordAssessment:
    def record(self, actor, learner, version, **fields):
        return services.record_assessment(
            actor=actor,
            learner=learner,
            programme_version=version,
            **{"result": "pass", "assessed_on": YESTERDAY, **fields},
        )

    def test_a_result_is_recorded_with_the_assessor_and_audited(
        self, assessor_a, learner_a, version_a
    ):
        assessment = self.record(
            assessor_a, learner_a, version_a, score="87.5", grade="A", evidence_url="https://x.jp/e"
        )
        assert assessment.assessor == assessor_a
        assert (assessment.score, assessment.grade) == (87.5, "A")
        assert assessment.method == "written_exam"  # the first declared assessing method
        assert AuditEvent.objects.get().action == "assessment.record"

    def test_recording_the_same_day_again_corrects_the_result(
        self, assessor_a, learner_a, version_a
    ):
        self.record(assessor_a, learner_a, version_a, result="fail", score=40)
        corrected = self.record(assessor_a, learner_a, version_a, result="pass", score=60)
        assert Assessment.objects.get().pk == corrected.pk
        assert corrected.passed and corrected.score == 60
        assert AuditEvent.objects.latest("id").action == "assessment.update"

    def test_a_resit_on_another_day_is_another_assessment(self, assessor_a, learner_a, version_a):
        self.record(assessor_a, learner_a, version_a, result="fail", assessed_on=YESTERDAY)
        self.record(assessor_a, learner_a, version_a, assessed_on=timezone.localdate())
        latest = selectors.latest_assessments(version_a)[learner_a.pk]
        assert Assessment.objects.count() == 2 and latest.passed

    def test_the_method_must_be_one_the_programme_declares(self, assessor_a, learner_a, version_a):
        with pytest.raises(ValidationError, match="oral"):
            self.record(assessor_a, learner_a, version_a, method="oral")

    def test_a_learner_not_enrolled_at_the_issuer_is_refused(self, assessor_a, version_a):
        stranger = LearnerFactory()
        with pytest.raises(PermissionDenied):
            self.record(assessor_a, stranger, version_a)

    def test_results_are_only_recorded_under_a_published_version(
        self, assessor_a, learner_a, version_a
    ):
        version_a.published_at = None
        version_a.save()
        with pytest.raises(ValidationError):
            self.record(assessor_a, learner_a, version_a)

    def test_an_issuing_officer_cannot_record_results(self, officer_a, learner_a, version_a):
        with pytest.raises(PermissionDenied):
            self.record(officer_a, learner_a, version_a)

    def test_a_negative_score_is_refused(self, assessor_a, learner_a, version_a):
        with pytest.raises(ValidationError):
            self.record(assessor_a, learner_a, version_a, score=-1)
