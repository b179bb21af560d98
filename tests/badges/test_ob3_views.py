"""Public OB 3.0 endpoints (badges/urls_ob3.py)."""

import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from badges import baked, baking, extension, ob3, services
from badges.models import BadgeRecord
from tests.badges.ob3_world import issue, passed_assessment, revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def record():
    award = issue(passed_assessment())
    return services.issue_badges_for_award(award.pk)


def url(name, **kwargs):
    return reverse(f"badges:{name}", kwargs=kwargs)


def test_did_document(client, record):
    issuer = record.award.programme_version.programme.issuer
    response = client.get(url("did-document", slug=issuer.slug))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/did+ld+json")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json() == ob3.did_document(issuer)
    assert client.get(url("did-document", slug="nobody")).status_code == 404


def test_credential_is_served_also_after_revocation(client, record):
    path = url("ob3-credential", public_id=record.award.public_id)
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vc+ld+json")
    assert json.loads(response.content) == record.ob3_credential
    revoke(record.award)
    services.revoke_badges_for_award(record.award.pk)
    assert client.get(path).status_code == 200
    assert client.get(url("ob3-credential", public_id=uuid.uuid4())).status_code == 404


def test_achievement_and_its_image(client, record):
    version = record.award.programme_version
    kwargs = {
        "issuer_slug": version.programme.issuer.slug,
        "programme_slug": version.programme.slug,
        "number": version.number,
    }
    document = client.get(url("ob3-achievement", **kwargs)).json()
    assert document["id"] == ob3.achievement_url(version)
    assert document["achievementType"] == "MicroCredential"
    embedded = record.ob3_credential["credentialSubject"]["achievement"]
    assert document["criteria"] == embedded["criteria"]
    image = client.get(url("ob3-achievement-image", **kwargs))
    assert image["Content-Type"] == "image/png" and image.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get(url("ob3-achievement", **{**kwargs, "number": 9})).status_code == 404


def test_status_list(client, record):
    response = client.get(url("status-list", public_id=record.status_list.public_id))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vc+ld+json")
    assert response.json()["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert client.get(url("status-list", public_id=uuid.uuid4())).status_code == 404


def test_context_and_schema(client):
    context = client.get(url("mc-context"))
    assert context["Content-Type"].startswith("application/ld+json")
    assert context.json() == extension.mc_context()
    schema = client.get(url("mc-schema"))
    assert schema.json()["$id"] == extension.schema_url()


@pytest.mark.parametrize(
    ("variant", "content_type"),
    [
        ("ob3.png", "image/png"),
        ("ob3.svg", "image/svg+xml"),
        ("ob2.png", "image/png"),
        ("ob2.svg", "image/svg+xml"),
    ],
)
def test_baked_image_downloads(client, record, variant, content_type):
    response = client.get(url("baked-image", public_id=record.award.public_id, variant=variant))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    programme = record.award.programme_version.programme
    expected = f"{programme.issuer.slug}-{programme.slug}-v1-{variant}"  # e.g. …-v1-ob3.png
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'
    (baked,) = baking.unbake(b"".join(response.streaming_content))
    assert baked.version == variant[2] + ".0"


@pytest.mark.parametrize("variant", ["ob3.png", "ob2.svg"])
def test_baked_image_downloads_are_the_same_baked_bytes_every_time_and_revalidate(
    client, record, variant
):
    stored = baked.bake_variant(BadgeRecord.objects.get(pk=record.pk), variant)
    address = url("baked-image", public_id=record.award.public_id, variant=variant)

    first = client.get(address)
    second = client.get(address)
    again = client.get(address, HTTP_IF_NONE_MATCH=first["ETag"])

    assert b"".join(first.streaming_content) == stored
    assert b"".join(second.streaming_content) == stored
    assert int(first["Content-Length"]) == len(stored)
    assert first["ETag"] == second["ETag"] and first["ETag"].startswith('"')
    assert first["Cache-Control"] == "public, max-age=86400"
    assert again.status_code == 304 and again["X-Content-Type-Options"] == "nosniff"


def test_unknown_image_variant_is_404(client, record):
    public_id = record.award.public_id
    assert client.get(url("baked-image", public_id=public_id, variant="x.gif")).status_code == 404
    assert (
        client.get(url("baked-image", public_id=uuid.uuid4(), variant="ob3.png")).status_code == 404
    )


def test_the_signed_credential_carries_a_strong_etag_and_revalidates_with_304(client, record):
    path = url("ob3-credential", public_id=record.award.public_id)
    first = client.get(path)
    etag = first["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert "max-age=86400" in first["Cache-Control"] and "public" in first["Cache-Control"]
    with CaptureQueriesContext(connection) as queries:  # signed once, never changed:
        again = client.get(path)  # no lookup after the first (only the request's savepoint)
    assert not [q for q in queries.captured_queries if "SELECT" in q["sql"].upper()]
    assert again.content == first.content and again["ETag"] == etag
    not_modified = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert client.get(path, HTTP_IF_NONE_MATCH='"other"').status_code == 200
