"""Starting a batch: check the list, store one item per row (rows that cannot be read are
stored as failed, with the reason, so nothing is lost), split it into chunks and hand it to the
badges app by task name once the transaction commits."""

import hashlib
from dataclasses import fields

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common.bulk import insert_rows
from credentials.models import Assessment, Award, BatchChunk, BatchItem, IssuingBatch
from issuers.permissions import Action
from issuers.services import record_audit, require_permission

from ..assessments import assessing_methods, declared_method_terms, default_method
from ..awards import check_awardable
from ..dispatch import RUN_BATCH_TASK, dispatch_after_commit
from ..imports.reading import COLUMNS, canonical_row, decode_csv, map_header, read_rows
from ..imports.rows import Problems, Row, clean_row, flag_duplicates
from .counts import item_counts

MAX_BATCH_ITEMS = 100_000
ROW_FIELDS = fields(Row)


def chunk_size(total: int | None = None) -> int:
    """Rows per chunk: BATCH_CHUNK_SIZE at most; a smaller job is cut into about eight chunks
    (at least BATCH_MIN_CHUNK_SIZE rows each) so that every worker gets a share of it."""
    largest = int(getattr(settings, "BATCH_CHUNK_SIZE", 500))
    if total is None:
        return largest
    smallest = int(getattr(settings, "BATCH_MIN_CHUNK_SIZE", 50))
    return min(largest, max(smallest, -(-total // 8)))


def row_data(row: Row, source: dict[str, str]) -> dict:
    """A cleaned row as JSON (dates ISO, scores as text, so no precision is lost), with the
    cells as they came in under "source" (the failed-rows report gives those back)."""
    # Not dataclasses.asdict: it deep-copies every value (all immutable here), which was a
    # third of the time a 10,000-row job took to read its rows.
    data = {field.name: getattr(row, field.name) for field in ROW_FIELDS}
    data["assessed_on"] = row.assessed_on.isoformat() if row.assessed_on else None
    data["score"] = str(row.score) if row.score is not None else None
    del data["line"]
    data["source"] = source
    return data


def _source(values: list[str], positions: dict[str, int]) -> dict[str, str]:
    return {
        key: values[index].strip()
        for key, index in positions.items()
        if index < len(values) and values[index].strip()
    }


def _check_size(count: int) -> None:
    if count == 0:
        raise ValidationError(_("The list is empty: there is nothing to issue."))
    if count > MAX_BATCH_ITEMS:
        raise ValidationError(
            _("A batch can hold at most %(max)s awards; split the list.")
            % {"max": f"{MAX_BATCH_ITEMS:,}"}
        )


def _store(batch: IssuingBatch, entries: list[tuple[int, str, dict, tuple[str, str] | None]]):
    """Items from (line, e-mail, data, error) in line order, chunked; then the job is queued."""
    size = batch.chunk_size = chunk_size(len(entries))
    now = timezone.now()
    pending, failed = BatchItem.State.PENDING.value, BatchItem.State.FAILED.value
    none = BatchItem.Notification.NONE.value
    total = insert_rows(
        BatchItem,
        ["batch_id", "chunk", "line", "email", "data", "state", "error_ja", "error_en",
         "notification", "updated_at"],
        (
            # The column holds 254 characters; a longer (failed) address stays whole in `data`.
            (batch.pk, position // size, line, email[:254], data, failed if error else pending,
             *(error or ("", "")), none, now)
            for position, (line, email, data, error) in enumerate(entries)
        ),
    )  # fmt: skip
    chunks = range((total + size - 1) // size)
    BatchChunk.objects.bulk_create([BatchChunk(batch=batch, number=n) for n in chunks])
    batch.total = total
    batch.save(update_fields=["total", "chunk_size", "updated_at"])
    dispatch_after_commit(RUN_BATCH_TASK, batch.pk)


def _new_batch(actor, version, source, *, api_client=None, **fields) -> IssuingBatch:
    issuer = version.programme.issuer
    if actor is not None:
        require_permission(actor, issuer, Action.ISSUE_AWARD)
    check_awardable(version)
    batch = IssuingBatch(
        issuer=issuer,
        programme_version=version,
        source=source,
        started_by=actor if getattr(actor, "pk", None) else None,
        api_client=api_client,
        chunk_size=chunk_size(),
        **fields,
    )
    batch.full_clean()
    batch.save()
    return batch


def _audit(batch: IssuingBatch, actor, request, **details) -> None:
    record_audit(
        actor=actor,
        action="batch.start",
        target=batch,
        issuer=batch.issuer,
        details={"public_id": str(batch.public_id), "source": batch.source, **details},
        request=request,
    )


def _row_entries(version, raw_rows, positions) -> list:
    problems = Problems()
    methods = declared_method_terms(version)
    fallback = default_method(version)
    rows = [
        clean_row(line, values, positions, methods, fallback, problems) for line, values in raw_rows
    ]
    flag_duplicates(rows, problems)
    errors: dict[int, list] = {}
    for error in problems.errors:
        errors.setdefault(error.line, []).append(error)

    def reason(line):
        found = errors.get(line)
        if not found:
            return None
        return (
            " / ".join(e.message_ja for e in found),
            " / ".join(e.message_en for e in found),
        )

    return [
        (row.line, row.email, row_data(row, _source(values, positions)), reason(row.line))
        for row, (_line, values) in zip(rows, raw_rows, strict=True)
    ]


@transaction.atomic
def start_batch_from_csv(
    *, actor, programme_version, data: bytes, filename: str = "", notify: bool = True,
    api_client=None, request=None,
) -> IssuingBatch:  # fmt: skip
    """A batch from a results file (the CSV import's columns and encodings). Raises
    CsvFileError if the file as a whole cannot be read; bad rows become failed items."""
    text, encoding = decode_csv(data)
    _delimiter, _header, raw_rows = read_rows(text)
    positions, ignored = map_header(_header)
    _check_size(len(raw_rows))
    batch = _new_batch(
        actor, programme_version, IssuingBatch.Source.CSV if api_client is None
        else IssuingBatch.Source.API, api_client=api_client,
        source_name=filename[:255], source_sha256=hashlib.sha256(data).hexdigest(),
        notify_learners=notify,
    )  # fmt: skip
    _store(batch, _row_entries(programme_version, raw_rows, positions))
    _audit(batch, actor, request, file=filename, encoding=encoding,
           rows=len(raw_rows), ignored_columns=ignored)  # fmt: skip
    return batch


@transaction.atomic
def start_batch_from_list(
    *, actor, programme_version, rows: list[dict], notify: bool = True, api_client=None,
    request=None,
) -> IssuingBatch:  # fmt: skip
    """A batch from a list of results (the API): each row a dict keyed by the CSV's column
    names, in English or Japanese (`email` or `メールアドレス`)."""
    _check_size(len(rows))
    positions = {column: index for index, column in enumerate(COLUMNS)}
    raw_rows = []
    for line, row in enumerate(rows, start=1):
        row = canonical_row(row)
        raw_rows.append((line, ["" if row.get(c) is None else str(row.get(c)) for c in COLUMNS]))
    batch = _new_batch(
        actor, programme_version, IssuingBatch.Source.API, api_client=api_client,
        source_name=_("API list"), notify_learners=notify,
    )  # fmt: skip
    _store(batch, _row_entries(programme_version, raw_rows, positions))
    _audit(batch, actor, request, rows=len(rows))
    return batch


@transaction.atomic
def start_batch_for_passing(
    *, actor, programme_version, notify: bool = True, request=None
) -> IssuingBatch:
    """Every learner with a passing assessment under the version and no award yet (their
    latest passing assessment with a method that assesses)."""
    latest = (
        Assessment.objects.filter(
            programme_version=programme_version,
            result=Assessment.Result.PASS,
            method__in=assessing_methods(programme_version),
        )
        .exclude(
            learner__awards__in=Award.objects.filter(programme_version=programme_version).exclude(
                status=Award.Status.PENDING
            )
        )
        .values("learner_id")
        .annotate(last=Max("assessed_on"))
    )
    wanted = Q()
    for entry in latest:
        wanted |= Q(learner_id=entry["learner_id"], assessed_on=entry["last"])
    assessments = (
        list(
            Assessment.objects.filter(wanted, programme_version=programme_version)
            .select_related("learner")
            .order_by("learner__email")
        )
        if latest
        else []
    )
    _check_size(len(assessments))
    batch = _new_batch(
        actor, programme_version, IssuingBatch.Source.PASSING,
        source_name=_("All learners with a passing assessment"), notify_learners=notify,
    )  # fmt: skip
    _store(
        batch,
        [
            (line, a.learner.email, {"assessment": a.pk}, None)
            for line, a in enumerate(assessments, start=1)
        ],
    )
    _audit(batch, actor, request, assessments=len(assessments))
    return batch


def start_stack_batch(*, parent: IssuingBatch, version, entries: list[dict]) -> IssuingBatch:
    """A follow-up job for the stacked awards a finished batch completed (run as the system).
    `entries`: {"learner": pk, "email": …, "stack_requirement": pk, "components": [award pks]}."""
    batch = _new_batch(
        None, version, IssuingBatch.Source.STACK, parent=parent,
        source_name=str(parent.public_id), notify_learners=parent.notify_learners,
    )  # fmt: skip
    _store(
        batch,
        [(line, entry.pop("email"), entry, None) for line, entry in enumerate(entries, start=1)],
    )
    _audit(batch, None, None, parent=str(parent.public_id), learners=len(entries))
    return batch


@transaction.atomic
def cancel_batch(*, actor, batch: IssuingBatch, request=None) -> IssuingBatch:
    """Stop a job: chunks not yet taken are not started; awards already issued stay issued."""
    require_permission(actor, batch.issuer, Action.ISSUE_AWARD)
    batch = IssuingBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.is_finished:
        return batch
    # Chunks a worker holds right now still finish; their counts are in the items.
    counts = item_counts(batch)
    batch.state = IssuingBatch.State.CANCELLED
    batch.finished_at = timezone.now()
    batch.done_count = counts["issued"] + counts["skipped"]
    batch.failed_count = counts["failed"]
    batch.save(update_fields=["state", "finished_at", "done_count", "failed_count", "updated_at"])
    record_audit(actor=actor, action="batch.cancel", target=batch, issuer=batch.issuer,
                 details={"public_id": str(batch.public_id)}, request=request)  # fmt: skip
    return batch
