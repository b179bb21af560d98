"""Staff register an outside badge for a learner (recognition of prior learning), e.g. one the
learner sent by mail: the same verification as the learner's own page (badges.recognition).
Staff see the outside badges of learners enrolled at their issuers."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from badges.forms import OutsideBadgeForm
from badges.recognition import BadgeRefused, submit_outside_badge
from credentials.models import Learner, RecognisedAchievement, normalise_email
from issuers.admin import ScopedAdminMixin, may
from issuers.permissions import Action
from issuers.selectors import issuers_for_user


class StaffOutsideBadgeForm(OutsideBadgeForm):
    learner_email = forms.EmailField(
        label=gettext_lazy("Learner's e-mail address"),
        help_text=gettext_lazy("A learner enrolled at your institution; the badge must be theirs."),
    )
    field_order = ["learner_email", "badge", "file"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_learner_email(self):
        email = normalise_email(self.cleaned_data["learner_email"])
        issuers = issuers_for_user(self.user, Action.ISSUE_AWARD)
        learner = Learner.objects.filter(email=email, enrolments__issuer__in=issuers).first()
        if learner is None:
            raise forms.ValidationError(
                _("No learner with this e-mail address is enrolled at your institution.")
            )
        return learner


@admin.register(RecognisedAchievement)
class RecognisedAchievementAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["achievement_name", "issuer_name", "learner", "status", "checked_at"]
    list_filter = ["status", "format"]
    search_fields = ["learner__email", "achievement_name", "issuer_name"]
    readonly_fields = [
        "learner",
        "format",
        "issuer_name",
        "issuer_id",
        "achievement_name",
        "achievement_id",
        "credential_id",
        "level",
        "hours",
        "valid_until",
        "status",
        "withdrawn_reason",
        "submitted_by",
        "submitted_at",
        "checked_at",
        "check_error",
    ]
    fields = readonly_fields

    def get_queryset(self, request):
        issuers = issuers_for_user(request.user, Action.VIEW)
        return (
            RecognisedAchievement.objects.filter(learner__enrolments__issuer__in=issuers)
            .distinct()
            .select_related("learner")
        )

    def has_module_permission(self, request):
        return may(request, None, Action.VIEW, any_issuer=True)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return may(request, None, Action.ISSUE_AWARD, any_issuer=True)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "register/",
                self.admin_site.admin_view(self.register_view),
                name="credentials_recognisedachievement_register",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return redirect(reverse("admin:credentials_recognisedachievement_register"))

    def register_view(self, request):
        if not self.has_add_permission(request):
            return redirect(reverse("admin:index"))
        form = StaffOutsideBadgeForm(request.POST or None, request.FILES or None, user=request.user)
        checks = []
        if request.method == "POST" and form.is_valid():
            try:
                achievement = submit_outside_badge(
                    learner=form.cleaned_data["learner_email"],
                    data=form.badge_data(),
                    actor=request.user,
                    request=request,
                )
            except BadgeRefused as error:
                form.add_error(None, error.messages[0])
                checks = [c for c in (error.result.checks if error.result else [])]
            else:
                self.message_user(
                    request,
                    _("“%(name)s” was verified and registered.")
                    % {"name": achievement.achievement_name},
                    messages.SUCCESS,
                )
                return redirect(
                    reverse("admin:credentials_recognisedachievement_change", args=[achievement.pk])
                )
        return TemplateResponse(
            request,
            "admin/credentials/recognisedachievement/register.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Register a badge from another institution"),
                "form": form,
                "checks": [c for c in checks if c.status == "fail"],
            },
        )
