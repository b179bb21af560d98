"""A badge's baked image as the public download serves it (badges:baked-image): since issue #15
nothing is stored, so the tests read what verifiers and learners get."""

import json

from django.test import Client
from django.urls import reverse

from badges import baking, images


def served_image(record, variant: str) -> bytes:
    """The bytes of ``/badges/<award>/<variant>`` for a BadgeRecord (variant e.g. "ob3.png")."""
    address = reverse(
        "badges:baked-image", kwargs={"public_id": record.award.public_id, "variant": variant}
    )
    response = Client().get(address)
    assert response.status_code == 200, (address, response.status_code)
    return b"".join(response.streaming_content)


def baked_by_the_old_pipeline(record, version=None) -> dict[str, bytes]:
    """What badges.services._bake wrote before issue #15, argument for argument: the reference
    the on-demand bytes must equal."""
    png, svg = images.badge_images(version or record.award.programme_version)
    credential_json = json.dumps(record.ob3_credential, ensure_ascii=False)
    return {
        "ob2.png": baking.bake_png(png, keyword="openbadges", text=record.ob2_jws),
        "ob2.svg": baking.bake_svg(svg, version="2.0", verify=record.ob2_jws),
        "ob3.png": baking.bake_png(png, keyword="openbadgecredential", text=credential_json),
        "ob3.svg": baking.bake_svg(svg, version="3.0", credential_json=credential_json),
    }
