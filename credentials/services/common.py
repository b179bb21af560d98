"""Helpers the credential services share: permission checks and dates."""

import calendar
from datetime import datetime

from issuers.models import Issuer
from issuers.permissions import Action
from issuers.selectors import user_can
from issuers.services import require_permission


def require_any_permission(user, issuer: Issuer, *actions: Action) -> None:
    """Raise PermissionDenied unless `user` may perform at least one of `actions`."""
    if not any(user_can(user, issuer, action) for action in actions):
        require_permission(user, issuer, actions[0])  # raises, with the issuers' message


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus whole calendar months; the 31st becomes the month's last day."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)
