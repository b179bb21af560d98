"""badges.extension.badge_path: the same path reverse() gives, without reversing per award."""

import uuid

import pytest
from django.urls import reverse

from badges.extension import badge_path


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("ob3-credential", {"public_id": None}),
        ("status-list", {"public_id": None}),
        ("ob2-assertion", {"public_id": None}),
        ("baked-image", {"public_id": None, "variant": "ob3.png"}),
        ("did-document", {"slug": "toto-univ"}),
    ],
)
def test_a_path_is_what_reverse_gives_for_any_public_id(name, kwargs):
    for _ in range(20):
        arguments = {k: uuid.uuid4() if v is None else v for k, v in kwargs.items()}
        assert badge_path(name, **arguments) == reverse(f"badges:{name}", kwargs=arguments)


def test_a_public_id_given_as_text_is_reversed_as_before():
    public_id = str(uuid.uuid4())
    assert badge_path("ob3-credential", public_id=public_id) == reverse(
        "badges:ob3-credential", kwargs={"public_id": public_id}
    )
