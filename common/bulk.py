"""Many rows in one statement: one UPDATE with different values per row, and inserts by COPY.

Django's ``bulk_update`` builds ``CASE WHEN id = … THEN …`` per row and per field, which costs
about 2 ms of Python per batch item (measured on a 200-row chunk); this sends the rows as a
``VALUES`` list joined on the primary key instead. PostgreSQL and SQLite (3.33+) both name the
columns of an unaliased ``VALUES`` list column1, column2, …"""

import json
from collections.abc import Iterable

from django.db import connection, models
from django.utils import timezone


def update_rows(model, fields: list[str], rows: list[tuple], *, also: dict | None = None) -> int:
    """Set `fields` (attnames) from `rows` = [(pk, value, …), …]; `also` = {attname: value}
    for columns set to one value on every row (e.g. updated_at). Returns the row count."""
    if not rows:
        return 0
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    columns = [model._meta.get_field(name) for name in fields]
    assignments = []
    for position, field in enumerate(columns, start=2):
        # CAST: a column whose first values are NULL would otherwise be typed text.
        # Without the length (varchar, not varchar(16)): a cast never truncates silently.
        db_type = field.cast_db_type(connection).split("(")[0]
        assignments.append(
            f"{connection.ops.quote_name(field.column)} = CAST(v.column{position} AS {db_type})"
        )
    params: list = []
    for name, value in (also or {}).items():
        field = model._meta.get_field(name)
        assignments.append(f"{connection.ops.quote_name(field.column)} = %s")
        params.append(field.get_db_prep_save(value, connection))
    placeholders = ", ".join(["(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"] * len(rows))
    values = [
        prepared
        for row in rows
        for prepared in [row[0]]
        + [
            field.get_db_prep_save(value, connection)
            for field, value in zip(columns, row[1:], strict=True)
        ]
    ]
    # Identifiers come from the model's meta, every value is a parameter.
    sql = (
        f"UPDATE {table} SET {', '.join(assignments)} "  # noqa: S608
        f"FROM (VALUES {placeholders}) AS v WHERE {table}.{pk} = v.column1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params + values)
        return cursor.rowcount


# Fields whose Python values psycopg writes as Django would (ForeignKey: its attname, an int).
_WRITTEN_AS_IS = (
    models.CharField, models.TextField, models.IntegerField, models.BooleanField,
    models.DateField, models.UUIDField, models.ForeignKey,
)  # fmt: skip


def insert_rows(model, fields: list[str], rows: Iterable[tuple]) -> int:
    """Insert `rows` = [(value, …), …] for `fields` (attnames, every column without a database
    default: auto_now and field defaults are not applied). Returns the row count.

    On PostgreSQL through COPY: bulk_create's per-value Python work (preparing each value,
    building and escaping the UNNEST arrays) was 0.1 ms per batch item, 1.2 s of a 10,000-row
    job's start before any worker could begin (docs/benchmarks.md); COPY formats the rows in
    psycopg's C code. Elsewhere (the demo's SQLite) with bulk_create. No primary keys come back."""
    columns = [model._meta.get_field(name) for name in fields]
    if connection.vendor != "postgresql":
        objects = [model(**dict(zip(fields, row, strict=True))) for row in rows]
        model.objects.bulk_create(objects, batch_size=2_000)
        return len(objects)
    json_positions = [i for i, field in enumerate(columns) if isinstance(field, models.JSONField)]
    encoders = {i: columns[i].encoder for i in json_positions}
    # Other kinds of field go through Django's preparation (e.g. "" → NULL for an IP address).
    prepared = [
        (i, field)
        for i, field in enumerate(columns)
        if not isinstance(field, _WRITTEN_AS_IS) and i not in encoders
    ]
    quote = connection.ops.quote_name
    sql = (
        f"COPY {quote(model._meta.db_table)} "
        f"({', '.join(quote(field.column) for field in columns)}) FROM STDIN"
    )
    count = 0
    # wrap_database_errors: a unique or foreign key violation raises Django's IntegrityError,
    # as bulk_create would, not psycopg's own.
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(sql) as copy,
    ):
        for row in rows:
            if encoders or prepared:
                row = list(row)
                for i, encoder in encoders.items():  # as JSONField writes it (its encoder)
                    row[i] = json.dumps(row[i], cls=encoder)
                for i, field in prepared:
                    row[i] = field.get_db_prep_save(row[i], connection)
            copy.write_row(row)
            count += 1
    return count


def create_objects(objects: list) -> None:
    """``bulk_create(objects)`` for unsaved instances of one model, by COPY on PostgreSQL:
    the primary keys are drawn from the table's sequence first and set on the objects, as
    bulk_create sets them; ``auto_now``/``auto_now_add`` fields get the current time.
    Elsewhere: bulk_create."""
    if not objects:
        return
    model = type(objects[0])
    if connection.vendor != "postgresql" or not isinstance(
        model._meta.pk, models.fields.AutoFieldMixin
    ):  # keys from a sequence only
        model.objects.bulk_create(objects, batch_size=1_000)
        return
    meta = model._meta
    columns = meta.concrete_fields
    now = timezone.now()
    for field in columns:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objects:
                setattr(obj, field.attname, now)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objects)],
        )
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = pk
            obj._state.adding, obj._state.db = False, connection.alias
    names = [field.attname for field in columns]
    insert_rows(model, names, ([getattr(obj, name) for name in names] for obj in objects))
