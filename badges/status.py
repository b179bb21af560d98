"""Bitstring Status List services: give each award a random index in its issuer's revocation
list, flip the bit on revocation, and sign the list credential when (and only when) it changed.
"""

from __future__ import annotations

import random

from django.db import transaction
from django.utils import timezone

from badges import dataintegrity, extension, ob3
from badges.models import BadgeRecord, StatusList
from badges.status_list import StatusBits, random_free_index
from issuers.keys import load_private_key
from issuers.models import Issuer
from issuers.services import ensure_signing_keys

_RANDOM = random.SystemRandom()


def _new_list(issuer: Issuer, purpose: str) -> StatusList:
    size = StatusList._meta.get_field("size").default
    return StatusList.objects.create(
        issuer=issuer, purpose=purpose, size=size, bits=StatusBits(size).to_bytes()
    )


def used_indices(status_list: StatusList) -> set[int]:
    return set(
        BadgeRecord.objects.filter(status_list=status_list).values_list("status_index", flat=True)
    )


@transaction.atomic
def allocate_status_index(
    issuer: Issuer, purpose: str = StatusList.Purpose.REVOCATION
) -> tuple[StatusList, int]:
    """A random unused index in the issuer's current list (a new list when it is full).

    The issuer row is locked for the rest of the caller's transaction, so two workers never
    draw the same index: the caller must create the BadgeRecord in that same transaction."""
    Issuer.objects.select_for_update().get(pk=issuer.pk)
    status_list = (
        StatusList.objects.select_for_update()
        .filter(issuer=issuer, purpose=purpose)
        .order_by("-created_at", "-id")
        .first()
    )
    if status_list is None:
        status_list = _new_list(issuer, purpose)
    used = used_indices(status_list)
    if len(used) >= status_list.size:
        status_list = _new_list(issuer, purpose)
        used = set()
    return status_list, random_free_index(used, status_list.size)


def allocate_status_indices(
    issuer: Issuer, count: int, purpose: str = StatusList.Purpose.REVOCATION
) -> list[tuple[StatusList, int]]:
    """`count` random unused indices at once (a batch chunk), moving on to a new list when the
    current one is full. Same locking contract as :func:`allocate_status_index`: the caller
    creates the BadgeRecords in its transaction, which must be open."""
    Issuer.objects.select_for_update().get(pk=issuer.pk)
    status_list = (
        StatusList.objects.select_for_update()
        .filter(issuer=issuer, purpose=purpose)
        .order_by("-created_at", "-id")
        .first()
    ) or _new_list(issuer, purpose)
    used = used_indices(status_list)
    allocated = []
    while len(allocated) < count:
        if len(used) >= status_list.size:
            status_list, used = _new_list(issuer, purpose), set()
        wanted = min(count - len(allocated), status_list.size - len(used))
        for index in _draw(used, status_list.size, wanted):
            allocated.append((status_list, index))
    return allocated


def _draw(used: set[int], size: int, count: int) -> list[int]:
    """`count` distinct random free indices (CSPRNG), added to `used`."""
    if len(used) + count <= size // 2:  # rejection sampling: at most two draws on average
        drawn = []
        while len(drawn) < count:
            index = _RANDOM.randrange(size)
            if index not in used:
                used.add(index)
                drawn.append(index)
        return drawn
    drawn = _RANDOM.sample([index for index in range(size) if index not in used], count)
    used.update(drawn)
    return drawn


@transaction.atomic
def set_status(status_list: StatusList, index: int, value: bool = True) -> bool:
    """Set (or clear) one bit; bumps the list's version only if the bit changed."""
    locked = StatusList.objects.select_for_update().get(pk=status_list.pk)
    bits = StatusBits.from_bytes(bytes(locked.bits))
    if bits.is_set(index) == value:
        return False
    bits.set(index, value)
    locked.bits = bits.to_bytes()
    locked.version += 1
    locked.save(update_fields=["bits", "version", "updated_at"])
    status_list.refresh_from_db()
    return True


def status_list_credential(status_list: StatusList) -> dict:
    """The unsigned BitstringStatusListCredential of the list's current bits."""
    url = ob3.status_list_url(status_list)
    return {
        "@context": [ob3.VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": ob3.did_for(status_list.issuer),
        "validFrom": ob3.iso(timezone.now()),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": status_list.purpose,
            "encodedList": StatusBits.from_bytes(bytes(status_list.bits)).encode(),
        },
    }


@transaction.atomic
def signed_status_list_credential(status_list: StatusList) -> dict:
    """The signed list credential; re-signed with the issuer's active Ed25519 key only when the
    bits changed since the last signature (``version > signed_version``)."""
    locked = StatusList.objects.select_for_update().select_related("issuer").get(pk=status_list.pk)
    if locked.credential and locked.signed_version >= locked.version:
        return locked.credential
    key = ensure_signing_keys(locked.issuer)["ed25519"]
    signed = dataintegrity.sign_eddsa_rdfc_2022(
        status_list_credential(locked),
        private_key=load_private_key(key),
        verification_method=ob3.verification_method_id(key),
        document_loader=extension.document_loader(),
    )
    locked.credential = signed
    locked.signed_version = locked.version
    locked.save(update_fields=["credential", "signed_version", "updated_at"])
    status_list.refresh_from_db()
    return signed
