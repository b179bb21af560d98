"""Open Badges 2.0 documents (1EdTech OB 2.0, https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html).
Public API:

    issuer_profile(issuer) -> dict
    cryptographic_key(signing_key) -> dict
    badge_class(version) -> dict
    assertion(record, *, signed=False) -> dict
    signed_assertion_for(record) -> tuple[dict, str]     (hosted assertion, compact JWS)
    revocation_list(issuer) -> dict
    revoked_assertion(award) -> dict                      (the 410 Gone body)
    ob2_url(name, **kwargs) -> str                        (absolute URL of a badges: route)

Reads only: the pipeline (badges.services) stores what signed_assertion_for returns. Every id is
an absolute URL under settings.PORTAL_BASE_URL, because badges outlive any one request.
"""

import hashlib
import secrets
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from credentials.models import Award, localised
from frameworks.selectors import get_crosswalk_framework, jeqf_level, vocabulary_terms
from issuers.keys import load_private_key
from issuers.models import SigningKey
from issuers.selectors import active_signing_key

from . import extension, ob2_extension
from .jws import sign_assertion_jws
from .narrative import bilingual, criteria_narrative
from .selectors import active_endorsements

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
JEQF = "JEQF"
TAGS = ("マイクロクレデンシャル", "micro-credential")


def _base() -> str:
    return settings.PORTAL_BASE_URL.rstrip("/")


def ob2_url(name: str, **kwargs) -> str:
    return _base() + extension.badge_path(name, **kwargs)


def _iso(moment) -> str:
    # Aware datetimes only (the models store UTC); "Z" is what validators parse most reliably.
    return moment.isoformat().replace("+00:00", "Z")


def _badgeclass_kwargs(version) -> dict:
    programme = version.programme
    return {
        "issuer_slug": programme.issuer.slug,
        "programme_slug": programme.slug,
        "number": version.number,
    }


# --- Issuer and keys ---------------------------------------------------------------------------


def issuer_profile(issuer, *, signing_key=None) -> dict:
    """The issuer's profile. With `signing_key`: the profile as it authorises that one key, at
    its own URL (…/keys/<key id>), which signed assertions reach through their BadgeClass: IMS
    validator-core accepts exactly one publicKey per profile, so a badge signed before a key
    rotation must find a profile that names the key that signed it."""
    profile = {
        "@context": OB2_CONTEXT,
        "type": "Issuer",
        "id": ob2_url("ob2-issuer-key", slug=issuer.slug, key_id=signing_key.key_id)
        if signing_key is not None
        else ob2_url("ob2-issuer", slug=issuer.slug),
        "name": issuer.name_ja or issuer.name_en,
        "url": issuer.url,
        "email": issuer.email,
        "revocationList": ob2_url("ob2-revocations", slug=issuer.slug),
        ob2_extension.ISSUER_PROPERTY: ob2_extension.issuer_extension(issuer),
    }
    description = bilingual(issuer.description_ja, issuer.description_en)
    if description:
        profile["description"] = description
    if issuer.logo:
        profile["image"] = _base() + issuer.logo.url
    key = signing_key or active_signing_key(issuer, SigningKey.Algorithm.RSA2048)
    if key is not None:
        # One URL, not a list: validator-core rejects an Issuer with several publicKey values.
        profile["publicKey"] = ob2_url("ob2-key", key_id=key.key_id)
    return profile


def cryptographic_key(signing_key) -> dict:
    return {
        "@context": OB2_CONTEXT,
        "type": "CryptographicKey",
        "id": ob2_url("ob2-key", key_id=signing_key.key_id),
        "owner": ob2_url("ob2-issuer", slug=signing_key.issuer.slug),
        "publicKeyPem": signing_key.public_key_pem,
    }


# --- BadgeClass --------------------------------------------------------------------------------


def _framework_url(framework, fragment: str = "") -> str:
    path = reverse(
        "frameworks:framework-detail",
        kwargs={"slug": framework.slug, "version": framework.version},
    )
    return _base() + path + (f"#{fragment}" if fragment else "")


def _alignments(version) -> list[dict]:
    descriptors = version.descriptors if isinstance(version.descriptors, dict) else {}
    framework = get_crosswalk_framework("jp")
    alignments = [
        {
            "targetName": framework.name_ja,
            "targetUrl": _framework_url(framework),
            "targetDescription": framework.name_en,
            "targetFramework": framework.name_ja,
            "targetCode": f"{framework.slug}@{framework.version}",
        }
    ]
    level = (descriptors.get("level") or {}).get("jeqf")
    term = jeqf_level(level, framework) if isinstance(level, int) else None
    if term is not None:
        alignments.append(
            {
                "targetName": term.label_ja,
                "targetUrl": _framework_url(framework, "descriptor-level"),
                "targetDescription": bilingual(term.description_ja, term.label_en),
                "targetFramework": JEQF,
                "targetCode": str(level),
            }
        )
    credits = (descriptors.get("credit_recognition") or {}).get("credits") or []
    systems = {t.code: t for t in vocabulary_terms(framework, "credit_systems")}
    for credit in credits:
        term = systems.get(credit.get("system"))
        if term is None:
            continue
        formats = term.data.get("format") or {}
        value = credit.get("value")
        amount = f"{value:g}" if isinstance(value, int | float) else str(value)
        alignments.append(
            {
                "targetName": (formats.get("ja") or "{value} " + term.label_ja).format(
                    value=amount
                ),
                "targetUrl": _framework_url(framework, "descriptor-credit_recognition"),
                "targetDescription": bilingual(term.description_ja, term.description_en),
                "targetFramework": term.label_en,
                "targetCode": f"{term.code}:{amount}",
            }
        )
    return alignments


def _tags(version) -> list[str]:
    descriptors = version.descriptors if isinstance(version.descriptors, dict) else {}
    tags = list(TAGS)
    level = (descriptors.get("level") or {}).get("jeqf")
    if isinstance(level, int):
        tags.append(f"{JEQF} {level}")
    return tags


def badge_class(version, *, signing_key=None) -> dict:
    """The BadgeClass; with `signing_key`, its twin for assertions signed by that key, whose
    issuer is the profile that authorises the key (see issuer_profile)."""
    descriptors = version.descriptors if isinstance(version.descriptors, dict) else {}
    kwargs = _badgeclass_kwargs(version)
    narrative = criteria_narrative(version)
    content = descriptors.get("content")
    description = bilingual(localised(content, "ja"), localised(content, "en"))
    document = {
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": ob2_url("ob2-badgeclass-key", **kwargs, key_id=signing_key.key_id)
        if signing_key is not None
        else ob2_url("ob2-badgeclass", **kwargs),
        # OB 2.0 names are one string: Japanese; English is in the extension's title.
        "name": version.title_in("ja"),
        "description": description or version.title_in("en"),
        "image": ob2_url("ob2-badgeclass-image", **kwargs),
        "criteria": {"narrative": bilingual(narrative["ja"], narrative["en"])},
        "issuer": ob2_url(
            "ob2-issuer-key", slug=version.programme.issuer.slug, key_id=signing_key.key_id
        )
        if signing_key is not None
        else ob2_url("ob2-issuer", slug=version.programme.issuer.slug),
        "alignment": _alignments(version),
        "tags": _tags(version),
        ob2_extension.DESCRIPTORS_PROPERTY: ob2_extension.descriptors_extension(version),
    }
    endorsements = [
        ob2_url("ob2-endorsement", public_id=e.public_id) for e in active_endorsements(version)
    ]
    if endorsements:
        # OB 2.0 BadgeClass.endorsement: the hosted Endorsements' URLs.
        document["endorsement"] = endorsements
    return document


# --- Assertion ---------------------------------------------------------------------------------


def hashed_identity(email: str, salt: str) -> str:
    """OB 2.0 IdentityObject: "sha256$" + hex SHA-256 of identity + salt."""
    return "sha256$" + hashlib.sha256((email + salt).encode("utf-8")).hexdigest()


def _salt(record) -> str:
    # One salt per award, kept in the stored assertion so that re-composing gives the same hash.
    stored = (record.ob2_assertion or {}).get("recipient") or {}
    return stored.get("salt") or secrets.token_hex(16)


def _baked_image_url(award) -> str | None:
    try:
        return ob2_url("baked-image", public_id=award.public_id, variant="ob2.png")
    except NoReverseMatch:  # the OB 3.0 side owns that route; leave the image out until it exists
        return None


def _evidence(award) -> list[dict]:
    from badges.components import component_evidence

    assessment = award.assessment
    if assessment is None:
        return component_evidence(award, ob2=True)
    entry: dict = {}
    if assessment.evidence_url:
        entry["id"] = assessment.evidence_url
    parts = [assessment.evidence_narrative.strip()] if assessment.evidence_narrative else []
    # Badge content is read in either language by anyone, so these labels carry both.
    if assessment.grade:
        parts.append(f"評価 / Grade: {assessment.grade}")
    if assessment.score is not None:
        parts.append(f"得点 / Score: {Decimal(str(assessment.score)).normalize():f}")
    if parts:
        entry["narrative"] = "\n\n".join(parts)
    return [entry] if entry else []


def assertion(record, *, signed: bool = False, salt: str | None = None, key=None) -> dict:
    """The Assertion of a BadgeRecord's award; `signed` gives the SignedBadge variant (made
    with `key`, by default the issuer's active RSA key)."""
    award = record.award
    version = award.programme_version
    issuer = version.programme.issuer
    salt = salt or _salt(record)
    if signed:
        key = key or active_signing_key(issuer, SigningKey.Algorithm.RSA2048)
        if key is None:
            raise ValueError(f"Issuer {issuer.slug} has no active RSA signing key.")
        verification = {"type": "SignedBadge", "creator": ob2_url("ob2-key", key_id=key.key_id)}
    else:
        verification = {"type": "HostedBadge"}
    document = {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": ob2_url("ob2-assertion", public_id=award.public_id),
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": salt,
            "identity": hashed_identity(award.learner.email, salt),
        },
        # A signed assertion names the BadgeClass twin of its key, so that it keeps validating
        # after the issuer's key is rotated.
        "badge": ob2_url("ob2-badgeclass-key", **_badgeclass_kwargs(version), key_id=key.key_id)
        if signed
        else ob2_url("ob2-badgeclass", **_badgeclass_kwargs(version)),
        "issuedOn": _iso(award.issued_at),
        "verification": verification,
    }
    if award.expires_at:
        document["expires"] = _iso(award.expires_at)
    image = _baked_image_url(award)
    if image:
        document["image"] = image
    evidence = _evidence(award)
    if evidence:
        document["evidence"] = evidence
    return document


def signed_assertion_for(record, *, key=None, private_key=None) -> tuple[dict, str]:
    """The hosted assertion and the compact JWS of its SignedBadge twin (same id and salt).

    A batch passes the issuer's active RSA `key` and its loaded `private_key` once for all."""
    issuer = record.award.programme_version.programme.issuer
    key = key or active_signing_key(issuer, SigningKey.Algorithm.RSA2048)
    if key is None:
        raise ValueError(f"Issuer {issuer.slug} has no active RSA signing key.")
    salt = _salt(record)
    hosted = assertion(record, salt=salt)
    signed = assertion(record, signed=True, salt=salt, key=key)
    return hosted, sign_assertion_jws(signed, private_key or load_private_key(key))


# --- Revocation --------------------------------------------------------------------------------


SUSPENDED_REASON = "一時停止中（解除される場合があります） / Suspended (may be reinstated)"


def suspended_or_revoked(award) -> bool:
    """OB 2.0 has no suspension: a suspended award answers as revoked until it is reinstated
    (a verifier reading only the flag must not accept a badge its issuer has put on hold)."""
    return award.status == Award.Status.REVOKED or (
        award.status == Award.Status.ISSUED and award.suspended_at is not None
    )


def _reason(award) -> str:
    if award.status == Award.Status.REVOKED:
        return award.revocation_reason
    return f"{SUSPENDED_REASON}: {award.suspension_reason}".rstrip(": ")


def revocation_list(issuer) -> dict:
    revoked = Award.objects.filter(
        Q(status=Award.Status.REVOKED) | Q(status=Award.Status.ISSUED, suspended_at__isnull=False),
        programme_version__programme__issuer=issuer,
        issued_at__isnull=False,  # withdrawn pending awards never had a badge
    ).order_by("revoked_at", "suspended_at", "pk")
    return {
        "@context": OB2_CONTEXT,
        "type": "RevocationList",
        "id": ob2_url("ob2-revocations", slug=issuer.slug),
        "issuer": ob2_url("ob2-issuer", slug=issuer.slug),
        "revokedAssertions": [
            {
                "id": ob2_url("ob2-assertion", public_id=award.public_id),
                "revocationReason": _reason(award),
            }
            for award in revoked
        ],
    }


def revoked_assertion(award) -> dict:
    """What a revoked hosted assertion answers (with 410 Gone), per OB 2.0 §HostedBadge."""
    return {
        "@context": OB2_CONTEXT,
        "id": ob2_url("ob2-assertion", public_id=award.public_id),
        "revoked": True,
        "revocationReason": _reason(award),
    }
