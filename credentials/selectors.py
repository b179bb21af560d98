"""Reads for staff, always scoped to the issuers the user may act for."""

from django.db.models import Case, CharField, F, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Now
from django.utils import timezone

from frameworks.selectors import descriptors_for, get_default_framework
from frameworks.validation import ValidationReport, validate_programme
from issuers.models import Issuer
from issuers.permissions import Action
from issuers.selectors import issuers_for_user

from .models import (
    Assessment,
    Award,
    Learner,
    LearnerEnrolment,
    Programme,
    ProgrammeVersion,
)

EXPIRED = "expired"  # an effective status: issued, but past expires_at


def programmes_for_user(user, action: Action = Action.VIEW) -> QuerySet[Programme]:
    return (
        Programme.objects.filter(issuer__in=issuers_for_user(user, action))
        .select_related("issuer")
        .prefetch_related(Prefetch("versions", queryset=ProgrammeVersion.objects.order_by()))
    )


def programme_versions_for_user(user, action: Action = Action.VIEW) -> QuerySet[ProgrammeVersion]:
    return ProgrammeVersion.objects.filter(
        programme__issuer__in=issuers_for_user(user, action)
    ).select_related("programme__issuer")


def learners_for_user(user, action: Action = Action.VIEW) -> QuerySet[Learner]:
    """Learners enrolled at one of the user's issuers; others stay invisible."""
    return Learner.objects.filter(
        pk__in=LearnerEnrolment.objects.filter(issuer__in=issuers_for_user(user, action)).values(
            "learner_id"
        )
    )


def enrolments_for_user(user, action: Action = Action.VIEW) -> QuerySet[LearnerEnrolment]:
    return LearnerEnrolment.objects.filter(
        issuer__in=issuers_for_user(user, action)
    ).select_related("issuer", "learner")


def assessments_for_user(user, action: Action = Action.VIEW) -> QuerySet[Assessment]:
    return Assessment.objects.filter(
        programme_version__programme__issuer__in=issuers_for_user(user, action)
    ).select_related("learner", "programme_version__programme__issuer", "assessor")


def with_effective_status(awards: QuerySet[Award]) -> QuerySet[Award]:
    """Annotate `effective_status`: the stored status, or "expired" once past expires_at."""
    return awards.annotate(
        effective_status=Case(
            When(status=Award.Status.ISSUED, expires_at__lte=Now(), then=Value(EXPIRED)),
            default=F("status"),
            output_field=CharField(),
        )
    )


def awards_for_user(user, action: Action = Action.VIEW) -> QuerySet[Award]:
    return with_effective_status(
        Award.objects.filter(
            programme_version__programme__issuer__in=issuers_for_user(user, action)
        ).select_related("learner", "programme_version__programme__issuer")
    )


def valid_awards(awards: QuerySet[Award] | None = None) -> QuerySet[Award]:
    """Issued, not revoked, not expired: the awards that count (stacks, verification)."""
    awards = Award.objects.all() if awards is None else awards
    return awards.filter(status=Award.Status.ISSUED).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=Now())
    )


def latest_assessments(version: ProgrammeVersion) -> dict[int, Assessment]:
    """Each learner's most recent assessment under `version`, by learner id."""
    latest: dict[int, Assessment] = {}
    assessments = Assessment.objects.filter(programme_version=version).select_related("learner")
    for assessment in assessments.order_by("learner_id", "-assessed_on", "-id"):
        latest.setdefault(assessment.learner_id, assessment)
    return latest


def student_numbers(issuer: Issuer, learner_ids) -> dict[int, str]:
    return dict(
        LearnerEnrolment.objects.filter(issuer=issuer, learner_id__in=learner_ids).values_list(
            "learner_id", "student_number"
        )
    )


def is_enrolled(learner: Learner, issuer: Issuer) -> bool:
    return LearnerEnrolment.objects.filter(learner=learner, issuer=issuer).exists()


def programme_descriptor_groups(framework) -> list[tuple]:
    """The framework's groups with the descriptors a programme supplies, in framework order."""
    groups: dict = {}
    for descriptor in descriptors_for(framework).filter(source="programme"):
        groups.setdefault(descriptor.group, []).append(descriptor)
    return sorted(groups.items(), key=lambda item: item[0].order)


def programme_report(version: ProgrammeVersion, framework=None) -> ValidationReport:
    """The framework's report on a version's descriptors: per descriptor, rules, completeness."""
    return validate_programme(
        version.descriptors,
        framework or get_default_framework(),
        awarding_body=version.programme.issuer,  # the issuer supplies awarding_body
    )


def programme_warnings(programme) -> list:
    """What the framework advises about the programme's latest version, without blocking it
    (e.g. fewer hours than the guideline, hours that do not match the credits)."""
    version = programme.latest_version
    return programme_report(version).warnings if version else []


def learners_holding(programmes) -> QuerySet[Learner]:
    """Learners with a valid award under any version of `programmes` (stack candidates)."""
    return Learner.objects.filter(
        pk__in=valid_awards()
        .filter(programme_version__programme__in=programmes)
        .values("learner_id")
    )


# --- the learner's own reads ------------------------------------------------------------------


def session_learner_id(session) -> int | None:
    """The learner signed in on this session (set by the magic-link sign-in), if any."""
    value = session.get("learner_id")
    return value if isinstance(value, int) else None


def award_status(award: Award) -> str:
    """valid / revoked / expired, as the public credential page words it."""
    if award.status == Award.Status.REVOKED:
        return "revoked"
    if award.expires_at and award.expires_at <= timezone.now():
        return EXPIRED
    return "valid"


def learner_awards(learner: Learner) -> QuerySet[Award]:
    """Every issued or revoked award of the learner, from every issuer."""
    return (
        Award.objects.filter(
            learner=learner, status__in=[Award.Status.ISSUED, Award.Status.REVOKED]
        )
        .select_related("programme_version__programme__issuer")
        .order_by("-issued_at", "-id")
    )
