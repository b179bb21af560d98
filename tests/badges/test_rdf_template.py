"""badges.rdf_template: a JSON-LD document with slots gives, for any values, the canonical N-Quads
badges.jsonld computes for the filled document, byte for byte (fast through pyoxigraph, or by
falling back to the full path)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from badges import extension, jsonld
from badges.rdf_template import NotFast, RdfTemplate, TemplateError, make_sentinels

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

LITERAL_SLOTS = ("name", "valid_from", "salt", "narrative", "localized_en", "grade", "score")
IRI_SLOTS = ("credential_id", "status_list")
JSON_SLOTS = ("issued_in_json", "note_in_json")
SLOTS = (*LITERAL_SLOTS, *IRI_SLOTS, *JSON_SLOTS)


def credential(s: dict) -> dict:
    """An OB 3.0 credential with the portal's extension context, its slots filled from ``s``:
    IRIs (a node id, an @id-typed term), plain, typed and language-map literals, strings
    inside a JSON literal, and two Result nodes that equal values make indistinguishable."""
    return {
        "@context": [VC_V2, OB_V3P0, extension.context_url()],
        "id": s["credential_id"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": "did:web:portal.example.jp:issuers:minato-u",
            "type": ["Profile"],
            "name": "みなと大学",
            "address": {"type": ["Address"], "addressCountry": "JP"},
        },
        "validFrom": s["valid_from"],
        "name": s["name"],
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": "sha256$00",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": s["salt"],
                }
            ],
            "achievement": {
                "id": "https://portal.example.jp/achievements/ds-basic",
                "type": ["Achievement"],
                "name": "データサイエンス基礎",
                "localizedName": {"ja": "データサイエンス基礎", "en": s["localized_en"]},
                "criteria": {"narrative": s["narrative"]},
                "creator": {
                    "id": "did:web:portal.example.jp:issuers:minato-u",
                    "type": ["Profile"],
                    "address": {"type": ["Address"], "addressCountry": "JP"},
                },
                "microCredentialDescriptors": {
                    "title": {"ja": "データ", "en": "Data"},
                    "date_of_issuing": s["issued_in_json"],
                    "notes": [{"z": s["note_in_json"], "a": 1.5}, s["issued_in_json"]],
                },
            },
            "result": [
                {"type": ["Result"], "resultDescription": "https://x.example/r", "value": g}
                for g in (s["grade"], s["score"])
            ],
        },
        "credentialStatus": {
            "id": "https://portal.example.jp/status/1#7",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "7",
            "statusListCredential": s["status_list"],
        },
    }


PLAIN = {
    "credential_id": "https://portal.example.jp/ob3/credentials/5c3a3e0e",
    "status_list": "https://portal.example.jp/status/1",
    "valid_from": "2025-04-01T00:00:00Z",
    "issued_in_json": "2025-04-01T00:00:00Z",
    "note_in_json": "note",
    "name": "データサイエンス基礎",
    "salt": "f3a9c1",
    "narrative": "全 8 回の講義に出席すること。",
    "localized_en": "Foundations of Data Science",
    "grade": "A",
    "score": "80",
}


@pytest.fixture(scope="module")
def loader():
    return extension.document_loader()


@pytest.fixture(scope="module")
def template(loader):
    sentinels = make_sentinels(SLOTS)
    return RdfTemplate(credential(sentinels), sentinels, document_loader=loader), sentinels


def full_path(template: RdfTemplate, values: dict, loader):
    """jsonld.canonical_nquads of the filled document, or the type of error it raises."""
    try:
        return jsonld.canonical_nquads(template.document_for(values), document_loader=loader)
    except (jsonld.JsonLdProcessingError, UnicodeError) as error:
        return type(error)


def template_path(template: RdfTemplate, values: dict):
    try:
        return template.canonical_nquads(values)
    except (jsonld.JsonLdProcessingError, UnicodeError) as error:
        return type(error)


def test_plain_values_take_the_fast_path_and_match_the_full_path(template, loader):
    template_, _ = template
    fast = template_.fast_canonical_nquads(PLAIN)
    assert fast == jsonld.canonical_nquads(credential(PLAIN), document_loader=loader)
    assert template_.document_for(PLAIN) == credential(PLAIN)
    assert '"データサイエンス基礎"' in fast and "_:c14n0" in fast


# Characters canonical N-Quads or JCS escape, line and paragraph separators, bidi marks,
# combining marks, CJK, full-width forms, non-characters, and N-Quads syntax.
HOSTILE = [
    *map(chr, range(0x20)),
    '"',
    "\\",
    "\x7f",
    "\u0085",
    "\u00a0",
    "\u2028",
    "\u2029",
    "\u200e",
    "\u200f",
    "\u202e",
    "\u0301",
    "\u3099",
    "が",
    "漢",
    "字",
    "！",
    "（",
    "ｄ",
    "\ufeff",
    "\ufffe",
    "\uffff",
    "<",
    ">",
    "{",
    "}",
    "|",
    "^",
    "`",
    " ",
    ".",
    "@",
    "#",
    ":",
    "_:b0",
    '" .\n<x> <y> "z',
    "\U0001f393",
    "\U00020bb7",
]
pieces = st.one_of(st.sampled_from(HOSTILE), st.characters())
texts = st.lists(pieces, max_size=40).map("".join)
iris = st.one_of(
    st.builds(
        "{}:{}".format,
        st.sampled_from(["https", "urn", "did", "mailto", "x-y.z+1", "ex", "_", "xsd", "1a"]),
        st.lists(st.one_of(pieces, st.sampled_from("abc/?#=%")), max_size=30).map("".join),
    ),
    st.sampled_from(["https://例え.jp/パス?q=1#f", "https://x.example/%7e", "//no-scheme", ""]),
    texts,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_values_give_the_full_paths_canonical_nquads(template, loader, data):
    template_, sentinels = template
    pool = st.one_of(texts, st.sampled_from([*sentinels.values(), *PLAIN.values(), "A", ""]))
    values = {name: data.draw(pool, label=name) for name in (*LITERAL_SLOTS, *JSON_SLOTS)}
    values.update({name: data.draw(st.one_of(iris, pool), label=name) for name in IRI_SLOTS})

    assert template_path(template_, values) == full_path(template_, values, loader)


BMP_PIECES = st.one_of(
    st.sampled_from([p for p in HOSTILE if all(ord(c) < 0xFFFE for c in p)]),
    st.characters(max_codepoint=0xFFFD, exclude_categories=["Cs"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.fixed_dictionaries(
        {
            name: st.lists(BMP_PIECES, max_size=40).map("".join)
            for name in (*LITERAL_SLOTS, *JSON_SLOTS)
        }
    )
)
def test_values_within_the_bmp_take_the_fast_path_and_match(template, loader, values):
    template_, _ = template
    values = {**PLAIN, **values, "score": values["score"] + "\x01" + values["grade"]}
    fast = template_.fast_canonical_nquads(values)  # never NotFast for these
    assert fast == full_path(template_, values, loader)


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "".join(map(chr, [*range(0x20), 0x7F]))},
        {"narrative": 'say "hi" \\ back\r\n\t\b\f'},
        {"localized_en": "\u2028\u2029\u200f\u202e RTL שלום mixed"},
        {"salt": "e\u0301 が ｄａｔａ 漢字"},
        {"grade": "", "score": "0"},
        {"name": "x" * 20_000},
        {"narrative": '" .\n<https://evil.example/s> <https://evil.example/p> "o" .\n'},
        {"issued_in_json": 'a"b\\c\n\u0007\u2028\u007f', "note_in_json": "</script>"},
        {"credential_id": "https://portal.example.jp/ob3/credentials/例え?x=1&y=%20#frag"},
    ],
)
def test_hostile_values_stay_on_the_fast_path_and_match(template, loader, changes):
    template_, _ = template
    values = {**PLAIN, **changes}
    assert template_.fast_canonical_nquads(values) == full_path(template_, values, loader)


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "\U0001f393 修了"},  # beyond U+FFFF: the sort order question
        {"issued_in_json": "\U00020bb7"},
        {"salt": "\ud800"},  # a lone surrogate: the full path raises
        {"credential_id": "https://x.example/a b"},  # whitespace: not an IRI
        {"credential_id": "relative/path"},
        {"credential_id": "_:b0"},  # would become a blank node
        {"status_list": "https://x.example/<x>"},  # characters N-Quads escapes in IRIs
        {"status_list": "OpenBadgeCredential"},  # a term: JSON-LD expands it
        {"credential_id": "https://portal.example.jp/ob3/credentials/5c3a3e0e\x7f"},
        {"grade": "80", "score": "80"},  # two Result nodes become indistinguishable
        {"name": 7},  # not a string
    ],
)
def test_what_the_fast_path_cannot_guarantee_falls_back_to_the_full_path(template, loader, changes):
    template_, _ = template
    values = {**PLAIN, **changes}
    with pytest.raises(NotFast):
        template_.fast_canonical_nquads(values)
    assert template_path(template_, values) == full_path(template_, values, loader)


def test_a_prefix_the_context_defines_is_expanded_by_the_full_path(loader):
    sentinels = make_sentinels(["id"])
    document = {
        "@context": [VC_V2, {"ex": "https://example.org/ns#"}],
        "id": sentinels["id"],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:subject"},
    }
    template_ = RdfTemplate(document, sentinels, document_loader=loader)
    values = {"id": "ex:thing"}
    with pytest.raises(NotFast):
        template_.fast_canonical_nquads(values)
    nquads = template_.canonical_nquads(values)
    assert "<https://example.org/ns#thing>" in nquads
    assert nquads == jsonld.canonical_nquads(template_.document_for(values), document_loader=loader)
    assert template_.fast_canonical_nquads({"id": "ex://thing"}) == jsonld.canonical_nquads(
        template_.document_for({"id": "ex://thing"}), document_loader=loader
    )


def misplaced(where: str, sentinel: str) -> dict:
    document = credential(PLAIN)
    subject = document["credentialSubject"]
    if where == "type":
        document["type"] = ["VerifiableCredential", sentinel]
    elif where == "key":
        subject[sentinel] = "x"
    elif where == "context":
        document["@context"] = [*document["@context"], {"x": sentinel}]
    elif where == "inside a string":
        document["name"] = f"prefix {sentinel}"
    elif where == "inside an IRI":
        document["id"] = f"{sentinel}/suffix"
    elif where == "datatype":
        document["name"] = {"@value": "x", "@type": sentinel}
    elif where == "nowhere":
        pass
    return document


@pytest.mark.parametrize(
    "where",
    ["type", "key", "context", "inside a string", "inside an IRI", "datatype", "nowhere"],
)
def test_a_sentinel_in_an_unexpected_place_is_refused(loader, where):
    sentinels = make_sentinels(["slot"])
    with pytest.raises(TemplateError):
        RdfTemplate(misplaced(where, sentinels["slot"]), sentinels, document_loader=loader)


def test_sentinels_are_unique_and_none_contains_another():
    sentinels = list(make_sentinels(f"s{i}" for i in range(1000)).values())
    assert len(set(sentinels)) == 1000
    assert len({len(s) for s in sentinels}) == 1
    assert make_sentinels(["a"]) != make_sentinels(["a"])
