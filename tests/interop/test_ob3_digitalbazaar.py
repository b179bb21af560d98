"""Open Badges 3.0 credentials signed by MC Portal (badges.dataintegrity) checked by an
independent implementation: Digital Bazaar's @digitalbazaar/vc verifyCredential with the
eddsa-rdfc-2022 cryptosuite (JSON-LD safe mode on), run from interop/node/. And the reverse:
credentials Digital Bazaar signs verify with our verifier, over the same canonical bytes."""

import base64
import copy
import gzip
import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from badges import multikey
from badges.dataintegrity import (
    ControllerDocumentResolver,
    hash_data,
    sign_eddsa_rdfc_2022,
    verify_eddsa_rdfc_2022,
)
from badges.jsonld import canonical_nquads
from tests.badges.node import (
    LoopbackServer,
    assert_verified_and_clear,
    node_canonize,
    node_decode_status_list,
    node_sign,
    node_verify,
    node_verify_many,
    open_badge_credential,
    run_script,
)

pytestmark = pytest.mark.interop

ISSUER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32, 64)))
ISSUER_DID = multikey.did_key(ISSUER_KEY.public_key())
ISSUER_METHOD = multikey.did_key_verification_method(ISSUER_KEY.public_key())
WEB_DID = "did:web:mc.example.ac.jp:issuers:tokyo-digital"
WEB_METHOD = f"{WEB_DID}#key-2025"
CREATED = "2025-04-01T00:00:00Z"


def sign(credential: dict, *, method=ISSUER_METHOD) -> dict:
    return sign_eddsa_rdfc_2022(
        credential, private_key=ISSUER_KEY, verification_method=method, created=CREATED
    )


def signed_credential() -> dict:
    return sign(open_badge_credential(ISSUER_DID))


def did_web_document(did: str, method: str, public_key) -> dict:
    # Absolute method ids: Digital Bazaar compares the ids under assertionMethod as strings.
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
        "assertionMethod": [method],
        "authentication": [method],
    }


def test_local_context_copies_are_the_npm_packages_the_verifier_uses():
    run = run_script("export-contexts.mjs", args=("--check",))
    assert run.returncode == 0, run.stderr
    assert "5 contexts match" in run.stdout


def test_our_did_key_credential_verifies_with_digital_bazaar():
    signed = signed_credential()
    assert signed["credentialSubject"]["achievement"]["achievementType"] == "MicroCredential"
    result = node_verify(signed)
    assert_verified_and_clear(result)
    assert verify_eddsa_rdfc_2022(signed, resolver=ControllerDocumentResolver()).verified


def test_our_did_web_credential_verifies_with_the_did_document_passed_in():
    document = did_web_document(WEB_DID, WEB_METHOD, ISSUER_KEY.public_key())
    signed = sign(open_badge_credential(WEB_DID), method=WEB_METHOD)
    assert node_verify(signed, documents={WEB_DID: document})["verified"] is True
    resolver = ControllerDocumentResolver({WEB_DID: document})
    assert verify_eddsa_rdfc_2022(signed, resolver=resolver).verified

    missing = node_verify(signed)
    assert missing["verified"] is False
    assert any("Refusing to resolve" in error for error in missing["errors"])


def test_our_did_web_credential_verifies_from_a_loopback_server():
    with LoopbackServer() as server:
        did = "did:web:" + server.host.replace(":", "%3A")
        method = f"{did}#key-1"
        server.documents["/.well-known/did.json"] = did_web_document(
            did, method, ISSUER_KEY.public_key()
        )
        signed = sign(open_badge_credential(did), method=method)
        assert_verified_and_clear(node_verify(signed))
        resolver = ControllerDocumentResolver(allow_loopback_http=True)
        assert verify_eddsa_rdfc_2022(signed, resolver=resolver).verified
        assert "/.well-known/did.json" in server.requested


def test_digital_bazaar_needs_absolute_method_ids_in_the_did_document():
    """DID Core allows "#key-2025" under assertionMethod; Digital Bazaar compares the strings
    and refuses it. Our resolver accepts both, so DID documents we publish must be absolute."""
    document = did_web_document(WEB_DID, WEB_METHOD, ISSUER_KEY.public_key())
    document["assertionMethod"] = ["#key-2025"]
    signed = sign(open_badge_credential(WEB_DID), method=WEB_METHOD)
    result = node_verify(signed, documents={WEB_DID: document})
    assert result["verified"] is False
    assert any("not authorized by controller" in error for error in result["errors"])
    resolver = ControllerDocumentResolver({WEB_DID: document})
    assert verify_eddsa_rdfc_2022(signed, resolver=resolver).verified


def change_one_character(value):
    if isinstance(value, float):
        return value + 0.5
    if re.search(r"\d", value):
        return re.sub(r"\d(?=\D*$)", lambda m: str((int(m.group()) + 1) % 10), value)
    return value[:-1] + ("あ" if value[-1] != "あ" else "い")


TAMPER_PATHS = [
    "name",
    "description",
    "issuer.name",
    "issuer.url",
    "validFrom",
    "validUntil",
    "awardedDate",
    "credentialSubject.activityEndDate",
    "credentialSubject.identifier.0.identityHash",
    "credentialSubject.achievement.name",
    "credentialSubject.achievement.achievementType",
    "credentialSubject.achievement.criteria.narrative",
    "credentialSubject.achievement.creditsAvailable",
    "credentialSubject.achievement.tag.1",
    "credentialSubject.achievement.alignment.0.targetName",
    "credentialSubject.achievement.image.caption",
    "proof.created",
    "proof.proofValue",
]


def tampered(path: str) -> dict:
    document = signed_credential()
    *parents, last = path.split(".")
    node = document
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    key = int(last) if isinstance(node, list) else last
    node[key] = change_one_character(node[key])
    assert document != signed_credential()
    return document


def test_one_changed_character_anywhere_fails_in_both():
    documents = [tampered(path) for path in TAMPER_PATHS]
    results = node_verify_many([signed_credential(), *documents])
    assert_verified_and_clear(results[0])
    for path, document, node_result in zip(TAMPER_PATHS, documents, results[1:], strict=True):
        assert node_result["verified"] is False, path
        assert node_result["errors"], path
        ours = verify_eddsa_rdfc_2022(document, resolver=ControllerDocumentResolver())
        assert not ours.verified, path
        assert ours.errors, path


def test_a_signature_by_another_key_fails_in_both():
    # Our signer refuses a did:key method that is not its key's, so forge the proof by hand.
    unsigned = open_badge_credential(ISSUER_DID)
    proof = {k: v for k, v in signed_credential()["proof"].items() if k != "proofValue"}
    signature = OTHER_KEY.sign(hash_data(unsigned, proof).value)
    forged = {**unsigned, "proof": {**proof, "proofValue": multikey.multibase_encode(signature)}}
    result = node_verify(forged)
    assert result["verified"] is False
    assert any("Invalid signature" in error for error in result["errors"])
    ours = verify_eddsa_rdfc_2022(forged, resolver=ControllerDocumentResolver())
    assert not ours.verified
    assert "signature does not match" in ours.errors[0]


@pytest.mark.parametrize(
    ("where", "term"),
    [((), "portalNote"), (("credentialSubject", "achievement"), "difficultyLevel")],
)
def test_an_undefined_term_fails_in_node_safe_mode_and_in_python(where, term):
    document = signed_credential()
    node = document
    for key in where:
        node = node[key]
    node[term] = "内部用の値"
    result = node_verify(document)
    assert result["verified"] is False
    assert any(
        "Safe mode validation error" in error and "invalid property" in error and term in error
        for error in result["errors"]
    ), result["errors"]
    ours = verify_eddsa_rdfc_2022(document, resolver=ControllerDocumentResolver())
    assert not ours.verified
    assert "safe mode" in ours.errors[0] and term in ours.errors[0]


def test_digital_bazaar_signed_credential_verifies_with_us_over_the_same_bytes():
    unsigned = open_badge_credential(ISSUER_DID)
    node_signed = node_sign(
        unsigned,
        secret_key_multibase=multikey.encode_secret_key_multibase(ISSUER_KEY),
        verification_method=ISSUER_METHOD,
        created=CREATED,
    )
    result = verify_eddsa_rdfc_2022(node_signed, resolver=ControllerDocumentResolver())
    assert result.verified, result.errors
    assert result.warnings == ()

    # Same canonical N-Quads for the document and the proof configuration...
    proof = node_signed["proof"]
    assert node_canonize(unsigned) == canonical_nquads(unsigned)
    proof_config = {**{k: v for k, v in proof.items() if k != "proofValue"}}
    proof_config["@context"] = unsigned["@context"]
    assert node_canonize(proof_config) == canonical_nquads(proof_config)
    assert hash_data(unsigned, proof).canonical_proof_config == canonical_nquads(proof_config)
    # ...so Ed25519, being deterministic, gives the very same signed credential.
    assert sign(copy.deepcopy(unsigned)) == node_signed


def encode_status_list(length: int, indices: list[int]) -> str:
    """BitstringStatusList encodedList: GZIP, then multibase base64url (no padding); bit 0 is the
    most significant bit of the first byte."""
    bits = bytearray(length // 8)
    for index in indices:
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def test_status_list_decoder_reads_the_indices_that_are_set():
    indices = [0, 7, 8, 1000, 65535, 131071]
    decoded = node_decode_status_list(encode_status_list(131072, indices))
    assert decoded == {"length": 131072, "set": indices}
    run = run_script("decode-status-list.mjs", {"encodedList": "zNotAStatusList"})
    assert run.returncode == 1
    assert "must start with" in run.stderr
