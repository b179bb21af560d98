"""Verification's template cache (badges.verification.canonical_cache): for the portal's own
credentials, hashing through a learned template gives exactly the full path's HashData (hostile
values included); tampered credentials still fail; other issuers, forgeries and changed shapes
take the full path and teach the cache nothing."""

from __future__ import annotations

import copy
import datetime
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from badges import dataintegrity, extension, multikey
from badges.rdf_template import NotFast, RdfTemplate, TemplateError, make_sentinels
from badges.services import issue_badges_for_award
from badges.verification import canonical_cache, verify_badge
from badges.verification.canonical_cache import CanonicalCache, skeleton_of
from badges.verification.portal import PortalFetcher
from badges.verification.service import document_loader
from badges.verification.status_proofs import forget
from issuers.keys import load_private_key
from issuers.services import ensure_signing_keys
from tests.badges.ob2_world import make_issuer, make_version
from tests.badges.test_verification_portal import NoNetwork
from tests.credentials.factories import AwardFactory
from tests.frameworks.fixtures import ensure_frameworks_loaded, fully_described_descriptors

BASE = "https://portal.example.jp"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


@pytest.fixture
def portal(db, settings):
    """A fully described credential the portal issued, its issuer's public key, a loader."""
    # The template path is for credentials not received exactly as stored (those are answered
    # from the portal's records: badges/verification/known.py); here every one takes it.
    settings.VERIFY_KNOWN_CREDENTIALS = False
    ensure_frameworks_loaded()
    settings.PORTAL_BASE_URL = BASE
    issuer = make_issuer(slug="minato-u")
    version = make_version(issuer, descriptors=fully_described_descriptors())
    now = timezone.now()
    award = AwardFactory(
        issued=True,
        assessment__programme_version=version,
        issued_at=now - datetime.timedelta(minutes=5),
        expires_at=now + datetime.timedelta(days=365),
    )
    record = issue_badges_for_award(award.pk)
    record.refresh_from_db()
    key = ensure_signing_keys(issuer)["ed25519"]
    return record.ob3_credential, load_private_key(key).public_key(), document_loader()


@pytest.fixture
def cache(monkeypatch):
    """A fresh cache in place of the process-wide one (and no remembered status lists)."""
    fresh = CanonicalCache()
    monkeypatch.setattr(canonical_cache, "DEFAULT", fresh)
    forget()
    return fresh


def verify(credential) -> str:
    return verify_badge(credential, fetcher=PortalFetcher(NoNetwork())).verdict


def unsecured(credential: dict) -> dict:
    return {key: value for key, value in credential.items() if key != "proof"}


_LEARNED: dict[str, CanonicalCache] = {}


def learned(credential, public_key, loader) -> CanonicalCache:
    """A cache that learned the credential's shapes (once per credential: hypothesis reuses
    the function's fixtures across examples)."""
    if credential["id"] in _LEARNED:
        return _LEARNED[credential["id"]]
    cache = _LEARNED[credential["id"]] = CanonicalCache()
    session = cache.session(loader)
    assert dataintegrity.verify_eddsa_rdfc_2022(
        credential, public_key=public_key, document_loader=loader, canonicaliser=session
    ).verified
    session.learn()
    return cache


def both_paths(cache, credential, loader):
    """(HashData or error code) of the full path, of the template path, and the latter's paths."""
    session = cache.session(loader)
    outcomes = []
    for canonicaliser in (None, session):
        try:
            outcomes.append(
                dataintegrity.hash_data(
                    unsecured(credential),
                    credential["proof"],
                    document_loader=loader,
                    canonicaliser=canonicaliser,
                )
            )
        except dataintegrity.DataIntegrityError as error:
            outcomes.append(error.code)
        except UnicodeError as error:  # a lone surrogate in a JSON literal (JCS, full path)
            outcomes.append(type(error))
    return outcomes[0], outcomes[1], session.paths


# -- the verify endpoint's flow ---------------------------------------------------------------


def test_a_portal_credential_is_learned_once_it_verifies_then_canonicalised_from_its_template(
    portal, cache
):
    credential, _, _ = portal

    assert verify(credential) == "valid"
    assert cache.counts == {"fast": 0, "full": 2, "built": 2}  # credential and proof config

    for _ in range(3):
        assert verify(credential) == "valid"
    assert cache.counts == {"fast": 6, "full": 2, "built": 2}


def test_a_credential_with_a_changed_value_takes_the_template_and_fails(portal, cache):
    credential, _, loader = portal
    assert verify(credential) == "valid"
    values = skeleton_of(unsecured(credential), loader).values
    name = values.index(credential["credentialSubject"]["achievement"]["name"])
    tampered = replaced(credential, loader, {name: "偽のデータサイエンス基礎"})  # everywhere

    assert verify(tampered) == "invalid"
    assert cache.counts["fast"] == 2
    assert cache.counts["built"] == 2  # a forgery teaches the cache nothing


def test_a_credential_with_a_changed_structure_takes_the_full_path_and_fails(portal, cache):
    credential, _, _ = portal
    assert verify(credential) == "valid"
    tampered = copy.deepcopy(credential)
    assert "tag" not in tampered["credentialSubject"]["achievement"]
    tampered["credentialSubject"]["achievement"]["tag"] = ["追加"]

    assert verify(tampered) == "invalid"
    assert cache.counts == {"fast": 1, "full": 3, "built": 2}  # only the proof config was fast


def test_other_issuers_credentials_take_the_full_path_and_are_never_learned(portal, cache):
    credential, _, _ = portal
    private_key = Ed25519PrivateKey.generate()
    did = multikey.did_key_verification_method(private_key.public_key()).partition("#")[0]
    theirs = unsecured(copy.deepcopy(credential))
    theirs["issuer"] = {**theirs["issuer"], "id": did}
    theirs.pop("credentialStatus")
    signed = dataintegrity.sign_eddsa_rdfc_2022(
        theirs,
        private_key=private_key,
        verification_method=multikey.did_key_verification_method(private_key.public_key()),
        document_loader=document_loader(),
    )

    for _ in range(2):
        result = verify_badge(signed, fetcher=PortalFetcher(NoNetwork()))
        assert result.check("signature").status == "pass"
    assert cache.counts == {"fast": 0, "full": 4, "built": 0}
    assert len(cache) == 0


def test_a_forged_portal_credential_is_not_learned(portal, cache):
    credential, _, _ = portal
    forged = copy.deepcopy(credential)
    forged["proof"]["proofValue"] = multikey.multibase_encode(bytes(64))

    assert verify(forged) == "invalid"
    assert cache.counts["built"] == 0 and len(cache) == 0


# -- the same HashData, whatever the values ---------------------------------------------------

HOSTILE = [
    *map(chr, range(0x20)),
    *'"\\<>{}|^`',
    "\x7f",
    "\u0085",
    "\u2028",
    "\u202e",
    "\u0301",
    "が",
    "！",
    "\uffef",
    "\ufffe",
    "\U0001f393",
    "\U00020bb7",
    "\ud800",
    ":",
    "#",
    " ",
]
WORDS = [
    "_:b0",
    "MicroCredential",
    "Certificate",
    "assertionMethod",
    "name",
    "urn:uuid:0d7b0a4e-6f9a-4c1e-9a51-0d4b1c8f3e21",
    "https://portal.example.jp/status/1",
    "did:web:portal.example.jp:issuers:minato-u",
    "did:web:portal.example.jp:issuers:minato-u#key-1",
    "https://other.example/x y",
    "http://a",
    "xsd:string",
    "schema:name",
    "ob:Achievement",
    "2025-04-01T00:00:00Z",
    "2025-04-01",
    "relative/path",
    "",
    "A",
    "80",
]
VALUES = st.one_of(
    st.sampled_from(WORDS),
    st.text(st.sampled_from([*HOSTILE, "a", "あ", "/", "."]), max_size=12),
    st.builds(lambda word, tail: word + tail, st.sampled_from(WORDS), st.text(max_size=3)),
    st.text(max_size=8),
)


def replaced(credential: dict, loader, changes: dict[int, str]) -> dict:
    """The credential with every occurrence of its i-th distinct value replaced."""
    document = copy.deepcopy(credential)
    skeleton = skeleton_of(unsecured(credential), loader)
    for path, index in skeleton.paths:
        if index in changes:
            parent = document
            for step in path[:-1]:
                parent = parent[step]
            parent[path[-1]] = changes[index]
    return document


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_template_path_gives_the_full_paths_hash_data_for_any_values(portal, data):
    credential, public_key, loader = portal
    cache = learned(credential, public_key, loader)
    count = len(skeleton_of(unsecured(credential), loader).values)
    changes = data.draw(st.dictionaries(st.integers(0, count - 1), VALUES, max_size=3))
    document = replaced(credential, loader, changes)

    full, fast, paths = both_paths(cache, document, loader)

    assert fast == full
    for entry in cache.entries():  # the JSON text fill is the template's document_for
        values = {slot: data.draw(VALUES) for slot in entry.slots}
        assert entry.json_for(values) == json.dumps(entry.template.document_for(values))
    if document == credential:
        assert paths == ["fast", "fast"]
        assert fast.utf16_variant is None
    if not isinstance(full, dataintegrity.HashData):
        return
    session = cache.session(loader)
    expected = dataintegrity.verify_eddsa_rdfc_2022(
        document, public_key=public_key, document_loader=loader
    )
    actual = dataintegrity.verify_eddsa_rdfc_2022(
        document, public_key=public_key, document_loader=loader, canonicaliser=session
    )
    assert actual == expected
    assert actual.verified == (document == credential)


def test_most_changed_values_still_take_the_template(portal):
    credential, public_key, loader = portal
    cache = learned(credential, public_key, loader)
    count = len(skeleton_of(unsecured(credential), loader).values)
    fast = 0
    for index in range(count):
        document = replaced(credential, loader, {index: f"changed value {index}"})
        full, template, paths = both_paths(cache, document, loader)
        assert template == full
        fast += paths == ["fast", "fast"]
    # Values a context term could expand (achievementType…) are fixed parts of the template;
    # changing one of those is a shape the cache has not learned.
    assert fast >= count * 3 // 4


def test_values_beyond_the_bmp_take_the_full_path_and_keep_the_utf16_variant(portal):
    credential, public_key, loader = portal
    cache = learned(credential, public_key, loader)
    document = copy.deepcopy(credential)
    document["credentialSubject"]["achievement"]["name"] = "\U0001f393 ！"
    document["name"] = "\U0001f393 ！"

    full, fast, paths = both_paths(cache, document, loader)

    assert fast == full and paths[1] == "full"


# -- bounds and the RdfTemplate extension -----------------------------------------------------


def proof_config(created: str, purpose: str = "assertionMethod") -> dict:
    return {
        "@context": [VC_V2, OB_V3P0],
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": created,
        "verificationMethod": "did:key:z6Mk#z6Mk",
        "proofPurpose": purpose,
    }


def test_the_cache_keeps_at_most_its_bound_of_templates():
    loader = extension.document_loader()
    cache = CanonicalCache(max_templates=2)
    for purpose in ("assertionMethod", "authentication", "capabilityInvocation"):
        session = cache.session(loader)
        session(proof_config("2025-06-01T09:30:00Z", purpose))
        session.learn()
    assert cache.counts["built"] == 3
    assert len(cache) == 2


def test_a_learned_shape_fixes_vocabulary_values_and_slots_the_rest():
    loader = extension.document_loader()
    cache = CanonicalCache()
    session = cache.session(loader)
    session(proof_config("2025-06-01T09:30:00Z"))
    session.learn()

    later = cache.session(loader)
    config = proof_config("2026-01-02T03:04:05Z")
    assert later(config).codepoint == dataintegrity.canonical_forms(config).codepoint
    assert later(proof_config("2026-01-02T03:04:05Z", "authentication")).codepoint
    assert later.paths == ["fast", "full"]  # another proof purpose: not learned


def test_template_errors_name_the_sentinel_that_landed_in_a_type():
    sentinels = make_sentinels(["kind", "name"])
    document = {
        "@context": [VC_V2],
        "id": "urn:x:1",
        "type": ["VerifiableCredential", sentinels["kind"]],
        "name": sentinels["name"],
    }
    with pytest.raises(TemplateError) as raised:
        RdfTemplate(document, sentinels)
    assert raised.value.slots == {"kind"}


def test_not_fast_names_a_value_unfit_for_its_iri_position():
    sentinels = make_sentinels(["purpose", "created"])
    template = RdfTemplate(proof_config(sentinels["created"], sentinels["purpose"]), sentinels)
    with pytest.raises(NotFast) as raised:
        template.fast_canonical_nquads(
            {"purpose": "assertionMethod", "created": "2025-06-01T09:30:00Z"}
        )
    assert (raised.value.slot, raised.value.iri) == ("purpose", True)
    with pytest.raises(NotFast) as raised:
        template.fast_canonical_nquads({"purpose": "urn:x:p", "created": "\U0001f393"})
    assert (raised.value.slot, raised.value.iri) == ("created", False)
