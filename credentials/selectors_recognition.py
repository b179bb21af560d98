"""Reads about recognition of prior learning: approved outside achievements that count, whether
a stacked award still stands, and the staff's and the learner's lists."""

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Now

from issuers.permissions import Action
from issuers.selectors import issuers_for_user

from .models import Award, RecognisedAchievement, Recognition
from .selectors import valid_awards


def approved_recognitions() -> QuerySet[Recognition]:
    """Approved recognitions of outside achievements that are still valid: what a stack counts."""
    return (
        Recognition.objects.filter(
            status=Recognition.Status.APPROVED,
            achievement__status=RecognisedAchievement.Status.VERIFIED,
        )
        .filter(Q(achievement__valid_until__isnull=True) | Q(achievement__valid_until__gt=Now()))
        .select_related("rule", "achievement")
    )


def stack_still_holds(stacked: Award) -> bool:
    """Whether the learner still holds enough valid components (awards of the required
    programmes, or approved recognitions standing for them) for this stacked award."""
    requirement = stacked.stack_requirement
    if requirement is None:
        return True
    required = set(requirement.required.values_list("pk", flat=True))
    held = set(
        valid_awards()
        .filter(learner=stacked.learner, programme_version__programme__in=required)
        .values_list("programme_version__programme_id", flat=True)
    )
    held |= set(
        approved_recognitions()
        .filter(
            achievement__learner=stacked.learner,
            rule__requirement=requirement,
            rule__stands_for__in=required,
        )
        .values_list("rule__stands_for_id", flat=True)
    )
    return len(held) >= (requirement.min_count or len(required))


def recognitions_for_staff(user) -> QuerySet[Recognition]:
    """Recognitions at the issuers where `user` may issue awards, those awaiting a decision
    first."""
    pending_first = Case(
        When(status=Recognition.Status.PENDING, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        Recognition.objects.filter(
            rule__requirement__target__issuer__in=issuers_for_user(user, Action.ISSUE_AWARD)
        )
        .select_related(
            "achievement__learner", "rule__stands_for", "rule__requirement__target__issuer"
        )
        .order_by(pending_first, "-created_at", "-pk")
    )


def learner_outside_achievements(learner) -> list[RecognisedAchievement]:
    return list(
        RecognisedAchievement.objects.filter(learner=learner).prefetch_related(
            "recognitions__rule__stands_for", "recognitions__rule__requirement__target"
        )
    )
