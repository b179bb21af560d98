"""Staff of issuer B can neither see nor act on issuer A's programmes, learners or awards:
every credential service and selector, asked by B's owner (all rights at B) about A."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from credentials import selectors, services
from credentials.services.imports import import_results
from issuers.models import AuditEvent
from tests.credentials.factories import (
    AssessmentFactory,
    AwardFactory,
    ProgrammeFactory,
    ProgrammeVersionFactory,
)

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


@pytest.fixture
def world_a(version_a, learner_a):
    """At A: a published programme, an enrolled learner, a passing result, an issued award
    and a pending one."""
    passed = AssessmentFactory(learner=learner_a, programme_version=version_a)
    issued = AwardFactory(assessment=passed, issued=True)
    other = AssessmentFactory(programme_version=version_a)
    pending = AwardFactory(assessment=other)
    draft = ProgrammeVersionFactory(programme=version_a.programme, number=2, published_at=None)
    fresh = AssessmentFactory(programme_version=version_a)  # passed, no award yet
    fresh.learner.enrolments.create(issuer=version_a.programme.issuer, name_ja="新人")
    return {
        "draft": draft,
        "sibling": ProgrammeFactory(issuer=version_a.programme.issuer),
        "fresh_assessment": fresh,
        "issuer": version_a.programme.issuer,
        "programme": version_a.programme,
        "version": version_a,
        "learner": learner_a,
        "assessment": passed,
        "issued": issued,
        "pending": pending,
    }


SERVICE_CALLS = {
    "revise_programme": lambda w: services.revise_programme(
        actor=w["actor"], programme=w["programme"], criteria_ja="乗っ取り"
    ),
    "update_programme_draft": lambda w: services.update_programme_draft(
        actor=w["actor"], version=w["draft"], criteria_ja="乗っ取り"
    ),
    "publish_programme": lambda w: services.publish_programme(
        actor=w["actor"], programme=w["programme"]
    ),
    "retire_programme": lambda w: services.retire_programme(
        actor=w["actor"], programme=w["programme"]
    ),
    "set_stack_requirement": lambda w: services.set_stack_requirement(
        actor=w["actor"], target=w["programme"], required=[w["sibling"]]
    ),
    "register_learner_at_a": lambda w: services.register_learner(
        actor=w["actor"], issuer=w["issuer"], email="new@example.ac.jp", name_ja="新規"
    ),
    "record_assessment": lambda w: services.record_assessment(
        actor=w["actor"],
        learner=w["learner"],
        programme_version=w["version"],
        result="pass",
        assessed_on=YESTERDAY,
    ),
    "record_assessment_of_a_learner_unknown_at_b": lambda w: services.record_assessment(
        actor=w["actor"],
        learner=w["learner"],
        programme_version=w["version_b"],
        result="pass",
        assessed_on=YESTERDAY,
    ),
    "propose_award": lambda w: services.propose_award(
        actor=w["actor"], assessment=w["fresh_assessment"]
    ),
    "issue_award": lambda w: services.issue_award(
        actor=w["actor"], assessment=w["fresh_assessment"]
    ),
    "approve_award": lambda w: services.approve_award(actor=w["actor"], award=w["pending"]),
    "revoke_award": lambda w: services.revoke_award(
        actor=w["actor"], award=w["issued"], reason="乗っ取り"
    ),
    "import_results": lambda w: import_results(
        actor=w["actor"],
        programme_version=w["version"],
        data=f"email,result,assessed_on\n{w['learner'].email},fail,{YESTERDAY}\n".encode(),
        dry_run=False,
    ),
}


@pytest.mark.parametrize("call", SERVICE_CALLS.values(), ids=SERVICE_CALLS.keys())
def test_staff_of_b_cannot_act_on_as_records(call, world_a, owner_b, version_b):
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        call({**world_a, "actor": owner_b, "version_b": version_b})
    assert AuditEvent.objects.count() == before


# The control: each call about A's records succeeds for A's owner (one about B's is left out).
CALLS_FOR_A = {
    name: call
    for name, call in SERVICE_CALLS.items()
    if name != "record_assessment_of_a_learner_unknown_at_b"
}


@pytest.mark.parametrize("call", CALLS_FOR_A.values(), ids=CALLS_FOR_A.keys())
def test_the_same_calls_by_staff_of_a_succeed_and_are_audited(call, world_a, owner_a, version_b):
    before = AuditEvent.objects.count()
    call({**world_a, "actor": owner_a, "version_b": version_b})
    assert AuditEvent.objects.count() > before


def test_staff_of_b_evaluate_no_stack_of_a(world_a, owner_a, owner_b, issuer_a):
    target = ProgrammeVersionFactory(programme__issuer=issuer_a).programme
    services.set_stack_requirement(actor=owner_a, target=target, required=[world_a["programme"]])
    assert services.evaluate_stacks([world_a["learner"]], actor=owner_b) == []
    assert services.evaluate_stacks([world_a["learner"]], actor=owner_a) != []  # the control


SELECTORS = {
    "programmes_for_user": (selectors.programmes_for_user, "programme"),
    "programme_versions_for_user": (selectors.programme_versions_for_user, "version"),
    "learners_for_user": (selectors.learners_for_user, "learner"),
    "assessments_for_user": (selectors.assessments_for_user, "assessment"),
    "awards_for_user": (selectors.awards_for_user, "issued"),
}


@pytest.mark.parametrize(("selector", "key"), SELECTORS.values(), ids=SELECTORS.keys())
def test_staff_of_b_see_none_of_as_records(selector, key, world_a, owner_a, owner_b):
    assert selector(owner_a).filter(pk=world_a[key].pk).exists()  # the control
    assert not selector(owner_b).filter(pk=world_a[key].pk).exists()


def test_a_learner_at_both_issuers_is_seen_by_b_without_as_awards(
    world_a, owner_b, issuer_b, version_b
):
    learner = world_a["learner"]
    services.register_learner(actor=owner_b, issuer=issuer_b, email=learner.email, name_ja="乙")
    assert selectors.learners_for_user(owner_b).filter(pk=learner.pk).exists()
    assert not selectors.awards_for_user(owner_b).filter(learner=learner).exists()
    assert not selectors.assessments_for_user(owner_b).filter(learner=learner).exists()
    assert [e.issuer_id for e in selectors.enrolments_for_user(owner_b)] == [issuer_b.pk]
