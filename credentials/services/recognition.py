"""Recognition of prior learning: writes.

    record_outside_achievement(*, learner, badge, actor=None, request=None)
    set_recognition_rule(*, actor, requirement, stands_for, ..., request=None)
    decide_recognition(*, actor, recognition, approve, reason, request=None)
    withdraw_outside_achievement(*, achievement, reason, actor=None, request=None)
    mark_rechecked(achievement, *, error="")

The badge is verified by badges.recognition before it reaches record_outside_achievement (the
record never imports the envelope): what arrives here are the facts the verification read.
Matching rules make recognitions, pending or approved by the rule; an approval lets the stacks
count the achievement (credentials.services.stacks); a withdrawn achievement revokes the stacks
that no longer stand, as a revoked component award does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credentials.models import (
    Award,
    Learner,
    Programme,
    RecognisedAchievement,
    Recognition,
    RecognitionRule,
    StackRequirement,
)
from issuers.permissions import Action
from issuers.services import record_audit, require_permission

from .awards import revoke_broken_stacks
from .stacks import evaluate_stacks

AUTO_APPROVED = "規則により自動承認 / Approved automatically by the recognition rule"


@dataclass(frozen=True)
class OutsideBadge:
    """What the verification service read from a valid outside badge."""

    format: str
    source: str
    issuer_id: str
    issuer_name: str
    achievement_name: str
    achievement_id: str = ""
    credential_id: str = ""
    descriptors: dict = field(default_factory=dict)
    level: int | None = None
    hours: Decimal | None = None
    valid_until: datetime | None = None
    verification: dict = field(default_factory=dict)


def _audit_recognition(recognition: Recognition, action: str, *, actor, request, **details) -> None:
    achievement = recognition.achievement
    record_audit(
        actor=actor,
        action=action,
        target=recognition,
        issuer=recognition.rule.requirement.target.issuer,
        details={
            "learner": achievement.learner.email,
            "achievement": achievement.achievement_name,
            "outside_issuer": achievement.issuer_id,
            "counts_as": recognition.rule.stands_for.slug,
            **details,
        },
        request=request,
    )


@transaction.atomic
def record_outside_achievement(
    *, learner: Learner, badge: OutsideBadge, actor=None, request=None
) -> RecognisedAchievement:
    """Store a verified outside badge for `learner`, make a recognition under every rule it
    matches (approved at once where the rule says so) and let the stacks count the approved
    ones. The same credential twice is refused, with the first one named."""
    if badge.credential_id:
        earlier = RecognisedAchievement.objects.filter(
            learner=learner,
            credential_id=badge.credential_id,
            status=RecognisedAchievement.Status.VERIFIED,
        ).first()
        if earlier is not None:
            raise ValidationError(
                _("This badge was already registered on %(date)s.")
                % {"date": timezone.localdate(earlier.submitted_at).isoformat()}
            )
    achievement = RecognisedAchievement(
        learner=learner,
        format=badge.format,
        source=badge.source,
        issuer_id=badge.issuer_id[:2000],
        issuer_name=badge.issuer_name[:500],
        achievement_id=badge.achievement_id[:2000],
        achievement_name=badge.achievement_name[:500],
        credential_id=badge.credential_id[:2000],
        descriptors=badge.descriptors,
        level=badge.level,
        hours=badge.hours,
        valid_until=badge.valid_until,
        verification=badge.verification,
        submitted_by=actor if getattr(actor, "pk", None) else None,
    )
    achievement.full_clean()
    achievement.save()
    record_audit(
        actor=actor,
        action="recognition.submit",
        target=achievement,
        issuer=None,
        details={
            "learner": learner.email,
            "achievement": achievement.achievement_name,
            "outside_issuer": achievement.issuer_id,
            "by": "staff" if achievement.submitted_by else "learner",
        },
        request=request,
    )
    rules = RecognitionRule.objects.filter(
        requirement__target__status=Programme.Status.PUBLISHED
    ).select_related("requirement__target__issuer", "stands_for")
    _recognise(achievement, [rule for rule in rules if rule.matches(achievement)], request)
    return achievement


def _recognise(achievement: RecognisedAchievement, rules, request) -> list[Recognition]:
    made = []
    for rule in rules:
        recognition, created = Recognition.objects.get_or_create(achievement=achievement, rule=rule)
        if not created:
            continue
        made.append(recognition)
        _audit_recognition(recognition, "recognition.match", actor=None, request=request)
        if rule.auto_approve:
            _decide(recognition, approve=True, reason=AUTO_APPROVED, actor=None, request=request)
    if any(r.status == Recognition.Status.APPROVED for r in made):
        evaluate_stacks([achievement.learner])
    return made


@transaction.atomic
def set_recognition_rule(
    *,
    actor,
    requirement: StackRequirement,
    stands_for: Programme,
    achievement_id: str = "",
    issuer_id: str = "",
    min_level: int | None = None,
    min_hours: Decimal | None = None,
    auto_approve: bool = False,
    rule: RecognitionRule | None = None,
    request=None,
) -> RecognitionRule:
    """Add (or change) a rule of `requirement`; outside achievements already registered that
    match it are recognised at once."""
    require_permission(actor, requirement.target.issuer, Action.EDIT_PROGRAMME)
    if not requirement.required.filter(pk=stands_for.pk).exists():
        raise ValidationError(
            {"stands_for": _("Choose one of the programmes this stack requires.")}
        )
    rule = rule or RecognitionRule(requirement=requirement)
    rule.stands_for = stands_for
    rule.achievement_id = (achievement_id or "").strip()
    rule.issuer_id = (issuer_id or "").strip()
    rule.min_level = min_level
    rule.min_hours = min_hours
    rule.auto_approve = auto_approve
    rule.full_clean()
    rule.save()
    record_audit(
        actor=actor,
        action="recognition_rule.set",
        target=requirement.target,
        issuer=requirement.target.issuer,
        details={
            "counts_as": stands_for.slug,
            "achievement_id": rule.achievement_id,
            "issuer_id": rule.issuer_id,
            "min_level": min_level,
            "min_hours": str(min_hours) if min_hours is not None else None,
            "auto_approve": auto_approve,
        },
        request=request,
    )
    registered = RecognisedAchievement.objects.filter(
        status=RecognisedAchievement.Status.VERIFIED
    ).select_related("learner")
    for achievement in registered:
        if rule.matches(achievement):
            _recognise(achievement, [rule], request)
    return rule


@transaction.atomic
def decide_recognition(
    *, actor, recognition: Recognition, approve: bool, reason: str, request=None
) -> Recognition:
    """Staff of the stack's issuer approve or decline, with the reason the learner is shown."""
    recognition = Recognition.objects.select_for_update().get(pk=recognition.pk)
    require_permission(actor, recognition.rule.requirement.target.issuer, Action.ISSUE_AWARD)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for the decision.")})
    if recognition.status != Recognition.Status.PENDING:
        raise ValidationError(_("This recognition has already been decided."))
    if approve and not recognition.achievement.is_valid:
        raise ValidationError(_("The outside achievement is no longer valid."))
    _decide(recognition, approve=approve, reason=reason, actor=actor, request=request)
    if approve:
        evaluate_stacks([recognition.achievement.learner], actor=None, request=request)
    return recognition


def _decide(recognition: Recognition, *, approve: bool, reason: str, actor, request) -> None:
    recognition.status = Recognition.Status.APPROVED if approve else Recognition.Status.DECLINED
    recognition.reason = reason
    recognition.decided_by = actor if getattr(actor, "pk", None) else None
    recognition.decided_at = timezone.now()
    recognition.full_clean(validate_unique=False)
    recognition.save()
    _audit_recognition(
        recognition,
        "recognition.approve" if approve else "recognition.decline",
        actor=actor,
        request=request,
        reason=reason,
        automatic=actor is None,
    )


@transaction.atomic
def withdraw_outside_achievement(
    *, achievement: RecognisedAchievement, reason: str, actor=None, request=None
) -> RecognisedAchievement:
    """The outside badge is no longer valid (its issuer revoked or suspended it, or it
    expired): its recognitions are withdrawn and the stacks built on them follow the same rule
    as when a component award is revoked."""
    achievement = RecognisedAchievement.objects.select_for_update().get(pk=achievement.pk)
    if achievement.status == RecognisedAchievement.Status.WITHDRAWN:
        return achievement
    achievement.status = RecognisedAchievement.Status.WITHDRAWN
    achievement.withdrawn_reason = reason
    achievement.checked_at = timezone.now()
    achievement.check_error = ""
    achievement.full_clean()
    achievement.save()
    record_audit(
        actor=actor,
        action="recognition.withdraw",
        target=achievement,
        issuer=None,
        details={"learner": achievement.learner.email, "reason": reason},
        request=request,
    )
    live = achievement.recognitions.exclude(
        status__in=(Recognition.Status.DECLINED, Recognition.Status.WITHDRAWN)
    ).select_related("rule__requirement__target__issuer", "rule__stands_for")
    for recognition in live:
        recognition.status = Recognition.Status.WITHDRAWN
        recognition.reason = reason
        recognition.decided_at = timezone.now()
        recognition.save(update_fields=["status", "reason", "decided_at"])
        _audit_recognition(
            recognition, "recognition.withdraw", actor=actor, request=request, reason=reason
        )
        revoke_broken_stacks(
            Award.objects.filter(component_recognitions=recognition),
            reason=(
                f"構成要素として認定された他機関の学修成果「{achievement.achievement_name}」が"
                f"有効でなくなったため。 / A recognised outside achievement "
                f"({achievement.achievement_name}) is no longer valid."
            ),
            details={"recognised_achievement": str(achievement.public_id)},
            actor=actor,
            request=request,
        )
    return achievement


def mark_rechecked(achievement: RecognisedAchievement, *, error: str = "") -> None:
    """A periodic re-check found it still valid (or could not reach its issuer: `error`)."""
    RecognisedAchievement.objects.filter(pk=achievement.pk).update(
        checked_at=timezone.now() if not error else achievement.checked_at, check_error=error
    )
