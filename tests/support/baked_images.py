"""A badge's baked image as the public download serves it (badges:baked-image): since issue #15
nothing is stored, so the tests read what verifiers and learners get."""

from django.test import Client
from django.urls import reverse


def served_image(record, variant: str) -> bytes:
    """The bytes of ``/badges/<award>/<variant>`` for a BadgeRecord (variant e.g. "ob3.png")."""
    address = reverse(
        "badges:baked-image", kwargs={"public_id": record.award.public_id, "variant": variant}
    )
    response = Client().get(address)
    assert response.status_code == 200, (address, response.status_code)
    return b"".join(response.streaming_content)
