"""Awards issued through the credentials services, for the OB 3.0 and pipeline tests."""

from __future__ import annotations

from credentials.services import awards as award_services
from issuers.models import Role
from tests.credentials.factories import (
    AssessmentFactory,
    EnrolmentFactory,
    LearnerFactory,
    ProgrammeVersionFactory,
)
from tests.frameworks.fixtures import fully_described_descriptors
from tests.issuers.factories import IssuerFactory, MembershipFactory


def officer_of(issuer):
    return MembershipFactory(issuer=issuer, role=Role.ISSUER).user


def owner_of(issuer):
    return MembershipFactory(issuer=issuer, role=Role.OWNER).user


def passed_assessment(
    *,
    issuer=None,
    version=None,
    descriptors=None,
    email=None,
    score=80,
    grade="A",
    **version_fields,
):
    issuer = issuer or (version.programme.issuer if version else IssuerFactory())
    if version is None:
        fields = {"programme__issuer": issuer, **version_fields}
        if descriptors is not None:
            fields["descriptors"] = descriptors
        version = ProgrammeVersionFactory(**fields)
    learner = LearnerFactory(**({"email": email} if email else {}))
    EnrolmentFactory(issuer=issuer, learner=learner)
    return AssessmentFactory(learner=learner, programme_version=version, score=score, grade=grade)


def issue(assessment, actor=None):
    """credentials.services.issue_award (the badge task runs only if the caller executes the
    on-commit callbacks)."""
    issuer = assessment.programme_version.programme.issuer
    return award_services.issue_award(actor=actor or officer_of(issuer), assessment=assessment)


def revoke(award, reason="不正行為が判明したため / Academic misconduct", actor=None):
    issuer = award.programme_version.programme.issuer
    return award_services.revoke_award(
        actor=actor or officer_of(issuer), award=award, reason=reason
    )


def non_mc_descriptors() -> dict:
    """Descriptors of a programme that only records participation: not a micro-credential."""
    descriptors = fully_described_descriptors()
    descriptors["type_of_assessment"] = {
        "methods": [{"type": "participation", "supervised": False, "identity_verified": False}]
    }
    return descriptors
