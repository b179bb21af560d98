"""Consortium agreements in the admin: an owner proposes one to another issuer; the partner's
owner consents or declines; an owner of either side ends it. issuers.agreements does the checks
and the audit (on both issuers' trails)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .agreements import answer_agreement, end_agreement, propose_agreement
from .models import Issuer, IssuerAgreement
from .permissions import Action
from .selectors import issuers_for_user, user_can


class ProposeForm(forms.Form):
    proposer = forms.ModelChoiceField(
        queryset=Issuer.objects.none(), label=gettext_lazy("Your institution")
    )
    partner = forms.ModelChoiceField(
        queryset=Issuer.objects.none(), label=gettext_lazy("Partner institution")
    )
    title = forms.CharField(
        label=gettext_lazy("Agreement"),
        max_length=300,
        help_text=gettext_lazy("e.g. 北海道地区国立大学 教養教育連携 単位互換協定"),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        own = issuers_for_user(user, Action.MANAGE_ISSUER)
        self.fields["proposer"].queryset = own
        self.fields["proposer"].label_from_instance = lambda issuer: issuer.name_ja
        if own.count() == 1:
            self.fields["proposer"].initial = own.first()
        self.fields["partner"].queryset = Issuer.objects.exclude(kind=Issuer.Kind.QA_BODY)
        self.fields["partner"].label_from_instance = lambda issuer: issuer.name_ja


@admin.register(IssuerAgreement)
class IssuerAgreementAdmin(admin.ModelAdmin):
    list_display = ["title", "proposer", "partner", "status", "proposed_at"]
    list_filter = ["status"]

    def get_queryset(self, request):
        mine = issuers_for_user(request.user, Action.VIEW)
        return IssuerAgreement.objects.filter(
            Q(proposer__in=mine) | Q(partner__in=mine)
        ).select_related("proposer", "partner")

    def has_module_permission(self, request):
        return issuers_for_user(request.user, Action.VIEW).exists()

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return issuers_for_user(request.user, Action.MANAGE_ISSUER).exists()

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "propose/",
                self.admin_site.admin_view(self.propose_view),
                name="issuers_issueragreement_propose",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return redirect(reverse("admin:issuers_issueragreement_propose"))

    def propose_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ProposeForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                agreement = propose_agreement(
                    actor=request.user, request=request, **form.cleaned_data
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                self.message_user(
                    request,
                    _("The agreement was proposed; it comes into force when the partner consents."),
                    messages.SUCCESS,
                )
                return redirect(
                    reverse("admin:issuers_issueragreement_change", args=[agreement.pk])
                )
        return self._page(request, form=form, title=_("Propose a consortium agreement"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        agreement = self.get_object(request, object_id)
        if agreement is None:
            raise PermissionDenied
        user = request.user
        if request.method == "POST":
            try:
                if "accept" in request.POST or "decline" in request.POST:
                    answer_agreement(
                        actor=user,
                        agreement=agreement,
                        accept="accept" in request.POST,
                        request=request,
                    )
                elif "end" in request.POST:
                    end_agreement(actor=user, agreement=agreement, request=request)
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(getattr(error, "messages", [str(error)]))
                self.message_user(request, text, messages.ERROR)
            else:
                self.message_user(request, _("The agreement was updated."), messages.SUCCESS)
            return redirect(reverse("admin:issuers_issueragreement_change", args=[agreement.pk]))
        open_statuses = (IssuerAgreement.Status.PROPOSED, IssuerAgreement.Status.ACTIVE)
        return self._page(
            request,
            agreement=agreement,
            title=agreement.title,
            may_answer=agreement.status == IssuerAgreement.Status.PROPOSED
            and user_can(user, agreement.partner, Action.MANAGE_ISSUER),
            may_end=agreement.status in open_statuses
            and (
                user_can(user, agreement.proposer, Action.MANAGE_ISSUER)
                or user_can(user, agreement.partner, Action.MANAGE_ISSUER)
            ),
        )

    def _page(self, request, **context):
        return TemplateResponse(
            request,
            "admin/issuers/issueragreement/agreement.html",
            {**self.admin_site.each_context(request), "opts": self.model._meta, **context},
        )
