"""Badge verification for employers and the API: :func:`verify_badge`.

Network access goes only through :class:`SafeFetcher` (fetch.py); the portal's own documents are
answered in-process by :class:`PortalFetcher` (portal.py)."""

from badges.verification.fetch import FetchError, FetchResponse, SafeFetcher
from badges.verification.portal import PortalFetcher, verification_fetcher
from badges.verification.result import Check, VerificationResult
from badges.verification.service import verify_badge

__all__ = [
    "Check",
    "FetchError",
    "FetchResponse",
    "PortalFetcher",
    "SafeFetcher",
    "VerificationResult",
    "verification_fetcher",
    "verify_badge",
]
