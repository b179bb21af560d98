"""Outside badges for recognition of prior learning: verified here, recorded by credentials.

    submit_outside_badge(*, learner, data, actor=None, request=None) -> RecognisedAchievement
    recheck_outside_achievements(now=None) -> dict        (the periodic task's work)

A learner (or staff for them) hands in a badge from another issuer as a file, URL, JSON or
VC-JWT. The verification service checks signature, issuer, status, expiry and that it was
issued to this learner (their e-mail, or a DID their wallet proved); only then are its facts
recorded (credentials.services.recognition). A re-check verifies each one again: one that was
revoked, suspended or has expired is withdrawn, and the stacks built on it follow.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from badges.dataintegrity import did_web_url
from badges.models import HolderCredential
from badges.verification.inputs import InputError, sniff
from badges.verification.portal import portal_path, verification_fetcher
from badges.verification.result import VerificationResult
from badges.verification.service import verify_badge
from credentials.models import Learner, RecognisedAchievement
from credentials.services.recognition import (
    OutsideBadge,
    mark_rechecked,
    record_outside_achievement,
    withdraw_outside_achievement,
)

FORMATS = {"ob2-hosted": "ob2", "ob2-signed": "ob2", "ob3": "ob3", "ob3-jwt": "vc-jwt"}
# Verdicts after which a registered outside badge no longer counts.
NO_LONGER_VALID = {"revoked", "expired", "invalid", "recipient_mismatch"}


class BadgeRefused(ValidationError):
    """The badge cannot be recognised; the message (ja / en) says why. `result` has the checks."""

    def __init__(self, message: str, result: VerificationResult | None = None):
        super().__init__(message)
        self.result = result


def _verify(data, learner: Learner) -> VerificationResult:
    return verify_badge(data, email=learner.email, fetcher=verification_fetcher())


def _source(data) -> str:
    """What a re-check verifies again: a URL, a token, or the JSON document (also the one a
    baked image carried)."""
    sniffed = sniff(data)
    if isinstance(sniffed.value, str):
        return sniffed.value
    return json.dumps(sniffed.value, ensure_ascii=False, sort_keys=True)


def _subject_id(result: VerificationResult) -> str | None:
    document = result.document if isinstance(result.document, dict) else {}
    subject = document.get("credentialSubject")
    return subject.get("id") if isinstance(subject, dict) else None


def _recipient_is_learner(result: VerificationResult, learner: Learner) -> bool:
    check = result.check("recipient")
    if check is not None and check.status == "pass":
        return True
    did = _subject_id(result)
    # A badge bound to a DID counts when that DID is one the learner's wallet proved it holds.
    return bool(
        did
        and HolderCredential.objects.filter(holder=did, offer__record__award__learner=learner)
        .only("pk")
        .exists()
    )


def _is_portal_issuer(issuer_id: str) -> bool:
    url = issuer_id
    if issuer_id.startswith("did:web:"):
        try:
            url = did_web_url(issuer_id)
        except ValueError:
            return False
    return portal_path(url) is not None


def _level(descriptors: dict) -> int | None:
    level = descriptors.get("level")
    value = level.get("jeqf") if isinstance(level, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _hours(descriptors: dict) -> Decimal | None:
    effort = descriptors.get("learner_effort")
    value = effort.get("total_hours") if isinstance(effort, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.1"))
    except InvalidOperation:
        return None


def _text(value) -> str:
    if isinstance(value, dict):  # a language map
        return str(value.get("ja") or value.get("en") or next(iter(value.values()), ""))
    return str(value or "")


def _datetime(value) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) else None


def failed_checks(result: VerificationResult | None) -> list[str]:
    """Each failed check of `result` as "日本語 / English" (the refusal, the API's errors)."""
    checks = result.checks if result is not None else []
    return [f"{c.message_ja} / {c.message_en}" for c in checks if c.status == "fail"]


def _refusal(result: VerificationResult) -> str:
    reasons = " ".join(failed_checks(result)[:3])
    return (
        "このバッジは検証に合格しなかったため登録できません: "
        f"{reasons} / The badge did not verify, so it cannot be registered."
    )


def submit_outside_badge(*, learner: Learner, data, actor=None, request=None):
    """Verify `data` (bytes of a file, or text: URL, JSON, JWT) as issued to `learner` and
    record it. Raises BadgeRefused with a bilingual reason otherwise."""
    try:
        source = _source(data)
    except InputError:
        source = None
    result = _verify(data, learner)
    if source is None or (not result.is_valid and result.verdict != "recipient_mismatch"):
        raise BadgeRefused(_refusal(result), result)
    issuer_id = str(result.issuer.get("id") or "")
    if _is_portal_issuer(issuer_id):
        raise BadgeRefused(
            "このポータルで発行されたバッジは登録しなくても、すでに積み上げに数えられます。 / "
            "Badges issued on this portal already count toward stacks; no need to register "
            "them.",
            result,
        )
    if result.verdict == "recipient_mismatch" or not _recipient_is_learner(result, learner):
        raise BadgeRefused(
            f"このバッジは {learner.email} さんに発行されたものであることを確認できません"
            f"（メールアドレスまたはウォレットの DID が一致しません）。 / The badge cannot be "
            f"shown to have been issued to {learner.email} (neither the e-mail address nor a "
            "wallet DID matches).",
            result,
        )
    document = result.document if isinstance(result.document, dict) else {}
    badge = OutsideBadge(
        format=FORMATS.get(result.format or "", "ob3"),
        source=source,
        issuer_id=issuer_id,
        issuer_name=_text(result.issuer.get("name")) or issuer_id,
        achievement_id=str(result.achievement.get("id") or ""),
        achievement_name=_text(result.achievement.get("name")) or "—",
        credential_id=str(document.get("id") or ""),
        descriptors=result.descriptors if isinstance(result.descriptors, dict) else {},
        level=_level(result.descriptors or {}),
        hours=_hours(result.descriptors or {}),
        valid_until=_datetime(result.valid_until),
        verification=result.as_dict(),
    )
    return record_outside_achievement(learner=learner, badge=badge, actor=actor, request=request)


def recheck_outside_achievements(now: datetime | None = None) -> dict[str, int]:
    """Verify every registered outside badge again: withdraw those revoked, suspended, expired
    or no longer genuine; note those whose issuer could not be reached (kept, tried again)."""
    counts = {"checked": 0, "withdrawn": 0, "unreachable": 0}
    registered = RecognisedAchievement.objects.filter(
        status=RecognisedAchievement.Status.VERIFIED
    ).select_related("learner")
    for achievement in registered.iterator(chunk_size=200):
        counts["checked"] += 1
        result = verify_badge(
            achievement.source,
            email=achievement.learner.email,
            fetcher=verification_fetcher(),
            now=now,
        )
        if result.verdict in NO_LONGER_VALID:
            withdraw_outside_achievement(achievement=achievement, reason=_withdrawal(result))
            counts["withdrawn"] += 1
        elif result.verdict == "error":
            mark_rechecked(achievement, error=_refusal(result))
            counts["unreachable"] += 1
        else:
            mark_rechecked(achievement)
    return counts


def _withdrawal(result: VerificationResult) -> str:
    reasons = " ".join(failed_checks(result)[:3])
    checked = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    return f"{checked} の再検証 / re-check: {reasons}"
