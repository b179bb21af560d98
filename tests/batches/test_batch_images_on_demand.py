"""The batch's second stage writes no image since issue #15: it marks the chunk's items issued
and finishes the chunk; every baked image of a batch-issued badge is then made when asked, with
the bytes bake_png/bake_svg give (what this stage used to write); a re-run after a crash
finishes the chunk once."""

from __future__ import annotations

import pytest

from badges import baked
from badges import batches as stages
from badges.models import BadgeRecord
from credentials.models import BatchChunk, BatchItem
from tests.batches.test_batch_idempotency import CHUNK, running_batch
from tests.support.baked_images import baked_by_the_old_pipeline, served_image

pytestmark = pytest.mark.django_db


def test_a_batch_writes_no_image_and_serves_the_baked_bytes_on_request(
    settings, tmp_path, officer_a, version_a
):
    settings.MEDIA_ROOT = tmp_path
    batch = running_batch(settings, officer_a, version_a, count=CHUNK)
    stages.sign_chunk(batch.pk, 0)

    assert stages.bake_chunk(batch.pk, 0) == CHUNK

    assert not (tmp_path / "badges").exists()
    records = list(
        BadgeRecord.objects.filter(award__batch_items__batch=batch).select_related(
            "award__programme_version__programme__issuer"
        )
    )
    assert len(records) == CHUNK
    for record in records:
        expected = baked_by_the_old_pipeline(record, version_a)
        for variant in baked.VARIANTS:
            assert served_image(record, variant) == expected[variant], variant


def test_a_rerun_after_a_crash_finishes_the_chunk_once(settings, officer_a, version_a, monkeypatch):
    batch = running_batch(settings, officer_a, version_a, count=CHUNK)
    stages.sign_chunk(batch.pk, 0)

    def crash(batch_pk):
        raise RuntimeError("worker lost after the items were updated, before the commit")

    with monkeypatch.context() as patched:
        patched.setattr(stages.record, "finish_if_complete", crash)
        with pytest.raises(RuntimeError):
            stages.bake_chunk(batch.pk, 0)
    chunk = BatchChunk.objects.get(batch=batch, number=0)
    assert chunk.state == BatchChunk.State.BAKING
    assert set(batch.items.values_list("state", flat=True)) == {BatchItem.State.SIGNED}

    assert stages.bake_chunk(batch.pk, 0) == CHUNK
    assert stages.bake_chunk(batch.pk, 0) == 0

    chunk.refresh_from_db()
    assert chunk.state == BatchChunk.State.DONE
    assert chunk.metrics["bake"]["count"] == CHUNK
    assert chunk.metrics["bake"]["ms"]["database"] > 0
    assert set(batch.items.values_list("state", flat=True)) == {BatchItem.State.ISSUED}
