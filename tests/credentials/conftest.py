"""The world most credential tests need: two issuers, A and B, with staff in every role, and a
published programme at each, with an enrolled learner."""

import pytest

from credentials.services.dispatch import ISSUE_BADGES_TASK, REVOKE_BADGES_TASK
from issuers.models import Role
from tests.credentials.factories import (
    EnrolmentFactory,
    LearnerFactory,
    ProgrammeVersionFactory,
)
from tests.issuers.factories import IssuerFactory, MembershipFactory


@pytest.fixture
def issuer_a(db):
    return IssuerFactory(slug="univ-a", name_ja="甲大学", name_en="Alpha University")


@pytest.fixture
def issuer_b(db):
    return IssuerFactory(slug="society-b", name_ja="乙学会", name_en="Beta Society")


def _staff(issuer, role):
    return MembershipFactory(issuer=issuer, role=role, user__username=f"{issuer.slug}-{role}").user


@pytest.fixture
def owner_a(issuer_a):
    return _staff(issuer_a, Role.OWNER)


@pytest.fixture
def designer_a(issuer_a):
    return _staff(issuer_a, Role.DESIGNER)


@pytest.fixture
def assessor_a(issuer_a):
    return _staff(issuer_a, Role.ASSESSOR)


@pytest.fixture
def officer_a(issuer_a):
    """Issuing officer: may issue and revoke awards."""
    return _staff(issuer_a, Role.ISSUER)


@pytest.fixture
def viewer_a(issuer_a):
    return _staff(issuer_a, Role.VIEWER)


@pytest.fixture
def owner_b(issuer_b):
    return _staff(issuer_b, Role.OWNER)


@pytest.fixture
def version_a(issuer_a):
    """A published version of a programme at A, with complete descriptors."""
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
def badge_tasks(monkeypatch):
    """Registers stand-ins for the badges tasks by name; records the award ids they get."""
    from config.celery_app import app

    calls = []

    class RecordingTask:
        def __init__(self, name):
            self.name = name

        def delay(self, award_pk):
            calls.append((self.name, award_pk))

    for name in (ISSUE_BADGES_TASK, REVOKE_BADGES_TASK):
        monkeypatch.setitem(app.tasks, name, RecordingTask(name))
    return calls


@pytest.fixture
def no_badge_tasks(monkeypatch):
    """As today: no app has registered the badges tasks."""
    from config.celery_app import app

    for name in (ISSUE_BADGES_TASK, REVOKE_BADGES_TASK):
        monkeypatch.delitem(app.tasks, name, raising=False)
