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
    learner: Learner, issuer: Issuer, student_number: str = ""
) -> tuple[LearnerEnrolment, bool]:
    """The learner's enrolment at `issuer`, created if missing. Callers check permissions."""
    student_number = (student_number or "").strip()
    enrolment = LearnerEnrolment.objects.filter(learner=learner, issuer=issuer).first()
    if enrolment is None:
        enrolment = LearnerEnrolment(learner=learner, issuer=issuer, student_number=student_number)
        enrolment.full_clean()
        enrolment.save()
        return enrolment, True
    if student_number and enrolment.student_number != student_number:
        if enrolment.student_number:
            raise ValidationError(
                {
                    "student_number": _("This learner already has student number %(number)s here.")
                    % {"number": enrolment.student_number}
                }
            )
        enrolment.student_number = student_number
        enrolment.full_clean()
        enrolment.save(update_fields=["student_number"])
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

    An existing learner's names are only filled in where empty: the record is shared with
    other issuers, so one issuer cannot rename a learner another issuer knows.
    """
    require_any_permission(actor, issuer, Action.RECORD_ASSESSMENT, Action.ISSUE_AWARD)
    email = normalise_email(email)
    learner = Learner.objects.select_for_update().filter(email=email).first()
    created = learner is None
    if created:
        learner = Learner(email=email, name_ja=name_ja.strip(), name_en=name_en.strip())
    else:
        learner.name_ja = learner.name_ja or name_ja.strip()
        learner.name_en = learner.name_en or name_en.strip()
    learner.full_clean()
    learner.save()
    _, enrolled = enrol(learner, issuer, student_number)
    if created or enrolled:
        record_audit(
            actor=actor,
            action="learner.create" if created else "learner.enrol",
            target=learner,
            issuer=issuer,
            details={"student_number": student_number} if student_number else {},
            request=request,
        )
    return learner
