"""Reads for staff, always scoped to the issuers the user may act for."""

from typing import NamedTuple

from django.db.models import (
    Case,
    CharField,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
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


# --- learners' names: each issuer reads only the names it recorded itself ---------------------


class LearnerName(NamedTuple):
    """A learner's names as one issuer recorded them (on its LearnerEnrolment)."""

    ja: str = ""
    en: str = ""

    def in_lang(self, lang: str) -> str:
        return (self.en or self.ja) if lang == "en" else (self.ja or self.en)


NO_NAME = LearnerName()


def _id(value) -> int:
    return value if isinstance(value, int) else value.pk


def learner_name_for(learner: Learner | int, issuer: Issuer | int) -> LearnerName:
    """The names `issuer` recorded for the learner; empty when it does not know them."""
    row = (
        LearnerEnrolment.objects.filter(learner_id=_id(learner), issuer_id=_id(issuer))
        .values_list("name_ja", "name_en")
        .first()
    )
    return LearnerName(*row) if row else NO_NAME


def learner_names_for(learners, issuer: Issuer | int) -> dict[int, LearnerName]:
    """learner_name_for for many learners (objects or ids) in one query, by learner id;
    learners `issuer` does not know are absent."""
    ids = {_id(learner) for learner in learners}
    rows = LearnerEnrolment.objects.filter(issuer_id=_id(issuer), learner_id__in=ids)
    return {
        learner_id: LearnerName(ja, en)
        for learner_id, ja, en in rows.values_list("learner_id", "name_ja", "name_en")
    }


def _issuer_enrolment(field: str, learner: str = "learner_id", issuer: str = "issuer_id"):
    return Subquery(
        LearnerEnrolment.objects.filter(
            learner_id=OuterRef(learner), issuer_id=OuterRef(issuer)
        ).values(field)[:1],
        output_field=CharField(),
    )


def with_learner_names(awards: QuerySet[Award]) -> QuerySet[Award]:
    """Annotate `learner_name_ja` / `learner_name_en`: the names the award's own issuer
    recorded (one query for a whole list; award_learner_name reads them)."""
    issuer = "programme_version__programme__issuer_id"
    return awards.annotate(
        learner_name_ja=_issuer_enrolment("name_ja", issuer=issuer),
        learner_name_en=_issuer_enrolment("name_en", issuer=issuer),
    )


def award_learner_name(award: Award) -> LearnerName:
    """The learner's names as recorded by the issuer of the award (never another issuer's)."""
    if hasattr(award, "learner_name_ja"):  # annotated by with_learner_names
        return LearnerName(award.learner_name_ja or "", award.learner_name_en or "")
    return learner_name_for(award.learner_id, award.programme_version.programme.issuer_id)


def award_learner_names(awards) -> dict[int, LearnerName]:
    """award_learner_name for many awards (of any issuers), by award id, in one query."""
    awards = list(awards)
    by_issuer: dict[int, set[int]] = {}
    for award in awards:
        by_issuer.setdefault(award.programme_version.programme.issuer_id, set()).add(
            award.learner_id
        )
    query = Q(pk__in=[])
    for issuer_id, learner_ids in by_issuer.items():
        query |= Q(issuer_id=issuer_id, learner_id__in=learner_ids)
    names = {
        (learner_id, issuer_id): LearnerName(ja, en)
        for learner_id, issuer_id, ja, en in LearnerEnrolment.objects.filter(query).values_list(
            "learner_id", "issuer_id", "name_ja", "name_en"
        )
    }
    return {
        a.pk: names.get((a.learner_id, a.programme_version.programme.issuer_id), NO_NAME)
        for a in awards
    }


def own_learner_name(learner: Learner) -> LearnerName:
    """For the learner's own eyes only (their signed-in area): the names of their earliest
    enrolment, whichever issuer recorded them."""
    row = (
        LearnerEnrolment.objects.filter(learner=learner)
        .order_by("created_at", "pk")
        .values_list("name_ja", "name_en")
        .first()
    )
    return LearnerName(*row) if row else NO_NAME


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
    """valid / revoked / suspended / expired, as the public credential page words it."""
    if award.status == Award.Status.REVOKED:
        return "revoked"
    if award.suspended_at is not None:
        return "suspended"
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
