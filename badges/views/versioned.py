"""Status lists and did:web documents, serialised once per version instead of per request.

Both change rarely and must show a change at once: a revocation sets a bit (the list's
``version``), a key rotation changes the issuer's key set. Each request therefore still reads
the document's version, one small indexed query (``badges.verification.portal_cache
.version_of``, the same the in-process verifier uses), and reuses the bytes it serialised for
that version; a new version is rendered by the view as before. Kept per process, bounded, least
recently used first out.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings

from badges.verification import portal_cache

_BODIES = portal_cache.DocumentCache(max_entries=512)


def body_for_version(view_name: str, kwargs: dict, render: Callable[[], bytes]) -> bytes:
    """The document's bytes: kept ones while its version holds, else ``render()``'s (kept when
    the version is known: a document the view still has to sign is rendered every time)."""
    version = portal_cache.version_of(view_name, kwargs)
    key = (view_name, tuple(sorted(kwargs.items())), settings.PORTAL_BASE_URL)
    if version is not None:
        kept = _BODIES.get(key, version.token)
        if kept is not None:
            return kept.body
    body = render()
    # Rendered after the version was read, so never older than it (at worst newer: a miss).
    if version is not None:
        _BODIES.put(key, version.token, portal_cache.Served(200, "", None, body))
    return body


def forget() -> None:
    _BODIES.clear()
