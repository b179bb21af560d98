"""Canonical N-Quads of many JSON-LD documents that differ only in a few string values, fast.

A template is a JSON-LD document in which some string values are *sentinels* (unique strings
from :func:`make_sentinels`). pyld converts it to RDF once (safe mode, :mod:`badges.jsonld`);
the template records where each sentinel landed — a whole IRI, a whole literal, or a string
inside a JSON literal (``@type: @json``) — and each fill writes the values there, escaped as
canonical N-Quads escape them, and canonicalises the result with pyoxigraph's RDFC-1.0 (Rust).

The result must be byte for byte :func:`badges.jsonld.canonical_nquads` of the filled
document. Whatever the fast path cannot guarantee raises :class:`NotFast` from
:meth:`RdfTemplate.fast_canonical_nquads`; :meth:`RdfTemplate.canonical_nquads` then takes the
full pyld path. The cases:

* a value that is not a string, or has a character beyond U+FFFF (the UTF-16 sort order
  question of :func:`badges.jsonld.canonical_forms`), a lone surrogate, or U+FFFE / U+FFFF
  (pyoxigraph escapes those two, pyld and rdf-canonize do not);
* in an IRI position: a value that is not an absolute IRI, has characters canonical N-Quads
  would escape, is (or starts with the prefix of) a term of the document's contexts — JSON-LD
  would expand it — or is a blank node identifier;
* a fill that makes two quads equal (pyld and the dataset may disagree on duplicates), makes a
  blank node that holds a value indistinguishable from another (RDFC-1.0's N-degree hashing
  then runs, under the budget :mod:`badges.jsonld` enforces), or that pyoxigraph refuses.

A sentinel may not be a key, sit inside ``@context``, be part of a longer string, land in an
rdf:type, a predicate, a datatype or a language tag: :class:`TemplateError` when building.
Building also checks that the template itself canonicalises the same on both paths.
"""

from __future__ import annotations

import copy
import json
import re
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

import pyoxigraph
from c14n.Canonicalize import canonicalize as jcs

from badges import jsonld
from badges.rdf_labelling import Labelling, fill

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDF_JSON = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"

IRI, LITERAL, JSON_STRING = "iri", "literal", "json"

# An absolute IRI with nothing canonical N-Quads would escape (jsonld._IRI_ESCAPES), no
# U+007F and no blank node identifier ("_:" does not start with a letter).
_PLAIN_ABSOLUTE_IRI = re.compile(r'^[A-Za-z][A-Za-z0-9+\-.]*:[^\x00-\x20<>"{}|^`\\\x7f]*$')
# Beyond U+FFFF: the UTF-16 sort order question. U+FFFE and U+FFFF: pyoxigraph writes them as
# \uFFFE / \uFFFF, pyld and rdf-canonize as they are.
_N_QUADS = pyoxigraph.RdfFormat.N_QUADS
_NOT_FAST = re.compile("[\U00010000-\U0010ffff\ud800-\udfff\ufffe\uffff]")


class TemplateError(ValueError):
    """The document cannot serve as a template (a sentinel in an unexpected place, …).
    ``slots``: the slots whose sentinels caused it, when known (empty otherwise)."""

    def __init__(self, message: str, slots: Iterable[str] = ()):
        super().__init__(message)
        self.slots = frozenset(slots)


class NotFast(Exception):
    """This fill needs the full pyld path; the message says why. ``slot``: the slot whose value
    caused it, if one did; ``iri``: its value is unfit for the IRI position (not absolute, or
    expandable by a context term) rather than unfit anywhere (e.g. beyond U+FFFF). ``slots``:
    every slot involved (for blank nodes made indistinguishable: the slots of those nodes)."""

    def __init__(
        self, message: str, slot: str | None = None, *, iri: bool = False, slots: Iterable = ()
    ):
        super().__init__(message)
        self.slot = slot
        self.iri = iri
        self.slots = frozenset(slots) | ({slot} if slot else set())


def make_sentinels(names: Iterable[str]) -> dict[str, str]:
    """Slot name → a unique sentinel string: an absolute IRI (so it is valid where an IRI is
    expected), all the same length (none contains another), that needs no escaping anywhere."""
    token = secrets.token_hex(8)
    return {name: f"urn:x-rdf-template:{token}{index:06d}" for index, name in enumerate(names)}


class RdfTemplate:
    """A JSON-LD document with slots, converted to RDF once; see the module docstring."""

    def __init__(
        self,
        document: Mapping[str, Any],
        slots: Mapping[str, str],
        *,
        document_loader: jsonld.LocalDocumentLoader | None = None,
    ):
        self._loader = document_loader or jsonld.DEFAULT_LOADER
        self._document = copy.deepcopy(dict(document))
        self._by_sentinel = {sentinel: name for name, sentinel in slots.items()}
        if len(self._by_sentinel) != len(slots):
            raise TemplateError("two slots share a sentinel")
        self._pattern = re.compile("|".join(map(re.escape, self._by_sentinel)))
        self._paths: list[tuple[tuple, str]] = []
        self._find_paths(self._document, ())
        try:
            dataset = jsonld.dataset(self._document, document_loader=self._loader)
        except jsonld.JsonLdProcessingError as error:
            raise TemplateError(f"the template document cannot be processed: {error}") from error
        self._lines: list[tuple[list[str], list[tuple[str, str]]]] = []
        quads = []
        for graph, triples in dataset.items():
            graph_name = None if graph == "@default" else graph
            for triple in triples:
                quads.append((triple, graph_name))
                self._lines.append(self._compile(triple, graph_name))
        fixed = [pieces[0] for pieces, line_slots in self._lines if not line_slots]
        self._fixed_lines = frozenset(fixed)
        self._fixed_text = "".join(fixed)
        self._slotted_lines = [line for line in self._lines if line[1]]
        landed = {slot for _, slots_of_line in self._lines for slot, _ in slots_of_line}
        missing = sorted(set(slots) - landed)
        if missing:
            raise TemplateError(f"slots that do not appear in the RDF: {missing}", missing)
        self._modes = {(slot, mode) for _, line_slots in self._lines for slot, mode in line_slots}
        self._always_full: str | None = None
        if any(_NOT_FAST.search(piece) for pieces, _ in self._lines for piece in pieces):
            # Code point and UTF-16 order may differ (jsonld.canonical_forms).
            self._always_full = "the template has characters beyond U+FFFF or U+FFFE/U+FFFF"
        if any(graph_name and graph_name.startswith("_:") for _, graph_name in quads):
            # The blank node labelling (badges.rdf_labelling) looks at subjects and objects only.
            self._always_full = "the template has a blank node graph name"
        self._terms = _context_terms(self._document.get("@context"), self._loader)
        self._labelling = None if self._always_full else Labelling(quads, self._compile)
        expected = jsonld.canonical_nquads(self._document, document_loader=self._loader)
        try:
            actual = self.fast_canonical_nquads(slots)
        except NotFast as error:
            if self._always_full is None:
                raise TemplateError(
                    f"the template itself is not fast: {error}", error.slots
                ) from error
        else:
            if actual != expected:
                raise TemplateError("pyoxigraph and pyld canonicalise the template differently")

    # -- building -----------------------------------------------------------------------------

    def _find_paths(self, node: Any, path: tuple) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if self._pattern.search(key):
                    raise TemplateError(f"a sentinel in the key {key!r}")
                if key == "@context":
                    if self._pattern.search(json.dumps(value)):
                        raise TemplateError("a sentinel inside @context")
                    continue
                self._find_paths(value, (*path, key))
        elif isinstance(node, list):
            for index, item in enumerate(node):
                self._find_paths(item, (*path, index))
        elif isinstance(node, str) and self._pattern.search(node):
            if node not in self._by_sentinel:
                raise TemplateError(f"a sentinel inside a longer string at {path}")
            self._paths.append((path, self._by_sentinel[node]))

    def _compile(self, triple: dict, graph_name: str | None) -> tuple[list[str], list]:
        """The quad's line split at the sentinels: (fixed pieces, [(slot, mode)])."""
        line = jsonld.serialize_nquad(triple, graph_name)
        found: list[tuple[str, str]] = []
        graph = {"type": "IRI", "value": graph_name} if graph_name else None
        for position, term in (
            ("subject", triple["subject"]),
            ("predicate", triple["predicate"]),
            ("object", triple["object"]),
            ("graph", graph),
        ):
            if term is None or not self._pattern.search(json.dumps(term)):
                continue
            value = term["value"]
            culprits = self._slots_in(json.dumps(term))
            if position == "predicate":
                raise TemplateError(f"a sentinel became a predicate: {value!r}", culprits)
            if position == "object" and triple["predicate"]["value"] == RDF_TYPE:
                raise TemplateError(f"a sentinel became a type: {value!r}", culprits)
            if term["type"] == "literal":
                if self._pattern.search(term.get("datatype", "") + term.get("language", "")):
                    raise TemplateError(
                        f"a sentinel in a datatype or language tag: {term!r}", culprits
                    )
                found.extend(self._literal_slots(term))
            elif value in self._by_sentinel:
                found.append((self._by_sentinel[value], IRI))
            else:
                raise TemplateError(f"a sentinel inside an IRI: {value!r}", culprits)
        pieces = self._pattern.split(line)
        if len(pieces) != len(found) + 1:
            raise TemplateError(f"sentinels in unexpected places of {line!r}", self._slots_in(line))
        return pieces, found

    def _literal_slots(self, term: dict) -> list[tuple[str, str]]:
        value = term["value"]
        if value in self._by_sentinel:
            return [(self._by_sentinel[value], LITERAL)]
        if term.get("datatype") != RDF_JSON:
            raise TemplateError(f"a sentinel inside a literal: {value!r}", self._slots_in(value))
        # Inside a JSON literal, only as a whole JSON string value (never a key).
        strings: list[str] = []
        _json_strings(json.loads(value), strings)
        inside = [self._by_sentinel[s] for s in strings if s in self._by_sentinel]
        if len(self._pattern.findall(value)) != len(inside):
            raise TemplateError(
                f"a sentinel inside a string of a JSON literal: {value!r}", self._slots_in(value)
            )
        # JCS writes object members sorted by key, so the text order is that of the walk.
        return [(slot, JSON_STRING) for slot in inside]

    def _slots_in(self, text: str) -> set[str]:
        return {self._by_sentinel[found] for found in self._pattern.findall(text)}

    # -- filling ------------------------------------------------------------------------------

    def document_for(self, values: Mapping[str, Any]) -> dict:
        """The template document with the values in place of the sentinels."""
        document = copy.deepcopy(self._document)
        for path, slot in self._paths:
            parent = document
            for step in path[:-1]:
                parent = parent[step]
            parent[path[-1]] = values[slot]
        return document

    def canonical_nquads(self, values: Mapping[str, Any]) -> str:
        """:func:`badges.jsonld.canonical_nquads` of :meth:`document_for` ``(values)``."""
        try:
            return self.fast_canonical_nquads(values)
        except NotFast:
            return jsonld.canonical_nquads(self.document_for(values), document_loader=self._loader)

    def fast_canonical_nquads(self, values: Mapping[str, Any]) -> str:
        """The same through pyoxigraph, or :class:`NotFast`."""
        if self._always_full is not None:
            raise NotFast(self._always_full)
        rendered = {key: self._render(*key, values) for key in self._modes}
        lines = [fill(line, rendered) for line in self._slotted_lines]
        if len(set(lines)) != len(lines) or not self._fixed_lines.isdisjoint(lines):
            raise NotFast("the fill makes two quads equal")
        hashes = self._labelling.first_degree_hashes(rendered)
        slots = self._labelling.indistinguishable(hashes)
        if slots is not None:
            raise NotFast("the fill makes two blank nodes indistinguishable", slots=slots)
        # Most fills: the blank node labels from those hashes (badges.rdf_labelling).
        canonical = self._labelling.canonical_nquads(rendered, hashes)
        if canonical is not None:
            return canonical
        try:
            dataset = pyoxigraph.Dataset(
                pyoxigraph.parse(self._fixed_text + "".join(lines), format=_N_QUADS)
            )
            dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
        except (SyntaxError, ValueError) as error:
            raise NotFast(f"pyoxigraph refused the fill: {error}") from error
        # str(dataset) writes one quad per line, in no particular order. Not splitlines(): it
        # also splits at U+2028, U+0085…, which literals carry unescaped.
        quads = str(dataset).split("\n")
        quads.pop()  # after the last "\n"
        quads.sort()
        return "".join(quad + "\n" for quad in quads)

    def _render(self, slot: str, mode: str, values: Mapping[str, Any]) -> str:
        value = values[slot]
        if not isinstance(value, str):
            raise NotFast(f"{slot}: not a string", slot)
        if _NOT_FAST.search(value):
            raise NotFast(
                f"{slot}: a character beyond U+FFFF, U+FFFE/U+FFFF or a lone surrogate", slot
            )
        if mode == LITERAL:
            return jsonld.escape_literal(value)
        if mode == JSON_STRING:
            return jsonld.escape_literal(jcs(value).decode("utf-8")[1:-1])
        if not _PLAIN_ABSOLUTE_IRI.match(value):
            raise NotFast(f"{slot}: not an absolute IRI without escapes", slot, iri=True)
        prefix, _, suffix = value.partition(":")
        if value in self._terms or (prefix in self._terms and not suffix.startswith("//")):
            raise NotFast(
                f"{slot}: JSON-LD could expand {value!r} with a context term", slot, iri=True
            )
        return value


def _json_strings(value: Any, found: list[str]) -> None:
    """String values of a JSON value in JCS order (object members sorted by key, UTF-16)."""
    if isinstance(value, str):
        found.append(value)
    elif isinstance(value, list):
        for item in value:
            _json_strings(item, found)
    elif isinstance(value, dict):
        for key in sorted(value, key=lambda k: k.encode("utf-16-be")):
            _json_strings(value[key], found)


def _context_terms(context: Any, loader: jsonld.LocalDocumentLoader) -> frozenset[str]:
    """Every key anywhere in the document's contexts and the contexts they load: a superset of
    the terms and prefixes JSON-LD could expand an IRI value with."""
    terms: set[str] = set()
    seen: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                terms.add(key)
                if key == "@context":
                    load(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    def load(value: Any) -> None:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                if item not in seen:
                    seen.add(item)
                    walk(loader.load(item))
            else:
                walk(item)

    load(context)
    return frozenset(terms)
