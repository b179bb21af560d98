"""After issue: suspend and reinstate an award (its badge's suspension bit), and reissue it with
a correction. Each change is audited, reaches badges by task name after commit, and the
learner is told by mail (credentials.send_award_notice)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credentials.models import Award
from issuers.permissions import Action
from issuers.services import record_audit, require_permission

from .dispatch import SUSPENSION_TASK, dispatch_after_commit
from .notices import notify_learner


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
    notify_learner(award, "suspended", reason=reason)
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
    notify_learner(award, "reinstated", reason=(reason or "").strip())
    return award
