"""API clients: per-issuer bearer tokens with scopes, acting through a service account.

A token is `mcp_<prefix>_<secret>`. Only HMAC-SHA256(token) under a key derived from
settings.SECRET_KEY is stored (a database leak alone does not reveal usable tokens), and the
public prefix finds the row. Rotating SECRET_KEY invalidates every token.
"""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiClient, Issuer, Membership, Role
from .permissions import ROLE_ACTIONS, Action
from .services import record_audit, require_permission

TOKEN_PREFIX = "mcp"  # noqa: S105  (a public marker, not a secret)

# Scope → what the service account's role must allow. Reads only need VIEW.
SCOPE_ACTIONS: dict[str, Action] = {
    "programs:read": Action.VIEW,
    "programs:write": Action.EDIT_PROGRAMME,
    "learners:write": Action.RECORD_ASSESSMENT,  # or ISSUE_AWARD: register_learner takes either
    "assessments:write": Action.RECORD_ASSESSMENT,
    "awards:read": Action.VIEW,
    "awards:write": Action.ISSUE_AWARD,
    "awards:revoke": Action.REVOKE_AWARD,
    # Webhooks send award and learner data to a URL of the client's choosing: owners only.
    "webhooks:manage": Action.MANAGE_STAFF,
}
SCOPES = tuple(SCOPE_ACTIONS)
# Least privilege first: the service account gets the first role that covers the scopes.
ROLE_ORDER = (Role.VIEWER, Role.DESIGNER, Role.ASSESSOR, Role.ISSUER, Role.OWNER)


def role_for_scopes(scopes) -> str:
    needed = {SCOPE_ACTIONS[scope] for scope in scopes}
    if "learners:write" in scopes and Action.ISSUE_AWARD in needed:
        # Issuing officers may register learners too; don't escalate to owner for it.
        if "assessments:write" not in scopes:
            needed.discard(Action.RECORD_ASSESSMENT)
    return next(role for role in ROLE_ORDER if needed <= ROLE_ACTIONS[role])


def check_scopes(scopes) -> list[str]:
    scopes = list(dict.fromkeys(scopes))
    unknown = [scope for scope in scopes if scope not in SCOPE_ACTIONS]
    if unknown:
        raise ValidationError(
            {
                "scopes": _("Unknown scopes: %(scopes)s. Known: %(known)s.")
                % {"scopes": ", ".join(unknown), "known": ", ".join(SCOPES)}
            }
        )
    if not scopes:
        raise ValidationError({"scopes": _("Give the client at least one scope.")})
    return scopes


def token_hash(token: str) -> str:
    pepper = hashlib.sha256(b"mc-portal api-client token:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(pepper, token.encode(), hashlib.sha256).hexdigest()


def _new_token() -> tuple[str, str]:
    prefix = secrets.token_hex(6)
    return prefix, f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"


@transaction.atomic
def create_api_client(
    *, actor, issuer: Issuer, name: str, scopes, request=None
) -> tuple[ApiClient, str]:
    """A new client and its bearer token. The token is returned once and never stored.

    `actor=None` is the platform operator at the command line (manage.py create_api_client).
    """
    if actor is not None:
        require_permission(actor, issuer, Action.MANAGE_STAFF)
    scopes = check_scopes(scopes)
    name = (name or "").strip() or "api-client"
    prefix, token = _new_token()
    user_model = get_user_model()
    user = user_model(username=f"api-{issuer.slug}-{prefix}", is_staff=False, is_active=True)
    # No password: the account cannot log in; it only carries the client's role.
    user.set_unusable_password()
    user.save()
    Membership.objects.create(issuer=issuer, user=user, role=role_for_scopes(scopes))
    client = ApiClient(
        issuer=issuer,
        name=name,
        prefix=prefix,
        token_hash=token_hash(token),
        scopes=scopes,
        user=user,
    )
    client.full_clean()
    client.save()
    record_audit(
        actor=actor,
        action="api_client.create",
        target=client,
        issuer=issuer,
        details={"prefix": prefix, "scopes": scopes, "role": role_for_scopes(scopes)},
        request=request,
    )
    return client, token


@transaction.atomic
def deactivate_api_client(*, actor, client: ApiClient, request=None) -> ApiClient:
    if actor is not None:
        require_permission(actor, client.issuer, Action.MANAGE_STAFF)
    client.is_active = False
    client.save(update_fields=["is_active"])
    client.user.is_active = False
    client.user.save(update_fields=["is_active"])
    record_audit(
        actor=actor,
        action="api_client.deactivate",
        target=client,
        issuer=client.issuer,
        request=request,
    )
    return client


def client_for_token(token: str) -> ApiClient | None:
    """The active client the token belongs to, or None. Compares hashes in constant time."""
    parts = (token or "").split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    client = (
        ApiClient.objects.select_related("issuer", "user")
        .filter(prefix=parts[1], is_active=True)
        .first()
    )
    if client is None or not hmac.compare_digest(client.token_hash, token_hash(token)):
        return None
    if not client.user.is_active:
        return None
    return client


def touch(client: ApiClient) -> None:
    """Record use, at most once a minute (a write per request would contend on the row)."""
    now = timezone.now()
    if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 60:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now
