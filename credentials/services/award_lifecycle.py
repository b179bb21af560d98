"""After issue: suspend and reinstate an award (its badge's suspension bit), and reissue it with
a correction. Each change is audited, reaches badges by task name after commit, and the
learner is told by mail (credentials.send_award_notice)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credentials.models import Award, AwardNotice, LearnerEnrolment
from issuers.permissions import Action
from issuers.services import record_audit, require_permission

from .awards import _revoke
from .dispatch import SUSPENSION_TASK, dispatch_after_commit
from .issuing import issue
from .notices import notify_learner

SUPERSEDED = "差し替え / superseded"


def _reason(reason: str, field: str, message) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: message})
    return reason


@transaction.atomic
def suspend_award(*, actor, award: Award, reason: str, request=None) -> Award:
    """Suspend an issued award: verifiers see it as suspended until it is reinstated."""
    issuer = award.programme_version.programme.issuer
    require_permission(actor, issuer, Action.REVOKE_AWARD)
    reason = _reason(reason, "suspension_reason", _("Give a reason for the suspension."))
    award = Award.objects.select_for_update().get(pk=award.pk)
    if award.status != Award.Status.ISSUED:
        raise ValidationError(_("Only an issued award can be suspended."))
    if award.suspended_at is not None:
        return award
    award.suspended_at = timezone.now()
    award.suspension_reason = reason
    award.save(update_fields=["suspended_at", "suspension_reason", "updated_at"])
    record_audit(
        actor=actor,
        action="award.suspend",
        target=award,
        issuer=issuer,
        details={"reason": reason},
        request=request,
    )
    dispatch_after_commit(SUSPENSION_TASK, award.pk)
    notify_learner(award, AwardNotice.Kind.SUSPENDED, reason=reason)
    return award


@transaction.atomic
def reinstate_award(*, actor, award: Award, reason: str = "", request=None) -> Award:
    """Lift a suspension: the badge verifies as valid again."""
    issuer = award.programme_version.programme.issuer
    require_permission(actor, issuer, Action.REVOKE_AWARD)
    award = Award.objects.select_for_update().get(pk=award.pk)
    if award.suspended_at is None:
        return award
    if award.status != Award.Status.ISSUED:
        raise ValidationError(_("Only an issued award can be reinstated."))
    suspended_since = award.suspended_at
    award.suspended_at = None
    award.suspension_reason = ""
    award.save(update_fields=["suspended_at", "suspension_reason", "updated_at"])
    record_audit(
        actor=actor,
        action="award.reinstate",
        target=award,
        issuer=issuer,
        details={"reason": (reason or "").strip(), "suspended_since": suspended_since.isoformat()},
        request=request,
    )
    dispatch_after_commit(SUSPENSION_TASK, award.pk)
    notify_learner(award, AwardNotice.Kind.REINSTATED, reason=(reason or "").strip())
    return award


def _correct_names(award: Award, name_ja, name_en) -> dict:
    """Apply a name correction to the issuer's own record of the learner; what changed."""
    if name_ja is None and name_en is None:
        return {}
    issuer = award.programme_version.programme.issuer
    enrolment = LearnerEnrolment.objects.select_for_update().get(
        issuer=issuer, learner=award.learner
    )
    changed = {}
    for field, value in (("name_ja", name_ja), ("name_en", name_en)):
        if value is None:
            continue
        value = value.strip()
        if value != getattr(enrolment, field):
            changed[field] = {"from": getattr(enrolment, field), "to": value}
            setattr(enrolment, field, value)
    if changed:
        enrolment.full_clean()
        enrolment.save()
    return changed


@transaction.atomic
def reissue_award(
    *, actor, award: Award, reason: str, name_ja=None, name_en=None, request=None
) -> Award:
    """Replace an issued award by a corrected one (e.g. a misspelt name): the original is
    revoked as superseded, the new award links to it and is signed afresh."""
    issuer = award.programme_version.programme.issuer
    require_permission(actor, issuer, Action.ISSUE_AWARD)
    require_permission(actor, issuer, Action.REVOKE_AWARD)
    reason = _reason(reason, "reissue_reason", _("Say what is corrected."))
    award = Award.objects.select_for_update().get(pk=award.pk)
    if award.status != Award.Status.ISSUED:
        raise ValidationError(_("Only an issued award can be reissued."))
    corrections = _correct_names(award, name_ja, name_en)
    _revoke(
        award,
        actor=actor,
        reason=f"{SUPERSEDED}: {reason}",
        request=request,
        details={"superseded": True},
    )
    replacement = Award(
        learner=award.learner,
        programme_version=award.programme_version,
        assessment=award.assessment,
        stack_requirement=award.stack_requirement,
        status=Award.Status.PENDING,
        supersedes=award,
        public_page_visible=award.public_page_visible,
    )
    replacement.full_clean(validate_constraints=False)
    replacement.save()
    replacement.component_awards.set(award.component_awards.all())
    issue(replacement, actor=actor, request=request)
    record_audit(
        actor=actor,
        action="award.reissue",
        target=replacement,
        issuer=issuer,
        details={
            "reason": reason,
            "supersedes": str(award.public_id),
            "public_id": str(replacement.public_id),
            "corrections": corrections,
        },
        request=request,
    )
    notify_learner(award, AwardNotice.Kind.REISSUED, reason=reason, about=replacement)
    return replacement
