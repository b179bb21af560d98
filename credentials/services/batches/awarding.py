"""The record side of one chunk: learners, assessments and issued awards for its items, in
bulk. Runs inside the caller's transaction (the badges app signs in the same one), and is
idempotent: an item already past `pending` is not touched, a learner who already holds an award
under the version keeps it (issued → the item is done, pending → it is issued now)."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.bulk import create_objects, update_rows
from credentials.models import Assessment, Award, BatchItem, IssuingBatch, Learner
from frameworks.i18n import in_both
from issuers.services import audit_event, record_audits

from ..assessments import assessing_methods
from ..awards import check_awardable
from ..common import add_months
from ..imports.rows import Problems, Row, check_against_database, load_known
from ..imports.writing import write_rows
from ..issuing import create_award_once


def _fail(item: BatchItem, message, params=None) -> None:
    item.state = BatchItem.State.FAILED
    item.error_ja, item.error_en = in_both(message, params)


def _skip(item: BatchItem, message) -> None:
    item.state = BatchItem.State.SKIPPED
    item.error_ja, item.error_en = in_both(message)


def _row(item: BatchItem) -> Row:
    data = dict(item.data)
    data.pop("source", None)  # the cells as they came in, for the failed-rows report
    data["assessed_on"] = date.fromisoformat(data["assessed_on"])
    data["score"] = Decimal(data["score"]) if data.get("score") is not None else None
    return Row(line=item.line, **data)


class _Issuing:
    """Issues awards of one version at one moment, and remembers what to audit."""

    def __init__(self, batch: IssuingBatch):
        self.batch = batch
        self.version = batch.programme_version
        self.now = timezone.now()
        months = self.version.validity_months
        self.expires_at = add_months(self.now, months) if months else None
        self.actor = batch.started_by
        self.audits = []

    def new_award(self, learner, assessment) -> Award:
        return Award(
            learner=learner, programme_version=self.version, assessment=assessment,
            status=Award.Status.ISSUED, issued_at=self.now, expires_at=self.expires_at,
            proposed_by=self.actor, approved_by=self.actor,
        )  # fmt: skip

    def issue_pending(self, award: Award) -> None:
        award.status = Award.Status.ISSUED
        award.issued_at = self.now
        award.expires_at = self.expires_at
        award.approved_by = self.actor
        award.save(update_fields=["status", "issued_at", "expires_at", "approved_by", "updated_at"])

    def audit(self, award: Award) -> None:
        self.audits.append(
            audit_event(
                actor=self.actor, action="award.issue", target=award, issuer=self.batch.issuer,
                details={"public_id": str(award.public_id), "batch": str(self.batch.public_id)},
            )
        )  # fmt: skip


def _settle_existing(item, award: Award, issuing: _Issuing, out: list) -> None:
    """An item whose learner already has an award under the version."""
    item.award = award
    if award.status == Award.Status.REVOKED:
        _fail(item, _("This learner's award under this version was revoked; it is not re-issued."))
        return
    if award.status == Award.Status.PENDING:
        issuing.issue_pending(award)
        issuing.audit(award)
    out.append((item, award))


def _award_rows(batch: IssuingBatch, items: list[BatchItem], issuing: _Issuing) -> list:
    version = batch.programme_version
    rows = [_row(item) for item in items]
    known = load_known(rows, version)
    problems = Problems()
    check_against_database(rows, known, problems)
    errors: dict[int, list] = {}
    for error in problems.errors:
        errors.setdefault(error.line, []).append(error)
    good_items, good_rows = [], []
    for item, row in zip(items, rows, strict=True):
        if row.line in errors:
            item.state = BatchItem.State.FAILED
            item.error_ja = " / ".join(e.message_ja for e in errors[row.line])
            item.error_en = " / ".join(e.message_en for e in errors[row.line])
        else:
            good_items.append(item)
            good_rows.append(row)
    learners, assessments = write_rows(
        good_rows, known, version, batch.started_by, propose_awards=False, report=_NoReport()
    )
    existing = {
        award.learner_id: award
        for award in Award.objects.select_for_update().filter(
            programme_version=version, learner_id__in=[lr.pk for lr in learners.values()]
        )
    }
    assessing = set(assessing_methods(version))
    out, new = [], []
    for item, row, assessment in zip(good_items, good_rows, assessments, strict=True):
        learner = learners[row.email]
        item.learner = learner
        if learner.pk in existing:
            _settle_existing(item, existing[learner.pk], issuing, out)
        elif row.result != Assessment.Result.PASS:
            _skip(item, _("Recorded as not passed: no award."))
        elif row.method not in assessing:
            _skip(
                item,
                _("Participation is not an assessment, so it cannot lead to a micro-credential."),
            )
        else:
            award = issuing.new_award(learner, assessment)
            new.append(award)
            out.append((item, award))
    return _save_new(new, out, issuing)


def _save_new(new: list[Award], out: list, issuing: _Issuing) -> list:
    """Insert the new awards, audit them, and point their items at them."""
    create_objects(new)  # COPY on PostgreSQL (common.bulk)
    for award in new:
        issuing.audit(award)
    for item, award in out:
        item.award = award
    return out


def _award_assessments(batch: IssuingBatch, items: list[BatchItem], issuing: _Issuing) -> list:
    version = batch.programme_version
    assessments = Assessment.objects.select_related("learner").in_bulk(
        [item.data["assessment"] for item in items]
    )
    existing = {
        award.learner_id: award
        for award in Award.objects.select_for_update().filter(
            programme_version=version,
            learner_id__in=[a.learner_id for a in assessments.values()],
        )
    }
    assessing = set(assessing_methods(version))
    out, new = [], []
    for item in items:
        assessment = assessments.get(item.data["assessment"])
        if assessment is None or assessment.programme_version_id != version.pk:
            _fail(item, _("The assessment no longer exists."))
            continue
        item.learner = assessment.learner
        if assessment.learner_id in existing:
            _settle_existing(item, existing[assessment.learner_id], issuing, out)
        elif not assessment.passed or assessment.method not in assessing:
            _skip(item, _("Only a passing assessment can lead to an award."))
        else:
            award = issuing.new_award(assessment.learner, assessment)
            new.append(award)
            out.append((item, award))
    return _save_new(new, out, issuing)


def _award_stacks(batch: IssuingBatch, items: list[BatchItem], issuing: _Issuing) -> list:
    version = batch.programme_version
    components = Award.objects.in_bulk(
        [pk for item in items for pk in item.data.get("components", [])]
    )
    learners = Learner.objects.in_bulk([item.data["learner"] for item in items])
    out = []
    for item in items:
        award, created = create_award_once(
            learner=learners[item.data["learner"]], programme_version=version,
            stack_requirement_id=item.data["stack_requirement"],
            components=[components[pk] for pk in item.data["components"] if pk in components],
            recognitions=item.data.get("recognitions", []),
        )  # fmt: skip
        item.learner = learners[item.data["learner"]]
        if not created:
            _settle_existing(item, award, issuing, out)
        elif version.auto_issue_stack:
            issuing.issue_pending(award)
            issuing.audit(award)
            out.append((item, award))
        else:
            item.award = award
            _skip(item, _("Proposed for approval: this stack is not issued automatically."))
    for item, award in out:
        item.award = award
    return out


class _NoReport:
    """write_rows fills an import report; a batch keeps its counts on its items."""

    def __setattr__(self, name, value):
        pass


AWARDERS = {
    IssuingBatch.Source.CSV: _award_rows,
    IssuingBatch.Source.API: _award_rows,
    IssuingBatch.Source.PASSING: _award_assessments,
    IssuingBatch.Source.STACK: _award_stacks,
}


def award_chunk(batch: IssuingBatch, number: int) -> list[tuple[BatchItem, Award]]:
    """Issue the awards of the chunk's pending items (caller's transaction, chunk row locked).

    Returns (item, award) for every item whose award is issued and still needs its badges
    (state `signed` is the caller's to set). Items that cannot be awarded are saved as failed
    or skipped with the reason."""
    items = list(
        BatchItem.objects.filter(batch=batch, chunk=number, state=BatchItem.State.PENDING)
        .order_by("line")
        .select_for_update()
    )
    if not items:
        return []
    issuing = _Issuing(batch)
    try:
        check_awardable(batch.programme_version)
    except Exception as error:
        for item in items:
            reason = " ".join(getattr(error, "messages", [str(error)]))
            _fail(item, "%(reason)s", {"reason": reason})
        save_items(items)
        return []
    out = AWARDERS[batch.source](batch, items, issuing)
    record_audits(issuing.audits)
    save_items([item for item in items if item.state != BatchItem.State.PENDING])
    return out


def save_items(items: Iterable[BatchItem]) -> None:
    """Write the items' state, learner, award and reason (one statement for the chunk)."""
    items = list(items)
    now = timezone.now()
    for item in items:
        item.updated_at = now
    update_rows(
        BatchItem,
        ["state", "learner_id", "award_id", "error_ja", "error_en"],
        [
            (item.pk, item.state, item.learner_id, item.award_id, item.error_ja, item.error_en)
            for item in items
        ],
        also={"updated_at": now},
    )
