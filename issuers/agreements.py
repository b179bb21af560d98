"""Consortium agreements (単位互換・相互認定): writes. An owner of one issuer proposes, an owner
of the partner consents or declines, an owner of either ends it. Every step is audited on both
issuers' trails. While an agreement is in force the stacks of either issuer may require the
other's programmes (credentials.services.programmes.set_stack_requirement asks
issuers.selectors.agreement_partners)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Issuer, IssuerAgreement
from .permissions import Action
from .selectors import user_can
from .services import record_audit, require_permission


def _audit_agreement(
    agreement: IssuerAgreement, action: str, *, actor, request, details=None
) -> None:
    for issuer in (agreement.proposer, agreement.partner):
        record_audit(
            actor=actor,
            action=action,
            target=agreement,
            issuer=issuer,
            details={
                "title": agreement.title,
                "proposer": agreement.proposer.slug,
                "partner": agreement.partner.slug,
                **(details or {}),
            },
            request=request,
        )


@transaction.atomic
def propose_agreement(
    *, actor, proposer: Issuer, partner: Issuer, title: str, request=None
) -> IssuerAgreement:
    require_permission(actor, proposer, Action.MANAGE_ISSUER)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the agreement a name.")})
    if proposer.pk == partner.pk:
        raise ValidationError({"partner": _("Choose another issuer as the partner.")})
    open_statuses = (IssuerAgreement.Status.PROPOSED, IssuerAgreement.Status.ACTIVE)
    if IssuerAgreement.objects.filter(
        proposer__in=(proposer, partner), partner__in=(proposer, partner), status__in=open_statuses
    ).exists():
        raise ValidationError(
            {"partner": _("An agreement with this issuer is already proposed or in force.")}
        )
    agreement = IssuerAgreement.objects.create(
        proposer=proposer, partner=partner, title=title, proposed_by=actor
    )
    _audit_agreement(agreement, "agreement.propose", actor=actor, request=request)
    return agreement


@transaction.atomic
def answer_agreement(
    *, actor, agreement: IssuerAgreement, accept: bool, request=None
) -> IssuerAgreement:
    """The partner's owner consents (the agreement comes into force) or declines."""
    agreement = IssuerAgreement.objects.select_for_update().get(pk=agreement.pk)
    require_permission(actor, agreement.partner, Action.MANAGE_ISSUER)
    if agreement.status != IssuerAgreement.Status.PROPOSED:
        raise ValidationError(_("This agreement has already been answered."))
    agreement.status = IssuerAgreement.Status.ACTIVE if accept else IssuerAgreement.Status.DECLINED
    agreement.answered_by = actor
    agreement.answered_at = timezone.now()
    agreement.save()
    _audit_agreement(
        agreement,
        "agreement.accept" if accept else "agreement.decline",
        actor=actor,
        request=request,
    )
    return agreement


@transaction.atomic
def end_agreement(*, actor, agreement: IssuerAgreement, request=None) -> IssuerAgreement:
    """Either side ends it: no new stack may rely on it; what was awarded stays."""
    agreement = IssuerAgreement.objects.select_for_update().get(pk=agreement.pk)
    if not (
        user_can(actor, agreement.proposer, Action.MANAGE_ISSUER)
        or user_can(actor, agreement.partner, Action.MANAGE_ISSUER)
    ):
        raise PermissionDenied(_("Only an owner of either issuer may end this agreement."))
    if agreement.status not in (IssuerAgreement.Status.PROPOSED, IssuerAgreement.Status.ACTIVE):
        raise ValidationError(_("This agreement is not in force."))
    agreement.status = IssuerAgreement.Status.ENDED
    agreement.ended_at = timezone.now()
    agreement.save()
    _audit_agreement(agreement, "agreement.end", actor=actor, request=request)
    return agreement
