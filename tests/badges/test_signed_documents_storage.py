"""How a badge record's signed documents are stored: PostgreSQL compresses them with LZ4
(migration badges 0011, issue #15), and they read back exactly as signed."""

import pytest
from django.db import connection

from badges import services
from tests.badges.ob3_world import issue, passed_assessment

pytestmark = pytest.mark.django_db

SIGNED_COLUMNS = ["ob2_assertion", "ob2_jws", "ob3_credential", "ob3_jwt"]


def test_the_signed_document_columns_are_set_to_lz4():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attcompression FROM pg_attribute"
            " WHERE attrelid = 'badges_badgerecord'::regclass AND attname = ANY(%s)"
            " ORDER BY attname",
            [SIGNED_COLUMNS],
        )
        assert cursor.fetchall() == [(column, "l") for column in SIGNED_COLUMNS]


def test_an_issued_credential_is_stored_with_lz4_and_reads_back_as_signed():
    record = services.issue_badges_for_award(issue(passed_assessment()).pk)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_compression(ob3_credential), pg_column_compression(ob2_jws),"
            " octet_length(ob3_credential::text) FROM badges_badgerecord WHERE id = %s",
            [record.pk],
        )
        ob3_method, jws_method, length = cursor.fetchone()
    # Values over ~2 KB are compressed; the credential is several times that.
    assert length > 4_000 and ob3_method == "lz4"
    assert jws_method in ("lz4", None)  # a short JWS is stored as it is
    stored = type(record).objects.get(pk=record.pk)
    assert stored.ob3_credential == record.ob3_credential
    assert stored.ob2_jws == record.ob2_jws
