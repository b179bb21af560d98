"""Baked badge images, made when asked (issue #15).

A baked image is the programme version's base image (badges.images) with one payload spliced
in: the signed OB 2.0 JWS, or the signed OB 3.0 credential as JSON. Nothing is stored: the
bytes are made from the BadgeRecord's signed fields whenever someone asks for them (the public
download, the issuing benchmark's sample), with the payloads and baking arguments the issuing
pipeline used when it wrote four image files per award, so they are the same bytes for the
record as read from the database (tests/badges/test_baked_on_demand.py; jsonb keeps no key
order, so the OB 3.0 JSON is in the stored order, as the credential URL serves it). Images
written before this change stay on disk but are no longer read.

The base image of an issued award can change even though a published version is frozen: the
generated design shows the issuer's name (editable on the issuer's profile), and
``sanitise_stored_svgs`` rewrites stored SVG uploads under their old names. So the prepared
bakers are kept per digest of what the base images are made from (badges.images.badge_source),
not per version id: a changed base gets new bakers at the next bake.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass

from badges import baking, images
from badges.models import BadgeRecord

__all__ = ["VARIANTS", "Bakers", "NotSigned", "bake_variant", "bakers_for"]

# variant (the download's suffix) → Content-Type
VARIANTS: dict[str, str] = {
    "ob2.png": "image/png",
    "ob2.svg": "image/svg+xml",
    "ob3.png": "image/png",
    "ob3.svg": "image/svg+xml",
}

# Prepared bakers are ~3 copies of a base image (tens of KB; an upload may be a few MB), so a
# process keeps a few dozen: the versions being issued or downloaded at any one time.
BAKERS_MAX = 32


class NotSigned(LookupError):
    """The record has no signed payload for that variant yet (nothing to bake)."""


@dataclass(frozen=True, slots=True)
class Bakers:
    """One base image, parsed once, for the three ways a badge is baked into it."""

    png: baking.PreparedPng
    ob2_svg: baking.PreparedSvg
    ob3_svg: baking.PreparedSvg


_BAKERS: OrderedDict[str, Bakers] = OrderedDict()
_LOCK = threading.Lock()  # the LRU's order; baking itself needs no lock


def _digest(source: tuple[bytes, str, str, str]) -> str:
    data, content_type, title, seed = source
    digest = hashlib.sha256()
    for part in (data, content_type.encode(), title.encode(), seed.encode()):
        digest.update(len(part).to_bytes(8, "big"))  # lengths: no two sources hash alike
        digest.update(part)
    return digest.hexdigest()


def bakers_for(version) -> Bakers:
    """The prepared bakers of the version's current base images (least recently used go)."""
    source = images.badge_source(version)
    key = _digest(source)
    with _LOCK:
        found = _BAKERS.get(key)
        if found is not None:
            _BAKERS.move_to_end(key)
            return found
    png, svg = images.images_from_source(source)
    found = Bakers(
        baking.PreparedPng(png), baking.PreparedSvg(svg, "2.0"), baking.PreparedSvg(svg, "3.0")
    )
    with _LOCK:
        _BAKERS[key] = found
        while len(_BAKERS) > BAKERS_MAX:
            _BAKERS.popitem(last=False)
    return found


def bake_variant(record: BadgeRecord, variant: str, bakers: Bakers | None = None) -> bytes:
    """The bytes of one baked image of the record: ``variant`` is a key of :data:`VARIANTS`.

    ``bakers`` defaults to those of the award's programme version. Raises KeyError for an
    unknown variant and :class:`NotSigned` when the record lacks the payload."""
    if variant not in VARIANTS:
        raise KeyError(variant)
    payload = record.ob2_jws if variant.startswith("ob2.") else record.ob3_credential
    if not payload:
        raise NotSigned(f"{variant}: the record of award {record.award_id} is not signed yet")
    if bakers is None:
        bakers = bakers_for(record.award.programme_version)
    if variant == "ob2.png":
        return bakers.png.bake(keyword=baking.OB2_PNG_KEYWORD, text=record.ob2_jws)
    if variant == "ob2.svg":
        return bakers.ob2_svg.bake(verify=record.ob2_jws)
    # The same serialisation the pipeline baked with: compact, UTF-8 text (not \u escapes).
    credential_json = json.dumps(record.ob3_credential, ensure_ascii=False)
    if variant == "ob3.png":
        return bakers.png.bake(keyword=baking.OB3_PNG_KEYWORD, text=credential_json)
    return bakers.ob3_svg.bake(credential_json=credential_json)
