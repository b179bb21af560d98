"""Open Badges 3.0: the issuer's did:web document and the unsigned OpenBadgeCredential of an
award (VC Data Model 2.0 + OB 3.0.3 + the portal's extension context, badges.extension).

Every property is defined by one of the three contexts, so the credential survives JSON-LD
safe mode (Digital Bazaar's verifier, ours). What OB 3.0 cannot say (both languages, the
framework's descriptors, the issuer's QA) goes into extension terms next to the standard
property a plain OB 3.0 reader uses.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.urls import reverse

from badges import extension
from badges.narrative import bilingual, criteria_narrative
from badges.selectors import active_endorsements
from credentials.models import localised
from frameworks.selectors import get_default_framework, jeqf_level, vocabulary_terms
from frameworks.validation import validate_programme
from issuers.selectors import published_keys, quality_assurance_descriptor

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
CREDENTIAL_MEDIA_TYPE = "application/vc+ld+json"

MICRO_CREDENTIAL = "MicroCredential"
BADGE = "Badge"


# ---------------------------------------------------------------------------------------------
# URLs and identifiers


def iso(moment: datetime) -> str:
    """xsd:dateTimeStamp in UTC, whole seconds."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def did_for(issuer) -> str:
    """did:web of the issuer: did:web:<host>%3A<port>[:<base path>]:issuers:<slug>, which
    resolves to <PORTAL_BASE_URL>/issuers/<slug>/did.json (the "did-document" route)."""
    parts = urlsplit(settings.PORTAL_BASE_URL)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}%3A{parts.port}"
    segments = [quote(s, safe="") for s in parts.path.split("/") if s]
    return ":".join(["did:web", host, *segments, "issuers", issuer.slug])


def verification_method_id(signing_key) -> str:
    # Absolute: Digital Bazaar compares assertionMethod entries with the proof's as strings.
    return f"{did_for(signing_key.issuer)}#{signing_key.key_id}"


def credential_url(award) -> str:
    return extension.portal_url("ob3-credential", public_id=award.public_id)


def achievement_url(version) -> str:
    programme = version.programme
    return extension.portal_url(
        "ob3-achievement",
        issuer_slug=programme.issuer.slug,
        programme_slug=programme.slug,
        number=version.number,
    )


def achievement_image_url(version) -> str:
    programme = version.programme
    return extension.portal_url(
        "ob3-achievement-image",
        issuer_slug=programme.issuer.slug,
        programme_slug=programme.slug,
        number=version.number,
    )


def status_list_url(status_list) -> str:
    return extension.portal_url("status-list", public_id=status_list.public_id)


def framework_url(framework) -> str:
    path = reverse(
        "frameworks:framework-json", kwargs={"slug": framework.slug, "version": framework.version}
    )
    return settings.PORTAL_BASE_URL.rstrip("/") + path


# ---------------------------------------------------------------------------------------------
# did:web


def did_document(issuer) -> dict:
    """The issuer's DID document: every published Ed25519 key (active first, then retired ones,
    which still verify the badges they signed) as a Multikey authorised for assertionMethod.

    Retired keys are not marked ``revoked``/``expires`` (the Multikey context has those terms)
    on purpose: verifiers treat them as "signatures no longer valid", while a retired key's
    earlier badges stay valid. Retirement is shown in the portal's staff pages only."""
    did = did_for(issuer)
    keys = sorted(
        published_keys(issuer).filter(algorithm="ed25519"),
        key=lambda key: (not key.is_active, -key.created_at.timestamp(), -key.pk),
    )
    methods = [
        {
            "id": f"{did}#{key.key_id}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.public_key_multibase,
        }
        for key in keys
    ]
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


# ---------------------------------------------------------------------------------------------
# Parts of the credential


def _ltext(ja: str, en: str) -> dict:
    return {lang: text for lang, text in (("ja", ja), ("en", en)) if text}


def _localised_pair(value) -> tuple[str, str]:
    if isinstance(value, dict):
        return (value.get("ja") or "").strip(), (value.get("en") or "").strip()
    return localised(value, "ja"), ""


def issuer_profile(issuer) -> dict:
    profile = {
        "id": did_for(issuer),
        "type": ["Profile"],
        "name": issuer.name_ja or issuer.name_en,
        "localizedName": _ltext(issuer.name_ja, issuer.name_en),
        "url": issuer.url,
        "email": issuer.email,
        "address": {
            "type": ["Address"],
            "addressCountry": issuer.country,
            "addressCountryCode": issuer.country,
        },
    }
    description = bilingual(issuer.description_ja, issuer.description_en)
    if description:
        profile["description"] = description
    qa = quality_assurance_descriptor(issuer)
    if qa:
        profile["qualityAssurance"] = qa
    return profile


def _creator(issuer) -> dict:
    """The issuer as the achievement's creator, without the JSON-literal QA statement: inside a
    credential this node is the issuer node again, and jsonld.js (hence Digital Bazaar's
    verifiers) emits a repeated JSON-literal triple twice where RDFC-1.0 (and our canonicaliser)
    keeps one, so the signature would not verify there."""
    profile = issuer_profile(issuer)
    profile.pop("qualityAssurance", None)
    return profile


def _credits(descriptors: dict) -> list[dict]:
    recognition = descriptors.get("credit_recognition")
    credits = recognition.get("credits") if isinstance(recognition, dict) else None
    return [c for c in credits or [] if isinstance(c, dict) and c.get("system")]


def _credits_available(descriptors: dict) -> float | None:
    # OB 3.0 has one number; Japanese university credits first, they are what the
    # framework's rules and Japanese employers count in.
    credits = sorted(_credits(descriptors), key=lambda c: c["system"] != "jp_university")
    if not credits or not isinstance(credits[0].get("value"), int | float):
        return None
    return float(credits[0]["value"])


def _alignments(framework, descriptors: dict) -> list[dict]:
    alignments = []
    level = descriptors.get("level")
    number = level.get("jeqf") if isinstance(level, dict) else None
    if isinstance(number, int):
        term = jeqf_level(number, framework)
        name_ja = term.label_ja if term else f"JEQF レベル {number}"
        name_en = term.label_en if term else f"JEQF level {number}"
        alignments.append(
            {
                "type": ["Alignment"],
                "targetName": bilingual(name_ja, name_en).replace("\n\n---\n\n", " / "),
                "targetUrl": f"{framework_url(framework)}#jeqf-{number}",
                "targetCode": str(number),
                "targetFramework": "JEQF (日本版教育資格枠組み / Japanese Education and "
                "Qualifications Framework)",
                "targetType": "ext:JEQFLevel",
            }
        )
    systems = {term.code: term for term in vocabulary_terms(framework, "credit_systems")}
    for credit in _credits(descriptors):
        term = systems.get(credit["system"])
        label_ja = term.label_ja if term else credit["system"]
        label_en = term.label_en if term else credit["system"]
        value = credit.get("value")
        alignments.append(
            {
                "type": ["Alignment"],
                "targetName": f"{label_ja} {value} / {label_en} {value}",
                "targetUrl": f"{framework_url(framework)}#credit-system-{credit['system']}",
                "targetCode": credit["system"],
                "targetFramework": f"{label_ja} / {label_en}",
                "targetType": "ext:CreditSystem",
            }
        )
    return alignments


def _related(version) -> list[dict]:
    """The programmes of the stack this one belongs to (those it requires and those that
    require it), by the achievement of their published version."""
    from credentials.models import Programme

    programme = version.programme
    linked = list(Programme.objects.filter(required_by__target=programme))
    linked += list(Programme.objects.filter(stack_requirement__required=programme))
    related = []
    for other in sorted({p.pk: p for p in linked}.values(), key=lambda p: p.slug):
        published = other.published_version
        if published is not None:
            related.append(
                {
                    "id": achievement_url(published),
                    "type": ["Related"],
                    "version": str(published.number),
                }
            )
    return related


def _result_descriptions(version) -> list[dict]:
    base = achievement_url(version)
    return [
        {
            "id": f"{base}#result-grade",
            "type": ["ResultDescription"],
            "name": "成績 / Grade",
            "resultType": "LetterGrade",
        },
        {
            "id": f"{base}#result-score",
            "type": ["ResultDescription"],
            "name": "得点 / Score",
            "resultType": "RawScore",
        },
    ]


def _score_text(score: Decimal) -> str:
    return format(score.normalize(), "f")  # 80.00 -> "80", 87.50 -> "87.5"


def is_micro_credential(version) -> bool:
    framework = version.framework or get_default_framework()
    report = validate_programme(
        version.descriptors or {}, framework, awarding_body=version.programme.issuer
    )
    return report.is_micro_credential


def achievement_for(version, *, award=None) -> dict:
    """The Achievement of a programme version. With ``award``, the descriptors the award
    supplies (learner identification, date of issuing) complete the framework's set."""
    programme = version.programme
    issuer = programme.issuer
    framework = version.framework or get_default_framework()
    descriptors = dict(version.descriptors or {})
    micro = is_micro_credential(version)
    title_ja, title_en = _localised_pair(descriptors.get("title"))
    content_ja, content_en = _localised_pair(descriptors.get("content"))
    narrative = criteria_narrative(version)
    achievement = {
        "id": achievement_url(version),
        "type": ["Achievement"],
        "achievementType": MICRO_CREDENTIAL if micro else BADGE,
        "name": title_ja or title_en or programme.slug,
        "localizedName": _ltext(title_ja, title_en),
        "description": bilingual(content_ja, content_en) or title_ja or title_en,
        "criteria": {
            "narrative": bilingual(narrative["ja"], narrative["en"]),
            "localizedNarrative": _ltext(narrative["ja"], narrative["en"]),
        },
        "image": {
            "id": achievement_image_url(version),
            "type": "Image",
            "caption": title_ja or title_en or programme.slug,
        },
        "version": str(version.number),
        "resultDescription": _result_descriptions(version),
        "creator": _creator(issuer),
        "descriptorFramework": framework_url(framework),
        "isMicroCredential": micro,
    }
    if content_en:
        achievement["localizedDescription"] = _ltext(content_ja, content_en)
    credits = _credits_available(descriptors)
    if credits is not None:
        achievement["creditsAvailable"] = credits
    languages = descriptors.get("language")
    if isinstance(languages, list) and languages:
        achievement["inLanguage"] = languages[0]
    field_ja, field_en = _localised_pair(descriptors.get("field_of_study"))
    if field_ja or field_en:
        achievement["fieldOfStudy"] = field_ja or field_en
    alignments = _alignments(framework, descriptors)
    if alignments:
        achievement["alignment"] = alignments
    related = _related(version)
    if related:
        achievement["related"] = related
    # Signed once by each endorser; embedded as stored (badges.endorsements).
    endorsements = [e.credential for e in active_endorsements(version) if e.credential]
    if endorsements:
        achievement["endorsement"] = endorsements
    descriptors["awarding_body"] = {
        "id": did_for(issuer),
        "name": _ltext(issuer.name_ja, issuer.name_en),
        "url": issuer.url,
    }
    achievement["microCredentialDescriptors"] = descriptors
    return achievement if award is None else awarded_achievement(achievement, iso(award.issued_at))


def awarded_achievement(achievement: dict, date_of_issuing: str) -> dict:
    """The programme's achievement with the descriptors an award supplies (learner
    identification, date of issuing). Shares the achievement's other values."""
    descriptors = {
        **achievement["microCredentialDescriptors"],
        "learner_identification": {"identityType": "emailAddress", "hashed": True},
        "date_of_issuing": date_of_issuing,
    }
    return {**achievement, "microCredentialDescriptors": descriptors}


def identity_salt(award) -> str:
    """Per award, stable (re-composing gives the same credential) and not guessable."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"ob3-salt:{award.public_id}".encode(), hashlib.sha256).hexdigest()[:32]


def identity_hash(email: str, salt: str) -> str:
    """OB 3.0 IdentityObject.identityHash: "sha256$" + hex SHA-256 of identity + salt."""
    return "sha256$" + hashlib.sha256((email + salt).encode("utf-8")).hexdigest()


def credential_status(record) -> dict:
    return _credential_status(award_facts(record))


@dataclass(frozen=True)
class SharedParts:
    """What every credential of one programme version carries (composed once per batch)."""

    achievement: dict  # achievement_for(version), without the award's descriptors
    issuer_profile: dict
    result_base: str  # the achievement URL the results' descriptions hang off
    context_url: str


def shared_parts(version) -> SharedParts:
    return SharedParts(
        achievement=achievement_for(version),
        issuer_profile=issuer_profile(version.programme.issuer),
        result_base=achievement_url(version),
        context_url=extension.context_url(),
    )


@dataclass(frozen=True)
class AwardFacts:
    """What one award (and its record) contributes to its credential, as the strings the
    credential carries; None where the credential leaves the property out."""

    credential_id: str
    issued: str
    expires: str | None
    identity_hash: str
    salt: str
    grade: str | None
    score: str | None
    status_id: str
    status_purpose: str
    status_index: str
    status_list: str
    suspension_id: str | None = None
    suspension_list: str | None = None
    # Evidence files stored by the portal (credentials.EvidenceFile), each with its digest.
    evidence: tuple = ()


def award_facts(record) -> AwardFacts:
    award = record.award
    assessment = award.assessment
    salt = identity_salt(award)
    url = status_list_url(record.status_list)
    return AwardFacts(
        credential_id=credential_url(award),
        issued=iso(award.issued_at),
        expires=iso(award.expires_at) if award.expires_at else None,
        identity_hash=identity_hash(award.learner.email, salt),
        salt=salt,
        grade=(assessment.grade or None) if assessment is not None else None,
        score=(
            _score_text(assessment.score)
            if assessment is not None and assessment.score is not None
            else None
        ),
        status_id=f"{url}#{record.status_index}",
        status_purpose=record.status_list.purpose,
        status_index=str(record.status_index),
        status_list=url,
        **_suspension_facts(record),
        evidence=_evidence(assessment) + _stack_evidence(award),
    )


def _stack_evidence(award) -> tuple:
    from badges.components import component_evidence

    return tuple({"type": ["Evidence"], **entry} for entry in component_evidence(award))


def _evidence(assessment) -> tuple:
    """The Evidence of the assessment's stored files: where to get each, and its digest."""
    if assessment is None:
        return ()
    from credentials.services.evidence import digest_multibase  # a plain function, no writes

    entries = []
    for item in assessment.evidence_files.all():
        entry = {
            "id": extension.portal_url(
                "evidence-file", public_id=item.public_id, filename=item.name
            ),
            "type": ["Evidence"],
            "name": item.name,
            "digestMultibase": digest_multibase(item.sha256),
        }
        if item.genre:
            entry["genre"] = item.genre
        entries.append(entry)
    return tuple(entries)


def _suspension_facts(record) -> dict:
    if record.suspension_list_id is None:
        return {}
    url = status_list_url(record.suspension_list)
    return {"suspension_id": f"{url}#{record.status_index}", "suspension_list": url}


def _credential_status(facts: AwardFacts) -> dict | list[dict]:
    revocation = {
        "id": facts.status_id,
        "type": "BitstringStatusListEntry",
        "statusPurpose": facts.status_purpose,
        "statusListIndex": facts.status_index,
        "statusListCredential": facts.status_list,
    }
    if facts.suspension_list is None:
        return revocation
    suspension = {
        "id": facts.suspension_id,
        "type": "BitstringStatusListEntry",
        "statusPurpose": "suspension",
        "statusListIndex": facts.status_index,
        "statusListCredential": facts.suspension_list,
    }
    return [revocation, suspension]


def compose_credential(shared: SharedParts, facts: AwardFacts) -> dict:
    """The unsigned OpenBadgeCredential of an award from its version's shared parts (shared
    by reference, not copied) and its own facts."""
    subject = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityHash": facts.identity_hash,
                "identityType": "emailAddress",
                "hashed": True,
                "salt": facts.salt,
            }
        ],
        "achievement": awarded_achievement(shared.achievement, facts.issued),
    }
    results = []
    for kind, value in (("grade", facts.grade), ("score", facts.score)):
        if value is not None:
            results.append(
                {
                    "type": ["Result"],
                    "resultDescription": f"{shared.result_base}#result-{kind}",
                    "value": value,
                }
            )
    if results:
        subject["result"] = results
    credential = {
        "@context": [VC_V2, OB_V3P0, shared.context_url],
        "id": facts.credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": shared.issuer_profile,
        "validFrom": facts.issued,
        "awardedDate": facts.issued,
        "name": shared.achievement["name"],
        "credentialSubject": subject,
        "credentialStatus": _credential_status(facts),
    }
    if facts.expires is not None:
        credential["validUntil"] = facts.expires
    if facts.evidence:
        credential["evidence"] = [dict(entry) for entry in facts.evidence]
    return credential


def credential_for(record) -> dict:
    """The unsigned OpenBadgeCredential of the record's award."""
    return compose_credential(shared_parts(record.award.programme_version), award_facts(record))


def achievement_document(version) -> dict:
    """The standalone Achievement (JSON at its id), with the contexts it needs."""
    return {"@context": [VC_V2, OB_V3P0, extension.context_url()], **achievement_for(version)}
