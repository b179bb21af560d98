"""Bitstring Status List services: give each award a random index in its issuer's revocation
list, flip the bit on revocation, and sign the list credential when (and only when) it changed.
"""

from __future__ import annotations

import random

from django.db import transaction
from django.utils import timezone

from badges import dataintegrity, extension, ob3
from badges.models import StatusList
from badges.status_list import StatusBits
from issuers.keys import load_private_key
from issuers.models import Issuer
from issuers.services import ensure_signing_keys

_RANDOM = random.SystemRandom()


def _new_list(issuer: Issuer, purpose: str) -> StatusList:
    size = StatusList._meta.get_field("size").default
    empty = StatusBits(size).to_bytes()
    return StatusList.objects.create(
        issuer=issuer, purpose=purpose, size=size, bits=empty, claimed=empty
    )


def suspension_list_for(revocation_list: StatusList) -> StatusList:
    """The suspension list paired with a revocation list: a badge's suspension bit has the
    same index as its revocation bit, so suspension needs no allocation of its own."""
    found = revocation_list.suspension_lists.first()
    if found is not None:
        return found
    with transaction.atomic():
        StatusList.objects.select_for_update(no_key=True).get(pk=revocation_list.pk)
        found = revocation_list.suspension_lists.first()
        if found is None:
            found = _new_list(revocation_list.issuer, StatusList.Purpose.SUSPENSION)
            found.paired_with = revocation_list
            found.size = revocation_list.size
            found.save(update_fields=["paired_with", "size"])
    return found


def claimed_bits(status_list: StatusList) -> StatusBits:
    return StatusBits.from_bytes(bytes(status_list.claimed) or bytes(status_list.size // 8))


def used_indices(status_list: StatusList) -> set[int]:
    return set(claimed_bits(status_list).set_indices())


def claim_status_indices(
    issuer: Issuer, count: int, purpose: str = StatusList.Purpose.REVOCATION
) -> list[tuple[StatusList, int]]:
    """`count` random unused indices (CSPRNG) in the issuer's current list, moving on to a new
    list when it is full. The issuer and list rows are locked only for this transaction: call it
    outside a long one (a batch chunk claims before it signs) and the claim commits at once."""
    allocated: list[tuple[StatusList, int]] = []
    if count <= 0:
        return allocated
    with transaction.atomic():
        Issuer.objects.select_for_update(no_key=True).get(pk=issuer.pk)
        status_list = (
            StatusList.objects.select_for_update(no_key=True)
            .filter(issuer=issuer, purpose=purpose)
            .order_by("-created_at", "-id")
            .first()
        ) or _new_list(issuer, purpose)
        bits = claimed_bits(status_list)
        taken = bits.count()
        while len(allocated) < count:
            if taken >= status_list.size:
                status_list.claimed = bits.to_bytes()
                status_list.save(update_fields=["claimed", "updated_at"])
                status_list = _new_list(issuer, purpose)
                bits, taken = claimed_bits(status_list), 0
            wanted = min(count - len(allocated), status_list.size - taken)
            for index in _draw(bits, taken, wanted):
                allocated.append((status_list, index))
            taken += wanted
        status_list.claimed = bits.to_bytes()
        status_list.save(update_fields=["claimed", "updated_at"])
    return allocated


def allocate_status_index(
    issuer: Issuer, purpose: str = StatusList.Purpose.REVOCATION
) -> tuple[StatusList, int]:
    """One random unused index (see :func:`claim_status_indices`)."""
    return claim_status_indices(issuer, 1, purpose)[0]


def _draw(bits: StatusBits, taken: int, count: int) -> list[int]:
    """`count` distinct random free indices, set in `bits`."""
    size = bits.size
    if taken + count <= size // 2:  # rejection sampling: at most two draws on average
        drawn = []
        while len(drawn) < count:
            index = _RANDOM.randrange(size)
            if not bits.is_set(index):
                bits.set(index)
                drawn.append(index)
        return drawn
    free = bits.clear_indices()
    drawn = _RANDOM.sample(free, count)
    for index in drawn:
        bits.set(index)
    return drawn


def _lock_list(status_list: StatusList) -> StatusList:
    """The list's row locked, its issuer's row first: the order claim_status_indices takes
    them in. Taken the other way round (list, then the issuer for its signing key), a re-signing
    and a batch chunk's claim deadlocked, and PostgreSQL broke it after a second (bench_issue)."""
    issuer = Issuer.objects.select_for_update(no_key=True).get(pk=status_list.issuer_id)
    locked = StatusList.objects.select_for_update(no_key=True).get(pk=status_list.pk)
    locked.issuer = issuer  # the locked copy, not read again
    return locked


@transaction.atomic
def set_status(status_list: StatusList, index: int, value: bool = True) -> bool:
    """Set (or clear) one bit; bumps the list's version only if the bit changed."""
    locked = _lock_list(status_list)
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


def signed_status_list_credential(status_list: StatusList) -> dict:
    """The signed list credential; re-signed with the issuer's active Ed25519 key only when the
    bits changed since the last signature (``version > signed_version``).

    A list already signed at its version is read without a lock: a batch chunk asks for its
    lists on every chunk, and a row lock taken in one chunk's long transaction made the other
    workers' chunks wait for its commit (bench_issue: cores 40 % idle)."""
    current = (
        StatusList.objects.filter(pk=status_list.pk)
        .values_list("credential", "version", "signed_version")
        .first()
    )
    if current is not None and current[0] and current[2] >= current[1]:
        return current[0]
    return _resign(status_list)


@transaction.atomic
def _resign(status_list: StatusList) -> dict:
    locked = _lock_list(status_list)
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
