"""common.bulk.insert_rows and create_objects: one COPY on PostgreSQL (bulk_create elsewhere)
that stores exactly the values given, whatever characters they hold, gives the objects their
keys and raises what bulk_create raises; a batch's items are stored with it."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from common.bulk import create_objects, insert_rows
from credentials.models import BatchItem, Learner
from credentials.services import batches
from issuers.models import AuditEvent

pytestmark = pytest.mark.django_db

FIELDS = ["batch_id", "chunk", "line", "email", "data", "state", "error_ja", "error_en",
          "notification", "updated_at"]  # fmt: skip
# What COPY's text format must escape (tab, newline, backslash, \N), quotes, Japanese, NUL-free.
AWKWARD = "タブ\tと改行\n\\N \\ \"引用\" '単' \r 終"


def a_batch(officer_a, version_a):
    return batches.start_batch_from_list(
        actor=officer_a, programme_version=version_a,
        rows=[{"email": "first@example.ac.jp", "name_ja": "名", "result": "pass",
               "assessed_on": "2026-10-01"}],
    )  # fmt: skip


def stored(batch) -> list[tuple]:
    return list(
        BatchItem.objects.filter(batch=batch, line__gt=1)
        .order_by("line")
        .values_list("chunk", "line", "email", "data", "state", "error_ja", "error_en")
    )


def rows_for(batch, moment) -> list[tuple]:
    return [
        (batch.pk, 0, 2, "a@example.ac.jp", {"name_ja": AWKWARD, "score": None, "n": [1, 2.5]},
         "pending", "", "", "", moment),
        (batch.pk, 1, 3, AWKWARD, {}, "failed", AWKWARD, "reason\\N", "", moment),
    ]  # fmt: skip


def test_copy_stores_exactly_the_values_given(officer_a, version_a, django_assert_num_queries):
    batch = a_batch(officer_a, version_a)
    moment = timezone.now()
    # One COPY, sent on psycopg's cursor: Django's query log sees no statement at all.
    with django_assert_num_queries(0):
        assert insert_rows(BatchItem, FIELDS, rows_for(batch, moment)) == 2
    assert stored(batch) == [
        (0, 2, "a@example.ac.jp", {"name_ja": AWKWARD, "score": None, "n": [1, 2.5]},
         "pending", "", ""),
        (1, 3, AWKWARD, {}, "failed", AWKWARD, "reason\\N"),
    ]  # fmt: skip
    assert set(BatchItem.objects.filter(line__gt=1).values_list("updated_at", flat=True)) == {
        moment
    }


def test_without_postgresql_the_same_rows_come_from_bulk_create(officer_a, version_a, monkeypatch):
    batch = a_batch(officer_a, version_a)
    moment = timezone.now()
    insert_rows(BatchItem, FIELDS, rows_for(batch, moment))
    by_copy = stored(batch)
    BatchItem.objects.filter(batch=batch, line__gt=1).delete()
    monkeypatch.setattr(connection, "vendor", "sqlite")
    insert_rows(BatchItem, FIELDS, rows_for(batch, moment))
    assert stored(batch) == by_copy


def test_a_batch_stores_one_item_per_row_in_its_chunks(officer_a, version_a, settings):
    settings.BATCH_CHUNK_SIZE = 2
    settings.BATCH_MIN_CHUNK_SIZE = 2
    rows = [{"email": f"l{i}@example.ac.jp", "name_ja": f"名{i}", "result": "pass",
             "assessed_on": "2026-10-01"} for i in range(5)]  # fmt: skip
    rows.append({"email": "not an address", "result": "pass", "assessed_on": "2026-10-01"})
    batch = batches.start_batch_from_list(actor=officer_a, programme_version=version_a, rows=rows)
    items = list(batch.items.order_by("line"))
    assert [(item.line, item.chunk) for item in items] == [(n, (n - 1) // 2) for n in range(1, 7)]
    assert [item.state for item in items] == ["pending"] * 5 + ["failed"]
    assert items[0].data["name_ja"] == "名0" and items[0].email == "l0@example.ac.jp"
    assert items[-1].error_ja and items[-1].error_en and items[-1].error_ja != items[-1].error_en
    assert batch.total == 6 and batch.chunks.count() == 3


# --- create_objects: bulk_create by COPY ---------------------------------------------------------


def audit_events(issuer, count: int) -> list[AuditEvent]:
    return [
        AuditEvent(
            issuer=issuer, actor=None, action="badge.issue", target_type="badges.badgerecord",
            target_id=str(n), target_label=AWKWARD, details={"award": f"a-{n}", "note": AWKWARD},
            ip_address=["192.0.2.7", "", None][n % 3],  # "" is stored as NULL, as Django does
        )
        for n in range(count)
    ]  # fmt: skip


def columns(events) -> list[tuple]:
    return list(
        AuditEvent.objects.filter(pk__in=[e.pk for e in events])
        .order_by("pk")
        .values_list("issuer_id", "action", "target_id", "target_label", "details", "ip_address")
    )


def test_objects_get_their_keys_and_rows_as_bulk_create_gives_them(issuer_a, monkeypatch):
    issuer = issuer_a
    copied = audit_events(issuer, 3)
    create_objects(copied)
    assert all(e.pk and not e._state.adding and e.created_at for e in copied)
    assert len({e.pk for e in copied}) == 3
    monkeypatch.setattr(connection, "vendor", "sqlite")
    created = audit_events(issuer, 3)
    create_objects(created)  # bulk_create
    assert columns(copied) == columns(created) != []
    # The sequence moved past the copied keys: the next row does not collide with them.
    later = AuditEvent.objects.create(issuer=issuer, action="x", target_type="t", target_id="1")
    assert later.pk > max(e.pk for e in copied)


def test_a_duplicate_raises_djangos_integrity_error_as_bulk_create_would():
    create_objects([Learner(email="twice@example.ac.jp")])
    with pytest.raises(IntegrityError), transaction.atomic():
        create_objects([Learner(email="twice@example.ac.jp")])
    assert Learner.objects.filter(email="twice@example.ac.jp").count() == 1
