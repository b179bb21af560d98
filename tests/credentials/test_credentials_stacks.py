"""Stacks: holding the required awards earns the stacked programme, proposed for approval or
issued automatically, as the stacked version says."""

import datetime

import pytest
from django.utils import timezone

from credentials import services
from credentials.models import Award
from issuers.models import AuditEvent
from tests.credentials.factories import (
    AssessmentFactory,
    AwardFactory,
    EnrolmentFactory,
    ProgrammeVersionFactory,
)


@pytest.fixture
def tiers(issuer_a):
    """Bronze, silver, gold and a platinum stacked programme, all published at A."""
    return {
        name: ProgrammeVersionFactory(programme__issuer=issuer_a, programme__slug=name)
        for name in ("bronze", "silver", "gold", "platinum")
    }


@pytest.fixture
def stack(tiers, designer_a):
    def make(*, min_count=None, auto_issue=False):
        platinum = tiers["platinum"]
        platinum.auto_issue_stack = auto_issue
        platinum.save()
        return services.set_stack_requirement(
            actor=designer_a,
            target=platinum.programme,
            required=[tiers[name].programme for name in ("bronze", "silver", "gold")],
            min_count=min_count,
        )

    return make


def hold(learner, version, **fields):
    """The learner holds an issued award under `version`."""
    return AwardFactory(
        assessment__learner=learner, assessment__programme_version=version, issued=True, **fields
    )


def platinum_awards(tiers):
    return Award.objects.filter(programme_version=tiers["platinum"])


def test_holding_all_required_awards_proposes_the_stacked_award(tiers, stack, learner_a, officer_a):
    requirement = stack()
    components = [hold(learner_a, tiers[name]) for name in ("bronze", "silver", "gold")]

    created = services.evaluate_stacks([learner_a], actor=officer_a)

    assert len(created) == 1
    award = created[0]
    assert award.status == Award.Status.PENDING
    assert (award.assessment, award.stack_requirement) == (None, requirement)
    assert set(award.component_awards.all()) == set(components)
    event = AuditEvent.objects.get(action="award.propose")
    assert event.details["stack"] is True


def test_missing_one_of_all_proposes_nothing(tiers, stack, learner_a, officer_a):
    stack()
    hold(learner_a, tiers["bronze"])
    hold(learner_a, tiers["silver"])
    assert services.evaluate_stacks([learner_a], actor=officer_a) == []
    assert not platinum_awards(tiers).exists()


def test_n_of_a_set_is_enough_when_min_count_says_so(tiers, stack, learner_a, officer_a):
    stack(min_count=2)
    hold(learner_a, tiers["bronze"])
    hold(learner_a, tiers["gold"])
    created = services.evaluate_stacks([learner_a], actor=officer_a)
    assert len(created) == 1 and created[0].component_awards.count() == 2


def test_the_stacked_award_is_issued_automatically_if_the_version_says_so(
    tiers, stack, learner_a, officer_a, badge_tasks, django_capture_on_commit_callbacks
):
    stack(auto_issue=True)
    for name in ("bronze", "silver", "gold"):
        hold(learner_a, tiers[name])
    with django_capture_on_commit_callbacks(execute=True):
        (award,) = services.evaluate_stacks([learner_a], actor=officer_a)
    assert award.status == Award.Status.ISSUED
    assert award.approved_by is None  # a rule issued it; the officer only triggered it
    assert AuditEvent.objects.get(action="award.issue").details["automatic"] is True
    assert badge_tasks == [("badges.issue_award_badges", award.pk)]


def test_issuing_the_last_component_triggers_the_stack(tiers, stack, learner_a, officer_a):
    stack()
    hold(learner_a, tiers["bronze"])
    hold(learner_a, tiers["silver"])
    gold = AssessmentFactory(learner=learner_a, programme_version=tiers["gold"])
    services.issue_award(actor=officer_a, assessment=gold)
    assert platinum_awards(tiers).get().status == Award.Status.PENDING


def test_revoked_or_expired_components_do_not_count(tiers, stack, learner_a, officer_a):
    stack()
    past = timezone.now() - datetime.timedelta(days=800)
    hold(learner_a, tiers["bronze"], issued_at=past, expires_at=past + datetime.timedelta(days=1))
    revoked = hold(learner_a, tiers["silver"])
    services.revoke_award(actor=officer_a, award=revoked, reason="誤登録")
    hold(learner_a, tiers["gold"])
    assert services.evaluate_stacks([learner_a], actor=officer_a) == []


def test_evaluating_again_proposes_nothing_new(tiers, stack, learner_a, officer_a):
    stack()
    for name in ("bronze", "silver", "gold"):
        hold(learner_a, tiers[name])
    services.evaluate_stacks([learner_a], actor=officer_a)
    assert services.evaluate_stacks([learner_a], actor=officer_a) == []
    assert platinum_awards(tiers).count() == 1


def test_stacks_chain_when_stacked_awards_are_issued_automatically(
    tiers, designer_a, issuer_a, learner_a, officer_a
):
    # gold needs bronze + silver (automatic); platinum needs gold (proposed).
    gold, platinum = tiers["gold"], tiers["platinum"]
    gold.auto_issue_stack = True
    gold.save()
    services.set_stack_requirement(
        actor=designer_a,
        target=gold.programme,
        required=[tiers["bronze"].programme, tiers["silver"].programme],
    )
    services.set_stack_requirement(
        actor=designer_a, target=platinum.programme, required=[gold.programme]
    )
    hold(learner_a, tiers["bronze"])
    hold(learner_a, tiers["silver"])
    created = services.evaluate_stacks([learner_a], actor=officer_a)
    statuses = {award.programme_version_id: award.status for award in created}
    assert statuses == {gold.pk: Award.Status.ISSUED, platinum.pk: Award.Status.PENDING}


def test_one_call_evaluates_a_whole_cohort(tiers, stack, issuer_a, officer_a):
    stack(min_count=1)
    learners = [EnrolmentFactory(issuer=issuer_a).learner for _ in range(5)]
    for learner in learners[:3]:
        hold(learner, tiers["bronze"])
    created = services.evaluate_stacks(learners, actor=officer_a)
    assert sorted(a.learner_id for a in created) == sorted(lr.pk for lr in learners[:3])


def test_staff_without_issuing_rights_evaluate_no_stacks(tiers, stack, learner_a, assessor_a):
    stack()
    for name in ("bronze", "silver", "gold"):
        hold(learner_a, tiers[name])
    assert services.evaluate_stacks([learner_a], actor=assessor_a) == []


def test_a_draft_stacked_programme_is_not_awarded(tiers, stack, learner_a, officer_a):
    stack()
    platinum = tiers["platinum"].programme
    platinum.status = "draft"
    platinum.save()
    for name in ("bronze", "silver", "gold"):
        hold(learner_a, tiers[name])
    assert services.evaluate_stacks([learner_a], actor=officer_a) == []


def test_revoking_a_component_revokes_the_stacked_award_built_on_it(
    tiers, stack, learner_a, officer_a
):
    stack(auto_issue=True)
    components = [hold(learner_a, tiers[name]) for name in ("bronze", "silver", "gold")]
    (platinum,) = services.evaluate_stacks([learner_a], actor=officer_a)
    services.revoke_award(actor=officer_a, award=components[1], reason="不正行為")
    platinum.refresh_from_db()
    assert platinum.status == Award.Status.REVOKED
    assert "revoked" in platinum.revocation_reason and "取り消" in platinum.revocation_reason
    event = AuditEvent.objects.get(action="award.revoke", target_id=str(platinum.pk))
    assert event.details["component"] == str(components[1].public_id)


def test_a_stacked_award_with_enough_other_components_stays(tiers, stack, learner_a, officer_a):
    stack(min_count=2, auto_issue=True)
    components = [hold(learner_a, tiers[name]) for name in ("bronze", "silver", "gold")]
    (platinum,) = services.evaluate_stacks([learner_a], actor=officer_a)
    services.revoke_award(actor=officer_a, award=components[0], reason="誤登録")
    platinum.refresh_from_db()
    assert platinum.status == Award.Status.ISSUED
