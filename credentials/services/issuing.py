"""The two steps every way of awarding shares: create the award once, and issue it."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from credentials.models import Award
from issuers.services import record_audit

from .common import add_months
from .dispatch import ISSUE_BADGES_TASK, dispatch_after_commit


def _existing(key: dict) -> Award | None:
    """The learner's award under the version: the live one if there is one (a reissue leaves
    the revoked original beside it), else the latest revoked one."""
    awards = Award.objects.select_for_update().filter(**key)
    return (
        awards.exclude(status=Award.Status.REVOKED).first()
        or awards.order_by("-created_at", "-pk").first()
    )


def create_award_once(**fields) -> tuple[Award, bool]:
    """The learner's award under the version, locked; created from `fields` if there is none.

    The unique constraint settles a race between two requests: the loser reads the winner's.
    """
    key = {"learner": fields["learner"], "programme_version": fields["programme_version"]}
    award = _existing(key)
    if award is not None:
        return award, False
    links = ("components", "recognitions")
    award = Award(**{name: value for name, value in fields.items() if name not in links})
    award.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            award.save()
    except IntegrityError:
        return _existing(key), False
    if fields.get("components"):
        award.component_awards.set(fields["components"])
    if fields.get("recognitions"):
        award.component_recognitions.set(fields["recognitions"])
    return award, True


def issue(award: Award, *, actor, request=None, automatic: bool = False) -> Award:
    """Mark a locked pending award issued, audit it, and hand it to badges after commit.

    `automatic`: issued by a stack rule, not approved by a person (the actor only triggered it).
    """
    now = timezone.now()
    months = award.programme_version.validity_months
    award.status = Award.Status.ISSUED
    award.issued_at = now
    award.expires_at = add_months(now, months) if months else None
    award.approved_by = None if automatic or not getattr(actor, "pk", None) else actor
    award.full_clean()
    award.save()
    record_audit(
        actor=actor,
        action="award.issue",
        target=award,
        issuer=award.programme_version.programme.issuer,
        details={"public_id": str(award.public_id), "automatic": automatic},
        request=request,
    )
    dispatch_after_commit(ISSUE_BADGES_TASK, award.pk)
    return award
