"""Canonical N-Quads for verification, fast for the shapes of the portal's own credentials.

Verifying an eddsa-rdfc-2022 proof canonicalises the credential and its proof configuration;
pyld's JSON-LD → RDF step is most of a verification's CPU. Credentials the portal issues come
in few *shapes*: the same JSON with different names, dates, ids and salts. A shape is learned
once as a :class:`badges.rdf_template.RdfTemplate` and later documents of that shape are
canonicalised by filling their values in (pyoxigraph's RDFC-1.0), byte for byte what
:func:`badges.jsonld.canonical_forms` gives.

Skeleton. Every string leaf of the document is a candidate slot except under ``@context``,
``type``/``@type``, ``@language``, ``@direction``, ``@vocab`` and ``@base`` (those stay literal).
Equal strings share one slot (the issuer's did:web as issuer and achievement creator is one
node). Which candidates may really be slots is learned: RdfTemplate refuses sentinels that land
in a type, a predicate, a datatype… (:attr:`TemplateError.slots`) and values unfit for their IRI
position, such as ``achievementType: "MicroCredential"``, which a context term expands
(:attr:`NotFast.iri`); those values become fixed parts of the skeleton and the template is built
again (at most :data:`MAX_PASSES` times). A template is keyed by a digest of the shape (keys,
order, non-string values, which positions hold equal strings), of the fixed values, and of the
contexts the loader serves for the document's ``@context`` (non-bundled contexts by content).

Using a template. The lookup needs only hashing, no pyld. The values filled into the template
must give back the received document exactly (compared as JSON text, so ``1`` is not ``true``),
and RdfTemplate's fallback rules apply to every value: a value beyond U+FFFF (where code point
and UTF-16 order may differ, see :func:`badges.jsonld.canonical_forms`), U+FFFE/U+FFFF, a lone
surrogate, an IRI that is not plainly absolute or that a context term expands, a fill that
makes quads or blank nodes coincide — all take the full path, :func:`canonical_forms`, so the
UTF-16 variant logic of :func:`badges.dataintegrity.hash_data` stays exact. A fast result has no
character beyond U+FFFF, so its two orders coincide.

Abuse. The verify endpoint is public. Lookups are cheap; *building* a template (several pyld
passes) happens only in :meth:`Session.learn`, which :mod:`badges.verification.ob3` calls after
a credential's signature verified with a key of its issuer and that issuer is one of the
portal's own (the did:web of an issuer in our database). Anything else — other issuers,
tampered or unsigned documents — takes today's full path and teaches the cache nothing, so an
attacker cannot make the server build templates for shapes of their choosing. The cache holds
at most :data:`MAX_TEMPLATES` templates (and as many learned shapes), least recently used first
out; it is shared by a worker's threads behind a lock.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings

from badges.jsonld import (
    CanonicalForms,
    JsonLdProcessingError,
    LocalDocumentLoader,
    bundled_contexts,
    canonical_forms,
)
from badges.rdf_template import NotFast, RdfTemplate, TemplateError, make_sentinels
from issuers.models import Issuer

logger = logging.getLogger(__name__)

MAX_TEMPLATES = 256
MAX_PASSES = 8
# Strings under these keys are never slots: JSON-LD reads them as syntax, not values.
FIXED_KEYS = frozenset({"@context", "type", "@type", "@language", "@direction", "@vocab", "@base"})


@dataclass(frozen=True)
class Skeleton:
    """A document split into its shape and its candidate values."""

    shape_key: str
    paths: tuple[tuple[tuple, int], ...]  # (path of a candidate string leaf, its value's index)
    values: tuple[str, ...]  # distinct candidate strings, in order of first occurrence

    def template_key(self, fixed: frozenset[int]) -> str:
        fixed_values = [[index, self.values[index]] for index in sorted(fixed)]
        return _digest(self.shape_key, fixed_values)

    def document(self, document: Mapping, fixed: frozenset[int], sentinels: dict[str, str]):
        """``document`` with a sentinel in place of each value not in ``fixed``."""
        skeleton = json.loads(json.dumps(document))
        for path, index in self.paths:
            if index in fixed:
                continue
            parent = skeleton
            for step in path[:-1]:
                parent = parent[step]
            parent[path[-1]] = sentinels[_slot(index)]
        return skeleton

    def slot_values(self, fixed: frozenset[int]) -> dict[str, str]:
        return {_slot(i): value for i, value in enumerate(self.values) if i not in fixed}


def skeleton_of(document: Mapping, loader: LocalDocumentLoader) -> Skeleton | None:
    """The document's skeleton, or None when its contexts cannot be pinned down."""
    fingerprint = _context_fingerprint(document.get("@context"), loader)
    if fingerprint is None:
        return None
    paths: list[tuple[tuple, int]] = []
    index_of: dict[str, int] = {}

    def shape(node: Any, path: tuple, fixed: bool) -> Any:
        if isinstance(node, dict):
            return {k: shape(v, (*path, k), fixed or k in FIXED_KEYS) for k, v in node.items()}
        if isinstance(node, list):
            return [shape(item, (*path, i), fixed) for i, item in enumerate(node)]
        if isinstance(node, str):
            if fixed:
                return "f" + node
            index = index_of.setdefault(node, len(index_of))
            paths.append((path, index))
            return f"s{index}"
        return node

    shaped = shape(document, (), False)
    return Skeleton(_digest(fingerprint, shaped), tuple(paths), tuple(index_of))


class CanonicalCache:
    """Templates by shape (see the module docstring), bounded and thread-safe."""

    def __init__(self, max_templates: int = MAX_TEMPLATES):
        self.max_templates = max_templates
        self._lock = threading.Lock()
        self._fixed: OrderedDict[str, frozenset[int]] = OrderedDict()  # shape → fixed values
        self._templates: OrderedDict[str, _Entry | None] = OrderedDict()
        self.counts = {"fast": 0, "full": 0, "built": 0}

    def session(self, loader: LocalDocumentLoader) -> Session:
        return Session(self, loader)

    def clear(self) -> None:
        with self._lock:
            self._fixed.clear()
            self._templates.clear()

    def __len__(self) -> int:
        return len(self._templates)

    def entries(self) -> list[_Entry]:
        with self._lock:
            return [entry for entry in self._templates.values() if entry is not None]

    def fast_forms(self, document: Mapping, loader: LocalDocumentLoader) -> CanonicalForms | None:
        """The canonical forms through a learned template, or None (take the full path)."""
        skeleton = skeleton_of(document, loader)
        if skeleton is None:
            return None
        with self._lock:
            fixed = self._get(self._fixed, skeleton.shape_key)
            entry = None
            if fixed is not None:
                entry = self._get(self._templates, skeleton.template_key(fixed))
        if entry is None:
            return None
        values = skeleton.slot_values(fixed)
        if entry.json_for(values) != _json(document):
            return None  # not the received document (a digest collision): never trust it
        try:
            nquads = entry.template.fast_canonical_nquads(values)
        except NotFast:
            return None
        return CanonicalForms(nquads, nquads)

    def learn(self, document: Mapping, forms: CanonicalForms, loader: LocalDocumentLoader) -> None:
        """Build the template of ``document``'s shape (whose full-path forms are ``forms``)."""
        skeleton = skeleton_of(document, loader)
        if skeleton is None or forms.order_sensitive:
            return
        with self._lock:
            fixed = self._get(self._fixed, skeleton.shape_key) or frozenset()
            if skeleton.template_key(fixed) in self._templates:
                return
        entry, fixed = _build(document, skeleton, fixed, loader)
        if entry is not None:
            template = entry.template
            try:
                agrees = template.fast_canonical_nquads(skeleton.slot_values(fixed)) == (
                    forms.codepoint
                )
            except NotFast:
                agrees = True  # this document's values take the full path; others may not
            if not agrees:
                logger.error("verification template differs from the full path; not used")
                entry = None
        with self._lock:
            self._put(self._fixed, skeleton.shape_key, fixed)
            self._put(self._templates, skeleton.template_key(fixed), entry)
            self.counts["built"] += 1

    def _get(self, table: OrderedDict, key: str):
        value = table.get(key)
        if key in table:
            table.move_to_end(key)
        return value

    def _put(self, table: OrderedDict, key: str, value) -> None:
        table[key] = value
        table.move_to_end(key)
        while len(table) > self.max_templates:
            table.popitem(last=False)


def _build(document, skeleton: Skeleton, fixed: frozenset[int], loader):
    """(template or None, fixed values): refused slots become fixed, pass after pass."""
    for _ in range(MAX_PASSES):
        free = [i for i in range(len(skeleton.values)) if i not in fixed]
        sentinels = make_sentinels(_slot(i) for i in free)
        skeleton_document = skeleton.document(document, fixed, sentinels)
        try:
            template = RdfTemplate(skeleton_document, sentinels, document_loader=loader)
        except TemplateError as error:
            if not error.slots:
                logger.info("verification template: shape stays on the full path: %s", error)
                return None, fixed
            fixed = fixed | {_index(slot) for slot in error.slots}
            continue
        try:
            template.fast_canonical_nquads(skeleton.slot_values(fixed))
        except NotFast as error:
            if error.slot is not None and error.iri:
                fixed = fixed | {_index(error.slot)}
                continue
        return _Entry(template, _json(skeleton_document), sentinels), fixed
    return None, fixed


class _Entry:
    """A template and its document as JSON text split at the (quoted) sentinels, so that
    :meth:`json_for` is ``_json(template.document_for(values))`` without copying the tree."""

    def __init__(self, template: RdfTemplate, text: str, sentinels: dict[str, str]):
        self.template = template
        self.slots = frozenset(sentinels)
        by_quoted = {_json(sentinel): slot for slot, sentinel in sentinels.items()}
        if not by_quoted:
            self._pieces, self._slots = [text], []
            return
        parts = re.split("(" + "|".join(map(re.escape, by_quoted)) + ")", text)
        self._pieces = parts[::2]
        self._slots = [by_quoted[quoted] for quoted in parts[1::2]]

    def json_for(self, values: Mapping[str, str]) -> str:
        out = [self._pieces[0]]
        for slot, piece in zip(self._slots, self._pieces[1:], strict=True):
            out.append(_json(values[slot]))
            out.append(piece)
        return "".join(out)


class Session:
    """The canonicaliser of one verification (``hash_data(canonicaliser=…)``): remembers which
    documents took the full path, so that :meth:`learn` can teach the cache their shapes once
    the caller knows the credential is the portal's own and its signature is good."""

    def __init__(self, cache: CanonicalCache, loader: LocalDocumentLoader):
        self.cache, self.loader = cache, loader
        self.paths: list[str] = []
        self._missed: list[tuple[Mapping, CanonicalForms]] = []

    def __call__(self, document: Mapping) -> CanonicalForms:
        forms = self.cache.fast_forms(document, self.loader)
        if forms is not None:
            self.paths.append("fast")
            self.cache.counts["fast"] += 1
            return forms
        forms = canonical_forms(document, document_loader=self.loader)
        self.paths.append("full")
        self.cache.counts["full"] += 1
        self._missed.append((document, forms))
        return forms

    @property
    def missed(self) -> bool:
        return bool(self._missed)

    def learn(self) -> None:
        for document, forms in self._missed:
            self.cache.learn(document, forms, self.loader)
        self._missed.clear()


def is_portal_issuer(issuer_id: str | None) -> bool:
    """The did:web of an issuer in our database (``badges.ob3.did_for``'s form)."""
    if not isinstance(issuer_id, str):
        return False
    parts = urlsplit(settings.PORTAL_BASE_URL)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}%3A{parts.port}"
    segments = [quote(s, safe="") for s in parts.path.split("/") if s]
    prefix = ":".join(["did:web", host, *segments, "issuers"]) + ":"
    slug = issuer_id.removeprefix(prefix)
    if slug == issuer_id or not slug or ":" in slug:
        return False
    return Issuer.objects.filter(slug=slug).exists()


DEFAULT = CanonicalCache()


# ---------------------------------------------------------------------------------------------


def _slot(index: int) -> str:
    return f"v{index}"


def _index(slot: str) -> int:
    return int(slot[1:])


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=True)


def _digest(*parts: Any) -> str:
    return hashlib.sha256(_json(parts).encode("ascii")).hexdigest()


def _context_fingerprint(context: Any, loader: LocalDocumentLoader) -> str | None:
    """Bundled context URLs (fixed content) by URL, any other context the loader serves by its
    content, recursively; None if the loader cannot serve one (the full path reports it)."""
    seen: dict[str, Any] = {}

    def walk(node: Any) -> bool:
        if isinstance(node, dict):
            return all(
                load(value) if key == "@context" else walk(value) for key, value in node.items()
            )
        if isinstance(node, list):
            return all(walk(item) for item in node)
        return True

    def load(value: Any) -> bool:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                if item in seen:
                    continue
                if item in bundled_contexts() and _bundled_is_closed(item):
                    seen[item] = None
                    continue
                try:
                    seen[item] = loader.load(item)
                except JsonLdProcessingError:  # the full path reports it
                    return False
                if not walk(seen[item]):
                    return False
            elif not walk(item):
                return False
        return True

    if not load(context):
        return None
    return _digest(sorted(seen.items(), key=lambda item: item[0]))


@functools.cache
def _bundled_is_closed(url: str) -> bool:
    """A bundled context that loads no other context (true of every one we bundle)."""
    from badges.jsonld import LocalDocumentLoader as Loader

    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "@context":
                    items = value if isinstance(value, list) else [value]
                    found.extend(item for item in items if isinstance(item, str))
                    for item in items:
                        walk(item)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(Loader().load(url))
    return not found
