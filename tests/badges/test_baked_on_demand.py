"""Baked images made when asked (badges.baked, issue #15) are the bytes the issuing pipeline
stored before: bake_png/bake_svg on the version's base images with the record's signed JWS and
its credential as compact UTF-8 JSON. The public download keeps its headers, ETag and 304.

The record is read back from the database first, as the batch stage read it before baking: a
jsonb column keeps no key order, so the credential JSON of a stored record is in PostgreSQL's
order (the order the credential URL serves), not in the order it was signed in."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from badges import baked, baking, services
from badges.models import BadgeRecord
from badges.views import ob3 as ob3_views
from badges.views.conditional import strong_etag
from tests.badges.ob3_world import issue, passed_assessment
from tests.credentials.factories import ProgrammeVersionFactory
from tests.support.baked_images import baked_by_the_old_pipeline

pytestmark = pytest.mark.django_db

CONTENT_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


@pytest.fixture(autouse=True)
def empty_caches():
    baked._BAKERS.clear()
    ob3_views._BAKED.clear()
    yield
    baked._BAKERS.clear()
    ob3_views._BAKED.clear()


def png_upload_version():
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(out, format="PNG")
    version = ProgrammeVersionFactory()
    version.badge_image.save("badge.png", ContentFile(out.getvalue()), save=True)
    return version


@pytest.fixture(params=["generated design", "PNG upload"])
def record(request):
    version = png_upload_version() if request.param == "PNG upload" else None
    award = issue(passed_assessment(version=version))
    return stored(services.issue_badges_for_award(award.pk))


def stored(record) -> BadgeRecord:
    return BadgeRecord.objects.select_related("award__programme_version__programme__issuer").get(
        pk=record.pk
    )


def test_every_variant_is_byte_identical_to_what_the_pipeline_stored_for_a_japanese_badge(
    record,
):
    title = record.award.programme_version.title_in("ja")
    assert not title.isascii()
    assert title in json.dumps(record.ob3_credential, ensure_ascii=False)
    expected = baked_by_the_old_pipeline(record)

    assert set(expected) == set(baked.VARIANTS)
    for variant, stored in expected.items():
        made = baked.bake_variant(record, variant)
        assert made == stored, variant
        assert baked.bake_variant(record, variant) == made  # prepared bakers, second bake


@pytest.mark.parametrize("variant", ["ob2.png", "ob2.svg", "ob3.png", "ob3.svg"])
def test_the_download_serves_those_bytes_with_the_same_headers_etag_and_304(
    client, record, variant
):
    stored = baked_by_the_old_pipeline(record)[variant]
    version = record.award.programme_version
    programme = version.programme
    address = reverse(
        "badges:baked-image", kwargs={"public_id": record.award.public_id, "variant": variant}
    )

    first = client.get(address)
    again = client.get(address, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200
    assert b"".join(first.streaming_content) == stored
    assert first["Content-Type"] == CONTENT_TYPES[variant[-3:]]
    filename = f"{programme.issuer.slug}-{programme.slug}-v{version.number}-{variant}"
    assert first["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert int(first["Content-Length"]) == len(stored)
    assert first["ETag"] == strong_etag(stored)
    assert first["Cache-Control"] == "public, max-age=86400"
    assert again.status_code == 304 and again["ETag"] == first["ETag"]


def test_the_ob3_images_carry_the_credential_exactly_as_its_url_serves_it(client, record):
    served = client.get(
        reverse("badges:ob3-credential", kwargs={"public_id": record.award.public_id})
    )
    credential = json.loads(served.content)

    for variant in ("ob3.png", "ob3.svg"):
        (found,) = baking.unbake(baked.bake_variant(record, variant))
        assert found.payload == json.dumps(credential, ensure_ascii=False)


def test_an_unsigned_payload_is_not_baked_and_its_download_is_404(client):
    award = issue(passed_assessment())
    record = stored(services.issue_badges_for_award(award.pk))
    record.ob2_jws = ""
    record.save(update_fields=["ob2_jws"])
    address = reverse(
        "badges:baked-image", kwargs={"public_id": award.public_id, "variant": "ob2.png"}
    )

    with pytest.raises(baked.NotSigned):
        baked.bake_variant(record, "ob2.png")
    assert client.get(address).status_code == 404
    assert baking.unbake(baked.bake_variant(record, "ob3.png"))[0].version == "3.0"


def test_one_base_image_is_prepared_once_and_a_changed_one_again():
    award = issue(passed_assessment())
    record = stored(services.issue_badges_for_award(award.pk))
    version = record.award.programme_version
    issuer = version.programme.issuer
    prepared = baked.bakers_for(version)
    assert baked.bakers_for(version) is prepared

    # The generated design shows the issuer's name, which its profile may change after issue.
    issuer.name_en = "Renamed University"
    issuer.save(update_fields=["name_en"])

    renamed = baked.bakers_for(version)
    assert renamed is not prepared
    svg = baked.bake_variant(record, "ob3.svg", renamed)
    assert b"Renamed University" in svg
    assert svg == baked_by_the_old_pipeline(record)["ob3.svg"]


def test_the_prepared_bakers_are_bounded_least_recently_used_first(monkeypatch):
    monkeypatch.setattr(baked, "BAKERS_MAX", 2)
    versions = [ProgrammeVersionFactory() for _ in range(3)]
    first = baked.bakers_for(versions[0])
    baked.bakers_for(versions[1])
    assert baked.bakers_for(versions[0]) is first  # used again: now the most recent
    baked.bakers_for(versions[2])

    assert len(baked._BAKERS) == 2
    assert baked.bakers_for(versions[0]) is first
