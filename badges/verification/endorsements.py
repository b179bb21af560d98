"""Endorsements of a verified badge's achievement / badge class (and issuer): who endorses it,
what they say, and whether that endorsement is authentic on its own.

OB 3.0: each embedded EndorsementCredential's eddsa-rdfc-2022 proof is verified like a badge's
(its issuer's did:web resolved through the SafeFetcher), signed by its own issuer and about
this achievement. OB 2.0: each Endorsement URL is fetched (hosted verification: answers 200,
lives on its issuer's origin, claims this badge class). An endorsement that fails is reported,
not held against the badge: the badge's own issuer is what the verdict is about.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from badges.dataintegrity import verify_eddsa_rdfc_2022
from badges.jsonld import LocalDocumentLoader
from badges.verification.common import as_list, parse_datetime
from badges.verification.fetch import FetchError, SafeFetcher
from badges.verification.messages import text
from badges.verification.result import VerificationResult

MAX_ENDORSEMENTS = 10  # each costs fetches; a badge has a handful at most


def _listed(*roots: Any) -> list:
    # The same items, in the same order, as descriptors._endorsements lists.
    return [
        item
        for root in roots
        if isinstance(root, dict)
        for item in as_list(root.get("endorsement"))
        if isinstance(item, dict | str)
    ]


def _issuer_id(document: dict) -> Any:
    issuer = document.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _report(result: VerificationResult, entries: list[dict]) -> None:
    checked = [e for e in entries if "verified" in e]
    if not checked:
        return
    bad = [e for e in checked if not e["verified"]]
    if bad:
        names = ", ".join(str(e.get("issuer_name") or e.get("issuer") or e.get("id")) for e in bad)
        result.add("endorsement", "warn", text("endorsement_bad", endorsers=names))
    else:
        names = ", ".join(str(e.get("issuer_name") or e.get("issuer")) for e in checked)
        result.add("endorsement", "pass", text("endorsement_ok", endorsers=names))


def check_ob3(
    document: dict,
    result: VerificationResult,
    *,
    resolver,
    loader: LocalDocumentLoader,
    now,
) -> None:
    """Verify the embedded EndorsementCredentials listed in ``result.achievement`` (and
    ``result.issuer``); sets ``verified`` (and ``problem``) on each listed entry."""
    subject = document.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    achievement = achievement if isinstance(achievement, dict) else {}
    issuer = document.get("issuer") if isinstance(document.get("issuer"), dict) else {}
    sections = (
        (result.achievement, _listed(achievement, document), achievement.get("id")),
        (result.issuer, _listed(issuer), issuer.get("id")),
    )
    checked: list[dict] = []
    for section, items, subject_id in sections:
        entries = section.get("endorsements") or []
        for entry, item in list(zip(entries, items, strict=False))[:MAX_ENDORSEMENTS]:
            if isinstance(item, dict):
                entry["verified"], entry["problem"] = _verify_credential(
                    item, subject_id, resolver, loader, now
                )
                checked.append(entry)
    _report(result, checked)


def _verify_credential(item: dict, subject_id, resolver, loader, now) -> tuple[bool, str]:
    if "EndorsementCredential" not in as_list(item.get("type")):
        return False, "type is not EndorsementCredential"
    verification = verify_eddsa_rdfc_2022(item, resolver=resolver, document_loader=loader)
    if not verification.verified:
        return False, "proof: " + "; ".join(verification.errors)
    controller = (verification.verification_method or "").partition("#")[0]
    if controller != _issuer_id(item):
        return False, f"signed by {controller!r}, not by its issuer {_issuer_id(item)!r}"
    endorsed = item.get("credentialSubject")
    endorsed = endorsed.get("id") if isinstance(endorsed, dict) else None
    if subject_id is not None and endorsed != subject_id:
        return False, f"it endorses {endorsed!r}, not {subject_id!r}"
    until = parse_datetime(item.get("validUntil"))
    if until is not None and until <= now:
        return False, "expired"
    return True, ""


def _origin(url: Any) -> str:
    parts = urlsplit(url if isinstance(url, str) else "")
    return f"{parts.scheme}://{parts.netloc}".lower()


def _get(fetcher: SafeFetcher, url: str) -> tuple[int, dict | None]:
    try:
        response = fetcher.get(url, accept="application/ld+json, application/json")
    except FetchError:
        return 0, None
    try:
        document = json.loads(response.body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        document = None
    return response.status, document if isinstance(document, dict) else None


def check_ob2(
    badge: dict, issuer: dict, result: VerificationResult, *, fetcher: SafeFetcher
) -> None:
    """Fetch the hosted Endorsements a BadgeClass (or Issuer) lists by URL; completes the
    listed entries with the endorser and comment and sets ``verified``."""
    sections = (
        (result.achievement, _listed(badge), badge.get("id")),
        (result.issuer, _listed(issuer), issuer.get("id")),
    )
    checked: list[dict] = []
    profiles: dict[str, Mapping] = {}
    for section, items, claim_id in sections:
        entries = section.get("endorsements") or []
        for entry, item in list(zip(entries, items, strict=False))[:MAX_ENDORSEMENTS]:
            if isinstance(item, str):
                entry["verified"], entry["problem"] = _hosted(
                    item, entry, claim_id, fetcher, profiles
                )
                checked.append(entry)
    _report(result, checked)


def _hosted(url: str, entry: dict, claim_id, fetcher, profiles) -> tuple[bool, str]:
    status, document = _get(fetcher, url)
    if status == 410:
        return False, "withdrawn (410 Gone)"
    if status != 200 or document is None:
        return False, f"HTTP {status}" if status else "not reachable"
    claim = document.get("claim") if isinstance(document.get("claim"), dict) else {}
    issuer_url = _issuer_id(document)
    entry["issuer"] = issuer_url
    entry["comment"] = claim.get("endorsementComment")
    if isinstance(issuer_url, str) and issuer_url not in profiles:
        profiles[issuer_url] = (_get(fetcher, issuer_url)[1] or {}) if issuer_url else {}
    profile = profiles.get(issuer_url) or {}
    entry["issuer_name"] = profile.get("name")
    if "Endorsement" not in as_list(document.get("type")) or document.get("id") != url:
        return False, "not an Endorsement published at its id"
    if claim.get("id") != claim_id:
        return False, f"it endorses {claim.get('id')!r}, not {claim_id!r}"
    if profile.get("id") != issuer_url or _origin(url) != _origin(issuer_url):
        return False, "not hosted on its issuer's origin"
    return True, ""
