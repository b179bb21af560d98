"""Reads for the public badge endpoints and staff pages."""

from __future__ import annotations

from badges.models import BadgeRecord, StatusList
from credentials.models import ProgrammeVersion
from issuers.models import Issuer


def issuer_by_slug(slug: str) -> Issuer:
    return Issuer.objects.get(slug=slug)


def record_for_public_id(public_id) -> BadgeRecord:
    """The badge record of an award by the award's public id (BadgeRecord.DoesNotExist)."""
    return BadgeRecord.objects.select_related(
        "award", "status_list", "award__programme_version__programme__issuer"
    ).get(award__public_id=public_id)


def status_list_for_public_id(public_id) -> StatusList:
    return StatusList.objects.select_related("issuer").get(public_id=public_id)


def published_version(issuer_slug: str, programme_slug: str, number: int) -> ProgrammeVersion:
    """A published programme version (ProgrammeVersion.DoesNotExist otherwise): only those
    can have awards, so only they have a public achievement."""
    return ProgrammeVersion.objects.select_related("programme__issuer", "framework").get(
        programme__issuer__slug=issuer_slug,
        programme__slug=programme_slug,
        number=number,
        published_at__isnull=False,
    )


def status_of(record: BadgeRecord) -> bool:
    """Whether the record's revocation bit is set."""
    from badges.status_list import StatusBits

    bits = StatusBits.from_bytes(bytes(record.status_list.bits))
    return bits.is_set(record.status_index)
