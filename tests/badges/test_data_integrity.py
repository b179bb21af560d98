"""eddsa-rdfc-2022 signing and verification (badges.dataintegrity) and Multikey (badges.multikey).

The 1EdTech Open Badges 3.0 test vector and the W3C vc-di-eddsa test vector are reproduced byte
for byte (vectors/README.md says where they come from)."""

import copy
import hashlib
import json
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from badges import multikey
from badges.dataintegrity import (
    INVALID_VERIFICATION_METHOD,
    PROOF_GENERATION_ERROR,
    PROOF_TRANSFORMATION_ERROR,
    ControllerDocumentResolver,
    DataIntegrityError,
    did_web_url,
    hash_data,
    sign_eddsa_rdfc_2022,
    verify_eddsa_rdfc_2022,
)
from badges.jsonld import LocalDocumentLoader
from tests.badges.node import LoopbackServer, open_badge_credential

VECTORS = Path(__file__).resolve().parent / "vectors"
OB = VECTORS / "1edtech-ob-v3p0"
W3C = VECTORS / "w3c-vc-di-eddsa"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
CREATED = "2025-04-01T09:00:00Z"


def load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def key_from_seed(byte: int) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes([byte]) * 32)


ISSUER_KEY = key_from_seed(1)
OTHER_KEY = key_from_seed(2)
ISSUER_DID = multikey.did_key(ISSUER_KEY.public_key())
ISSUER_METHOD = multikey.did_key_verification_method(ISSUER_KEY.public_key())


def signed_credential(**kwargs) -> dict:
    return sign_eddsa_rdfc_2022(
        open_badge_credential(ISSUER_DID),
        private_key=ISSUER_KEY,
        verification_method=ISSUER_METHOD,
        created=CREATED,
        **kwargs,
    )


# --- the 1EdTech Open Badges 3.0 test vector -------------------------------------------------


def ob_vector_key() -> Ed25519PrivateKey:
    pair = load(OB / "key-pair.json")
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(pair["privateKeyHex"])[:32])


def test_1edtech_key_pair_and_multikey_encodings():
    pair = load(OB / "key-pair.json")
    private_key = ob_vector_key()
    public_key = private_key.public_key()
    assert multikey.public_key_bytes(public_key).hex() == pair["publicKeyHex"]
    assert multikey.encode_public_key_multibase(public_key) == pair["publicKeyMultibase"]
    decoded = multikey.decode_public_key_multibase(pair["publicKeyMultibase"])
    assert multikey.public_key_bytes(decoded).hex() == pair["publicKeyHex"]
    # The vector's secretKeyMultibase is Digital Bazaar's legacy 64-byte (seed + public) form.
    legacy = multikey.decode_secret_key_multibase(pair["secretKeyMultibase"])
    assert multikey.private_key_seed(legacy) == multikey.private_key_seed(private_key)
    assert pair["id"] == f"{pair['controller']}#{pair['publicKeyMultibase']}"


def test_1edtech_canonical_forms_and_hashes_byte_for_byte():
    expected = load(OB / "expected.json")
    data = hash_data(load(OB / "credential.json"), load(OB / "proof-options.json"))
    assert data.canonical_document == text(OB / "document-canon.txt")
    assert data.canonical_proof_config == text(OB / "proof-canon.txt")
    assert data.document_hash.hex() == expected["documentHashHex"]
    assert data.proof_config_hash.hex() == expected["proofHashHex"]
    assert data.value.hex() == expected["dataToSignHex"]
    assert data.utf16_variant is None


def test_1edtech_signature_and_signed_credential_byte_for_byte():
    expected = load(OB / "expected.json")
    options = load(OB / "proof-options.json")
    signed = sign_eddsa_rdfc_2022(
        load(OB / "credential.json"),
        private_key=ob_vector_key(),
        verification_method=options["verificationMethod"],
        created=options["created"],
        proof_purpose=options["proofPurpose"],
    )
    proof_value = signed["proof"]["proofValue"]
    assert proof_value == expected["proofValue"]
    assert multikey.multibase_decode(proof_value).hex() == expected["signatureHex"]
    assert signed == load(OB / "signed-credential.json")


def test_1edtech_signed_credential_verifies_with_key_and_with_controller_document():
    signed = load(OB / "signed-credential.json")
    public_key = ob_vector_key().public_key()
    assert verify_eddsa_rdfc_2022(signed, public_key=public_key).verified

    pair = load(OB / "key-pair.json")
    controller = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": pair["controller"],
        "verificationMethod": [
            {
                "id": pair["id"],
                "type": "Multikey",
                "controller": pair["controller"],
                "publicKeyMultibase": pair["publicKeyMultibase"],
            }
        ],
        "assertionMethod": [pair["id"]],
    }
    resolver = ControllerDocumentResolver({pair["controller"]: controller})
    result = verify_eddsa_rdfc_2022(signed, resolver=resolver)
    assert result.verified, result.errors
    assert result.verification_method == pair["id"]
    assert result.verified_document == load(OB / "credential.json")


# --- the W3C vc-di-eddsa test vector ---------------------------------------------------------


def w3c_loader() -> LocalDocumentLoader:
    return LocalDocumentLoader({EXAMPLES_V2: load(W3C / "credentials-examples-v2.jsonld")})


def test_w3c_vector_byte_for_byte():
    pair = load(W3C / "keyPair.json")
    private_key = multikey.decode_secret_key_multibase(pair["privateKeyMultibase"])
    assert multikey.encode_secret_key_multibase(private_key) == pair["privateKeyMultibase"]
    assert (
        multikey.encode_public_key_multibase(private_key.public_key()) == pair["publicKeyMultibase"]
    )
    proof_config = load(W3C / "proofConfigDataInt.json")
    options = {key: value for key, value in proof_config.items() if key != "@context"}
    unsigned = load(W3C / "unsigned.json")
    assert proof_config["@context"] == unsigned["@context"]

    data = hash_data(unsigned, options, document_loader=w3c_loader())
    assert data.canonical_document == text(W3C / "canonDocDataInt.txt")
    assert data.canonical_proof_config == text(W3C / "proofCanonDataInt.txt")
    assert data.document_hash.hex() == text(W3C / "docHashDataInt.txt")
    assert data.proof_config_hash.hex() == text(W3C / "proofHashDataInt.txt")
    assert data.value.hex() == text(W3C / "combinedHashDataInt.txt")

    signed = sign_eddsa_rdfc_2022(
        unsigned,
        private_key=private_key,
        verification_method=options["verificationMethod"],
        created=options["created"],
        document_loader=w3c_loader(),
    )
    proof_value = signed["proof"]["proofValue"]
    assert proof_value == text(W3C / "sigBTC58DataInt.txt")
    assert multikey.multibase_decode(proof_value).hex() == text(W3C / "sigHexDataInt.txt")
    assert signed == load(W3C / "signedDataInt.json")


def test_w3c_signed_credential_verifies_via_did_key():
    result = verify_eddsa_rdfc_2022(
        load(W3C / "signedDataInt.json"),
        resolver=ControllerDocumentResolver(),
        document_loader=w3c_loader(),
    )
    assert result.verified, result.errors


def test_w3c_vector_needs_its_examples_context():
    result = verify_eddsa_rdfc_2022(
        load(W3C / "signedDataInt.json"), resolver=ControllerDocumentResolver()
    )
    assert not result.verified
    assert EXAMPLES_V2 in result.errors[0]


# --- Multikey and did:key --------------------------------------------------------------------


def test_multikey_round_trips_and_prefixes():
    public = multikey.encode_public_key_multibase(ISSUER_KEY.public_key())
    secret = multikey.encode_secret_key_multibase(ISSUER_KEY)
    assert public.startswith("z6Mk")
    assert secret.startswith("z3u2")
    assert multikey.multibase_decode(public)[:2] == b"\xed\x01"
    assert multikey.multibase_decode(secret)[:2] == b"\x80\x26"
    assert len(multikey.multibase_decode(secret)) == 34
    assert multikey.decode_public_key_multibase(public) == ISSUER_KEY.public_key()
    assert multikey.private_key_seed(multikey.decode_secret_key_multibase(secret)) == bytes(
        [1] * 32
    )


@pytest.mark.parametrize(
    ("decoder", "value", "message"),
    [
        ("public", "u" + "A" * 46, "starting with 'z'"),
        ("public", "z6Mk0OIl", "outside base58btc"),
        ("public", multikey.multibase_encode(b"\x80\x26" + bytes(32)), "0xed01"),
        ("public", multikey.multibase_encode(b"\xed\x01" + bytes(31)), "32 bytes"),
        ("secret", multikey.multibase_encode(b"\xed\x01" + bytes(32)), "0x8026"),
        ("secret", multikey.multibase_encode(b"\x80\x26" + bytes(33)), "32 (or legacy 64)"),
        ("secret", multikey.multibase_encode(b"\x80\x26" + bytes(64)), "does not match"),
    ],
)
def test_multikey_rejects_malformed_values(decoder, value, message):
    decode = (
        multikey.decode_public_key_multibase
        if decoder == "public"
        else multikey.decode_secret_key_multibase
    )
    with pytest.raises(multikey.MultikeyError, match=re.escape(message)):
        decode(value)


def test_did_key_document_matches_the_did_key_method():
    document = multikey.did_key_document(ISSUER_DID)
    assert document["id"] == ISSUER_DID
    assert document["verificationMethod"][0]["id"] == ISSUER_METHOD
    assert document["assertionMethod"] == [ISSUER_METHOD]
    assert ISSUER_METHOD == f"{ISSUER_DID}#{ISSUER_DID.removeprefix('did:key:')}"
    with pytest.raises(multikey.MultikeyError):
        multikey.did_key_document("did:key:" + multikey.encode_secret_key_multibase(ISSUER_KEY))


# --- signing ---------------------------------------------------------------------------------


def test_sign_returns_a_new_document_with_the_proof():
    unsigned = open_badge_credential(ISSUER_DID)
    before = copy.deepcopy(unsigned)
    signed = sign_eddsa_rdfc_2022(
        unsigned, private_key=ISSUER_KEY, verification_method=ISSUER_METHOD, created=CREATED
    )
    assert unsigned == before
    assert {key: value for key, value in signed.items() if key != "proof"} == unsigned
    proof = signed["proof"]
    assert list(proof) == [
        "type",
        "cryptosuite",
        "created",
        "verificationMethod",
        "proofPurpose",
        "proofValue",
    ]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["created"] == CREATED
    assert proof["verificationMethod"] == ISSUER_METHOD
    assert proof["proofPurpose"] == "assertionMethod"
    assert len(multikey.multibase_decode(proof["proofValue"])) == 64


def test_signing_is_deterministic_and_created_defaults_to_now():
    assert signed_credential() == signed_credential()
    signed = sign_eddsa_rdfc_2022(
        open_badge_credential(ISSUER_DID), private_key=ISSUER_KEY, verification_method=ISSUER_METHOD
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", signed["proof"]["created"])
    assert verify_eddsa_rdfc_2022(signed, public_key=ISSUER_KEY.public_key()).verified


def test_sign_refuses_an_undefined_term():
    credential = open_badge_credential(ISSUER_DID)
    credential["credentialSubject"]["achievement"]["internalMemo"] = "社外秘"
    with pytest.raises(DataIntegrityError, match="internalMemo") as error:
        sign_eddsa_rdfc_2022(credential, private_key=ISSUER_KEY, verification_method=ISSUER_METHOD)
    assert error.value.code == PROOF_TRANSFORMATION_ERROR


@pytest.mark.parametrize("created", ["2025-04-01", "2025-04-01T09:00:00", "yesterday", 1])
def test_sign_refuses_a_created_that_is_not_a_date_time_stamp(created):
    with pytest.raises(DataIntegrityError, match="dateTimeStamp") as error:
        sign_eddsa_rdfc_2022(
            open_badge_credential(ISSUER_DID),
            private_key=ISSUER_KEY,
            verification_method=ISSUER_METHOD,
            created=created,
        )
    assert error.value.code == PROOF_GENERATION_ERROR


def test_sign_refuses_a_did_key_method_of_another_key():
    with pytest.raises(DataIntegrityError, match="did:key method") as error:
        sign_eddsa_rdfc_2022(
            open_badge_credential(ISSUER_DID),
            private_key=OTHER_KEY,
            verification_method=ISSUER_METHOD,
        )
    assert error.value.code == PROOF_GENERATION_ERROR


def test_sign_refuses_an_already_signed_document():
    with pytest.raises(DataIntegrityError, match="already has a proof"):
        sign_eddsa_rdfc_2022(
            signed_credential(), private_key=ISSUER_KEY, verification_method=ISSUER_METHOD
        )


def test_sign_refuses_a_sort_order_sensitive_document():
    credential = open_badge_credential(ISSUER_DID)
    credential["credentialSubject"]["achievement"]["tag"] = ["（株）", "𠮷田"]
    with pytest.raises(DataIntegrityError, match="sort order"):
        sign_eddsa_rdfc_2022(credential, private_key=ISSUER_KEY, verification_method=ISSUER_METHOD)


# --- verification ----------------------------------------------------------------------------


def test_verify_with_key_and_with_did_key_resolver():
    signed = signed_credential()
    by_key = verify_eddsa_rdfc_2022(signed, public_key=ISSUER_KEY.public_key())
    by_did = verify_eddsa_rdfc_2022(signed, resolver=ControllerDocumentResolver())
    assert by_key.verified and by_did.verified
    assert by_did.verification_method == ISSUER_METHOD
    assert by_did.errors == () and by_did.warnings == ()
    assert by_did.verified_document == open_badge_credential(ISSUER_DID)


def tampered(path: str, change) -> dict:
    document = signed_credential()
    *parents, last = path.split(".")
    node = document
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    key = int(last) if isinstance(node, list) else last
    node[key] = change(node[key])
    return document


def flip_last_character(value: str) -> str:
    return value[:-1] + ("2" if value[-1] != "2" else "3")


@pytest.mark.parametrize(
    "path",
    [
        "name",
        "validFrom",
        "validUntil",
        "issuer.name",
        "credentialSubject.achievement.name",
        "credentialSubject.achievement.criteria.narrative",
        "credentialSubject.achievement.alignment.1.targetName",
        "proof.created",
    ],
)
def test_one_changed_character_fails(path):
    def change(value: str) -> str:
        if re.search(r"\d", value):
            return re.sub(r"\d(?=\D*$)", lambda m: str((int(m.group()) + 1) % 10), value)
        return value[:-1] + "。"

    result = verify_eddsa_rdfc_2022(tampered(path, change), public_key=ISSUER_KEY.public_key())
    assert not result.verified
    assert "signature does not match" in result.errors[0]


def test_changed_proof_value_fails():
    document = tampered("proof.proofValue", flip_last_character)
    result = verify_eddsa_rdfc_2022(document, public_key=ISSUER_KEY.public_key())
    assert not result.verified
    assert result.errors


def test_another_key_fails():
    result = verify_eddsa_rdfc_2022(signed_credential(), public_key=OTHER_KEY.public_key())
    assert not result.verified
    assert "signature does not match" in result.errors[0]


def test_undefined_term_added_after_signing_fails_in_safe_mode():
    document = signed_credential()
    document["credentialSubject"]["grade"] = "秀"
    result = verify_eddsa_rdfc_2022(document, public_key=ISSUER_KEY.public_key())
    assert not result.verified
    assert "safe mode" in result.errors[0] and "grade" in result.errors[0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p.update(proofPurpose="authentication"), "proof purpose"),
        (lambda p: p.update(cryptosuite="eddsa-jcs-2022"), "cryptosuite"),
        (lambda p: p.update(type="Ed25519Signature2020"), "DataIntegrityProof"),
        (lambda p: p.update(created="2025-04-01"), "dateTimeStamp"),
        (lambda p: p.update(proofValue="u" + p["proofValue"][1:]), "proofValue"),
        (lambda p: p.update(proofValue=p["proofValue"][:-4]), "64-byte"),
        (lambda p: p.pop("verificationMethod"), "verificationMethod"),
    ],
)
def test_malformed_proofs_fail_with_a_reason(change, message):
    document = signed_credential()
    change(document["proof"])
    result = verify_eddsa_rdfc_2022(document, public_key=ISSUER_KEY.public_key())
    assert not result.verified
    assert message in result.errors[0]


def test_missing_proof_and_proof_sets_fail():
    unsigned = open_badge_credential(ISSUER_DID)
    assert (
        "no proof" in verify_eddsa_rdfc_2022(unsigned, public_key=OTHER_KEY.public_key()).errors[0]
    )
    document = signed_credential()
    document["proof"] = [document["proof"]]
    result = verify_eddsa_rdfc_2022(document, public_key=ISSUER_KEY.public_key())
    assert not result.verified
    assert "proof sets" in result.errors[0]


def test_exactly_one_of_public_key_or_resolver():
    with pytest.raises(TypeError):
        verify_eddsa_rdfc_2022(signed_credential())
    with pytest.raises(TypeError):
        verify_eddsa_rdfc_2022(
            signed_credential(),
            public_key=ISSUER_KEY.public_key(),
            resolver=ControllerDocumentResolver(),
        )


def test_verify_accepts_the_utf16_ordering_with_a_warning():
    """A signature over rdf-canonize's UTF-16 ordering (what Digital Bazaar signs) verifies,
    because both orderings serialise the same dataset; the result says so."""
    credential = open_badge_credential(ISSUER_DID)
    credential["credentialSubject"]["achievement"]["tag"] = ["（株）", "𠮷田"]
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": CREATED,
        "verificationMethod": ISSUER_METHOD,
        "proofPurpose": "assertionMethod",
    }
    data = hash_data(credential, proof)
    assert data.utf16_variant is not None
    signature = ISSUER_KEY.sign(data.utf16_variant.value)
    signed = {**credential, "proof": {**proof, "proofValue": multikey.multibase_encode(signature)}}
    result = verify_eddsa_rdfc_2022(signed, public_key=ISSUER_KEY.public_key())
    assert result.verified, result.errors
    assert "UTF-16" in result.warnings[0]
    signed["credentialSubject"]["achievement"]["tag"] = ["（株）", "𠮷⽥"]  # U+2F65, a radical
    assert not verify_eddsa_rdfc_2022(signed, public_key=ISSUER_KEY.public_key()).verified


# --- the verification-method resolver --------------------------------------------------------


def web_did_document(did: str, public_key, *, relationship="assertionMethod") -> dict:
    method = f"{did}#key-1"
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": method,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": multikey.encode_public_key_multibase(public_key),
            }
        ],
        relationship: ["#key-1"],
    }


def sign_as(did: str, key=ISSUER_KEY) -> dict:
    return sign_eddsa_rdfc_2022(
        open_badge_credential(did),
        private_key=key,
        verification_method=f"{did}#key-1",
        created=CREATED,
    )


def test_did_web_document_given_to_the_resolver():
    did = "did:web:portal.example.jp:issuers:tokyo-digital"
    resolver = ControllerDocumentResolver({did: web_did_document(did, ISSUER_KEY.public_key())})
    result = verify_eddsa_rdfc_2022(sign_as(did), resolver=resolver)
    assert result.verified, result.errors


@pytest.mark.parametrize(
    ("document_change", "message"),
    [
        (lambda d: d.update(assertionMethod=[]), "not authorised"),
        (lambda d: d.update(assertionMethod=["#key-2"]), "not authorised"),
        (lambda d: d.update(id="did:web:elsewhere.example"), "document's id"),
        (lambda d: d["verificationMethod"][0].update(controller="did:web:x"), "controller of"),
        (lambda d: d["verificationMethod"][0].update(type="JsonWebKey"), "Multikey"),
        (lambda d: d.update(verificationMethod=[]), "is not in the document"),
    ],
)
def test_resolver_checks_the_controller_document(document_change, message):
    did = "did:web:portal.example.jp"
    document = web_did_document(did, ISSUER_KEY.public_key())
    document_change(document)
    result = verify_eddsa_rdfc_2022(
        sign_as(did), resolver=ControllerDocumentResolver({did: document})
    )
    assert not result.verified
    assert INVALID_VERIFICATION_METHOD in result.errors[0]
    assert message in result.errors[0]


def test_resolver_never_fetches_unknown_controllers():
    result = verify_eddsa_rdfc_2022(
        sign_as("did:web:portal.example.jp"), resolver=ControllerDocumentResolver()
    )
    assert not result.verified
    assert "cannot resolve controller" in result.errors[0]


def test_did_web_urls():
    assert did_web_url("did:web:example.com") == "https://example.com/.well-known/did.json"
    assert did_web_url("did:web:example.com:issuers:a") == "https://example.com/issuers/a/did.json"
    assert did_web_url("did:web:localhost%3A8000") == "http://localhost:8000/.well-known/did.json"


def test_did_web_from_a_loopback_server_only_when_enabled():
    with LoopbackServer() as server:
        did = "did:web:" + server.host.replace(":", "%3A") + ":issuers:tokyo-digital"
        server.documents["/issuers/tokyo-digital/did.json"] = web_did_document(
            did, ISSUER_KEY.public_key()
        )
        signed = sign_as(did)
        assert not verify_eddsa_rdfc_2022(signed, resolver=ControllerDocumentResolver()).verified
        assert server.requested == []
        resolver = ControllerDocumentResolver(allow_loopback_http=True)
        result = verify_eddsa_rdfc_2022(signed, resolver=resolver)
        assert result.verified, result.errors
        assert server.requested == ["/issuers/tokyo-digital/did.json"]


def test_hash_data_is_sha256_of_the_canonical_forms():
    credential = open_badge_credential(ISSUER_DID)
    proof = signed_credential()["proof"]
    data = hash_data(credential, proof)
    assert data.document_hash == hashlib.sha256(data.canonical_document.encode()).digest()
    assert data.proof_config_hash == hashlib.sha256(data.canonical_proof_config.encode()).digest()
    assert "proofValue" not in data.canonical_proof_config
    assert "security#proofValue" not in data.canonical_proof_config
    # the signature in the proof is over exactly these 64 bytes
    signature = multikey.multibase_decode(proof["proofValue"])
    ISSUER_KEY.public_key().verify(signature, data.value)
