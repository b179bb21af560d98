"""Batch tests use the credentials world (issuers A and B, staff, published programmes)."""

from tests.credentials.conftest import (  # noqa: F401
    issuer_a,
    issuer_b,
    officer_a,
    owner_a,
    owner_b,
    version_a,
    version_b,
    viewer_a,
)
from tests.credentials.conftest import designer_a  # noqa: E402, F401
