"""Staff screens for recognition of prior learning: each recognition with what the portal
verified, to approve or decline with a reason; the rules by which a stack accepts outside
achievements. Writes go through credentials.services.recognition (checks and audit)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from credentials.models import Programme, Recognition, RecognitionRule, StackRequirement
from credentials.selectors_recognition import recognitions_for_staff
from credentials.services.recognition import decide_recognition, set_recognition_rule
from issuers.admin import ScopedAdminMixin, may
from issuers.permissions import Action
from issuers.selectors import issuers_for_user

from .common import add_service_error


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=gettext_lazy("Shown to the learner and kept in the audit trail."),
    )


@admin.register(Recognition)
class RecognitionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["learner", "achievement_name", "outside_issuer", "counts_as", "status"]
    list_filter = ["status"]
    search_fields = ["achievement__learner__email", "achievement__achievement_name"]

    @admin.display(description=gettext_lazy("learner"))
    def learner(self, obj):
        return obj.achievement.learner.email

    @admin.display(description=gettext_lazy("outside achievement"))
    def achievement_name(self, obj):
        return obj.achievement.achievement_name

    @admin.display(description=gettext_lazy("issuer"))
    def outside_issuer(self, obj):
        return obj.achievement.issuer_name

    @admin.display(description=gettext_lazy("counts as"))
    def counts_as(self, obj):
        return f"{obj.rule.stands_for} → {obj.rule.requirement.target}"

    def get_queryset(self, request):
        return recognitions_for_staff(request.user)

    def has_view_permission(self, request, obj=None):
        return may(request, None, Action.ISSUE_AWARD, any_issuer=True)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<int:object_id>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="credentials_recognition_decide",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self.decide_view(request, object_id)

    def decide_view(self, request, object_id):
        recognition = self.get_object(request, object_id)
        form = DecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            approve = "approve" in request.POST
            try:
                decide_recognition(
                    actor=request.user,
                    recognition=recognition,
                    approve=approve,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except PermissionDenied as error:
                raise PermissionDenied from error
            except ValidationError as error:
                add_service_error(form, error)
            else:
                done = _("Recognition approved.") if approve else _("Recognition declined.")
                self.message_user(request, done, messages.SUCCESS)
                return redirect(reverse("admin:credentials_recognition_changelist"))
        achievement = recognition.achievement
        return TemplateResponse(
            request,
            "admin/credentials/recognition/decide.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Recognition of prior learning"),
                "recognition": recognition,
                "achievement": achievement,
                "checks": achievement.verification.get("checks", []),
                "descriptors": achievement.descriptors,
                "form": form,
                "pending": recognition.status == Recognition.Status.PENDING,
            },
        )


class RuleForm(forms.ModelForm):
    class Meta:
        model = RecognitionRule
        fields = [
            "requirement",
            "stands_for",
            "achievement_id",
            "issuer_id",
            "min_level",
            "min_hours",
            "auto_approve",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        issuers = issuers_for_user(user, Action.EDIT_PROGRAMME)
        requirements = StackRequirement.objects.filter(target__issuer__in=issuers)
        self.fields["requirement"].queryset = requirements.select_related("target")
        self.fields["requirement"].label = _("Stacked programme")
        self.fields["stands_for"].queryset = (
            Programme.objects.filter(required_by__in=requirements).distinct().order_by("slug")
        )

    def clean(self):
        data = super().clean()
        requirement, stands_for = data.get("requirement"), data.get("stands_for")
        if requirement and stands_for and not requirement.required.filter(pk=stands_for.pk):
            self.add_error("stands_for", _("Choose one of the programmes this stack requires."))
        return data


@admin.register(RecognitionRule)
class RecognitionRuleAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["stacked_programme", "stands_for", "criteria", "auto_approve"]

    @admin.display(description=gettext_lazy("stacked programme"))
    def stacked_programme(self, obj):
        return obj.requirement.target

    @admin.display(description=gettext_lazy("what is recognised"))
    def criteria(self, obj):
        parts = []
        if obj.achievement_id:
            parts.append(_("achievement %(id)s") % {"id": obj.achievement_id})
        if obj.issuer_id:
            parts.append(_("issuer %(id)s") % {"id": obj.issuer_id})
        if obj.min_level:
            parts.append(_("JEQF level ≥ %(level)s") % {"level": obj.min_level})
        if obj.min_hours:
            parts.append(_("≥ %(hours)s hours") % {"hours": obj.min_hours})
        return " · ".join(parts)

    def get_queryset(self, request):
        issuers = issuers_for_user(request.user, Action.VIEW)
        return RecognitionRule.objects.filter(
            requirement__target__issuer__in=issuers
        ).select_related("requirement__target", "stands_for")

    def has_module_permission(self, request):
        return may(request, None, Action.VIEW, any_issuer=True)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return may(request, None, Action.EDIT_PROGRAMME, any_issuer=True)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return self.has_add_permission(request)
        return may(request, obj.requirement.target.issuer, Action.EDIT_PROGRAMME)

    def has_delete_permission(self, request, obj=None):
        return False  # decisions name their rule; a rule stays with them

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class ScopedRuleForm(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return ScopedRuleForm

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            saved = set_recognition_rule(
                actor=request.user,
                requirement=data["requirement"],
                stands_for=data["stands_for"],
                achievement_id=data["achievement_id"],
                issuer_id=data["issuer_id"],
                min_level=data["min_level"],
                min_hours=data["min_hours"],
                auto_approve=data["auto_approve"],
                rule=obj if change else None,
                request=request,
            )
        except ValidationError as error:  # the form's clean checked the same; kept for races
            raise PermissionDenied(" ".join(error.messages)) from error
        obj.pk = saved.pk
