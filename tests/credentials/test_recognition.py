"""Recognition of prior learning, on the record's side: rules match verified outside
achievements (by achievement ID, issuer, JEQF level and hours), staff decide with a reason
(audited, only at their own issuer), approved ones count toward the stack in place of the
programme they stand for, and a withdrawn one revokes the stacks that no longer stand. (The
verification of real badges is tested end to end in tests/interop.)"""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from credentials import services
from credentials.models import Award, RecognisedAchievement, Recognition
from credentials.services.recognition import (
    OutsideBadge,
    decide_recognition,
    record_outside_achievement,
    set_recognition_rule,
    withdraw_outside_achievement,
)
from issuers.models import AuditEvent
from tests.credentials.factories import AwardFactory, ProgrammeVersionFactory

OUTSIDE = "https://lms.example.org/achievements/stat-101"
OUTSIDE_ISSUER = "did:key:z6MkoutsideIssuer"


@pytest.fixture
def stack(issuer_a, designer_a, no_badge_tasks):
    """A's 「応用」 stack requires 「基礎」 and 「統計」, issued automatically when complete."""
    basics = ProgrammeVersionFactory(programme__issuer=issuer_a, programme__slug="basics")
    statistics = ProgrammeVersionFactory(programme__issuer=issuer_a, programme__slug="statistics")
    target = ProgrammeVersionFactory(
        programme__issuer=issuer_a, programme__slug="applied", auto_issue_stack=True
    )
    requirement = services.set_stack_requirement(
        actor=designer_a, target=target.programme, required=[basics.programme, statistics.programme]
    )
    return {
        "basics": basics,
        "statistics": statistics,
        "target": target,
        "requirement": requirement,
    }


def outside_badge(**fields) -> OutsideBadge:
    values = {
        "format": "ob3",
        "source": "{}",
        "issuer_id": OUTSIDE_ISSUER,
        "issuer_name": "Open University of Example",
        "achievement_name": "Statistics 101",
        "achievement_id": OUTSIDE,
        "credential_id": "urn:uuid:1b0f7c44-5a0e-4f43-9d4f-111111111111",
        "level": 6,
        "hours": Decimal("45"),
        "verification": {"verdict": "valid", "checks": []},
    }
    return OutsideBadge(**{**values, **fields})


def rule(stack, designer_a, **criteria):
    return set_recognition_rule(
        actor=designer_a,
        requirement=stack["requirement"],
        stands_for=stack["statistics"].programme,
        **criteria,
    )


def hold_basics(stack, learner):
    return AwardFactory(
        assessment__learner=learner, assessment__programme_version=stack["basics"], issued=True
    )


def stacked(stack, learner):
    return Award.objects.filter(programme_version=stack["target"], learner=learner).first()


def test_a_matching_outside_achievement_waits_for_staff_and_counts_once_approved(
    stack, designer_a, officer_a, learner_a
):
    rule(stack, designer_a, achievement_id=OUTSIDE)
    hold_basics(stack, learner_a)
    achievement = record_outside_achievement(learner=learner_a, badge=outside_badge())
    recognition = achievement.recognitions.get()
    assert recognition.status == Recognition.Status.PENDING
    assert stacked(stack, learner_a) is None

    decide_recognition(
        actor=officer_a, recognition=recognition, approve=True, reason="シラバスを確認済み"
    )

    award = stacked(stack, learner_a)
    assert award.status == Award.Status.ISSUED
    assert list(award.component_recognitions.all()) == [recognition]
    event = AuditEvent.objects.get(action="recognition.approve")
    assert event.actor == officer_a and event.details["reason"] == "シラバスを確認済み"


def test_a_declined_recognition_counts_for_nothing_and_keeps_its_reason(
    stack, designer_a, officer_a, learner_a
):
    rule(stack, designer_a, achievement_id=OUTSIDE)
    hold_basics(stack, learner_a)
    recognition = record_outside_achievement(
        learner=learner_a, badge=outside_badge()
    ).recognitions.get()
    decide_recognition(
        actor=officer_a, recognition=recognition, approve=False, reason="評価方法が異なる"
    )
    recognition.refresh_from_db()
    assert (recognition.status, recognition.reason) == ("declined", "評価方法が異なる")
    assert stacked(stack, learner_a) is None
    assert AuditEvent.objects.filter(action="recognition.decline").exists()


def test_a_decision_needs_a_reason_and_is_made_once(stack, designer_a, officer_a, learner_a):
    rule(stack, designer_a, achievement_id=OUTSIDE)
    recognition = record_outside_achievement(
        learner=learner_a, badge=outside_badge()
    ).recognitions.get()
    with pytest.raises(ValidationError) as error:
        decide_recognition(actor=officer_a, recognition=recognition, approve=True, reason=" ")
    assert "reason" in error.value.message_dict
    decide_recognition(actor=officer_a, recognition=recognition, approve=False, reason="不可")
    with pytest.raises(ValidationError):
        decide_recognition(actor=officer_a, recognition=recognition, approve=True, reason="可")


def test_staff_of_another_issuer_cannot_decide(stack, designer_a, owner_b, learner_a):
    rule(stack, designer_a, achievement_id=OUTSIDE)
    recognition = record_outside_achievement(
        learner=learner_a, badge=outside_badge()
    ).recognitions.get()
    with pytest.raises(PermissionDenied):
        decide_recognition(actor=owner_b, recognition=recognition, approve=True, reason="ok")
    recognition.refresh_from_db()
    assert recognition.status == Recognition.Status.PENDING


def test_an_automatic_rule_approves_by_itself_and_completes_the_stack(stack, designer_a, learner_a):
    rule(stack, designer_a, issuer_id=OUTSIDE_ISSUER, auto_approve=True)
    hold_basics(stack, learner_a)
    achievement = record_outside_achievement(learner=learner_a, badge=outside_badge())
    recognition = achievement.recognitions.get()
    assert recognition.status == Recognition.Status.APPROVED
    assert recognition.decided_by is None and "自動承認" in recognition.reason
    assert stacked(stack, learner_a).status == Award.Status.ISSUED


@pytest.mark.parametrize(
    ("level", "hours", "matches"),
    [(6, Decimal("45"), True), (5, Decimal("60"), False), (7, Decimal("30"), False)],
)
def test_an_alignment_rule_needs_the_level_and_the_hours(
    stack, designer_a, learner_a, level, hours, matches
):
    rule(stack, designer_a, min_level=6, min_hours=Decimal("45"))
    achievement = record_outside_achievement(
        learner=learner_a, badge=outside_badge(level=level, hours=hours)
    )
    assert achievement.recognitions.exists() is matches


def test_a_rule_must_say_what_it_recognises_and_stand_for_a_required_programme(
    stack, designer_a, issuer_a
):
    with pytest.raises(ValidationError):
        rule(stack, designer_a)
    unrelated = ProgrammeVersionFactory(programme__issuer=issuer_a, programme__slug="other")
    with pytest.raises(ValidationError) as error:
        set_recognition_rule(
            actor=designer_a,
            requirement=stack["requirement"],
            stands_for=unrelated.programme,
            achievement_id=OUTSIDE,
        )
    assert "stands_for" in error.value.message_dict


def test_a_rule_made_later_recognises_achievements_already_registered(stack, designer_a, learner_a):
    achievement = record_outside_achievement(learner=learner_a, badge=outside_badge())
    assert not achievement.recognitions.exists()
    rule(stack, designer_a, achievement_id=OUTSIDE)
    assert achievement.recognitions.get().status == Recognition.Status.PENDING


def test_the_same_credential_twice_is_refused(learner_a, db):
    record_outside_achievement(learner=learner_a, badge=outside_badge())
    with pytest.raises(ValidationError) as error:
        record_outside_achievement(learner=learner_a, badge=outside_badge())
    assert "already registered" in str(error.value) or "登録" in str(error.value)
    assert RecognisedAchievement.objects.count() == 1


def test_a_withdrawn_achievement_revokes_the_stack_built_on_it(stack, designer_a, learner_a):
    rule(stack, designer_a, achievement_id=OUTSIDE, auto_approve=True)
    hold_basics(stack, learner_a)
    achievement = record_outside_achievement(learner=learner_a, badge=outside_badge())
    award = stacked(stack, learner_a)
    assert award.status == Award.Status.ISSUED

    withdraw_outside_achievement(achievement=achievement, reason="発行元が取り消し")

    award.refresh_from_db()
    assert award.status == Award.Status.REVOKED
    assert "Statistics 101" in award.revocation_reason
    assert achievement.recognitions.get().status == Recognition.Status.WITHDRAWN


def test_a_withdrawn_achievement_leaves_a_stack_that_still_stands(stack, designer_a, learner_a):
    """The learner also earned the programme itself: the stack does not need the outside one."""
    rule(stack, designer_a, achievement_id=OUTSIDE, auto_approve=True)
    hold_basics(stack, learner_a)
    achievement = record_outside_achievement(learner=learner_a, badge=outside_badge())
    award = stacked(stack, learner_a)
    AwardFactory(
        assessment__learner=learner_a,
        assessment__programme_version=stack["statistics"],
        issued=True,
    )
    withdraw_outside_achievement(achievement=achievement, reason="期限切れ")
    award.refresh_from_db()
    assert award.status == Award.Status.ISSUED
