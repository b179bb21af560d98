"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite.

W3C "Data Integrity EdDSA Cryptosuites v1.0", §3.3 (eddsa-rdfc-2022):

* transformation: RDFC-1.0 canonical N-Quads of the document without ``proof``;
* proof configuration: the proof options without ``proofValue``, with the document's
  ``@context``, canonicalised the same way;
* hashing: SHA-256(canonical proof configuration) ‖ SHA-256(canonical document);
* Ed25519 (pure EdDSA) signature of those 64 bytes, ``proofValue`` = multibase base58btc.

Documents are plain JSON dicts. Canonicalisation runs in JSON-LD safe mode
(:func:`badges.jsonld.canonical_forms`): a term the contexts do not define makes signing fail
and verification return ``verified=False``.

Sort order (see :mod:`badges.jsonld`): in the rare document whose canonical N-Quads depend on
whether strings are compared by code point (RDFC-1.0) or by UTF-16 code unit (rdf-canonize,
hence Digital Bazaar and most JavaScript verifiers), no single signature verifies everywhere;
signing refuses such a document. Verification accepts a signature over either ordering (both
serialise the same dataset) and says so in ``warnings``.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from badges import multikey
from badges.jsonld import (
    DEFAULT_LOADER,
    CanonicalForms,
    JsonLdProcessingError,
    LocalDocumentLoader,
    canonical_forms,
    is_loopback_http_url,
)

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
ASSERTION_METHOD = "assertionMethod"

# Error types of W3C VC Data Integrity 1.0 ("Processing Errors").
PROOF_GENERATION_ERROR = "PROOF_GENERATION_ERROR"
PROOF_VERIFICATION_ERROR = "PROOF_VERIFICATION_ERROR"
PROOF_TRANSFORMATION_ERROR = "PROOF_TRANSFORMATION_ERROR"
MALFORMED_PROOF_ERROR = "MALFORMED_PROOF_ERROR"
INVALID_VERIFICATION_METHOD = "INVALID_VERIFICATION_METHOD"

# xsd:dateTimeStamp (an xsd:dateTime with a time zone), as Digital Bazaar's implementation
# requires for ``created``.
_DATE_TIME_STAMP = re.compile(
    r"^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
    r"T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-](0\d|1[0-3]):[0-5]\d|[+-]14:00)$"
)


class DataIntegrityError(Exception):
    """A proof could not be created or checked; ``code`` is the Data Integrity error type."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class HashData:
    """The intermediate values of the eddsa-rdfc-2022 hashing step (RDFC-1.0 order).

    ``utf16_variant`` is the same computed with rdf-canonize's UTF-16 ordering, when that
    differs (otherwise None)."""

    canonical_document: str
    canonical_proof_config: str
    utf16_variant: HashData | None = None

    @property
    def document_hash(self) -> bytes:
        return hashlib.sha256(self.canonical_document.encode("utf-8")).digest()

    @property
    def proof_config_hash(self) -> bytes:
        return hashlib.sha256(self.canonical_proof_config.encode("utf-8")).digest()

    @property
    def value(self) -> bytes:
        """proofConfigHash ‖ transformedDocumentHash: the 64 bytes that are signed."""
        return self.proof_config_hash + self.document_hash


@dataclass(frozen=True)
class VerificationResult:
    verified: bool
    errors: tuple[str, ...] = ()
    verification_method: str | None = None
    warnings: tuple[str, ...] = ()
    # The document without its proof, when verified.
    verified_document: dict | None = field(default=None, repr=False)

    def __bool__(self) -> bool:
        return self.verified


# A resolver maps a verification method id and the proof purpose to the public key, raising
# DataIntegrityError(INVALID_VERIFICATION_METHOD, …) if the method is not usable for it.
Resolver = Callable[..., Ed25519PublicKey]
Canonicaliser = Callable[[Mapping[str, Any]], CanonicalForms]


def _check_proof_options(options: Mapping[str, Any], code: str) -> None:
    if options.get("type") != PROOF_TYPE or options.get("cryptosuite") != CRYPTOSUITE:
        raise DataIntegrityError(
            code,
            f"proof type must be {PROOF_TYPE!r} with cryptosuite {CRYPTOSUITE!r}, got "
            f"{options.get('type')!r} / {options.get('cryptosuite')!r}",
        )
    created = options.get("created")
    if created is not None and (
        not isinstance(created, str) or not _DATE_TIME_STAMP.match(created)
    ):
        raise DataIntegrityError(
            code, f"proof created {created!r} is not an XML Schema dateTimeStamp"
        )
    if not isinstance(options.get("verificationMethod"), str):
        raise DataIntegrityError(code, "proof verificationMethod must be a string (a URL)")
    if not isinstance(options.get("proofPurpose"), str):
        raise DataIntegrityError(code, "proof proofPurpose must be a string")


def hash_data(
    unsecured_document: Mapping[str, Any],
    proof_options: Mapping[str, Any],
    *,
    document_loader: LocalDocumentLoader | None = None,
    canonicaliser: Canonicaliser | None = None,
) -> HashData:
    """Transformation, proof configuration and hashing (eddsa-rdfc-2022 §3.3.3–3.3.5).

    ``canonicaliser``: what computes :func:`canonical_forms` of the document and of the proof
    configuration (e.g. verification's template cache); it must return exactly the same."""
    loader = document_loader or DEFAULT_LOADER
    if canonicaliser is None:

        def canonicaliser(document: Mapping[str, Any]) -> CanonicalForms:
            return canonical_forms(document, document_loader=loader)

    if "@context" not in unsecured_document:
        raise DataIntegrityError(PROOF_TRANSFORMATION_ERROR, "the document has no @context")
    proof_config = {
        key: copy.deepcopy(value) for key, value in proof_options.items() if key != "proofValue"
    }
    proof_config["@context"] = copy.deepcopy(unsecured_document["@context"])
    try:
        proof_forms = canonicaliser(proof_config)
        document_forms = canonicaliser(unsecured_document)
    except JsonLdProcessingError as error:
        raise DataIntegrityError(PROOF_TRANSFORMATION_ERROR, str(error)) from error
    variant = None
    if proof_forms.order_sensitive or document_forms.order_sensitive:
        variant = HashData(document_forms.utf16, proof_forms.utf16)
    return HashData(document_forms.codepoint, proof_forms.codepoint, variant)


def now_date_time_stamp() -> str:
    return datetime.now(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def sign_eddsa_rdfc_2022(
    document: Mapping[str, Any],
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: str | None = None,
    proof_purpose: str = ASSERTION_METHOD,
    document_loader: LocalDocumentLoader | None = None,
) -> dict:
    """A copy of ``document`` with an eddsa-rdfc-2022 ``DataIntegrityProof`` added.

    ``created`` defaults to now (UTC, whole seconds). Raises :class:`DataIntegrityError` if the
    document already has a proof or cannot be canonicalised (e.g. an undefined term), or if a
    did:key ``verification_method`` is not the private key's."""
    if not isinstance(document, Mapping):
        raise TypeError("document must be a JSON object (dict)")
    if "proof" in document:
        raise DataIntegrityError(
            PROOF_GENERATION_ERROR, "the document already has a proof (proof sets unsupported)"
        )
    proof = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created if created is not None else now_date_time_stamp(),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    _check_proof_options(proof, PROOF_GENERATION_ERROR)
    if verification_method.startswith(multikey.DID_KEY_PREFIX):
        expected = multikey.did_key_verification_method(private_key.public_key())
        if verification_method != expected:
            raise DataIntegrityError(
                PROOF_GENERATION_ERROR,
                f"the private key's did:key method is {expected!r}, not {verification_method!r}",
            )
    data = hash_data(document, proof, document_loader=document_loader)
    if data.utf16_variant is not None:
        raise DataIntegrityError(
            PROOF_GENERATION_ERROR,
            "the canonical N-Quads of this document depend on the string sort order: RDFC-1.0 "
            "(Unicode code points) and rdf-canonize (UTF-16 code units, used by Digital Bazaar's "
            "verifiers) would sign different bytes. It happens when two values of one property "
            "first differ at a character beyond U+FFFF (emoji, 𠮷…) versus one in "
            "U+E000–U+FFFF (full-width ！（ｄ…); change one of those values.",
        )
    proof["proofValue"] = multikey.multibase_encode(private_key.sign(data.value))
    signed = copy.deepcopy(dict(document))
    signed["proof"] = proof
    return signed


def verify_eddsa_rdfc_2022(
    document: Mapping[str, Any],
    *,
    public_key: Ed25519PublicKey | None = None,
    resolver: Resolver | None = None,
    expected_proof_purpose: str = ASSERTION_METHOD,
    document_loader: LocalDocumentLoader | None = None,
    canonicaliser: Canonicaliser | None = None,
) -> VerificationResult:
    """Verify the document's single eddsa-rdfc-2022 proof.

    Give either ``public_key`` (the key is trusted for the proof's verificationMethod) or a
    ``resolver`` (e.g. :class:`ControllerDocumentResolver`) that dereferences the verification
    method and checks it is authorised for the proof purpose. Never raises for a bad document;
    the reasons are in ``errors``. ``canonicaliser``: see :func:`hash_data`."""
    if (public_key is None) == (resolver is None):
        raise TypeError("give exactly one of public_key or resolver")

    def failed(message: str, method: str | None = None) -> VerificationResult:
        return VerificationResult(False, (message,), method)

    if not isinstance(document, Mapping):
        return failed("the document is not a JSON object")
    proof = document.get("proof")
    if isinstance(proof, list):
        return failed("proof sets (a list of proofs) are not supported")
    if not isinstance(proof, Mapping):
        return failed("the document has no proof")
    try:
        _check_proof_options(proof, MALFORMED_PROOF_ERROR)
    except DataIntegrityError as error:
        return failed(f"{error.code}: {error}")
    method = proof["verificationMethod"]
    if proof["proofPurpose"] != expected_proof_purpose:
        return failed(
            f"{PROOF_VERIFICATION_ERROR}: proof purpose {proof['proofPurpose']!r} is not the "
            f"expected {expected_proof_purpose!r}",
            method,
        )
    try:
        signature = multikey.multibase_decode(proof.get("proofValue"))
    except multikey.MultikeyError as error:
        return failed(f"{MALFORMED_PROOF_ERROR}: proofValue: {error}", method)
    if len(signature) != 64:
        return failed(f"{MALFORMED_PROOF_ERROR}: proofValue is not a 64-byte signature", method)

    unsecured = {key: value for key, value in document.items() if key != "proof"}
    try:
        data = hash_data(
            unsecured, proof, document_loader=document_loader, canonicaliser=canonicaliser
        )
        if public_key is not None:
            key = public_key
        else:
            key = resolver(method, proof_purpose=proof["proofPurpose"])
    except DataIntegrityError as error:
        return failed(f"{error.code}: {error}", method)
    warnings: tuple[str, ...] = ()
    if not _signature_matches(key, signature, data.value):
        variant = data.utf16_variant
        if variant is None or not _signature_matches(key, signature, variant.value):
            return failed(
                f"{PROOF_VERIFICATION_ERROR}: the Ed25519 signature does not match", method
            )
        warnings = (
            "the signature covers the canonical N-Quads sorted by UTF-16 code units "
            "(rdf-canonize), not RDFC-1.0's code point order; the signed dataset is the same",
        )
    return VerificationResult(True, (), method, warnings, copy.deepcopy(unsecured))


def _signature_matches(key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


class ControllerDocumentResolver:
    """Dereferences a verification method and checks its controller authorises it.

    Per W3C Controlled Identifiers 1.0 "Retrieve Verification Method": the controller document
    (the method's URL without fragment) must list the method, the method's ``controller`` must
    be that document's ``id``, and the document must reference it under the proof purpose
    (``assertionMethod``). The method must be a ``Multikey`` with an Ed25519
    ``publicKeyMultibase``.

    did:key documents are derived locally. did:web DIDs and other controller documents come from
    ``documents`` (keyed by DID / URL) or, with ``allow_loopback_http``, from an http server on a
    loopback host (did:web:localhost%3A8000 → http://localhost:8000/.well-known/did.json).
    Nothing is fetched from the network otherwise.
    """

    def __init__(
        self, documents: Mapping[str, Any] | None = None, *, allow_loopback_http: bool = False
    ):
        self._documents = copy.deepcopy(dict(documents or {}))
        self.allow_loopback_http = allow_loopback_http

    def controller_document(self, controller: str) -> dict:
        if controller in self._documents:
            return copy.deepcopy(self._documents[controller])
        if controller.startswith(multikey.DID_KEY_PREFIX):
            try:
                return multikey.did_key_document(controller)
            except multikey.MultikeyError as error:
                raise DataIntegrityError(INVALID_VERIFICATION_METHOD, str(error)) from error
        url = did_web_url(controller) if controller.startswith("did:web:") else controller
        if self.allow_loopback_http and is_loopback_http_url(url):
            loader = LocalDocumentLoader(allow_loopback_http=True)
            try:
                return loader.load(url)
            except JsonLdProcessingError as error:
                raise DataIntegrityError(INVALID_VERIFICATION_METHOD, str(error)) from error
        raise DataIntegrityError(
            INVALID_VERIFICATION_METHOD,
            f"cannot resolve controller {controller!r}: not did:key and no document given for it",
        )

    def __call__(self, verification_method: str, *, proof_purpose: str) -> Ed25519PublicKey:
        controller, _, fragment = verification_method.partition("#")
        if not fragment:
            raise DataIntegrityError(
                INVALID_VERIFICATION_METHOD,
                f"verification method {verification_method!r} has no fragment",
            )
        doc = self.controller_document(controller)
        if not isinstance(doc, dict) or doc.get("id") != controller:
            raise DataIntegrityError(
                INVALID_VERIFICATION_METHOD,
                f"the controller document's id is not {controller!r}",
            )

        def absolute(value: str) -> str:
            return controller + value if value.startswith("#") else value

        methods = [
            item
            for term in ("verificationMethod", proof_purpose)
            for item in _as_list(doc.get(term))
            if isinstance(item, dict)
        ]
        found = [m for m in methods if absolute(str(m.get("id", ""))) == verification_method]
        if not found:
            raise DataIntegrityError(
                INVALID_VERIFICATION_METHOD,
                f"{verification_method!r} is not in the document of {controller!r}",
            )
        method = found[0]
        authorised = {
            absolute(item if isinstance(item, str) else str(item.get("id", "")))
            for item in _as_list(doc.get(proof_purpose))
        }
        if verification_method not in authorised:
            raise DataIntegrityError(
                INVALID_VERIFICATION_METHOD,
                f"{verification_method!r} is not authorised for {proof_purpose!r} by "
                f"{controller!r}",
            )
        if method.get("controller") != controller:
            raise DataIntegrityError(
                INVALID_VERIFICATION_METHOD,
                f"the controller of {verification_method!r} is not {controller!r}",
            )
        if method.get("type") != "Multikey":
            raise DataIntegrityError(
                INVALID_VERIFICATION_METHOD,
                f"verification method type {method.get('type')!r} is not Multikey",
            )
        try:
            return multikey.decode_public_key_multibase(method.get("publicKeyMultibase"))
        except multikey.MultikeyError as error:
            raise DataIntegrityError(INVALID_VERIFICATION_METHOD, str(error)) from error


def did_web_url(did: str) -> str:
    """The URL of a did:web DID document (W3C did:web method), over http for loopback hosts
    (the only ones this module ever fetches) and https otherwise."""
    from urllib.parse import unquote

    parts = did[len("did:web:") :].split(":")
    host = unquote(parts[0])
    path = "/".join(unquote(part) for part in parts[1:])
    suffix = f"/{path}/did.json" if path else "/.well-known/did.json"
    scheme = "http" if is_loopback_http_url(f"http://{host}/") else "https"
    return f"{scheme}://{host}{suffix}"


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
