"""Status list proofs, checked once per list version rather than once per badge.

Every credential of an issuer points at the same Bitstring Status List credential, so verifying
badges re-checks the same list's Data Integrity proof over and over. The outcome depends only on
the list document, the controller document holding its key, and the JSON-LD contexts — which
must all be bundled ones here, so the loader cannot change them. Keyed by a digest of exactly
those two documents, a remembered outcome is the one a fresh check would give; a re-signed or
changed list (or a changed key document) is a different key and is checked afresh.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from badges.dataintegrity import VerificationResult, verify_eddsa_rdfc_2022
from badges.jsonld import LocalDocumentLoader, bundled_contexts

MAX_ENTRIES = 256

_lock = threading.Lock()
_outcomes: OrderedDict[str, VerificationResult] = OrderedDict()


def _key(document: Mapping[str, Any], resolver) -> str | None:
    """The memo key, or None when the outcome could depend on anything else (a non-bundled
    context) or the key document is not at hand without a fetch."""
    contexts = document.get("@context")
    contexts = contexts if isinstance(contexts, list) else [contexts]
    bundled = bundled_contexts()
    if not all(isinstance(url, str) and url in bundled for url in contexts):
        return None
    proof = document.get("proof")
    method = proof.get("verificationMethod") if isinstance(proof, Mapping) else None
    if not isinstance(method, str):
        return None
    controller = resolver.documents.get(method.partition("#")[0])
    if controller is None:
        return None
    canonical = json.dumps(
        [document, controller], sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def verify_status_list_proof(
    document: Mapping[str, Any], *, resolver, loader: LocalDocumentLoader
) -> VerificationResult:
    """:func:`~badges.dataintegrity.verify_eddsa_rdfc_2022` of a status list credential,
    remembered per (list document, key document)."""
    key = _key(document, resolver)
    if key is not None:
        with _lock:
            known = _outcomes.get(key)
            if known is not None:
                _outcomes.move_to_end(key)
                return known
    outcome = verify_eddsa_rdfc_2022(document, resolver=resolver, document_loader=loader)
    if key is not None:
        with _lock:
            _outcomes[key] = outcome
            while len(_outcomes) > MAX_ENTRIES:
                _outcomes.popitem(last=False)
    return outcome


def forget() -> None:
    """Drop every remembered outcome (tests)."""
    with _lock:
        _outcomes.clear()
