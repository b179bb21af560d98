"""What a verified badge says: issuer, achievement / badge class and the micro-credential
descriptors (docs/descriptors.md) carried by the portal's extension.

OB 3.0 credentials carry the descriptors as ``microCredentialDescriptors`` and the issuer's QA
statement as ``qualityAssurance`` (badges/extension.py); OB 2.0 badges carry them inside
``extensions:…`` objects. Badges from other issuers may use other names, so a JSON object keyed
by the framework's descriptor keys is also recognised wherever it sits (bounded search).
"""

from __future__ import annotations

import re
from typing import Any

from badges.verification.common import as_list, localized
from badges.verification.result import VerificationResult

DESCRIPTOR_KEYS = (
    "learner_identification",
    "date_of_issuing",
    "awarding_body",
    "title",
    "content",
    "learning_outcomes",
    "form_of_participation",
    "learner_effort",
    "type_of_assessment",
    "quality_assurance",
    "credit_recognition",
    "country_region",
    "language",
    "level",
    "certification",
    "prerequisites",
    "stackability",
)
DESCRIPTORS_TERMS = ("microCredentialDescriptors", "MicroCredentialDescriptors", "descriptors")
QA_TERMS = ("qualityAssurance", "quality_assurance")
_MAX_DEPTH = 6


def _term(value: dict, names: tuple[str, ...]) -> Any:
    """The value of the first key whose local name (after a prefix or IRI) is in ``names``."""
    for key, item in value.items():
        local = re.split(r"[:#/]", key)[-1]
        if local in names:
            return item
    return None


def _strip_json_literal(value: Any) -> Any:
    # Compacted @json values may come back as {"@type": "@json", "@value": {...}}.
    if isinstance(value, dict) and value.get("@type") == "@json" and "@value" in value:
        return value["@value"]
    return value


def find_descriptors(*roots: Any) -> dict:
    """The first descriptor object found under ``roots`` (breadth-first), keyed by the
    framework's keys; {} if none."""
    queue = [(root, 0) for root in roots]
    while queue:
        node, depth = queue.pop(0)
        if isinstance(node, dict):
            explicit = _strip_json_literal(_term(node, DESCRIPTORS_TERMS))
            if isinstance(explicit, dict) and set(explicit) & set(DESCRIPTOR_KEYS):
                return {k: v for k, v in explicit.items() if k in DESCRIPTOR_KEYS}
            if len(set(node) & set(DESCRIPTOR_KEYS)) >= 3 and "title" in node:
                return {k: v for k, v in node.items() if k in DESCRIPTOR_KEYS}
            children = list(node.values())
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth < _MAX_DEPTH:
            queue.extend((child, depth + 1) for child in children)
    return {}


def find_quality_assurance(*roots: Any) -> Any:
    for root in roots:
        if isinstance(root, dict):
            value = _strip_json_literal(_term(root, QA_TERMS))
            if value is not None:
                return value
            for key, item in root.items():
                if key.startswith("extensions:") and isinstance(item, dict):
                    value = _strip_json_literal(_term(item, QA_TERMS))
                    if value is not None:
                        return value
    return None


def _image(value: Any) -> Any:
    if isinstance(value, dict):
        return value.get("id")
    return value


def _endorsements(*roots: Any) -> list[dict]:
    found = []
    for root in roots:
        if not isinstance(root, dict):
            continue
        for item in as_list(root.get("endorsement")):
            if isinstance(item, dict):
                issuer = item.get("issuer")
                found.append(
                    {
                        "id": item.get("id"),
                        "issuer": issuer.get("id") if isinstance(issuer, dict) else issuer,
                        "issuer_name": issuer.get("name") if isinstance(issuer, dict) else None,
                        "comment": (item.get("credentialSubject") or {}).get("endorsementComment")
                        if isinstance(item.get("credentialSubject"), dict)
                        else item.get("claim", {}).get("endorsementComment")
                        if isinstance(item.get("claim"), dict)
                        else None,
                    }
                )
            elif isinstance(item, str):
                found.append({"id": item})
    return found


def _localized(node: dict, localized_term: str) -> dict | None:
    value = localized(_term(node, (localized_term,)))
    return value if isinstance(value, dict) and value else None


def describe_ob3(document: dict, result: VerificationResult) -> None:
    issuer = document.get("issuer") if isinstance(document.get("issuer"), dict) else {}
    subject = document.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    achievement = subject.get("achievement") if isinstance(subject.get("achievement"), dict) else {}
    criteria = achievement.get("criteria") if isinstance(achievement.get("criteria"), dict) else {}
    result.issuer = {
        "id": issuer.get("id") if issuer else document.get("issuer"),
        "name": issuer.get("name"),
        "name_localized": _localized(issuer, "localizedName"),
        "url": issuer.get("url"),
        "email": issuer.get("email"),
        "quality_assurance": find_quality_assurance(issuer, achievement, document),
        "endorsements": _endorsements(issuer),
    }
    result.achievement = {
        "id": achievement.get("id"),
        "name": achievement.get("name"),
        "name_localized": _localized(achievement, "localizedName"),
        "description": achievement.get("description"),
        "description_localized": _localized(achievement, "localizedDescription"),
        "criteria": criteria.get("narrative"),
        "criteria_localized": _localized(criteria, "localizedNarrative"),
        "criteria_url": criteria.get("id"),
        "achievement_type": achievement.get("achievementType"),
        "image": _image(achievement.get("image")),
        "credits_available": achievement.get("creditsAvailable"),
        "is_micro_credential": _term(achievement, ("isMicroCredential",)),
        "endorsements": _endorsements(achievement, document),
    }
    result.descriptors = find_descriptors(achievement, subject, document)
    result.valid_from = document.get("validFrom")
    result.valid_until = document.get("validUntil")
    result.recipient = {
        "identifier": [
            {k: item.get(k) for k in ("identityType", "hashed", "identityHash", "salt")}
            for item in as_list(subject.get("identifier"))
            if isinstance(item, dict)
        ]
    }


def describe_ob2(assertion: dict, badge: dict, issuer: dict, result: VerificationResult) -> None:
    criteria = badge.get("criteria")
    extensions = [v for k, v in badge.items() if k.startswith("extensions:")]
    issuer_extensions = [v for k, v in issuer.items() if k.startswith("extensions:")]
    result.issuer = {
        "id": issuer.get("id"),
        "name": issuer.get("name"),
        "name_localized": next(
            (
                e["name"]
                for e in issuer_extensions
                if isinstance(e, dict) and isinstance(e.get("name"), dict)
            ),
            None,
        ),
        "url": issuer.get("url"),
        "email": issuer.get("email"),
        "quality_assurance": find_quality_assurance(issuer, badge),
        "endorsements": _endorsements(issuer),
    }
    result.achievement = {
        "id": badge.get("id"),
        "name": badge.get("name"),
        "description": badge.get("description"),
        "criteria": criteria.get("narrative") if isinstance(criteria, dict) else None,
        "criteria_url": criteria.get("id") if isinstance(criteria, dict) else criteria,
        "achievement_type": _term(badge, ("achievementType",))
        or next((_term(e, ("achievementType",)) for e in extensions if isinstance(e, dict)), None),
        "image": _image(badge.get("image")),
        "endorsements": _endorsements(badge),
    }
    result.descriptors = _resolve_pointers(find_descriptors(badge, assertion, issuer), assertion)
    result.valid_from = assertion.get("issuedOn")
    result.valid_until = assertion.get("expires")
    recipient = assertion.get("recipient")
    result.recipient = {"identifier": [recipient] if isinstance(recipient, dict) else []}


def _resolve_pointers(found: dict, assertion: dict) -> dict:
    """OB 2.0 descriptor extensions point at assertion properties for the award-level
    descriptors ({"assertionProperty": "recipient"}); show the values themselves."""
    resolved = dict(found)
    for key, value in found.items():
        if isinstance(value, dict) and set(value) == {"assertionProperty"}:
            resolved[key] = assertion.get(str(value["assertionProperty"]))
    resolved.pop("@context", None)
    return resolved
