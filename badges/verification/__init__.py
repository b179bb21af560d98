"""Badge verification for employers and the API: :func:`verify_badge`.

Network access goes only through :class:`SafeFetcher` (fetch.py)."""

from badges.verification.fetch import FetchError, FetchResponse, SafeFetcher
from badges.verification.result import Check, VerificationResult
from badges.verification.service import verify_badge

__all__ = [
    "Check",
    "FetchError",
    "FetchResponse",
    "SafeFetcher",
    "VerificationResult",
    "verify_badge",
]
