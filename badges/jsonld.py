"""JSON-LD for Open Badges 3.0: a document loader that never touches the internet, and RDFC-1.0
canonical N-Quads in JSON-LD "safe mode".

The loader serves the context copies in ``badges/contexts/`` (taken from the npm packages the
Node verifier uses; see ``contexts/index.json``), optional extra documents handed in by the
caller (the portal's own extension contexts, DID documents) and, only when explicitly enabled
(tests), ``http`` URLs on a loopback host. Every other URL is refused.

Canonicalisation is pyld 3.3's expansion and RDF conversion plus its URDNA2015 (= RDFC-1.0)
algorithm, with two corrections so that the output matches the W3C RDFC-1.0 recommendation
and rdf-canonize (used by Digital Bazaar's eddsa-rdfc-2022 cryptosuite) byte for byte:

* Canonical N-Quads escaping. pyld escapes only ``\\ \\t \\n \\r "`` in literals; RDFC-1.0's
  canonical N-Quads also escape ``\\b \\f`` and write the other control characters
  (U+0000–U+001F, U+007F) as ``\\u00XX``, and escape control/space/``<>"{}|^`\\`` in IRIs.
  The escaping feeds the blank-node hashes too, so it cannot be patched on the output.
* Safe mode. pyld silently drops terms the contexts do not define and triples with relative
  IRIs; a signature over such a document would not cover what the reader sees. Like jsonld.js
  ``safe: true``, those conditions raise :class:`SafeModeError` here.

It also bounds the N-degree hashing work the way rdf-canonize does (dataset poisoning).

Sort order. RDFC-1.0 sorts N-Quads in Unicode code point order (so does this module). JavaScript
sorts strings by UTF-16 code units, and rdf-canonize does so too (digitalbazaar/rdf-canonize
issue #52, open): the two orders differ when a character outside the BMP (emoji, CJK extension
B such as 𠮷) is compared with one in U+E000–U+FFFF (full-width forms such as ！, （, ｄ).
:func:`canonical_forms` therefore also computes the UTF-16-ordered variant, and says whether a
document is order-sensitive at all (almost never: it takes two values of one property that
first differ at such a pair).

Everything sits behind :func:`canonical_nquads` / :func:`canonical_forms`, so a faster
implementation can replace them and be compared byte for byte.
"""

from __future__ import annotations

import copy
import functools
import ipaddress
import json
import re
import threading
import types
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from pyld import canon as pyld_canon
from pyld.jsonld import JsonLdError, JsonLdProcessor

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"
CONTEXT_INDEX = CONTEXTS_DIR / "index.json"

LOOPBACK_TIMEOUT_SECONDS = 5.0
LOOPBACK_MAX_BYTES = 2 * 1024 * 1024
# rdf-canonize's default: the Hash N-Degree Quads budget is (number of non-unique blank
# nodes) ** MAX_WORK_FACTOR calls.
MAX_WORK_FACTOR = 1

# jsonld.js's test for an absolute IRI (or blank node identifier); whitespace is not allowed.
_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+\-.]*|_):[^\s]*$")
# jsonld.js's check of a well-formed BCP47 language tag.
_LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")


class JsonLdProcessingError(ValueError):
    """A document could not be expanded or canonicalised."""


class DocumentLoadError(JsonLdProcessingError):
    """The loader refused a URL or could not load it."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"Refusing to load {url!r}: {reason}")
        self.url = url
        self.reason = reason


class SafeModeError(JsonLdProcessingError):
    """The document would lose data in expansion (an undefined term, a relative IRI, …).

    ``code`` is the name jsonld.js gives the same condition (e.g. ``'invalid property'``)."""

    def __init__(self, code: str, detail: str):
        super().__init__(f"JSON-LD safe mode: {code}: {detail}")
        self.code = code
        self.detail = detail


class CanonicalizationError(JsonLdProcessingError):
    """RDFC-1.0 refused the dataset (e.g. too much N-degree hashing work: dataset poisoning)."""


# ---------------------------------------------------------------------------------------------
# Document loading


@dataclass(frozen=True)
class BundledContext:
    url: str
    file: str
    package: str
    version: str


@functools.cache
def bundled_contexts() -> Mapping[str, BundledContext]:
    """URL → where its local copy came from (``contexts/index.json``)."""
    index = json.loads(CONTEXT_INDEX.read_text(encoding="utf-8"))
    return types.MappingProxyType(
        {
            url: BundledContext(url, entry["file"], entry["package"], entry["version"])
            for url, entry in index["contexts"].items()
        }
    )


@functools.cache
def _bundled_documents() -> Mapping[str, Any]:
    """Every bundled context, parsed once per process."""
    return types.MappingProxyType(
        {
            url: json.loads((CONTEXTS_DIR / entry.file).read_text(encoding="utf-8"))
            for url, entry in bundled_contexts().items()
        }
    )


def is_loopback_http_url(url: str) -> bool:
    """``http://localhost…``, ``http://127.x.x.x…`` or ``http://[::1]…``."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    if parts.scheme != "http" or not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class LocalDocumentLoader:
    """A pyld document loader (``loader(url, options)``) that never fetches the internet.

    :param documents: extra URL → JSON document (extension contexts, DID documents). They may
        not replace a bundled context.
    :param allow_loopback_http: also fetch ``http`` URLs on a loopback host (tests only).
    """

    def __init__(
        self,
        documents: Mapping[str, Any] | None = None,
        *,
        allow_loopback_http: bool = False,
    ):
        documents = dict(documents or {})
        clashes = sorted(set(documents) & set(bundled_contexts()))
        if clashes:
            raise ValueError(f"extra documents may not replace bundled contexts: {clashes}")
        for url in documents:
            if not isinstance(url, str) or not _ABSOLUTE_IRI.match(url):
                raise ValueError(f"extra document keys must be absolute URLs, got {url!r}")
        self._documents = copy.deepcopy(documents)
        self.allow_loopback_http = allow_loopback_http

    def load(self, url: str) -> Any:
        """The parsed document at ``url`` (a fresh copy), or :class:`DocumentLoadError`."""
        return self._load(url)[0]

    def __call__(self, url: str, options: dict | None = None) -> dict:
        document, static = self._load(url)
        remote = {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": document,
        }
        if static:
            # pyld then keeps the processed context in its process-wide cache.
            remote["tag"] = "static"
        return remote

    def _load(self, url: str) -> tuple[Any, bool]:
        bundled = _bundled_documents()
        if url in bundled:
            return copy.deepcopy(bundled[url]), True
        if url in self._documents:
            return copy.deepcopy(self._documents[url]), False
        if self.allow_loopback_http and is_loopback_http_url(url):
            return _fetch_loopback(url), False
        raise DocumentLoadError(
            url,
            "not a bundled context (badges/contexts/index.json) and not among the documents "
            "given to the loader; the portal never fetches JSON-LD documents from the network",
        )


def _fetch_loopback(url: str) -> Any:
    try:
        response = requests.get(
            url,
            timeout=LOOPBACK_TIMEOUT_SECONDS,
            allow_redirects=False,
            stream=True,
            headers={"Accept": "application/ld+json, application/json"},
        )
        with response:
            if response.status_code != 200:
                raise DocumentLoadError(url, f"HTTP {response.status_code}")
            body = response.raw.read(LOOPBACK_MAX_BYTES + 1, decode_content=True)
    except requests.RequestException as error:
        raise DocumentLoadError(url, f"loopback request failed: {error}") from error
    if len(body) > LOOPBACK_MAX_BYTES:
        raise DocumentLoadError(url, f"larger than {LOOPBACK_MAX_BYTES} bytes")
    try:
        return json.loads(body)
    except ValueError as error:
        raise DocumentLoadError(url, f"not JSON: {error}") from error


DEFAULT_LOADER = LocalDocumentLoader()


# ---------------------------------------------------------------------------------------------
# Safe-mode expansion


def _root_cause(error: BaseException) -> BaseException:
    """The innermost JsonLdProcessingError in pyld's chain of wrapped errors, else ``error``."""
    seen = set()
    current: BaseException | None = error
    found: BaseException = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, JsonLdProcessingError):
            found = current
        current = current.__cause__ or current.__context__
    return found


def _pyld_error(error: JsonLdError) -> JsonLdProcessingError:
    cause = _root_cause(error)
    if isinstance(cause, JsonLdProcessingError):
        return cause
    parts = []
    current: BaseException | None = error
    while current is not None and len(parts) < 6:
        text = getattr(current, "message", None) or str(current)
        code = getattr(current, "code", None)
        parts.append(f"{text} ({code})" if code else text)
        current = current.__cause__
    return JsonLdProcessingError("JSON-LD processing failed: " + " <- ".join(parts))


def _processing_options(loader: LocalDocumentLoader) -> dict:
    # base None: relative IRIs stay relative (and are then refused), as jsonld.js with
    # base: null; rdfDirection as Digital Bazaar's eddsa-rdfc-2022 cryptosuite sets it.
    return {
        "documentLoader": loader,
        "base": None,
        "processingMode": "json-ld-1.1",
        "rdfDirection": "i18n-datatype",
        "produceGeneralizedRdf": False,
    }


def _on_property_dropped(expanded_property: str | None) -> None:
    if expanded_property is None:
        detail = "a property maps to null or looks like a keyword and would be dropped"
    else:
        detail = f"the term {expanded_property!r} is not defined by the document's @context"
    raise SafeModeError("invalid property", detail)


def _check_iri(value: Any, code: str, where: str) -> None:
    if not isinstance(value, str) or not _ABSOLUTE_IRI.match(value):
        raise SafeModeError(code, f"{value!r} at {where} is not an absolute IRI")


def _check_expanded(element: Any, where: str) -> None:
    """Refuse what pyld's RDF conversion would silently drop from an expanded document."""
    if isinstance(element, list):
        for index, item in enumerate(element):
            _check_expanded(item, f"{where}[{index}]")
        return
    if not isinstance(element, dict):
        raise SafeModeError("free-floating scalar", f"{element!r} at {where}")
    if "@value" in element:
        datatype = element.get("@type")
        if datatype is not None and datatype != "@json":
            _check_iri(datatype, "relative @type reference", where)
        language = element.get("@language")
        if language is not None and not _LANGUAGE_TAG.match(language):
            raise SafeModeError("invalid @language value", f"{language!r} at {where}")
        return
    for key, value in element.items():
        here = f"{where}/{key}"
        if key == "@id":
            _check_iri(value, "relative @id reference", here)
        elif key == "@type":
            for item in value if isinstance(value, list) else [value]:
                _check_iri(item, "relative @type reference", here)
        elif key in ("@list", "@set", "@graph", "@included"):
            _check_expanded(value, here)
        elif key == "@reverse":
            for prop, items in value.items():
                _check_iri(prop, "invalid property", f"{here}/{prop}")
                _check_expanded(items, f"{here}/{prop}")
        elif key.startswith("@"):
            continue
        elif key.startswith("_:"):
            raise SafeModeError("blank node predicate", f"{key!r} at {where}")
        else:
            _check_iri(key, "invalid property", here)
            _check_expanded(value, here)


# pyld keeps process-wide caches (cachetools LRUCaches, i.e. OrderedDicts: resolved contexts,
# processed contexts per resolved context, inverse contexts) that break when two threads use
# them at once (gunicorn gthread: "OrderedDict mutated during iteration"). pyld is pure Python,
# so under the GIL serialising it costs no throughput.
_PYLD_LOCK = threading.RLock()


class _SafeProcessor(JsonLdProcessor):
    """pyld's processor with safe mode: every expansion (also the one inside ``to_rdf``) raises
    instead of dropping data."""

    def __init__(self) -> None:
        super().__init__(on_property_dropped=_on_property_dropped)

    def expand(self, input_, options):
        expanded = super().expand(input_, options)
        if not expanded and input_:
            raise SafeModeError(
                "empty object", "the document expands to nothing (no node with properties)"
            )
        _check_expanded(expanded, "")
        return expanded


def expand(document: Any, *, document_loader: LocalDocumentLoader | None = None) -> list:
    """JSON-LD expansion in safe mode: anything that would be dropped raises
    :class:`SafeModeError`."""
    loader = document_loader or DEFAULT_LOADER
    try:
        with _PYLD_LOCK:
            return _SafeProcessor().expand(document, _processing_options(loader))
    except JsonLdError as error:
        raise _pyld_error(error) from error


# ---------------------------------------------------------------------------------------------
# RDFC-1.0


def _escape_table(codepoints: list[int], special: dict[int, str]) -> dict[int, str]:
    table = {codepoint: f"\\u{codepoint:04X}" for codepoint in codepoints}
    table.update(special)
    return table


_LITERAL_ESCAPES = str.maketrans(
    _escape_table(
        [*range(0x20), 0x7F],
        {
            0x08: "\\b",
            0x09: "\\t",
            0x0A: "\\n",
            0x0C: "\\f",
            0x0D: "\\r",
            0x22: '\\"',
            0x5C: "\\\\",
        },
    )
)
_IRI_ESCAPES = str.maketrans(_escape_table([*range(0x21), *map(ord, '<>"{}|^`\\')], {}))
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _term(component: dict) -> str:
    if component["type"] == "IRI":
        return "<" + component["value"].translate(_IRI_ESCAPES) + ">"
    return component["value"]


def serialize_nquad(triple: dict, graph_name: str | None = None) -> str:
    """One quad in RDFC-1.0 canonical N-Quads form (pyld's quad dicts, pyld's signature)."""
    obj = triple["object"]
    graph = triple.get("name", {"value": graph_name})["value"]
    quad = _term(triple["subject"]) + " " + _term(triple["predicate"]) + " "
    if obj["type"] in ("IRI", "blank node"):
        quad += _term(obj)
    else:
        quad += '"' + obj["value"].translate(_LITERAL_ESCAPES) + '"'
        if obj["datatype"] == _RDF_LANGSTRING:
            if obj.get("language"):
                quad += "@" + obj["language"]
        elif obj["datatype"] != _XSD_STRING:
            quad += "^^<" + obj["datatype"].translate(_IRI_ESCAPES) + ">"
    if graph is not None:
        quad += " " + (
            _term({"type": "blank node" if graph.startswith("_:") else "IRI", "value": graph})
        )
    return quad + " .\n"


class _Utf16OrderedQuad(str):
    """A serialized quad that ``list.sort()`` orders by UTF-16 code units, as JavaScript does."""

    __slots__ = ()

    def __lt__(self, other: str) -> bool:
        return self.encode("utf-16-be", "surrogatepass") < str(other).encode(
            "utf-16-be", "surrogatepass"
        )


def _serialize_nquad_utf16(triple: dict, graph_name: str | None = None) -> str:
    return _Utf16OrderedQuad(serialize_nquad(triple, graph_name))


def _with_serializer(function: types.FunctionType, serializer) -> types.FunctionType:
    """``function`` (a pyld URDNA2015 method) with ``serialize_nquad`` bound to ``serializer``.

    pyld looks ``serialize_nquad`` up as a module global; giving the methods a copy of their
    globals with ours swapped in corrects the escaping without patching pyld process-wide."""
    if "serialize_nquad" not in function.__code__.co_names:
        raise ImportError(
            f"pyld's URDNA2015.{function.__name__} no longer calls serialize_nquad; "
            "badges.jsonld must be adapted to this pyld version"
        )
    namespace = {**function.__globals__, "serialize_nquad": serializer}
    rebound = types.FunctionType(
        function.__code__, namespace, function.__name__, function.__defaults__
    )
    rebound.__qualname__ = function.__qualname__
    rebound.__doc__ = function.__doc__
    return rebound


class _Rdfc10(pyld_canon.URDNA2015):
    """pyld's URDNA2015 with canonical N-Quads escaping and a bounded N-degree hashing budget."""

    main = _with_serializer(pyld_canon.URDNA2015.main, serialize_nquad)
    hash_first_degree_quads = _with_serializer(
        pyld_canon.URDNA2015.hash_first_degree_quads, serialize_nquad
    )

    def __init__(self) -> None:
        super().__init__()
        self._deep_iterations_left: int | None = None

    def hash_n_degree_quads(self, id_, issuer):
        if self._deep_iterations_left is None:
            # First call: hash_to_blank_nodes now holds exactly the non-unique blank nodes.
            non_unique = sum(len(ids) for ids in self.hash_to_blank_nodes.values())
            self._deep_iterations_left = non_unique**MAX_WORK_FACTOR
        if self._deep_iterations_left <= 0:
            raise CanonicalizationError(
                "RDFC-1.0: maximum deep iterations exceeded (possible dataset poisoning)"
            )
        self._deep_iterations_left -= 1
        return super().hash_n_degree_quads(id_, issuer)


class _Rdfc10Utf16(_Rdfc10):
    """The same, with N-Quads sorted by UTF-16 code units like rdf-canonize."""

    main = _with_serializer(pyld_canon.URDNA2015.main, _serialize_nquad_utf16)
    hash_first_degree_quads = _with_serializer(
        pyld_canon.URDNA2015.hash_first_degree_quads, _serialize_nquad_utf16
    )


_SUPPLEMENTARY = re.compile("[\U00010000-\U0010ffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class CanonicalForms:
    """A document's canonical N-Quads in RDFC-1.0 (code point) order, and the same N-Quads as
    rdf-canonize orders them (UTF-16 code units). Nearly always the two are identical."""

    codepoint: str
    utf16: str

    @property
    def order_sensitive(self) -> bool:
        return self.codepoint != self.utf16


def _dataset(document: Any, loader: LocalDocumentLoader) -> dict:
    try:
        with _PYLD_LOCK:
            return _SafeProcessor().to_rdf(document, _processing_options(loader))
    except JsonLdError as error:
        raise _pyld_error(error) from error


def _copy_dataset(dataset: dict) -> dict:
    """Enough of a copy for a second canonicalisation run (it rewrites blank node labels in the
    term dicts and adds ``name`` to quads of named graphs)."""
    return {
        graph: [{position: dict(term) for position, term in quad.items()} for quad in quads]
        for graph, quads in dataset.items()
    }


def _canonicalize(dataset: dict, algorithm: type[_Rdfc10]) -> str:
    nquads = algorithm().main(dataset, {"format": "application/n-quads"})
    if _SURROGATE.search(nquads):
        raise JsonLdProcessingError("the document contains a lone UTF-16 surrogate")
    return nquads


def dataset(document: Any, *, document_loader: LocalDocumentLoader | None = None) -> dict:
    """The document's RDF dataset before canonicalisation (pyld's graph name → quad dicts, one
    line each with :func:`serialize_nquad`), in safe mode."""
    return _dataset(document, document_loader or DEFAULT_LOADER)


def escape_literal(value: str) -> str:
    """A literal's lexical form as canonical N-Quads writes it between the quotes."""
    return value.translate(_LITERAL_ESCAPES)


def canonical_nquads(document: Any, *, document_loader: LocalDocumentLoader | None = None) -> str:
    """The RDFC-1.0 canonical N-Quads of a JSON-LD document, in safe mode.

    Raises :class:`SafeModeError` for undefined terms / relative IRIs,
    :class:`DocumentLoadError` for a context the loader will not serve,
    :class:`CanonicalizationError` for dataset poisoning, :class:`JsonLdProcessingError` for
    other JSON-LD errors."""
    return _canonicalize(_dataset(document, document_loader or DEFAULT_LOADER), _Rdfc10)


def canonical_forms(
    document: Any, *, document_loader: LocalDocumentLoader | None = None
) -> CanonicalForms:
    """:func:`canonical_nquads` plus its UTF-16-ordered variant (see the module docstring)."""
    dataset = _dataset(document, document_loader or DEFAULT_LOADER)
    # The algorithm relabels blank nodes in place; keep a pristine copy for the second run.
    pristine = _copy_dataset(dataset)
    codepoint = _canonicalize(dataset, _Rdfc10)
    if not _SUPPLEMENTARY.search(codepoint):
        # Without characters beyond the BMP, UTF-16 and code point order coincide.
        return CanonicalForms(codepoint, codepoint)
    return CanonicalForms(codepoint, _canonicalize(pristine, _Rdfc10Utf16))
