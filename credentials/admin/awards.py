"""Awards: the list with its effective status, approve (issue) and revoke with a reason."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from credentials import selectors, services
from credentials.forms import RevokeAwardsForm
from credentials.models import Award
from frameworks.i18n import current_lang
from issuers.admin import ScopedAdminMixin, may
from issuers.permissions import Action

from .award_lifecycle import lifecycle_view
from .common import report_failure
from .learners import with_names_like

STATUS_LABELS = {
    **dict(Award.Status.choices),
    selectors.EXPIRED: gettext_lazy("Expired"),
}


class EffectiveStatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("status")
    parameter_name = "effective_status"

    def lookups(self, request, model_admin):
        return list(STATUS_LABELS.items())

    def queryset(self, request, queryset):
        if self.value() in STATUS_LABELS:
            return queryset.filter(effective_status=self.value())
        return queryset


@admin.register(Award)
class AwardAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "learner_name",
        "learner_email",
        "programme_title",
        "version_number",
        "status_display",
        "issued_at",
        "expires_at",
    ]
    list_filter = [
        EffectiveStatusFilter,
        ("programme_version__programme", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["learner__email"]  # names: get_search_results (the award issuer's own)
    actions = ["approve_awards", "revoke_awards"]
    fields = readonly_fields = [
        "public_id",
        "learner",
        "programme_version",
        "status_display",
        "assessment",
        "stack_requirement",
        "proposed_by",
        "approved_by",
        "issued_at",
        "expires_at",
        "revoked_at",
        "revoked_by",
        "revocation_reason",
        "suspended_at",
        "suspension_reason",
        "supersedes",
        "created_at",
    ]
    date_hierarchy = "issued_at"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/after-issue/<str:action>/",
                wrap(
                    lambda request, object_id, action: lifecycle_view(
                        self, request, object_id, action
                    )
                ),
                name="credentials_award_lifecycle",
            ),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        # The learner's names as each award's issuer recorded them, in the same query.
        return selectors.with_learner_names(selectors.awards_for_user(request.user))

    def get_search_results(self, request, queryset, search_term):
        named = with_names_like(queryset, search_term, "programme_version__programme__issuer_id")
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return found | named, may_have_duplicates

    def has_view_permission(self, request, obj=None):
        return may(request, obj and _issuer(obj), Action.VIEW, any_issuer=obj is None)

    def has_add_permission(self, request):
        return False  # awards come from assessments, stacks and imports

    def has_change_permission(self, request, obj=None):
        return False  # the record is changed only by approving or revoking

    def has_delete_permission(self, request, obj=None):
        return False

    def has_issue_permission(self, request):
        return may(request, None, Action.ISSUE_AWARD, any_issuer=True)

    def has_revoke_permission(self, request):
        return may(request, None, Action.REVOKE_AWARD, any_issuer=True)

    @admin.display(description=gettext_lazy("learner"), ordering="learner_name_ja")
    def learner_name(self, award):
        return selectors.award_learner_name(award).in_lang(current_lang())

    @admin.display(description=gettext_lazy("e-mail"), ordering="learner__email")
    def learner_email(self, award):
        return award.learner.email

    @admin.display(description=gettext_lazy("programme"))
    def programme_title(self, award):
        return award.programme_version.title_in(current_lang())

    @admin.display(
        description=pgettext_lazy("programme", "version"), ordering="programme_version__number"
    )
    def version_number(self, award):
        return award.programme_version.number

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_display(self, award):
        status = getattr(award, "effective_status", None)
        if status is None:
            status = selectors.EXPIRED if award.is_expired else award.status
        return STATUS_LABELS[status]

    @admin.action(
        description=gettext_lazy("Approve and issue selected awards"), permissions=["issue"]
    )
    def approve_awards(self, request, queryset):
        issued = 0
        for award in queryset.filter(status=Award.Status.PENDING):
            try:
                services.approve_award(actor=request.user, award=award, request=request)
            except (ValidationError, PermissionDenied) as error:
                report_failure(self, request, error, prefix=f"{award}: ")
            else:
                issued += 1
        self.message_user(
            request, _("%(count)s awards were issued.") % {"count": issued}, messages.SUCCESS
        )

    @admin.action(description=gettext_lazy("Revoke selected awards…"), permissions=["revoke"])
    def revoke_awards(self, request, queryset):
        """Asks for the reason on an intermediate page, then revokes each award."""
        form = RevokeAwardsForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            revoked = 0
            for award in queryset:
                try:
                    services.revoke_award(
                        actor=request.user,
                        award=award,
                        reason=form.cleaned_data["reason"],
                        request=request,
                    )
                except (ValidationError, PermissionDenied) as error:
                    report_failure(self, request, error, prefix=f"{award}: ")
                else:
                    revoked += 1
            self.message_user(
                request, _("%(count)s awards were revoked.") % {"count": revoked}, messages.SUCCESS
            )
            return None
        return TemplateResponse(
            request,
            "admin/credentials/award/revoke.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Revoke awards"),
                "awards": queryset,
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "action": "revoke_awards",
            },
        )


def _issuer(award):
    return award.programme_version.programme.issuer
