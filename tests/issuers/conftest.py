"""Two issuers, A and B, each with an owner: the shape most issuer tests need."""

import pytest

from issuers.models import Role
from tests.issuers.factories import IssuerFactory, MembershipFactory, UserFactory


@pytest.fixture
def issuer_a(db):
    return IssuerFactory(slug="issuer-a", name_ja="甲大学", name_en="Alpha University")


@pytest.fixture
def issuer_b(db):
    return IssuerFactory(slug="issuer-b", name_ja="乙学会", name_en="Beta Society")


@pytest.fixture
def owner_a(issuer_a):
    return MembershipFactory(issuer=issuer_a, role=Role.OWNER, user__username="owner-a").user


@pytest.fixture
def owner_b(issuer_b):
    return MembershipFactory(issuer=issuer_b, role=Role.OWNER, user__username="owner-b").user


@pytest.fixture
def superuser(db):
    return UserFactory(username="platform-admin", is_superuser=True)
