"""The portal's Open Badges 3.0 extension: a JSON-LD context and a JSON Schema for what
OB 3.0 has no term for (bilingual names and narratives, the issuer's quality-assurance
statement, the full descriptor set of the Japanese Micro-credential Framework).

Every term has an explicit, protected definition under the portal's namespace
(``<PORTAL_BASE_URL>/contexts/mc/v1#``) and there is no ``@vocab``: a strict (safe-mode)
verifier must find a definition for each property of a portal credential, and a later context
cannot silently redefine ours. Structured values that are data rather than linked data (the
descriptors, the QA statement) are JSON literals (``@type: @json``), so their shape is the
JSON Schema's business, not RDF's.

The context is served at ``/contexts/mc/v1.jsonld`` and also handed to our own JSON-LD loader
(:func:`document_loader`), so signing and verifying never fetch it.
"""

from __future__ import annotations

import functools
import uuid

from django.conf import settings
from django.urls import get_script_prefix, reverse

from badges.jsonld import LocalDocumentLoader

CONTEXT_MEDIA_TYPE = "application/ld+json"
SCHEMA_MEDIA_TYPE = "application/schema+json"


def portal_url(name: str, **kwargs) -> str:
    """The absolute public URL of a badges route (ids inside badges are absolute)."""
    return settings.PORTAL_BASE_URL.rstrip("/") + badge_path(name, **kwargs)


def badge_path(name: str, **kwargs) -> str:
    """reverse() of a badges route, remembered: a batch composes the same issuer, achievement
    and status-list URLs for every award (seven reversals per award otherwise). A UUID
    argument (an award's or a list's public id: new for every award) is filled into a path
    reversed once with a stand-in UUID, since any UUID's text is a valid `<uuid:>` segment."""
    prefix = get_script_prefix()
    ids = {key: value for key, value in kwargs.items() if isinstance(value, uuid.UUID)}
    if not ids:
        return _cached_path(prefix, name, tuple(sorted(kwargs.items())))
    fixed = tuple(sorted((key, value) for key, value in kwargs.items() if key not in ids))
    template, stand_ins = _uuid_template(prefix, name, fixed, tuple(sorted(ids)))
    if template is None:
        return _cached_path(prefix, name, tuple(sorted(kwargs.items())))
    for key, stand_in in stand_ins:
        template = template.replace(stand_in, str(ids[key]))
    return template


@functools.lru_cache(maxsize=256)
def _uuid_template(prefix: str, name: str, fixed: tuple, keys: tuple):
    """(path with stand-in UUIDs, ((key, stand-in), …)), or (None, ()) when a stand-in does not
    appear exactly once in the path (then every call reverses)."""
    stand_ins = tuple((key, str(uuid.UUID(int=(0x5EED << 112) + n))) for n, key in enumerate(keys))
    arguments = {**dict(fixed), **{key: uuid.UUID(text) for key, text in stand_ins}}
    path = reverse(f"badges:{name}", kwargs=arguments)
    if any(path.count(text) != 1 for _key, text in stand_ins):
        return None, ()
    return path, stand_ins


@functools.lru_cache(maxsize=4096)
def _cached_path(prefix: str, name: str, kwargs: tuple) -> str:
    return reverse(f"badges:{name}", kwargs=dict(kwargs))


def context_url() -> str:
    return portal_url("mc-context")


def schema_url() -> str:
    return portal_url("mc-schema")


def namespace() -> str:
    return context_url() + "#"


# Term → (definition without @id). Kept as data so the context and the schema stay in step.
_LANGUAGE_MAP = {"@container": "@language"}
_JSON = {"@type": "@json"}
TERMS: dict[str, dict] = {
    # {"ja": "…", "en": "…"}: the same name / description / narrative in both languages; the
    # OB 3.0 property next to it holds the Japanese (or bilingual) string plain readers show.
    "localizedName": _LANGUAGE_MAP,
    "localizedDescription": _LANGUAGE_MAP,
    "localizedNarrative": _LANGUAGE_MAP,
    # The issuer's QA statement (the framework's quality_assurance descriptor shape).
    "qualityAssurance": _JSON,
    # All descriptors of the framework, programme-level and those supplied at issuing.
    "microCredentialDescriptors": _JSON,
    # The framework the descriptors follow (its JSON on the portal).
    "descriptorFramework": {"@type": "@id"},
    # Whether the programme is a micro-credential under that framework (real assessment).
    "isMicroCredential": {"@type": "http://www.w3.org/2001/XMLSchema#boolean"},
}


def mc_context() -> dict:
    """The portal's JSON-LD extension context (a JSON document)."""
    base = namespace()
    terms = {name: {"@id": base + name, **definition} for name, definition in TERMS.items()}
    return {"@context": {"@version": 1.1, "@protected": True, **terms}}


_LTEXT = {
    "type": "object",
    "properties": {"ja": {"type": "string"}, "en": {"type": "string"}},
    "additionalProperties": False,
    "minProperties": 1,
}


def mc_schema() -> dict:
    """JSON Schema (2020-12) of the extension properties a portal credential carries."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_url(),
        "title": "MC Portal Open Badges 3.0 extension",
        "description": (
            "Properties defined by the context at " + context_url() + ". Descriptor shapes: "
            "docs/descriptors.md of MC Portal (Japanese Micro-credential Framework)."
        ),
        "type": "object",
        "$defs": {
            "localizedText": _LTEXT,
            "qualityAssurance": {
                "type": "object",
                "properties": {
                    "internal": {
                        "type": "object",
                        "properties": {
                            "standard": _LTEXT,
                            "uri": {"type": "string", "format": "uri"},
                        },
                    },
                    "external": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["type", "body"],
                            "properties": {
                                "type": {"type": "string"},
                                "body": _LTEXT,
                                "uri": {"type": "string", "format": "uri"},
                            },
                        },
                    },
                },
            },
            "descriptors": {
                "type": "object",
                # The award-supplied two are there in a credential, not in a bare achievement.
                "required": ["title", "awarding_body"],
                "properties": {
                    "title": _LTEXT,
                    "content": _LTEXT,
                    "learning_outcomes": {"type": "array", "items": _LTEXT, "minItems": 1},
                    "learner_identification": {
                        "type": "object",
                        "description": "Points at credentialSubject.identifier (hashed).",
                        "required": ["identityType", "hashed"],
                    },
                    "date_of_issuing": {"type": "string", "format": "date-time"},
                    "awarding_body": {
                        "type": "object",
                        "required": ["id", "name"],
                        "properties": {
                            "id": {"type": "string"},
                            "name": _LTEXT,
                            "url": {"type": "string", "format": "uri"},
                        },
                    },
                    "country_region": {"type": "string", "pattern": "^[A-Z]{2}$"},
                    "language": {"type": "array", "items": {"type": "string"}},
                    "prerequisites": _LTEXT,
                },
                "additionalProperties": {"type": ["object", "array", "string", "number"]},
            },
        },
        "properties": {
            "localizedName": {"$ref": "#/$defs/localizedText"},
            "localizedDescription": {"$ref": "#/$defs/localizedText"},
            "localizedNarrative": {"$ref": "#/$defs/localizedText"},
            "qualityAssurance": {"$ref": "#/$defs/qualityAssurance"},
            "microCredentialDescriptors": {"$ref": "#/$defs/descriptors"},
            "descriptorFramework": {"type": "string", "format": "uri"},
            "isMicroCredential": {"type": "boolean"},
        },
    }


def portal_documents() -> dict[str, dict]:
    """URL → document of what the portal publishes for JSON-LD processing (the context)."""
    return {context_url(): mc_context()}


def document_loader(**options) -> LocalDocumentLoader:
    """Our JSON-LD loader with the portal's context registered (no network)."""
    return LocalDocumentLoader(documents=portal_documents(), **options)
