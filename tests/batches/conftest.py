"""Batch tests use the credentials world (issuers A and B, staff, published programmes)."""

from tests.credentials.conftest import (  # noqa: F401
    designer_a,
    issuer_a,
    issuer_b,
    officer_a,
    owner_a,
    owner_b,
    version_a,
    version_b,
    viewer_a,
)
