"""create_api_client: the command prints the token alone on its last line; only a hash is kept."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from issuers.api_clients import role_for_scopes, token_hash
from issuers.models import ApiClient, Membership, Role


def test_command_prints_the_token_alone_on_the_last_line(issuer_a):
    out = StringIO()
    call_command(
        "create_api_client",
        "--issuer",
        issuer_a.slug,
        "--scopes",
        "programs:read",
        "awards:read",
        "--name",
        "moodle",
        stdout=out,
    )
    lines = out.getvalue().rstrip("\n").split("\n")
    token = lines[-1]
    assert token.startswith("mcp_") and " " not in token
    assert out.getvalue().count(token) == 1  # shown once
    client = ApiClient.objects.get()
    assert client.scopes == ["programs:read", "awards:read"]
    # The database keeps a keyed hash and the public prefix, never the token itself.
    stored = ApiClient.objects.filter(pk=client.pk).values().get()
    assert all(token not in str(value) for value in stored.values())
    assert client.token_hash == token_hash(token) != token
    assert token.split("_")[1] == client.prefix
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/programs/").status_code == 200
    assert api.get("/api/v1/awards/").status_code == 200
    assert api.post("/api/v1/programs/", {}, format="json").status_code == 403


def test_command_refuses_unknown_issuers_and_scopes(issuer_a):
    with pytest.raises(CommandError):
        call_command("create_api_client", "--issuer", "nobody", "--scopes", "awards:read")
    with pytest.raises(CommandError):
        call_command("create_api_client", "--issuer", issuer_a.slug, "--scopes", "root")


def test_service_account_cannot_log_in_and_has_the_least_role(make_client, issuer_a):
    client = make_client(issuer_a, ["awards:read", "awards:write", "learners:write"]).record
    assert not client.user.has_usable_password() and not client.user.is_staff
    assert Membership.objects.get(user=client.user).role == Role.ISSUER


@pytest.mark.parametrize(
    ("scopes", "role"),
    [
        (["programs:read", "awards:read"], Role.VIEWER),
        (["programs:read", "programs:write"], Role.DESIGNER),
        (["learners:write", "assessments:write"], Role.ASSESSOR),
        (["learners:write", "awards:write", "awards:revoke"], Role.ISSUER),
        (["assessments:write", "awards:write"], Role.OWNER),
    ],
)
def test_role_for_scopes(scopes, role):
    assert role_for_scopes(scopes) == role


def test_admin_shows_the_token_once(client, issuer_a):
    from tests.issuers.factories import TEST_PASSWORD, MembershipFactory

    owner = MembershipFactory(issuer=issuer_a, role=Role.OWNER, user__username="owner").user
    client.login(username=owner.username, password=TEST_PASSWORD)
    response = client.post(
        "/admin/issuers/apiclient/add/",
        {"issuer": issuer_a.pk, "name": "canvas", "scopes": ["awards:read"]},
        follow=True,
    )
    assert response.status_code == 200
    messages = [str(message) for message in response.context["messages"]]
    created = ApiClient.objects.get(name="canvas")
    token = next(
        word
        for m in messages
        for word in m.replace("<", " ").replace(">", " ").split()
        if word.startswith("mcp_")
    )
    assert created.token_hash == token_hash(token)
    page = client.get(f"/admin/issuers/apiclient/{created.pk}/change/")
    assert token not in page.content.decode()
