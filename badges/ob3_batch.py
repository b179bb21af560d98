"""Signing the OB 3.0 credentials of many awards of one programme version, fast.

:class:`Ob3BatchSigner` returns for each record exactly what the per-award path returns::

    dataintegrity.sign_eddsa_rdfc_2022(
        ob3.credential_for(record), private_key=load_private_key(key),
        verification_method=ob3.verification_method_id(key), created=created,
        document_loader=extension.document_loader())

(Ed25519 is deterministic, so the proofValue too.) What makes it fast: the version's shared
parts (the achievement, whose composition validates the programme; the issuer profile) are
composed once; the JSON-LD → RDF conversion runs once per credential *shape* (validUntil,
grade, score present or not) in a :class:`badges.rdf_template.RdfTemplate` whose slots are the
award's own values; RDFC-1.0 runs in pyoxigraph; the proof configuration is canonicalised and
hashed once.

Where the template cannot guarantee the same canonical N-Quads (see badges.rdf_template: e.g.
an emoji in a value) the record takes the full path. The first record of each shape takes
both and they must agree, which also applies the full path's checks (proof options, did:key)
once; if they ever disagree the shape stays on the full path and an error is logged.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter, OrderedDict
from dataclasses import fields, replace
from time import perf_counter

from badges import dataintegrity, extension, jsonld, multikey, ob3
from badges.rdf_template import NotFast, RdfTemplate, TemplateError, make_sentinels
from issuers.keys import load_private_key

logger = logging.getLogger(__name__)

# The award's own strings; evidence (a list) is not a template slot: such awards take the
# full path.
_SLOTS = tuple(field.name for field in fields(ob3.AwardFacts) if field.name != "evidence")
_OPTIONAL = ("expires", "grade", "score", "suspension_id", "suspension_list")


# Templates kept per process across a batch's chunks (and batches): a template depends only
# on the example credential it was learned from (the version's shared parts with the shape's
# stand-ins) and the contexts, which the default loader serves from the bundled set. Building
# one takes several pyld passes (≈ 0.1 s), once per chunk before. Each chunk still checks the
# first record of every shape against the full path (_check).
_TEMPLATES: OrderedDict[str, RdfTemplate | None] = OrderedDict()
_TEMPLATES_MAX = 32


def _template_key(document: dict, sentinels: dict) -> str:
    """The example credential's text with each (random) stand-in replaced by its slot's name
    between NULs, which JSON text never holds raw (it escapes them), so no value can pose as one."""
    text = json.dumps(document, sort_keys=True, ensure_ascii=False)
    for name, sentinel in sentinels.items():
        text = text.replace(sentinel, f"\x00{name}\x00")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Ob3BatchSigner:
    """Signs the OB 3.0 credentials of records of one programme version with one key and one
    ``created`` time. ``timings`` accumulates seconds per stage (compose, canonicalise, sign,
    full = records on the full path, setup = shared parts, templates and checks); ``paths``
    counts records per path (fast, full)."""

    def __init__(self, version, signing_key, *, created: str | None = None, document_loader=None):
        started = perf_counter()
        self.version = version
        self.private_key = load_private_key(signing_key)
        self.verification_method = ob3.verification_method_id(signing_key)
        self.created = created if created is not None else dataintegrity.now_date_time_stamp()
        self._default_loader = document_loader is None
        self.document_loader = document_loader or extension.document_loader()
        self.timings: Counter[str] = Counter()
        self.paths: Counter[str] = Counter()
        self._shared = ob3.shared_parts(version)
        self._templates: dict[tuple[bool, ...], RdfTemplate | None] = {}
        self._template_keys: dict[tuple[bool, ...], str | None] = {}
        self._checked: set[tuple[bool, ...]] = set()
        self._proof_config_hash = self._hash_proof_config()
        self.timings["setup"] += perf_counter() - started

    def sign(self, records) -> list[dict]:
        return [self.sign_record(record) for record in records]

    def sign_record(self, record) -> dict:
        if record.award.programme_version_id != self.version.pk:
            raise ValueError("the record's award is not of the signer's programme version")
        started = perf_counter()
        facts = ob3.award_facts(record)
        document = ob3.compose_credential(self._shared, facts)
        composed = perf_counter()
        self.timings["compose"] += composed - started
        if facts.evidence:
            return self._full(document)
        shape = tuple(getattr(facts, name) is not None for name in _OPTIONAL)
        template = self._template(shape)
        try:
            if template is None or self._proof_config_hash is None:
                raise NotFast("no template for this shape")
            canonical = template.fast_canonical_nquads(
                {name: getattr(facts, name) for name in _SLOTS}
            )
        except NotFast:
            return self._full(document)
        canonicalised = perf_counter()
        self.timings["canonicalise"] += canonicalised - composed
        document_hash = hashlib.sha256(canonical.encode("utf-8")).digest()
        signature = self.private_key.sign(self._proof_config_hash + document_hash)
        signed = {
            **document,
            "proof": {**self._proof(), "proofValue": multikey.multibase_encode(signature)},
        }
        self.timings["sign"] += perf_counter() - canonicalised
        self.paths["fast"] += 1
        if shape not in self._checked:
            return self._check(shape, document, signed)
        return signed

    # ---------------------------------------------------------------------------------------

    def _proof(self) -> dict:
        return {
            "type": dataintegrity.PROOF_TYPE,
            "cryptosuite": dataintegrity.CRYPTOSUITE,
            "created": self.created,
            "verificationMethod": self.verification_method,
            "proofPurpose": dataintegrity.ASSERTION_METHOD,
        }

    def _hash_proof_config(self) -> bytes | None:
        """SHA-256 of the canonical proof configuration (the proof options with the
        credentials' @context); None if its N-Quads depend on the sort order."""
        config = {**self._proof(), "@context": [ob3.VC_V2, ob3.OB_V3P0, self._shared.context_url]}
        try:
            forms = jsonld.canonical_forms(config, document_loader=self.document_loader)
        except jsonld.JsonLdProcessingError:
            return None  # the full path reports it
        if forms.order_sensitive:
            return None
        return hashlib.sha256(forms.codepoint.encode("utf-8")).digest()

    def _template(self, shape: tuple[bool, ...]) -> RdfTemplate | None:
        if shape in self._templates:
            return self._templates[shape]
        started = perf_counter()
        present = dict(zip(_OPTIONAL, shape, strict=True))
        names = [name for name in _SLOTS if present.get(name, True)]
        sentinels = make_sentinels(names)
        example = replace(ob3.AwardFacts(**dict.fromkeys(_SLOTS)), **sentinels)
        document = ob3.compose_credential(self._shared, example)
        key = _template_key(document, sentinels) if self._default_loader else None
        if key is not None and key in _TEMPLATES:
            _TEMPLATES.move_to_end(key)
            template = _TEMPLATES[key]
        else:
            try:
                template = RdfTemplate(document, sentinels, document_loader=self.document_loader)
            except TemplateError as error:
                logger.warning("OB 3.0 batch signing: shape %s on the full path: %s", shape, error)
                template = None
            if key is not None:
                _TEMPLATES[key] = template
                while len(_TEMPLATES) > _TEMPLATES_MAX:
                    _TEMPLATES.popitem(last=False)
        self._template_keys[shape] = key
        self._templates[shape] = template
        self.timings["setup"] += perf_counter() - started
        return template

    def _full(self, document: dict) -> dict:
        started = perf_counter()
        signed = dataintegrity.sign_eddsa_rdfc_2022(
            document,
            private_key=self.private_key,
            verification_method=self.verification_method,
            created=self.created,
            document_loader=self.document_loader,
        )
        self.timings["full"] += perf_counter() - started
        self.paths["full"] += 1
        return signed

    def _check(self, shape: tuple[bool, ...], document: dict, signed: dict) -> dict:
        """The first fast signature of a shape must be the full path's (which also raises
        what the full path raises for these proof options)."""
        started = perf_counter()
        expected = dataintegrity.sign_eddsa_rdfc_2022(
            document,
            private_key=self.private_key,
            verification_method=self.verification_method,
            created=self.created,
            document_loader=self.document_loader,
        )
        self.timings["setup"] += perf_counter() - started
        if expected != signed:
            # A bug in the fast path: never use it for this shape.
            logger.error("OB 3.0 batch signing: shape %s differs from the full path", shape)
            self._templates[shape] = None
            _TEMPLATES.pop(self._template_keys.get(shape), None)
        self._checked.add(shape)
        return expected
