"""Hostile text through canonicalisation, signing and verification: ours and Digital Bazaar's.

Every string goes into several fields of a realistic OB 3.0 credential, is signed by
badges.dataintegrity and must verify with our verifier and with @digitalbazaar/vc, and our
canonical N-Quads must equal rdf-canonize's byte for byte. Nothing is normalised (NFC/NFKC):
a different code point is a different credential."""

import copy

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from badges import multikey
from badges.dataintegrity import (
    ControllerDocumentResolver,
    DataIntegrityError,
    sign_eddsa_rdfc_2022,
    verify_eddsa_rdfc_2022,
)
from badges.jsonld import SafeModeError, canonical_forms, canonical_nquads
from tests.badges.node import (
    UNSAFE_DOCUMENTS,
    assert_verified_and_clear,
    node_canonize_many,
    node_sign,
    node_verify_many,
    open_badge_credential,
)

KEY = Ed25519PrivateKey.from_private_bytes(bytes.fromhex("9d" * 32))
DID = multikey.did_key(KEY.public_key())
METHOD = multikey.did_key_verification_method(KEY.public_key())
CREATED = "2025-04-01T00:00:00Z"
RESOLVER = ControllerDocumentResolver()

JSON_CONTROL_CHARACTERS = "".join(chr(c) for c in range(0x20)) + "\x7f"

HOSTILE = {
    "quotes": 'ダブル"引用"と\'シングル\'と「かぎ括弧」『二重』"',
    "backslashes": "C:\\Users\\学習者\\成果物\\ と \\n は改行ではない \\u3042 \\\\",
    "newlines": "一行目\n二行目\r\n三行目\r四行目\n",
    "tabs": "列1\t列2\t\t列3\t",
    "emoji": "合格🎉👩‍💻👨‍👩‍👧‍👦🏳️‍🌈🧑🏽‍🎓 1️⃣ 🇯🇵 ❤️‍🔥",
    "combining": "か\u3099 は\u309a e\u0301 ｶﾞ ﾊﾟ a\u0308\u0323\u0304",
    "precomposed": "が ぱ é ガ パ",
    "full_width_spaces": "\u3000全角\u3000スペース\u3000\u00a0NBSP\u2003EM\u3000",
    "control_characters": f"制御{JSON_CONTROL_CHARACTERS}文字",
    "invisible": "ゼロ幅\u200b結合子\u200d\u2060BOM\ufeff行区切り\u2028段落\u2029NEL\u0085",
    "bidi": "\u202e逆順\u202c مرحبا עברית \u2067隔離\u2069",
    "non_bmp_cjk": "𠮷野家の𩸽定食、𪚲",
    "markup": "<script>alert('x')</script> &amp; <b>太字</b> ]]>",
    "json_ld_lookalike": '{"@context": "https://evil.example/", "@id": "_:b0", "@type": "@json"}',
    "nquads_lookalike": '<urn:x> <https://schema.org/name> "偽" .\n_:c14n0 <urn:p> "x" .',
    "long": "長文" * 5000,
    "empty": "",
    "whitespace_only": " \u3000\t ",
}


def hostile_credential(value: str) -> dict:
    credential = open_badge_credential(DID)
    credential["name"] = value
    credential["description"] = f"説明: {value}"
    credential["issuer"]["name"] = value + "大学"
    achievement = credential["credentialSubject"]["achievement"]
    achievement["name"] = value
    achievement["criteria"]["narrative"] = f"{value}\n{value}"
    achievement["tag"] = [*achievement["tag"], value]
    achievement["alignment"][0]["targetName"] = value
    return credential


def sign(credential: dict) -> dict:
    return sign_eddsa_rdfc_2022(
        credential, private_key=KEY, verification_method=METHOD, created=CREATED
    )


@pytest.fixture(scope="module")
def signed_hostile() -> dict[str, dict]:
    return {name: sign(hostile_credential(value)) for name, value in HOSTILE.items()}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_text_signs_and_verifies_with_us(name, signed_hostile):
    signed = signed_hostile[name]
    assert signed["name"] == HOSTILE[name]
    result = verify_eddsa_rdfc_2022(signed, resolver=RESOLVER)
    assert result.verified, result.errors
    assert result.verified_document["credentialSubject"]["achievement"]["name"] == HOSTILE[name]


ECHAR = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}


def expected_literal(value: str) -> str:
    """A string literal as RDFC-1.0's canonical N-Quads write it (written out independently)."""
    out = []
    for character in value:
        if character in ECHAR:
            out.append(ECHAR[character])
        elif ord(character) < 0x20 or ord(character) == 0x7F:
            out.append(f"\\u{ord(character):04X}")
        else:
            out.append(character)
    return '"' + "".join(out) + '"'


BASELINE_QUADS = len(canonical_nquads(hostile_credential("x")).splitlines())


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_text_survives_the_canonical_form(name):
    value = HOSTILE[name]
    nquads = canonical_nquads(hostile_credential(value))
    # Only LF ends a quad; U+2028, U+0085 etc. stay raw inside literals (str.splitlines would
    # split on them).
    lines = [line + "\n" for line in nquads.split("\n")[:-1]]
    assert len(lines) == BASELINE_QUADS
    assert all(line.endswith(" .\n") for line in lines)
    assert lines == sorted(lines)
    assert f"<https://schema.org/name> {expected_literal(value)} ." in nquads
    assert f"<https://schema.org/keywords> {expected_literal(value)} ." in nquads


@pytest.mark.interop
def test_hostile_text_verifies_with_digital_bazaar(signed_hostile):
    names = sorted(HOSTILE)
    results = node_verify_many([signed_hostile[name] for name in names])
    failures = {
        name: r["errors"] for name, r in zip(names, results, strict=True) if not r["verified"]
    }
    assert failures == {}
    assert len(results) == len(HOSTILE)


@pytest.mark.interop
def test_hostile_text_canonicalises_to_the_same_bytes_as_rdf_canonize():
    names = sorted(HOSTILE)
    credentials = [hostile_credential(HOSTILE[name]) for name in names]
    theirs = node_canonize_many(credentials)
    for name, credential, result in zip(names, credentials, theirs, strict=True):
        assert "nquads" in result, (name, result)
        assert result["nquads"] == canonical_nquads(credential), name


@pytest.mark.interop
def test_digital_bazaar_signs_hostile_text_exactly_as_we_do():
    everything = "".join(HOSTILE[name] for name in sorted(HOSTILE) if name != "long")
    unsigned = hostile_credential(everything)
    theirs = node_sign(
        unsigned,
        secret_key_multibase=multikey.encode_secret_key_multibase(KEY),
        verification_method=METHOD,
        created=CREATED,
    )
    assert theirs == sign(unsigned)
    assert verify_eddsa_rdfc_2022(theirs, resolver=RESOLVER).verified


# --- no normalisation: look-alikes are different credentials ---------------------------------

LOOKALIKES = [
    ("が", "か\u3099"),  # precomposed vs combining dakuten
    ("パ", "ﾊﾟ"),  # full-width vs half-width katakana
    ("全角\u3000空白", "全角 空白"),  # ideographic vs ASCII space
    ("１２３", "123"),  # full-width vs ASCII digits
    ("制御\x01", "制御\x02"),  # one control character for another
    ("改行\r\n", "改行\n"),
    ("👩‍💻", "👩💻"),  # with and without the zero-width joiner
]


@pytest.mark.parametrize(("original", "lookalike"), LOOKALIKES)
def test_a_lookalike_does_not_verify_with_us(original, lookalike):
    signed = sign(hostile_credential(original))
    forged = copy.deepcopy(signed)
    forged["credentialSubject"]["achievement"]["name"] = lookalike
    assert verify_eddsa_rdfc_2022(signed, resolver=RESOLVER).verified
    result = verify_eddsa_rdfc_2022(forged, resolver=RESOLVER)
    assert not result.verified
    assert "signature does not match" in result.errors[0]


@pytest.mark.interop
def test_lookalikes_do_not_verify_with_digital_bazaar():
    documents = []
    for original, lookalike in LOOKALIKES:
        signed = sign(hostile_credential(original))
        forged = copy.deepcopy(signed)
        forged["credentialSubject"]["achievement"]["name"] = lookalike
        documents += [signed, forged]
    results = node_verify_many(documents)
    assert [r["verified"] for r in results] == [True, False] * len(LOOKALIKES)


# --- 500 learning outcomes -------------------------------------------------------------------


def many_outcomes_credential(count: int = 500) -> dict:
    credential = open_badge_credential(DID)
    credential["credentialSubject"]["achievement"]["alignment"] = [
        {
            "type": ["Alignment"],
            "targetName": f"学習成果 {i:03d}: データを「収集・整理」し\t説明できる 🎯",
            "targetDescription": f"到達目標 {i}\n評価基準: ルーブリック {i % 7}",
            "targetUrl": f"https://portal.example.jp/frameworks/outcomes/{i}",
            "targetCode": f"LO-{i:03d}",
            "targetType": "ext:LearningOutcome",
        }
        for i in range(count)
    ]
    return credential


@pytest.fixture(scope="module")
def signed_many_outcomes() -> dict:
    return sign(many_outcomes_credential())


def test_500_learning_outcomes_sign_and_verify_with_us(signed_many_outcomes):
    assert len(signed_many_outcomes["credentialSubject"]["achievement"]["alignment"]) == 500
    assert verify_eddsa_rdfc_2022(signed_many_outcomes, resolver=RESOLVER).verified
    forged = copy.deepcopy(signed_many_outcomes)
    forged["credentialSubject"]["achievement"]["alignment"][417]["targetCode"] = "LO-418"
    assert not verify_eddsa_rdfc_2022(forged, resolver=RESOLVER).verified


def test_500_learning_outcomes_order_does_not_matter(signed_many_outcomes):
    reordered = copy.deepcopy(signed_many_outcomes)
    reordered["credentialSubject"]["achievement"]["alignment"].reverse()
    assert verify_eddsa_rdfc_2022(reordered, resolver=RESOLVER).verified


@pytest.mark.interop
def test_500_learning_outcomes_with_digital_bazaar(signed_many_outcomes):
    unsigned = many_outcomes_credential()
    [canonical] = node_canonize_many([unsigned])
    assert canonical["nquads"] == canonical_nquads(unsigned)
    assert canonical["nquads"].count("LearningOutcome") == 500
    [result] = node_verify_many([signed_many_outcomes])
    assert_verified_and_clear(result)


# --- where JavaScript's string order and RDFC-1.0's differ -----------------------------------


@pytest.mark.interop
def test_sort_order_sensitive_credential_from_digital_bazaar():
    """rdf-canonize sorts by UTF-16 code units (digitalbazaar/rdf-canonize#52); RDFC-1.0 by
    code point. With tags that first differ at 𠮷 (U+20BB7) vs （ (U+FF08) the canonical bytes
    differ: we refuse to sign such a credential, and accept Digital Bazaar's signature."""
    unsigned = open_badge_credential(DID)
    unsigned["credentialSubject"]["achievement"]["tag"] = ["（株）東都", "𠮷田ゼミ"]
    forms = canonical_forms(unsigned)
    assert forms.order_sensitive
    [theirs] = node_canonize_many([unsigned])
    assert theirs["nquads"] == forms.utf16
    assert theirs["nquads"] != forms.codepoint

    with pytest.raises(DataIntegrityError, match="sort order"):
        sign(unsigned)
    node_signed = node_sign(
        unsigned,
        secret_key_multibase=multikey.encode_secret_key_multibase(KEY),
        verification_method=METHOD,
        created=CREATED,
    )
    result = verify_eddsa_rdfc_2022(node_signed, resolver=RESOLVER)
    assert result.verified, result.errors
    assert "UTF-16" in result.warnings[0]


# --- safe mode on both sides -----------------------------------------------------------------


@pytest.mark.interop
def test_what_our_safe_mode_refuses_jsonld_js_safe_mode_refuses():
    theirs = node_canonize_many([document for document, _ in UNSAFE_DOCUMENTS])
    for (document, code), result in zip(UNSAFE_DOCUMENTS, theirs, strict=True):
        with pytest.raises(SafeModeError):
            canonical_nquads(document)
        assert "Safe mode validation error" in result.get("error", ""), (code, result)
