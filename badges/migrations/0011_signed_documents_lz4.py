"""The signed documents of a badge record compressed with LZ4 instead of PostgreSQL's default
pglz (issue #15). An OB 3.0 credential is ~11 KB of JSON; storing a batch chunk's credentials
with pglz cost PostgreSQL 0.24 ms per award, with LZ4 0.09 ms, and LZ4 keeps them smaller
(docs/benchmarks.md). Values written before keep pglz until they are rewritten; both read the
same. PostgreSQL only (14+, built with LZ4, as Debian's is); elsewhere, or where the server has
no LZ4, nothing changes."""

from django.db import migrations, transaction

COLUMNS = ("ob3_credential", "ob2_assertion", "ob2_jws", "ob3_jwt")


def _set_compression(method):
    def run(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        table = connection.ops.quote_name("badges_badgerecord")
        clauses = ", ".join(
            f"ALTER COLUMN {connection.ops.quote_name(column)} SET COMPRESSION {method}"
            for column in COLUMNS
        )
        try:
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE {table} {clauses}")  # noqa: S608 (names are fixed)
        except Exception as error:  # a server without LZ4: the default compression stays
            if "not supported" not in str(error):
                raise

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("badges", "0010_baked_images_on_demand"),
    ]

    operations = [
        migrations.RunPython(_set_compression("lz4"), _set_compression("pglz")),
    ]
