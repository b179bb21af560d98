"""What each staff role may do. Enforced in services and selectors, not only in the admin."""

from enum import StrEnum

from .models import Role


class Action(StrEnum):
    VIEW = "view"
    MANAGE_ISSUER = "manage_issuer"  # profile, QA statement
    MANAGE_STAFF = "manage_staff"
    MANAGE_KEYS = "manage_keys"
    EDIT_PROGRAMME = "edit_programme"
    RECORD_ASSESSMENT = "record_assessment"
    ISSUE_AWARD = "issue_award"  # approve, issue, import results for issuing
    REVOKE_AWARD = "revoke_award"


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.OWNER: frozenset(Action),
    Role.DESIGNER: frozenset({Action.VIEW, Action.EDIT_PROGRAMME}),
    Role.ASSESSOR: frozenset({Action.VIEW, Action.RECORD_ASSESSMENT}),
    Role.ISSUER: frozenset({Action.VIEW, Action.ISSUE_AWARD, Action.REVOKE_AWARD}),
    Role.VIEWER: frozenset({Action.VIEW}),
}


def role_allows(role: str, action: Action) -> bool:
    return action in ROLE_ACTIONS.get(role, frozenset())
