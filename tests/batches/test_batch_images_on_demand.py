"""The baking stage writes each image at its deterministic name (badges/<award>/ob2.png …), with
the bytes bake_png/bake_svg give; a re-run after a crash overwrites the same files (no suffixed
orphans); a storage other than the file system goes through FieldFile.save."""

from __future__ import annotations

import json
import os

import pytest
from django.core.files.storage import default_storage

from badges import baking, images
from badges import batches as stages
from badges.models import BadgeRecord, baked_image_path
from tests.batches.test_batch_idempotency import CHUNK, running_batch

pytestmark = pytest.mark.django_db

FIELDS = ("ob2_png", "ob2_svg", "ob3_png", "ob3_svg")


def baked_batch(settings, officer, version):
    batch = running_batch(settings, officer, version, count=CHUNK)
    stages.sign_chunk(batch.pk, 0)
    assert stages.bake_chunk(batch.pk, 0) == CHUNK
    return batch, list(BadgeRecord.objects.filter(award__batch_items__batch=batch))


def expected_images(record: BadgeRecord, version) -> dict[str, bytes]:
    png, svg = images.badge_images(version)
    credential_json = json.dumps(record.ob3_credential, ensure_ascii=False)
    return {
        "ob2_png": baking.bake_png(png, keyword="openbadges", text=record.ob2_jws),
        "ob2_svg": baking.bake_svg(svg, version="2.0", verify=record.ob2_jws),
        "ob3_png": baking.bake_png(png, keyword="openbadgecredential", text=credential_json),
        "ob3_svg": baking.bake_svg(svg, version="3.0", credential_json=credential_json),
    }


def stored(record: BadgeRecord) -> dict[str, bytes]:
    found = {}
    for field in FIELDS:
        with default_storage.open(getattr(record, field).name, "rb") as file:
            found[field] = file.read()
    return found


def assert_baked_at_deterministic_names(records, version) -> None:
    for record in records:
        names = {field: getattr(record, field).name for field in FIELDS}
        assert names == {f: baked_image_path(record, f.replace("_", ".")) for f in FIELDS}
        assert stored(record) == expected_images(record, version)


def test_images_are_written_at_their_deterministic_names_with_the_baked_bytes(
    settings, officer_a, version_a
):
    _, records = baked_batch(settings, officer_a, version_a)

    assert_baked_at_deterministic_names(records, version_a)
    directory = os.path.dirname(default_storage.path(records[0].ob2_png.name))
    assert sorted(os.listdir(directory)) == ["ob2.png", "ob2.svg", "ob3.png", "ob3.svg"]


def test_a_rerun_after_a_crash_overwrites_its_own_files(
    settings, officer_a, version_a, monkeypatch
):
    batch = running_batch(settings, officer_a, version_a, count=CHUNK)
    stages.sign_chunk(batch.pk, 0)
    records = list(BadgeRecord.objects.filter(award__batch_items__batch=batch))
    for record in records:  # a first attempt that left a half-written file behind
        path = default_storage.path(baked_image_path(record, "ob3.svg"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as file:
            file.write(b"half written")

    def crash(items):
        raise RuntimeError("worker lost after writing the files")

    with monkeypatch.context() as patched:
        patched.setattr(stages.record, "save_items", crash)
        with pytest.raises(RuntimeError):
            stages.bake_chunk(batch.pk, 0)
    assert not BadgeRecord.objects.filter(pk=records[0].pk).values_list("ob2_png", flat=True)[0]

    assert stages.bake_chunk(batch.pk, 0) == CHUNK

    again = list(BadgeRecord.objects.filter(pk__in=[r.pk for r in records]))
    assert_baked_at_deterministic_names(again, version_a)
    for record in again:
        directory = os.path.dirname(default_storage.path(record.ob2_png.name))
        assert sorted(os.listdir(directory)) == ["ob2.png", "ob2.svg", "ob3.png", "ob3.svg"]


def test_other_storages_are_written_through_field_file_save(settings, officer_a, version_a):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }

    _, records = baked_batch(settings, officer_a, version_a)

    assert type(default_storage._wrapped).__name__ == "InMemoryStorage"
    assert_baked_at_deterministic_names(records, version_a)
