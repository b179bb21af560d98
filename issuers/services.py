"""Writes about issuers. Every write checks the actor's role and is audited."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from .models import AuditEvent, Issuer, Membership
from .permissions import Action
from .selectors import user_can


def require_permission(user, issuer: Issuer, action: Action) -> None:
    """Raise PermissionDenied unless `user` may perform `action` at `issuer`."""
    if not user_can(user, issuer, action):
        raise PermissionDenied(
            _("You do not have permission to do this for %(issuer)s.") % {"issuer": issuer}
        )


def record_audit(
    *,
    actor,
    action: str,
    target,
    issuer: Issuer | None = None,
    details: dict | None = None,
    request=None,
) -> AuditEvent:
    """Append one audit event. `target` is any model instance; `request` gives the origin."""
    ip_address = user_agent = None
    if request is not None:
        ip_address = request.META.get("REMOTE_ADDR")
        user_agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    return AuditEvent.objects.create(
        issuer=issuer,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=str(actor) if actor is not None else "system",
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=str(target)[:300],
        details=details or {},
        ip_address=ip_address,
        user_agent=user_agent or "",
    )


@transaction.atomic
def create_issuer(*, actor, request=None, **fields) -> Issuer:
    """Create an issuer organisation (platform administrators only)."""
    if not (actor.is_authenticated and actor.is_superuser):
        raise PermissionDenied(_("Only platform administrators can create issuers."))
    issuer = Issuer(**fields)
    issuer.full_clean()
    issuer.save()
    record_audit(actor=actor, action="issuer.create", target=issuer, issuer=issuer, request=request)
    return issuer


@transaction.atomic
def set_membership(*, actor, issuer: Issuer, user, role: str, request=None) -> Membership:
    """Give `user` a role at `issuer` (or change it). Owners manage staff."""
    require_permission(actor, issuer, Action.MANAGE_STAFF)
    membership, created = Membership.objects.update_or_create(
        issuer=issuer, user=user, defaults={"role": role}
    )
    membership.full_clean()
    record_audit(
        actor=actor,
        action="membership.create" if created else "membership.update",
        target=membership,
        issuer=issuer,
        details={"user": user.get_username(), "role": role},
        request=request,
    )
    return membership
