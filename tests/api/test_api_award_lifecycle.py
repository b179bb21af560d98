"""POST /api/v1/awards/{id}/suspend/, /reinstate/, /reissue/ (docs/award-lifecycle.md)."""

import pytest

from tests.credentials.test_award_lifecycle import issued  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_the_api_suspends_reinstates_and_reissues(issued, make_client):  # noqa: F811
    client = make_client(issued.programme_version.programme.issuer)
    url = f"/api/v1/awards/{issued.public_id}"
    body = client.post(f"{url}/suspend/", {"reason": "Under review"}, format="json").json()
    assert body["suspended_at"] and body["suspension_reason"] == "Under review"
    body = client.post(f"{url}/reinstate/", {}, format="json").json()
    assert body["suspended_at"] is None
    response = client.post(
        f"{url}/reissue/", {"reason": "Name misspelt", "name_en": "Hanako Yamada"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["supersedes"] == str(issued.public_id)
    old = client.get(f"{url}/").json()
    assert old["status"] == "revoked" and old["superseded_by"] == response.json()["id"]


def test_the_api_refuses_a_client_without_the_revoke_scope(issued, make_client):  # noqa: F811
    client = make_client(issued.programme_version.programme.issuer, ["awards:read"])
    response = client.post(
        f"/api/v1/awards/{issued.public_id}/suspend/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 403
