"""The portal's did:web documents and status lists, rendered once per version, not per verify.

:class:`~badges.verification.portal.PortalFetcher` answers a portal-issued credential's did:web
document and status list by calling their views; rendering them (issuer, keys, status list
rows, JSON) was the largest database cost of a verification. Here each rendered answer is kept
with the *version* it was rendered from, and reused only while one cheap query (a
``values_list`` of exactly what the view's output depends on) still gives that version:

* did:web document (``badges.ob3.did_document``): the issuer's Ed25519 keys — pk, key id,
  status, created/retired dates, public key — and ``PORTAL_BASE_URL`` (the DID's host). A new,
  retired or removed key is a new version.
* status list (the ``status_list`` view): ``version``, ``signed_version`` and ``updated_at``.
  Revoking a badge sets a bit, which bumps ``version`` (``badges.status``), so the very next
  verification renders and re-signs the list: revocation shows at once, there is no TTL.

Nothing is cached when the version query finds nothing (an unknown issuer or list: the view
answers, e.g. 404) or when the view's answer is not a plain 200. The cache is per process,
bounded (:data:`MAX_ENTRIES`, least recently used first out) and shared by a worker's threads
behind a lock; entries are immutable tuples.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, NamedTuple

from badges.models import StatusList
from badges.selectors import ed25519_key_set, hot_lookup

MAX_ENTRIES = 256

CACHED_ROUTES = frozenset({"badges:did-document", "badges:status-list"})


class Served(NamedTuple):
    """What the PortalFetcher needs of a view's response."""

    status: int
    content_type: str
    location: str | None
    body: bytes


class Version(NamedTuple):
    """A document's version token, and the key statuses (key id → status) it implies."""

    token: Any
    key_statuses: dict[str, str]


def version_of(view_name: str, kwargs: dict) -> Version | None:
    """The current version of a cacheable document (one query), or None: do not cache."""
    if view_name == "badges:did-document":
        token = tuple(ed25519_key_set(kwargs["slug"]))
        if not token:
            return None
        return Version(token, {row[1]: row[2] for row in token})
    if view_name == "badges:status-list":
        # Asked on every status list request and verification: built SQL, not the ORM's.
        row = hot_lookup(
            StatusList,
            ("id", "version", "signed_version", "updated_at"),
            "public_id",
            kwargs["public_id"],
        )
        if row is None or row[2] < row[1]:
            return None  # unknown, or a list the view still has to (re-)sign
        return Version(row, {})
    return None


class DocumentCache:
    def __init__(self, max_entries: int = MAX_ENTRIES):
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple, tuple[Any, Served]] = OrderedDict()
        self.counts = {"hit": 0, "miss": 0}

    def get(self, key: tuple, token: Any) -> Served | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != token:
                self.counts["miss"] += 1
                return None
            self._entries.move_to_end(key)
            self.counts["hit"] += 1
            return entry[1]

    def put(self, key: tuple, token: Any, served: Served) -> None:
        with self._lock:
            self._entries[key] = (token, served)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


DEFAULT = DocumentCache()
