"""The structured outcome of :func:`badges.verification.verify_badge`.

Every check carries its message in Japanese and English at once: the result is shown on the
public verify page and returned by the API to employers in either language, independent of the
request's active language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["pass", "fail", "warn", "skip"]
# What a failed check means for the verdict (see VERDICT_ORDER).
Outcome = Literal["invalid", "error", "revoked", "expired", "recipient_mismatch"]

# Verdict precedence: the first outcome any failed check has wins.
VERDICT_ORDER: tuple[str, ...] = ("invalid", "error", "revoked", "expired", "recipient_mismatch")


@dataclass
class Check:
    code: str
    status: Status
    message_ja: str
    message_en: str
    outcome: Outcome | None = None
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        data = {
            "code": self.code,
            "status": self.status,
            "message_ja": self.message_ja,
            "message_en": self.message_en,
        }
        if self.detail:
            data["detail"] = self.detail
        return data


@dataclass
class VerificationResult:
    format: str | None = None  # "ob2-hosted" | "ob2-signed" | "ob3" | "ob3-jwt"
    version: str | None = None  # "2.0" | "3.0"
    checks: list[Check] = field(default_factory=list)
    issuer: dict[str, Any] = field(default_factory=dict)
    achievement: dict[str, Any] = field(default_factory=dict)
    descriptors: dict[str, Any] = field(default_factory=dict)
    recipient: dict[str, Any] = field(default_factory=dict)
    valid_from: str | None = None
    valid_until: str | None = None
    document: Any = None
    source: str | None = None  # "url" | "json" | "jws" | "png" | "svg"

    def add(
        self,
        code: str,
        status: Status,
        message: tuple[str, str],
        *,
        outcome: Outcome | None = None,
        detail: str = "",
    ) -> Check:
        if status == "fail" and outcome is None:
            outcome = "invalid"
        check = Check(code, status, message[0], message[1], outcome, detail)
        self.checks.append(check)
        return check

    @property
    def verdict(self) -> str:
        outcomes = {c.outcome for c in self.checks if c.status == "fail"}
        for outcome in VERDICT_ORDER:
            if outcome in outcomes:
                return outcome
        return "valid"

    @property
    def is_valid(self) -> bool:
        return self.verdict == "valid"

    def check(self, code: str) -> Check | None:
        """The last check with ``code`` (tests and views look single checks up)."""
        found = [c for c in self.checks if c.code == code]
        return found[-1] if found else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "version": self.version,
            "verdict": self.verdict,
            "checks": [check.as_dict() for check in self.checks],
            "issuer": self.issuer,
            "achievement": self.achievement,
            "descriptors": self.descriptors,
            "recipient": self.recipient,
            "valid_from": self.valid_from,
            "valid_until": self.valid_until,
            "source": self.source,
            "document": self.document,
        }
