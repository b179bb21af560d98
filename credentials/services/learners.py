"""Writing learners: found or created by e-mail, and enrolled at the issuer that knows them."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from credentials.models import Learner, LearnerEnrolment, normalise_email
from issuers.models import Issuer
from issuers.permissions import Action
from issuers.services import record_audit

from .common import require_any_permission


def enrol(
    learner: Learner,
    issuer: Issuer,
    student_number: str = "",
    *,
    name_ja: str = "",
    name_en: str = "",
) -> tuple[LearnerEnrolment, bool]:
    """The learner's enrolment at `issuer`, created if missing, with what `issuer` records:
    names (only filled in where empty) and student number (set once). Only this issuer's
    enrolment is read or written. Callers check permissions."""
    student_number = (student_number or "").strip()
    name_ja, name_en = (name_ja or "").strip(), (name_en or "").strip()
    enrolment = (
        LearnerEnrolment.objects.select_for_update().filter(learner=learner, issuer=issuer).first()
    )
    if enrolment is None:
        enrolment = LearnerEnrolment(
            learner=learner,
            issuer=issuer,
            student_number=student_number,
            name_ja=name_ja,
            name_en=name_en,
        )
        enrolment.full_clean()
        enrolment.save()
        return enrolment, True
    changed = []
    if student_number and enrolment.student_number != student_number:
        if enrolment.student_number:
            raise ValidationError(
                {
                    "student_number": _("This learner already has student number %(number)s here.")
                    % {"number": enrolment.student_number}
                }
            )
        enrolment.student_number = student_number
        changed.append("student_number")
    for field, value in (("name_ja", name_ja), ("name_en", name_en)):
        if value and not getattr(enrolment, field):
            setattr(enrolment, field, value)
            changed.append(field)
    if changed:
        enrolment.full_clean()
        enrolment.save(update_fields=changed)
    return enrolment, False


@transaction.atomic
def register_learner(
    *,
    actor,
    issuer: Issuer,
    email: str,
    name_ja: str = "",
    name_en: str = "",
    student_number: str = "",
    request=None,
) -> Learner:
    """Find the learner by e-mail (or create them) and enrol them at `issuer`.

    The names and student number are written to `issuer`'s own enrolment only (names filled
    in where empty): what another issuer recorded is neither read, returned nor changed. A
    learner new to `issuer` needs a name from `issuer`, whether or not another issuer knows
    them, so the answer does not reveal that either. Read the names back with
    selectors.learner_name_for(learner, issuer).
    """
    require_any_permission(actor, issuer, Action.RECORD_ASSESSMENT, Action.ISSUE_AWARD)
    email = normalise_email(email)
    learner = Learner.objects.select_for_update().filter(email=email).first()
    created = learner is None
    if created:
        learner = Learner(email=email)
        learner.full_clean()
        learner.save()
    _, enrolled = enrol(learner, issuer, student_number, name_ja=name_ja, name_en=name_en)
    if created:
        # A platform event (no issuer: superusers see it), so that the issuer's own trail does
        # not tell its staff whether another issuer already knew the e-mail.
        record_audit(actor=actor, action="learner.create", target=learner, request=request)
    if enrolled:
        record_audit(
            actor=actor,
            action="learner.enrol",
            target=learner,
            issuer=issuer,
            details={"student_number": student_number} if student_number else {},
            request=request,
        )
    return learner
