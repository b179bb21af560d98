"""Credentials the portal issued itself, checked against its own records.

A verifier that knows nothing must canonicalise the credential, check its Ed25519 signature,
resolve the issuer's did:web document and fetch and check both status lists. For a credential
the portal issued, the portal already holds every answer: the signed credential it stored for
the award, the issuer's published keys and the status lists' bits. So when the received
document is, as JSON, exactly the credential stored for the award its ``id`` names, the
verifier answers from those records instead (:func:`known_credential`):

* signature — the document is the one the portal signed, byte for byte as JSON (compared as
  JSON text, so ``1`` is not ``true`` and nothing is added or left out);
* issuer — its verificationMethod is a published Ed25519 key of that issuer (active, or retired:
  a retired key still verifies what it signed) under the issuer's did:web *as it is now*;
* status — each entry's bit, read from the list the portal signs and serves (one query for both
  lists), so a revocation shows on the very next verification as it does on the list.

The answer is the full path's, check for check (tests/badges/test_known_credentials.py runs both
on the same credentials: fresh, revoked, suspended, retired key, expired). Anything else — a
changed character, an unknown key, a list of another issuer, another host — returns None and
the full path runs. ``VERIFY_KNOWN_CREDENTIALS = False`` turns this off.

The stored credential is immutable once signed, so its JSON text is kept per process (bounded,
least recently used out); the key status and the bits are read on every verification.
"""

from __future__ import annotations

import functools
import json
import re
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse

from badges import selectors
from badges.ob3 import did_for
from badges.verification.common import as_list
from badges.verification.portal import portal_path

MAX_STORED = 1024


@dataclass(frozen=True)
class KnownCredential:
    """What the portal's records say about a credential it issued."""

    key_status: str  # "active" | "retired"
    # (statusPurpose, bit set?) for each credentialStatus entry, in the document's order
    statuses: tuple[tuple[str, bool], ...]


@dataclass(frozen=True)
class _Stored:
    text: str
    issuer_pk: int
    issuer_slug: str


class _StoredTexts:
    """Stored credentials' JSON text by award public id, per process (they never change)."""

    def __init__(self, max_entries: int = MAX_STORED):
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, _Stored] = OrderedDict()

    def get(self, public_id: str) -> _Stored | None:
        with self._lock:
            found = self._entries.get(public_id)
            if found is not None:
                self._entries.move_to_end(public_id)
                return found
        row = selectors.stored_credential_for_public_id(public_id)
        if row is None or not row[0]:
            return None
        found = _Stored(json_text(row[0]), row[1], row[2])
        with self._lock:
            self._entries[public_id] = found
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


STORED = _StoredTexts()


def json_text(document: Any) -> str:
    """One JSON text per JSON value: keys sorted, no insignificant space, 1 ≠ true ≠ 1.0."""
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


_ZERO = uuid.UUID(int=0)


@functools.lru_cache(maxsize=8)
def _route_pattern(view_name: str) -> re.Pattern:
    """The route's path with its public id as a group (cheaper than resolve() per request)."""
    before, _, after = reverse(view_name, kwargs={"public_id": _ZERO}).partition(str(_ZERO))
    uuid_pattern = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    return re.compile(f"{re.escape(before)}({uuid_pattern}){re.escape(after)}")


def _route(url: Any, view_name: str) -> str | None:
    """The public id in a portal URL of the given route, else None."""
    if not isinstance(url, str):
        return None
    path = portal_path(url)
    match = _route_pattern(view_name).fullmatch(path) if path is not None else None
    return match.group(1) if match else None


def known_credential(document: dict) -> KnownCredential | None:
    """The portal's records for ``document`` when it is exactly a credential the portal issued
    and stored; None otherwise (then the full verification runs)."""
    if not getattr(settings, "VERIFY_KNOWN_CREDENTIALS", True):
        return None
    public_id = _route(document.get("id"), "badges:ob3-credential")
    if public_id is None:
        return None
    stored = STORED.get(public_id)
    if stored is None or stored.text != json_text(document):
        return None
    proof = document.get("proof")
    method = proof.get("verificationMethod") if isinstance(proof, dict) else None
    if not isinstance(method, str):
        return None
    did, _, key_id = method.partition("#")
    if did != did_for(_Slug(stored.issuer_slug)):
        return None  # the portal's address changed since: its did:web is another document now
    wanted = _wanted_statuses(document)
    if wanted is None:
        return None
    key_status, lists = selectors.key_status_and_status_lists(
        stored.issuer_pk, key_id, {list_id for _, list_id, _ in wanted}
    )
    if key_status not in ("active", "retired"):
        return None
    statuses = _statuses(wanted, lists)
    if statuses is None:
        return None
    return KnownCredential(key_status, statuses)


class _Slug:
    """did_for() needs only an issuer's slug."""

    def __init__(self, slug: str):
        self.slug = slug


def _wanted_statuses(document: dict) -> list[tuple[Any, str, int]] | None:
    """(statusPurpose, list public id, index) per credentialStatus entry; None if any entry is
    not a Bitstring Status List entry on one of the portal's lists."""
    wanted = []
    for entry in as_list(document.get("credentialStatus")):
        if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
            return None
        list_id = _route(entry.get("statusListCredential"), "badges:status-list")
        index = entry.get("statusListIndex")
        if list_id is None or not isinstance(index, str) or not index.isdigit():
            return None
        wanted.append((entry.get("statusPurpose"), list_id, int(index)))
    return wanted or None  # no entry: the full path words "no status" itself


def _statuses(wanted, lists: dict) -> tuple[tuple[str, bool], ...] | None:
    statuses = []
    for purpose, list_id, index in wanted:
        found = lists.get(list_id)
        if found is None or found[0] != purpose or index >= min(found[1], 8 * len(found[2])):
            return None
        bits = found[2]
        statuses.append((purpose, bool(bits[index // 8] >> (7 - index % 8) & 1)))
    return tuple(statuses)
