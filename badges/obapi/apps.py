"""The learner's view of the apps they let read their credentials, and withdrawing access."""

from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_refresh_token_model,
)

from badges.models import LearnerAccount
from issuers.services import record_audit


def connected_apps(learner) -> list[dict]:
    """[{application, scopes, since}] of the apps holding a live token for `learner`."""
    account = LearnerAccount.objects.filter(learner=learner).first()
    if account is None:
        return []
    tokens = (
        get_access_token_model()
        .objects.filter(user=account.user, expires__gt=timezone.now())
        .select_related("application")
        .order_by("created")
    )
    apps: dict = {}
    for token in tokens:
        entry = apps.setdefault(
            token.application_id,
            {"application": token.application, "scopes": set(), "since": token.created},
        )
        entry["scopes"].update(token.scope.split())
    return list(apps.values())


@transaction.atomic
def withdraw_access(*, learner, application_id: int, request=None) -> int:
    """Revoke every token `application_id` holds for `learner`; returns how many."""
    account = LearnerAccount.objects.filter(learner=learner).first()
    application = get_application_model().objects.filter(pk=application_id).first()
    if account is None or application is None:
        return 0
    refresh = get_refresh_token_model().objects.filter(
        user=account.user, application=application, revoked=None
    )
    access = get_access_token_model().objects.filter(user=account.user, application=application)
    count = 0
    for token in refresh:
        token.revoke()  # revokes its access token too
        count += 1
    for token in access:
        token.revoke()
        count += 1
    record_audit(
        actor=None,
        action="learner.oauth_revoke",
        target=application,
        details={"learner": learner.pk, "tokens": count},
        request=request,
    )
    return count
