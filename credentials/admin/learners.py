"""Learners and assessments: lists scoped to the user's issuers; learners are added through
register_learner (an e-mail another issuer knows is enrolled here, not duplicated)."""

from django.contrib import admin
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.urls import path
from django.utils.translation import gettext_lazy as _

from credentials import selectors, services
from credentials.forms import LearnerAddForm
from credentials.models import Assessment, Award, Learner, LearnerEnrolment
from issuers.admin import ScopedAdminMixin, may
from issuers.permissions import Action
from issuers.selectors import issuers_for_user

from .evidence import EvidenceInline, evidence_upload_view

LEARNER_ADDERS = (Action.RECORD_ASSESSMENT, Action.ISSUE_AWARD)


def with_names_like(queryset, search_term: str, issuer_path: str):
    """A search in assessments or awards: the rows of `queryset` whose learner's name, as the
    row's own issuer recorded it, contains the term (none for an empty term)."""
    term = search_term.strip()
    if not term:
        return queryset.none()
    named = LearnerEnrolment.objects.filter(
        learner_id=OuterRef("learner_id"), issuer_id=OuterRef(issuer_path)
    ).filter(Q(name_ja__icontains=term) | Q(name_en__icontains=term))
    return queryset.filter(Exists(named))


class ScopedInline(admin.TabularInline):
    """Read-only rows, visible by role (not Django model permissions), scoped in get_queryset."""

    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return may(request, None, Action.VIEW, any_issuer=True)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ScopedEnrolmentInline(ScopedInline):
    """The learner's enrolments at the user's own issuers only."""

    model = LearnerEnrolment
    fields = readonly_fields = ["issuer", "name_ja", "name_en", "student_number", "created_at"]

    def get_queryset(self, request):
        return selectors.enrolments_for_user(request.user)


class ScopedAwardInline(ScopedInline):
    """The learner's awards at the user's own issuers only."""

    model = Award
    fields = readonly_fields = ["programme_version", "status", "issued_at", "expires_at"]
    show_change_link = True

    def get_queryset(self, request):
        return selectors.awards_for_user(request.user)


@admin.register(Learner)
class LearnerAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name_ja_display", "name_en_display", "email", "student_number_display"]
    # Names and student numbers: get_search_results, in the user's own issuers' enrolments only.
    search_fields = ["email"]
    readonly_fields = ["email", "created_at"]  # names: the user's own enrolments (inline)
    inlines = [ScopedEnrolmentInline, ScopedAwardInline]

    def get_queryset(self, request):
        # Only the user's own issuers' enrolments: another issuer's student numbers stay hidden.
        return selectors.learners_for_user(request.user).prefetch_related(
            Prefetch(
                "enrolments",
                queryset=selectors.enrolments_for_user(request.user),
                to_attr="visible_enrolments",
            )
        )

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            # Another issuer's names and numbers are not searched: that would confirm them.
            own = selectors.enrolments_for_user(request.user).filter(
                Q(student_number=term) | Q(name_ja__icontains=term) | Q(name_en__icontains=term)
            )
            found |= queryset.filter(pk__in=own.values("learner_id"))
        return found, may_have_duplicates

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            issuers = (
                issuers_for_user(request.user, Action.RECORD_ASSESSMENT)
                | issuers_for_user(request.user, Action.ISSUE_AWARD)
            ).distinct()

            class BoundLearnerAddForm(LearnerAddForm):
                def __init__(self, *args, **inner):
                    super().__init__(*args, issuers=issuers, **inner)

            return BoundLearnerAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["issuer", "email", "name_ja", "name_en", "student_number"]
        return self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_view_permission(self, request, obj=None):
        return may(request, None, Action.VIEW, any_issuer=True)

    def has_add_permission(self, request):
        return any(may(request, None, action, any_issuer=True) for action in LEARNER_ADDERS)

    def has_change_permission(self, request, obj=None):
        return False  # shared with other issuers: names are filled in, never overwritten here

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("student number"))
    def student_number_display(self, learner):
        return ", ".join(e.student_number for e in learner.visible_enrolments if e.student_number)

    @staticmethod
    def _own_names(learner, field: str) -> str:
        names = dict.fromkeys(getattr(e, field) for e in learner.visible_enrolments)
        return ", ".join(name for name in names if name)

    @admin.display(description=_("full name (Japanese)"))
    def name_ja_display(self, learner):
        return self._own_names(learner, "name_ja")

    @admin.display(description=_("full name (English)"))
    def name_en_display(self, learner):
        return self._own_names(learner, "name_en")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        learner = services.register_learner(
            actor=request.user,
            issuer=data["issuer"],
            email=data["email"],
            name_ja=data["name_ja"],
            name_en=data["name_en"],
            student_number=data["student_number"],
            request=request,
        )
        obj.pk, obj._state.adding, obj._state.db = learner.pk, False, learner._state.db
        obj.email = learner.email

    def save_related(self, request, form, formsets, change):
        pass  # nothing related is edited here


@admin.register(Assessment)
class AssessmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only: results are entered in a version's grid or imported from CSV."""

    list_display = ["learner", "programme_version", "result", "score", "grade", "assessed_on"]
    list_filter = ["result", ("programme_version__programme", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["learner__email"]  # names: get_search_results, own enrolments only
    date_hierarchy = "assessed_on"
    inlines = [EvidenceInline]

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/evidence/",
                wrap(lambda request, object_id: evidence_upload_view(self, request, object_id)),
                name="credentials_assessment_evidence",
            ),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        return selectors.assessments_for_user(request.user)

    def get_search_results(self, request, queryset, search_term):
        named = with_names_like(queryset, search_term, "programme_version__programme__issuer_id")
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return found | named, may_have_duplicates

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return may(request, None, Action.VIEW, any_issuer=True)
        return may(request, obj.programme_version.programme.issuer, Action.VIEW)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
