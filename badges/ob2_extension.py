"""The portal's Open Badges 2.0 extension: micro-credential descriptors as structured data.
Public API:

    DESCRIPTORS_TYPE, ISSUER_TYPE                     extension types (compact IRIs)
    context_document() -> dict                         JSON-LD context (served, absolute URLs)
    descriptors_schema() -> dict, issuer_schema() -> dict   JSON Schemas (draft-04)
    descriptors_extension(version) -> dict             on a BadgeClass: all 17 JMCF descriptors
    issuer_extension(issuer) -> dict                   on an Issuer: bilingual name, country, QA

OB 2.0 extensions (spec §Extensions) are JSON-LD objects typed ["Extension", <type>] whose
context declares, under "obi:validation", which JSON Schema validates each type; validator-core
fetches both and validates the extension object after compacting it with that context. Because
compaction turns one-element arrays into bare values, every list-valued term is declared
"@container": "@set" so the schema can insist on arrays; "@vocab" gives every other key of the
descriptor shapes an IRI so that nothing is dropped by JSON-LD expansion.
"""

import copy
import functools
import json
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from credentials.models import NON_PROGRAMME_DESCRIPTORS
from issuers.selectors import quality_assurance_descriptor

DESCRIPTORS_TYPE = "extensions:MicroCredentialDescriptors"
ISSUER_TYPE = "extensions:MicroCredentialIssuer"
DESCRIPTORS_PROPERTY = DESCRIPTORS_TYPE
ISSUER_PROPERTY = ISSUER_TYPE

# Keys whose values are lists in docs/descriptors.md (at any depth).
LIST_TERMS = (
    "learning_outcomes",
    "modes",
    "synchronicity",
    "methods",
    "external",
    "credits",
    "language",
    "types",
)

SCHEMA_DIR = Path(__file__).resolve().parent / "extension_ob2"


def _absolute(name: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse(f"badges:{name}")


def context_url() -> str:
    return _absolute("ob2-extension-context")


def context_document() -> dict:
    vocab = context_url() + "#"
    terms: dict = {
        "obi": "https://w3id.org/openbadges#",
        "extensions": "https://w3id.org/openbadges/extensions#",
        "@vocab": vocab,
    }
    terms.update({term: {"@id": vocab + term, "@container": "@set"} for term in LIST_TERMS})
    return {
        "@context": terms,
        "obi:validation": [
            {
                "obi:validatesType": DESCRIPTORS_TYPE,
                "obi:validationSchema": _absolute("ob2-extension-schema"),
            },
            {
                "obi:validatesType": ISSUER_TYPE,
                "obi:validationSchema": _absolute("ob2-extension-issuer-schema"),
            },
        ],
    }


@functools.cache
def _schema(name: str) -> str:
    return (SCHEMA_DIR / name).read_text(encoding="utf-8")


def descriptors_schema() -> dict:
    return json.loads(_schema("descriptors.schema.json"))


def issuer_schema() -> dict:
    return json.loads(_schema("issuer.schema.json"))


def _without_nulls(value):
    # null means "not provided" (docs/descriptors.md); JSON-LD would drop it anyway.
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value if v is not None]
    return value


def _ltext(ja: str, en: str) -> dict:
    return {lang: text for lang, text in (("ja", ja), ("en", en)) if text}


def descriptors_extension(version) -> dict:
    """All 17 descriptors: the programme's 14, the awarding body, and pointers to the two that
    each assertion carries itself (the hashed recipient and issuedOn)."""
    issuer = version.programme.issuer
    stored = version.descriptors if isinstance(version.descriptors, dict) else {}
    programme = {
        key: _without_nulls(copy.deepcopy(value))
        for key, value in stored.items()
        if value is not None and key not in NON_PROGRAMME_DESCRIPTORS
    }
    return {
        "@context": context_url(),
        "type": ["Extension", DESCRIPTORS_TYPE],
        "learner_identification": {"assertionProperty": "recipient"},
        "date_of_issuing": {"assertionProperty": "issuedOn"},
        "awarding_body": {
            "name": _ltext(issuer.name_ja, issuer.name_en),
            "url": settings.PORTAL_BASE_URL.rstrip("/")
            + reverse("badges:ob2-issuer", kwargs={"slug": issuer.slug}),
        },
        **programme,
    }


def issuer_extension(issuer) -> dict:
    extension = {
        "@context": context_url(),
        "type": ["Extension", ISSUER_TYPE],
        "name": _ltext(issuer.name_ja, issuer.name_en),
        "country_region": issuer.country,
    }
    quality_assurance = quality_assurance_descriptor(issuer)
    if quality_assurance:
        extension["quality_assurance"] = quality_assurance
    return extension
