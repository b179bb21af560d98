"""Attaching evidence files to an assessment: checked by content (not by name or declared type),
named safely, digested (SHA-256), stored, audited. A file attached before the award is issued
goes into its badge (`evidence` with a digestMultibase); after issue, a reissue carries it."""

import base64
import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from credentials.models import Assessment, EvidenceFile
from issuers.permissions import Action
from issuers.services import record_audit, require_permission

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
# What evidence may be, told by its first bytes: documents, images and archives, never HTML,
# SVG or scripts (they are served as downloads anyway, from a path no page lives on).
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"PK\x03\x04", "application/zip", ".zip"),
)
ALLOWED_LABEL = "PDF, PNG, JPEG, ZIP"
MULTIHASH_SHA2_256 = b"\x12\x20"


def digest_multibase(sha256_hex: str) -> str:
    """The SHA-256 as VC Data Model 2.0 writes digests: multibase base64url of a multihash."""
    raw = MULTIHASH_SHA2_256 + bytes.fromhex(sha256_hex)
    return "u" + base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _kind(head: bytes) -> tuple[str, str]:
    for signature, content_type, suffix in SIGNATURES:
        if head.startswith(signature):
            return content_type, suffix
    raise ValidationError(
        {
            "file": _("This kind of file cannot be evidence (allowed: %(allowed)s).")
            % {"allowed": ALLOWED_LABEL}
        }
    )


def _safe_name(name: str, suffix: str) -> str:
    stem = get_valid_filename((name or "evidence").rsplit("/", 1)[-1].rsplit("\\", 1)[-1])
    stem = stem.rsplit(".", 1)[0][:80] or "evidence"
    return f"{stem}{suffix}"


@transaction.atomic
def attach_evidence_file(
    *, actor, assessment: Assessment, upload, genre: str = "", request=None
) -> EvidenceFile:
    issuer = assessment.programme_version.programme.issuer
    require_permission(actor, issuer, Action.RECORD_ASSESSMENT)
    if upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than %(max)s MB.")
                % {"max": MAX_EVIDENCE_BYTES // 2**20}
            }
        )
    upload.seek(0)
    content = upload.read(MAX_EVIDENCE_BYTES + 1)
    content_type, suffix = _kind(content[:16])
    name = _safe_name(getattr(upload, "name", ""), suffix)
    evidence = EvidenceFile(
        assessment=assessment,
        name=name,
        genre=(genre or "").strip()[:100],
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=str(actor)[:200],
    )
    evidence.file.save(name, ContentFile(content), save=False)
    evidence.save()
    record_audit(
        actor=actor,
        action="assessment.evidence_file",
        target=assessment,
        issuer=issuer,
        details={"evidence": str(evidence.public_id), "name": name, "sha256": evidence.sha256},
        request=request,
    )
    return evidence
