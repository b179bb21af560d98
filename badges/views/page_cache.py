"""The credential page kept rendered for visitors without a session (LinkedIn, QR codes, mail
links: issue #15), per award state and language.

The key holds what changes the page: the award's status, its last change (revocation,
suspension, reinstatement and hiding all save the award, so the next request misses and renders
afresh: nothing stale after a change of state) and whether it has expired. What the key does not
hold (the issuer's profile, a learner's name corrected on the enrolment, a component's page
hidden) shows after PAGE_SECONDS at most. A visitor with a session (the learner, staff) always
gets a fresh page: theirs may differ (owner-only controls, messages)."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from badges import selectors
from credentials.models import Award

PAGE_SECONDS = 300
_PREFIX = "credential-page:v1"


def cacheable(request) -> bool:
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def key_for(public_id, lang: str) -> tuple[str | None, int]:
    """(cache key, seconds to keep) for a public page of an issued or revoked award; (None, 0)
    for anything else (unknown, pending, hidden: the view answers those)."""
    row = selectors.public_page_state(public_id)
    if row is None:
        return None, 0
    pk, status, updated_at, expires_at = row
    seconds = PAGE_SECONDS
    expired = False
    if expires_at is not None and status == Award.Status.ISSUED:
        remaining = (expires_at - timezone.now()).total_seconds()
        expired = remaining <= 0
        if not expired:
            seconds = max(1, min(seconds, int(remaining)))
    key = f"{_PREFIX}:{pk}:{lang}:{status}:{updated_at.timestamp()}:{int(expired)}"
    return key, seconds


def get(key: str | None) -> bytes | None:
    return cache.get(key) if key else None


def keep(key: str | None, content: bytes, seconds: int) -> None:
    if key:
        cache.set(key, content, seconds)
