"""common.bulk.update_rows: one UPDATE, the values each row should get, NULLs included."""

import pytest
from django.utils import timezone

from common.bulk import update_rows
from credentials.models import BatchItem
from credentials.services import batches

pytestmark = pytest.mark.django_db


def test_each_row_gets_its_own_values_and_the_shared_ones(
    officer_a, version_a, django_assert_num_queries
):
    batch = batches.start_batch_from_list(
        actor=officer_a,
        programme_version=version_a,
        rows=[{"email": f"l{i}@example.ac.jp", "name_ja": "名", "result": "pass",
               "assessed_on": "2026-10-01"} for i in range(3)],
    )  # fmt: skip
    first, second, third = batch.items.order_by("line")
    moment = timezone.now()
    with django_assert_num_queries(1):
        count = update_rows(
            BatchItem,
            ["state", "error_ja", "learner_id"],
            [(first.pk, "failed", "理由「'\\\"」", None), (second.pk, "skipped", "", None)],
            also={"updated_at": moment},
        )
    assert count == 2
    first.refresh_from_db(), second.refresh_from_db(), third.refresh_from_db()
    assert (first.state, first.error_ja) == ("failed", "理由「'\\\"」")
    assert (second.state, second.error_ja) == ("skipped", "")
    assert first.updated_at == second.updated_at == moment
    assert third.state == "pending" and third.updated_at != moment


def test_nothing_to_update_sends_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert update_rows(BatchItem, ["state"], []) == 0
