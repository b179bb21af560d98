"""Consortium agreements: one issuer proposes, the partner's owner consents; only then may a
stack of either require the other's programmes; either side ends it; every step is on both
issuers' audit trails."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from credentials import services
from issuers.agreements import answer_agreement, end_agreement, propose_agreement
from issuers.models import AuditEvent, IssuerAgreement, Role
from issuers.selectors import agreement_partners
from tests.credentials.factories import ProgrammeFactory
from tests.issuers.factories import IssuerFactory, MembershipFactory


@pytest.fixture
def pair(db):
    a = IssuerFactory(slug="kita", name_ja="北大学")
    b = IssuerFactory(slug="minami", name_ja="南大学")
    owner = {
        issuer.slug: MembershipFactory(issuer=issuer, role=Role.OWNER).user for issuer in (a, b)
    }
    return a, b, owner["kita"], owner["minami"]


def test_a_stack_may_require_the_partners_programme_only_while_an_agreement_is_in_force(pair):
    a, b, owner_a, owner_b = pair
    target = ProgrammeFactory(issuer=a, slug="stack")
    theirs = ProgrammeFactory(issuer=b, slug="theirs")
    with pytest.raises(ValidationError):
        services.set_stack_requirement(actor=owner_a, target=target, required=[theirs])

    agreement = propose_agreement(actor=owner_a, proposer=a, partner=b, title="単位互換協定")
    with pytest.raises(ValidationError):  # proposed is not in force
        services.set_stack_requirement(actor=owner_a, target=target, required=[theirs])
    answer_agreement(actor=owner_b, agreement=agreement, accept=True)
    assert agreement_partners(a) == {b.pk} and agreement_partners(b) == {a.pk}

    requirement = services.set_stack_requirement(actor=owner_a, target=target, required=[theirs])
    assert list(requirement.required.all()) == [theirs]

    end_agreement(actor=owner_b, agreement=agreement)
    assert agreement_partners(a) == set()
    other = ProgrammeFactory(issuer=a, slug="stack-2")
    with pytest.raises(ValidationError):
        services.set_stack_requirement(actor=owner_a, target=other, required=[theirs])


def test_only_the_partners_owner_consents(pair):
    a, b, owner_a, _owner_b = pair
    agreement = propose_agreement(actor=owner_a, proposer=a, partner=b, title="協定")
    with pytest.raises(PermissionDenied):
        answer_agreement(actor=owner_a, agreement=agreement, accept=True)
    designer_b = MembershipFactory(issuer=b, role=Role.DESIGNER).user
    with pytest.raises(PermissionDenied):
        answer_agreement(actor=designer_b, agreement=agreement, accept=True)
    agreement.refresh_from_db()
    assert agreement.status == IssuerAgreement.Status.PROPOSED


def test_a_declined_agreement_lets_nothing_through_and_cannot_be_answered_again(pair):
    a, b, owner_a, owner_b = pair
    agreement = propose_agreement(actor=owner_a, proposer=a, partner=b, title="協定")
    answer_agreement(actor=owner_b, agreement=agreement, accept=False)
    assert agreement_partners(a) == set()
    with pytest.raises(ValidationError):
        answer_agreement(actor=owner_b, agreement=agreement, accept=True)


def test_one_open_agreement_per_pair_and_never_with_itself(pair):
    a, b, owner_a, owner_b = pair
    propose_agreement(actor=owner_a, proposer=a, partner=b, title="協定")
    with pytest.raises(ValidationError):
        propose_agreement(actor=owner_b, proposer=b, partner=a, title="逆向き")
    with pytest.raises(ValidationError):
        propose_agreement(actor=owner_a, proposer=a, partner=a, title="自分")


def test_every_step_is_on_both_issuers_audit_trails(pair):
    a, b, owner_a, owner_b = pair
    agreement = propose_agreement(actor=owner_a, proposer=a, partner=b, title="協定")
    answer_agreement(actor=owner_b, agreement=agreement, accept=True)
    end_agreement(actor=owner_a, agreement=agreement)
    for issuer in (a, b):
        actions = list(
            AuditEvent.objects.filter(issuer=issuer, action__startswith="agreement.")
            .order_by("pk")
            .values_list("action", flat=True)
        )
        assert actions == ["agreement.propose", "agreement.accept", "agreement.end"]


def test_staff_of_a_third_issuer_cannot_end_it(pair):
    a, b, owner_a, _owner_b = pair
    agreement = propose_agreement(actor=owner_a, proposer=a, partner=b, title="協定")
    outsider = MembershipFactory(issuer=IssuerFactory(slug="other"), role=Role.OWNER).user
    with pytest.raises(PermissionDenied):
        end_agreement(actor=outsider, agreement=agreement)
