"""Reads for the public badge endpoints and staff pages."""

from __future__ import annotations

import datetime
import functools
import uuid

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from badges.models import BadgeRecord, Endorsement, StatusList
from credentials.models import Award, ProgrammeVersion
from issuers.models import Issuer, SigningKey
from issuers.permissions import Action
from issuers.selectors import issuers_for_user


@functools.lru_cache(maxsize=32)
def _hot_sql(model, columns: tuple[str, ...], key: str) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    where = connection.ops.quote_name(model._meta.get_field(key).column)
    return f"SELECT {names} FROM {table} WHERE {where} = %s"  # noqa: S608 (names from _meta)


def hot_lookup(model, columns: tuple[str, ...], key: str, value) -> tuple | None:
    """One row's `columns` by a unique `key`, for the public endpoints asked on every request
    (a verifier's status check): the SQL is built once, not compiled by the ORM each time
    (≈ 0.3 ms of a 1 ms request, docs/benchmarks.md). Values come back as the database
    driver gives them, which is enough for the equality and None checks their callers make."""
    field = model._meta.get_field(key)
    with connection.cursor() as cursor:
        cursor.execute(_hot_sql(model, columns, key), [field.get_db_prep_value(value, connection)])
        return cursor.fetchone()


def ed25519_key_set(issuer_slug: str) -> list[tuple]:
    """(pk, key id, status, created, retired, public key) of the issuer's Ed25519 keys, by pk:
    what its did:web document is made from (asked on every did.json request, so built SQL)."""
    ops = connection.ops
    keys, issuers = SigningKey._meta, Issuer._meta
    sql = (
        "SELECT k.id, k.key_id, k.status, k.created_at, k.retired_at, k.public_key "  # noqa: S608
        f"FROM {ops.quote_name(keys.db_table)} k JOIN {ops.quote_name(issuers.db_table)} i "
        "ON i.id = k.issuer_id WHERE i.slug = %s AND k.algorithm = %s ORDER BY k.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [issuer_slug, SigningKey.Algorithm.ED25519.value])
        return [(*row[:5], bytes(row[5])) for row in cursor.fetchall()]


def public_page_state(public_id) -> tuple | None:
    """(pk, status, updated_at, expires_at) of an issued or revoked award whose public page is
    visible and whose badges are made; None otherwise. The credential page's cache key, read on
    every visit: built SQL (the ORM's join and ordering cost more than the kept page's answer)."""
    ops = connection.ops
    awards, records = Award._meta, BadgeRecord._meta
    sql = (
        "SELECT a.id, a.status, a.updated_at, a.expires_at "  # noqa: S608 (names from _meta)
        f"FROM {ops.quote_name(awards.db_table)} a WHERE a.public_id = %s "
        "AND a.status IN (%s, %s) AND a.public_page_visible "
        f"AND EXISTS (SELECT 1 FROM {ops.quote_name(records.db_table)} b WHERE b.award_id = a.id)"
    )
    public_id = awards.get_field("public_id").get_db_prep_value(public_id, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [public_id, Award.Status.ISSUED.value, Award.Status.REVOKED.value])
        row = cursor.fetchone()
    if row is None:
        return None
    pk, status, updated_at, expires_at = row
    return pk, status, _aware(updated_at), _aware(expires_at)


def _aware(value):
    # SQLite's driver gives naive UTC datetimes where PostgreSQL's gives aware ones.
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value, datetime.UTC)
    return value


def issuer_by_slug(slug: str) -> Issuer:
    return Issuer.objects.get(slug=slug)


def record_for_public_id(public_id) -> BadgeRecord:
    """The badge record of an award by the award's public id (BadgeRecord.DoesNotExist)."""
    return BadgeRecord.objects.select_related(
        "award", "status_list", "award__programme_version__programme__issuer"
    ).get(award__public_id=public_id)


def award_state_for_public_id(public_id) -> tuple[str, object] | None:
    """(status, suspended_at) of an award by its public id: one indexed lookup, no joins."""
    return hot_lookup(Award, ("status", "suspended_at"), "public_id", public_id)


def status_list_for_public_id(public_id) -> StatusList:
    return StatusList.objects.select_related("issuer").get(public_id=public_id)


def published_version(issuer_slug: str, programme_slug: str, number: int) -> ProgrammeVersion:
    """A published programme version (ProgrammeVersion.DoesNotExist otherwise): only those
    can have awards, so only they have a public achievement."""
    return ProgrammeVersion.objects.select_related("programme__issuer", "framework").get(
        programme__issuer__slug=issuer_slug,
        programme__slug=programme_slug,
        number=number,
        published_at__isnull=False,
    )


def status_of(record: BadgeRecord) -> bool:
    """Whether the record's revocation bit is set."""
    from badges.status_list import StatusBits

    bits = StatusBits.from_bytes(bytes(record.status_list.bits))
    return bits.is_set(record.status_index)


def active_endorsements(version) -> QuerySet[Endorsement]:
    """Endorsements new badges of ``version`` embed: accepted by the version's issuer (never
    pending or declined), not withdrawn, not past their validity. Every document that embeds
    endorsements (OB 3.0 achievement, OB 2.0 BadgeClass, batch signing's shared parts) reads
    them here."""
    return (
        Endorsement.objects.filter(
            programme_version=version,
            status=Endorsement.Status.ACTIVE,
            acceptance=Endorsement.Acceptance.ACCEPTED,
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=timezone.now()))
        .select_related("endorser")
        .order_by("issued_at", "pk")
    )


def endorsement_for_public_id(public_id) -> Endorsement:
    return Endorsement.objects.select_related(
        "endorser", "programme_version__programme__issuer"
    ).get(public_id=public_id)


def endorsements_for_user(user) -> QuerySet[Endorsement]:
    """What a staff member sees: endorsements their issuers gave or received."""
    issuers = issuers_for_user(user, Action.VIEW)
    return Endorsement.objects.filter(
        Q(endorser__in=issuers) | Q(programme_version__programme__issuer__in=issuers)
    ).select_related("endorser", "programme_version__programme__issuer")


def stored_credential_for_public_id(public_id) -> tuple[dict, int, str] | None:
    """(signed OB 3.0 credential, issuer pk, issuer slug) of an award by its public id, or None:
    one indexed lookup joined to the record's status list (whose issuer is the award's)."""
    return (
        BadgeRecord.objects.filter(award__public_id=public_id)
        .values_list("ob3_credential", "status_list__issuer_id", "status_list__issuer__slug")
        .first()
    )


def key_status_and_status_lists(
    issuer_pk: int, key_id: str, list_ids
) -> tuple[str | None, dict[str, tuple]]:
    """In one query (built SQL: it runs on every verification of a portal credential): the
    status ('active'/'retired', None if none) of the issuer's published Ed25519 key `key_id`,
    and list public id (str) → (purpose, size, bits) of the issuer's status lists among
    `list_ids`."""
    ops = connection.ops
    ids = [uuid.UUID(str(value)) for value in list_ids]
    field = StatusList._meta.get_field("public_id")
    marks = ", ".join(["%s"] * len(ids))
    sql = (
        "SELECT l.public_id, l.purpose, l.size, l.bits, "  # noqa: S608 (names from _meta)
        f"(SELECT k.status FROM {ops.quote_name(SigningKey._meta.db_table)} k "
        "WHERE k.issuer_id = %s AND k.key_id = %s AND k.algorithm = %s) "
        f"FROM {ops.quote_name(StatusList._meta.db_table)} l "
        f"WHERE l.issuer_id = %s AND l.public_id IN ({marks})"
    )
    params = [issuer_pk, key_id, SigningKey.Algorithm.ED25519.value, issuer_pk]
    params += [field.get_db_prep_value(value, connection) for value in ids]
    lists, status = {}, None
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for public_id, purpose, size, bits, key in cursor.fetchall():
            lists[str(uuid.UUID(str(public_id)))] = (purpose, size, bytes(bits))
            status = key  # the same on every row
    return status, lists
