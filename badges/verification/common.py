"""Helpers shared by the OB 2.0 and OB 3.0 verifiers: fetching JSON, dates, recipients."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

from badges.verification.fetch import FetchError, FetchResponse, SafeFetcher
from badges.verification.messages import text
from badges.verification.result import VerificationResult


class Stop(Exception):
    """Verification cannot go on; the failing check is already in the result."""


def as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def fetch(
    fetcher: SafeFetcher, url: str, result: VerificationResult, code: str, *, outcome="error"
) -> FetchResponse:
    """GET ``url``; a refusal or transport failure becomes a failed check and :class:`Stop`."""
    try:
        return fetcher.get(url, accept="application/ld+json, application/json")
    except FetchError as error:
        ja = text("fetch_failed", url=url, reason=error.message_ja)[0]
        en = text("fetch_failed", url=url, reason=error.message_en)[1]
        result.add(code, "fail", (ja, en), outcome=outcome, detail=error.detail)
        raise Stop from error


def parse_json_body(response: FetchResponse, result: VerificationResult, code: str) -> dict:
    try:
        document = json.loads(response.body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        document = None
    if not isinstance(document, dict):
        result.add(code, "fail", text("fetch_not_json", url=response.url), outcome="error")
        raise Stop
    return document


def fetch_json(
    fetcher: SafeFetcher, url: Any, result: VerificationResult, code: str, *, outcome="error"
) -> dict:
    """The JSON object at ``url`` (HTTP 200 only), else a failed check and :class:`Stop`."""
    if not isinstance(url, str):
        result.add(code, "fail", text("structure_bad", detail=f"{code}: not a URL: {url!r}"))
        raise Stop
    response = fetch(fetcher, url, result, code, outcome=outcome)
    if response.status != 200:
        result.add(
            code,
            "fail",
            text("fetch_status", url=url, status=response.status),
            outcome=outcome,
        )
        raise Stop
    return parse_json_body(response, result, code)


def parse_datetime(value: Any) -> datetime | None:
    """An ISO 8601 date-time with a time zone (a date alone means midnight UTC), else None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed


def check_dates(
    result: VerificationResult,
    *,
    since_value: Any,
    until_value: Any,
    since_name: str,
    until_name: str,
    now: datetime,
) -> None:
    if since_value is not None:
        since = parse_datetime(since_value)
        if since is None:
            result.add(
                "not_before", "fail", text("date_bad", detail=f"{since_name}: {since_value!r}")
            )
        elif since > now:
            result.add("not_before", "fail", text("not_before_future", since=since_value))
        else:
            result.add("not_before", "pass", text("not_before_ok"))
    if until_value is None:
        result.add("expiry", "pass", text("expiry_none"))
        return
    until = parse_datetime(until_value)
    if until is None:
        result.add("expiry", "fail", text("date_bad", detail=f"{until_name}: {until_value!r}"))
    elif until <= now:
        result.add("expiry", "fail", text("expiry_expired", until=until_value), outcome="expired")
    else:
        result.add("expiry", "pass", text("expiry_ok", until=until_value))


def identity_matches(identity: str, *, hashed: bool, salt: str | None, email: str) -> bool:
    """OB 2.0 / OB 3.0 IdentityObject comparison: plaintext, or "sha256$" + hex(SHA-256(email +
    salt)). E-mail addresses are compared as given and lower-cased (issuers normalise them)."""
    candidates = {email.strip(), email.strip().lower()}
    for candidate in candidates:
        if not hashed:
            if hmac.compare_digest(identity.strip().lower(), candidate.lower()):
                return True
            continue
        algorithm, _, digest = identity.partition("$")
        if algorithm.lower() not in ("sha256", "md5"):
            continue
        data = (candidate + (salt or "")).encode("utf-8")
        if algorithm.lower() == "sha256":
            computed = hashlib.sha256(data).hexdigest()
        else:
            # OB 2.0 allows md5 identity hashes; a comparison, not a security use.
            computed = hashlib.md5(data, usedforsecurity=False).hexdigest()
        if hmac.compare_digest(computed, digest.strip().lower()):
            return True
    return False


def check_recipient(result: VerificationResult, identities: list[dict], email: str | None) -> None:
    """``identities``: dicts with identity, hashed, salt, type (email ones are compared)."""
    emails = [i for i in identities if i.get("type") in ("email", "emailAddress")]
    if email is None:
        result.add("recipient", "skip", text("recipient_skipped"))
        return
    if not emails:
        result.add("recipient", "warn", text("recipient_unsupported"))
        return
    for item in emails:
        if isinstance(item.get("identity"), str) and identity_matches(
            item["identity"],
            hashed=bool(item.get("hashed")),
            salt=item.get("salt") if isinstance(item.get("salt"), str) else None,
            email=email,
        ):
            result.add("recipient", "pass", text("recipient_match"))
            return
    result.add("recipient", "fail", text("recipient_mismatch"), outcome="recipient_mismatch")


def localized(value: Any) -> Any:
    """A JSON-LD language map / value object list → {lang: text}; plain strings stay."""
    if isinstance(value, list) and all(isinstance(v, dict) and "@value" in v for v in value):
        return {v.get("@language", ""): v["@value"] for v in value}
    return value
