"""Awards: propose, approve or issue, revoke. Issued and revoked awards go to badges by name."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credentials.models import Assessment, Award, AwardNotice, Programme, ProgrammeVersion
from credentials.selectors_recognition import stack_still_holds
from issuers.permissions import Action
from issuers.services import record_audit, require_permission

from .assessments import assessing_methods, check_enrolled
from .common import require_any_permission
from .dispatch import REVOKE_BADGES_TASK, dispatch_after_commit
from .issuing import create_award_once, issue
from .notices import notify_learner
from .stacks import evaluate_stacks


def check_awardable(version: ProgrammeVersion) -> None:
    if not version.is_published:
        raise ValidationError(_("Awards can only be made under a published version."))
    if version.programme.status != Programme.Status.PUBLISHED:
        raise ValidationError(_("This programme is not published, so it cannot award."))


def _check_assessment(assessment: Assessment) -> None:
    if not assessment.passed:
        raise ValidationError(_("Only a passing assessment can lead to an award."))
    if assessment.method not in assessing_methods(assessment.programme_version):
        raise ValidationError(
            _("Participation is not an assessment, so it cannot lead to a micro-credential.")
        )


def _after_issue(award: Award, *, actor, request) -> None:
    # An issued award may complete a stack (bronze + silver + gold → platinum).
    evaluate_stacks([award.learner], actor=actor, request=request)


@transaction.atomic
def propose_award(*, actor, assessment: Assessment, request=None) -> Award:
    """A pending award resting on a passing assessment, for an issuing officer to approve."""
    version = assessment.programme_version
    issuer = version.programme.issuer
    require_any_permission(actor, issuer, Action.RECORD_ASSESSMENT, Action.ISSUE_AWARD)
    check_awardable(version)
    check_enrolled(assessment.learner, version)
    _check_assessment(assessment)
    award, created = create_award_once(
        learner=assessment.learner,
        programme_version=version,
        assessment=assessment,
        proposed_by=actor,
    )
    if created:
        record_audit(
            actor=actor,
            action="award.propose",
            target=award,
            issuer=issuer,
            details={"assessment": assessment.pk},
            request=request,
        )
    return award


def _issue_once(award: Award, *, actor, request) -> Award:
    """Issue a pending award; an issued one is returned as it is, a revoked one refused."""
    if award.status == Award.Status.ISSUED:
        return award
    if award.status == Award.Status.REVOKED:
        raise ValidationError(_("A revoked award cannot be issued."))
    issue(award, actor=actor, request=request)
    _after_issue(award, actor=actor, request=request)
    return award


@transaction.atomic
def approve_award(*, actor, award: Award, request=None) -> Award:
    """Issue a pending award. Approving an issued award again changes nothing."""
    issuer = award.programme_version.programme.issuer
    require_permission(actor, issuer, Action.ISSUE_AWARD)
    award = Award.objects.select_for_update().get(pk=award.pk)
    return _issue_once(award, actor=actor, request=request)


@transaction.atomic
def issue_award(*, actor, assessment: Assessment, request=None) -> Award:
    """Issue the award a passing assessment earns. Idempotent: a second call returns it."""
    version = assessment.programme_version
    issuer = version.programme.issuer
    require_permission(actor, issuer, Action.ISSUE_AWARD)
    award = Award.objects.filter(learner=assessment.learner, programme_version=version).first()
    if award is None:
        check_awardable(version)
        check_enrolled(assessment.learner, version)
        _check_assessment(assessment)
    award, _created = create_award_once(
        learner=assessment.learner,
        programme_version=version,
        assessment=assessment,
        proposed_by=actor,
    )
    return _issue_once(award, actor=actor, request=request)


@transaction.atomic
def revoke_award(*, actor, award: Award, reason: str, request=None) -> Award:
    """Revoke an award (or withdraw a pending one), with the reason shown to verifiers.

    Stacked awards built on it that no longer have enough valid components are revoked too
    (their reason says which component went), so a platinum never outlives its gold."""
    issuer = award.programme_version.programme.issuer
    require_permission(actor, issuer, Action.REVOKE_AWARD)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"revocation_reason": _("Give a reason for the revocation.")})
    return _revoke(award, actor=actor, reason=reason, request=request, details={})


def _revoke(award: Award, *, actor, reason: str, request, details: dict) -> Award:
    award = Award.objects.select_for_update().get(pk=award.pk)
    if award.status == Award.Status.REVOKED:
        return award
    was_issued = award.status == Award.Status.ISSUED
    award.status = Award.Status.REVOKED
    award.revoked_at = timezone.now()
    award.revoked_by = actor
    award.revocation_reason = reason
    award.full_clean()
    award.save()
    record_audit(
        actor=actor,
        action="award.revoke",
        target=award,
        issuer=award.programme_version.programme.issuer,
        details={"reason": reason, "was_issued": was_issued, **details},
        request=request,
    )
    if was_issued:
        dispatch_after_commit(REVOKE_BADGES_TASK, award.pk)
        if not details.get("superseded"):  # a reissue sends its own notice
            notify_learner(award, AwardNotice.Kind.REVOKED, reason=reason)
    _revoke_broken_stacks(award, actor=actor, request=request)
    return award


def _revoke_broken_stacks(component: Award, *, actor, request) -> None:
    title = component.programme_version.title_in
    revoke_broken_stacks(
        component.stacked_into.all(),
        reason=(
            f"構成要素の認定「{title('ja')}」が取り消されたため。 / "
            f"A component award ({title('en') or title('ja')}) was revoked."
        ),
        details={"component": str(component.public_id)},
        actor=actor,
        request=request,
    )


def revoke_broken_stacks(stacked_awards, *, reason: str, details: dict, actor, request) -> None:
    """Revoke those of `stacked_awards` whose learner no longer holds enough valid components
    (a component award revoked, or an outside achievement withdrawn): a stack never outlives
    what it was built from."""
    for stacked in stacked_awards.exclude(status=Award.Status.REVOKED).select_related(
        "stack_requirement", "learner"
    ):
        if stack_still_holds(stacked):
            continue
        _revoke(stacked, actor=actor, reason=reason, request=request, details=details)
