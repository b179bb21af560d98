"""Role × action × own/other issuer, over the selectors and every write service."""

from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied

from issuers import selectors, services
from issuers.models import AuditEvent, ExternalQualityAssurance, Issuer, Membership, Role
from issuers.models import SigningKey as Key
from issuers.permissions import Action
from tests.issuers.factories import (
    ExternalQualityAssuranceFactory,
    IssuerFactory,
    MembershipFactory,
    UserFactory,
)

# The specification, written out independently of issuers.permissions.ROLE_ACTIONS.
EXPECTED = {
    Role.OWNER: set(Action),
    Role.DESIGNER: {Action.VIEW, Action.EDIT_PROGRAMME},
    Role.ASSESSOR: {Action.VIEW, Action.RECORD_ASSESSMENT},
    Role.ISSUER: {Action.VIEW, Action.ISSUE_AWARD, Action.REVOKE_AWARD},
    Role.VIEWER: {Action.VIEW},
}
WHERE = ["own", "other"]


@dataclass
class World:
    actor: object
    own: Issuer
    other: Issuer
    newcomer: object

    def target(self, where):
        return self.own if where == "own" else self.other


@pytest.fixture
def world(db, request):
    """Issuers A (the actor's) and B, each with an owner, a viewer, an external QA and an
    Ed25519 key, so that every service has something to act on."""
    role = request.node.callspec.params["role"]
    own, other = IssuerFactory(slug="own"), IssuerFactory(slug="other")
    for issuer in (own, other):
        MembershipFactory(issuer=issuer, role=Role.OWNER)
        MembershipFactory(issuer=issuer, role=Role.VIEWER, user__username=f"member-{issuer.slug}")
        ExternalQualityAssuranceFactory(issuer=issuer)
        services.generate_signing_key(
            actor=UserFactory(username="root", is_superuser=True),
            issuer=issuer,
            algorithm=Key.Algorithm.ED25519,
        )
    actor = MembershipFactory(issuer=own, role=role, user__username="actor").user
    return World(actor=actor, own=own, other=other, newcomer=UserFactory(username="newcomer"))


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_selectors_grant_an_action_only_for_the_members_own_issuer_and_role(
    world, role, action, where
):
    issuer = world.target(where)
    expected = where == "own" and action in EXPECTED[role]

    assert selectors.user_can(world.actor, issuer, action) is expected
    assert selectors.issuers_for_user(world.actor, action).filter(pk=issuer.pk).exists() is (
        expected
    )


@pytest.mark.parametrize("role", list(Role))
def test_another_issuers_objects_are_invisible_to_every_role(world, role):
    services.ensure_signing_keys(world.other)  # audit events and keys exist at B too
    actor, other = world.actor, world.other

    assert list(selectors.issuers_for_user(actor)) == [world.own]
    assert not selectors.memberships_for_user(actor).filter(issuer=other).exists()
    assert not selectors.audit_events_for_user(actor).filter(issuer=other).exists()
    assert not selectors.signing_keys_for_user(actor).filter(issuer=other).exists()
    assert selectors.memberships_for_user(actor).filter(issuer=world.own).exists()
    assert selectors.signing_keys_for_user(actor).filter(issuer=world.own).exists()
    with pytest.raises(Issuer.DoesNotExist):
        selectors.issuer_for_user(actor, slug=other.slug)


@dataclass
class Case:
    action: Action
    audit_action: str
    call: object  # (world, issuer) -> None
    happened: object  # (world, issuer) -> bool, read back from the database


def _qa(issuer):
    return ExternalQualityAssurance.objects.get(issuer=issuer)


SERVICE_CASES = {
    "update_issuer_profile": Case(
        Action.MANAGE_ISSUER,
        "issuer.update",
        lambda w, i: services.update_issuer_profile(actor=w.actor, issuer=i, name_en="Renamed"),
        lambda w, i: Issuer.objects.get(pk=i.pk).name_en == "Renamed",
    ),
    "set_quality_assurance": Case(
        Action.MANAGE_ISSUER,
        "issuer.quality_assurance.update",
        lambda w, i: services.set_quality_assurance(
            actor=w.actor, issuer=i, standard_name_ja="新しい質保証規程"
        ),
        lambda w, i: Issuer.objects.get(pk=i.pk).qa_standard_name_ja == "新しい質保証規程",
    ),
    "add_external_qa": Case(
        Action.MANAGE_ISSUER,
        "external_qa.add",
        lambda w, i: services.add_external_qa(
            actor=w.actor, issuer=i, kind="endorsement", body_name_ja="推薦団体"
        ),
        lambda w, i: i.external_qa.filter(body_name_ja="推薦団体").exists(),
    ),
    "update_external_qa": Case(
        Action.MANAGE_ISSUER,
        "external_qa.update",
        lambda w, i: services.update_external_qa(
            actor=w.actor, external_qa=_qa(i), uri="https://qa.example.org/new"
        ),
        lambda w, i: _qa(i).uri == "https://qa.example.org/new",
    ),
    "remove_external_qa": Case(
        Action.MANAGE_ISSUER,
        "external_qa.remove",
        lambda w, i: services.remove_external_qa(actor=w.actor, external_qa=_qa(i)),
        lambda w, i: not i.external_qa.exists(),
    ),
    "set_membership": Case(
        Action.MANAGE_STAFF,
        "membership.create",
        lambda w, i: services.set_membership(
            actor=w.actor, issuer=i, user=w.newcomer, role=Role.ASSESSOR
        ),
        lambda w, i: Membership.objects.filter(issuer=i, user=w.newcomer).exists(),
    ),
    "remove_membership": Case(
        Action.MANAGE_STAFF,
        "membership.remove",
        lambda w, i: services.remove_membership(
            actor=w.actor, issuer=i, user=i.memberships.get(user__username=f"member-{i.slug}").user
        ),
        lambda w, i: not i.memberships.filter(user__username=f"member-{i.slug}").exists(),
    ),
    "generate_signing_key": Case(
        Action.MANAGE_KEYS,
        "signing_key.generate",
        lambda w, i: services.generate_signing_key(actor=w.actor, issuer=i, algorithm="rsa2048"),
        lambda w, i: i.signing_keys.filter(algorithm="rsa2048").exists(),
    ),
    "rotate_signing_key": Case(
        Action.MANAGE_KEYS,
        "signing_key.rotate",
        lambda w, i: services.rotate_signing_key(actor=w.actor, issuer=i, algorithm="ed25519"),
        lambda w, i: i.signing_keys.filter(status=Key.Status.RETIRED).exists(),
    ),
    "ensure_signing_keys": Case(
        Action.MANAGE_KEYS,
        "signing_key.generate",
        lambda w, i: services.ensure_signing_keys(i, actor=w.actor),
        lambda w, i: i.signing_keys.filter(algorithm="rsa2048").exists(),
    ),
}


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("service", list(SERVICE_CASES))
@pytest.mark.parametrize("role", list(Role))
def test_each_write_service_succeeds_and_is_audited_only_when_role_and_issuer_allow_it(
    world, role, service, where
):
    case = SERVICE_CASES[service]
    issuer = world.target(where)
    allowed = where == "own" and case.action in EXPECTED[role]
    events_before = AuditEvent.objects.count()

    if allowed:
        case.call(world, issuer)
        event = AuditEvent.objects.latest("id")
        assert (event.action, event.actor, event.issuer) == (case.audit_action, world.actor, issuer)
    else:
        with pytest.raises(PermissionDenied):
            case.call(world, issuer)
        assert AuditEvent.objects.count() == events_before
    assert case.happened(world, issuer) is allowed


@pytest.mark.parametrize("service", list(SERVICE_CASES))
def test_a_staff_user_without_membership_can_do_nothing(db, service):
    # Reuse the world's objects with an actor who has no role anywhere.
    issuer = IssuerFactory(slug="own")
    MembershipFactory(issuer=issuer, role=Role.OWNER)
    MembershipFactory(issuer=issuer, role=Role.VIEWER, user__username="member-own")
    ExternalQualityAssuranceFactory(issuer=issuer)
    services.ensure_signing_keys(issuer)
    Key.objects.filter(issuer=issuer, algorithm="rsa2048").delete()
    outsider = UserFactory(username="outsider")
    world = World(actor=outsider, own=issuer, other=issuer, newcomer=UserFactory())

    with pytest.raises(PermissionDenied):
        SERVICE_CASES[service].call(world, issuer)
    assert not selectors.issuers_for_user(outsider).exists()


def test_a_platform_administrator_may_act_at_every_issuer(superuser, issuer_a, issuer_b):
    assert set(selectors.issuers_for_user(superuser, Action.MANAGE_KEYS)) == {issuer_a, issuer_b}
    services.update_issuer_profile(actor=superuser, issuer=issuer_b, name_en="Renamed by admin")
    assert Issuer.objects.get(pk=issuer_b.pk).name_en == "Renamed by admin"
