"""Reads about issuers, always scoped to what the asking user may see."""

from django.db.models import QuerySet

from .models import Issuer, Membership
from .permissions import ROLE_ACTIONS, Action


def roles_allowing(action: Action) -> list[str]:
    return [role for role, actions in ROLE_ACTIONS.items() if action in actions]


def issuers_for_user(user, action: Action = Action.VIEW) -> QuerySet[Issuer]:
    """Issuers where `user` may perform `action`. Superusers see every issuer."""
    if not user.is_authenticated or not user.is_active:
        return Issuer.objects.none()
    if user.is_superuser:
        return Issuer.objects.all()
    return Issuer.objects.filter(
        memberships__user=user, memberships__role__in=roles_allowing(action)
    ).distinct()


def user_role(user, issuer: Issuer) -> str | None:
    membership = Membership.objects.filter(user=user, issuer=issuer).only("role").first()
    return membership.role if membership else None


def user_can(user, issuer: Issuer, action: Action) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return issuers_for_user(user, action).filter(pk=issuer.pk).exists()
