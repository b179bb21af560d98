"""The award page's after-issue actions: suspend, reinstate, reissue with a correction. Each is a
small form page; the services do the work (and the audit, the badge task and the mail)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from credentials import selectors
from credentials.services.award_lifecycle import reinstate_award, reissue_award, suspend_award
from issuers.admin import may
from issuers.permissions import Action

from .common import add_service_error


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=gettext_lazy("Kept in the audit trail and sent to the learner."),
    )


class OptionalReasonForm(ReasonForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = False


class ReissueForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("What is corrected"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=gettext_lazy("e.g. The learner's name was misspelt."),
    )
    name_ja = forms.CharField(label=gettext_lazy("Name (Japanese)"), required=False, max_length=200)
    name_en = forms.CharField(label=gettext_lazy("Name (English)"), required=False, max_length=200)


ACTIONS = {
    "suspend": (
        ReasonForm,
        gettext_lazy("Suspend this award"),
        gettext_lazy(
            "Verifiers will be told not to rely on this badge until it is reinstated. The "
            "learner is told by mail."
        ),
    ),
    "reinstate": (
        OptionalReasonForm,
        gettext_lazy("Reinstate this award"),
        gettext_lazy("The badge verifies as valid again. The learner is told by mail."),
    ),
    "reissue": (
        ReissueForm,
        gettext_lazy("Reissue with a correction"),
        gettext_lazy(
            "A corrected award replaces this one: this badge is revoked as superseded and points "
            "to the new one, which is signed afresh. The learner is told by mail."
        ),
    ),
}


def lifecycle_view(model_admin, request, object_id, action: str):
    award = model_admin.get_object(request, object_id)
    if award is None or action not in ACTIONS:
        return redirect(reverse("admin:credentials_award_changelist"))
    issuer = award.programme_version.programme.issuer
    needed = (
        (Action.REVOKE_AWARD,) if action != "reissue" else (Action.REVOKE_AWARD, Action.ISSUE_AWARD)
    )
    if not all(may(request, issuer, need) for need in needed):
        raise PermissionDenied
    form_class, title, explanation = ACTIONS[action]
    initial = {}
    if action == "reissue":
        name = selectors.award_learner_name(award)
        initial = {"name_ja": name.ja, "name_en": name.en}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if action == "suspend":
                suspend_award(
                    actor=request.user, award=award, reason=data["reason"], request=request
                )
                done = _("The award is suspended.")
            elif action == "reinstate":
                reinstate_award(
                    actor=request.user, award=award, reason=data["reason"], request=request
                )
                done = _("The award is reinstated.")
            else:
                award = reissue_award(
                    actor=request.user,
                    award=award,
                    reason=data["reason"],
                    name_ja=data["name_ja"] if "name_ja" in form.changed_data else None,
                    name_en=data["name_en"] if "name_en" in form.changed_data else None,
                    request=request,
                )
                done = _("The corrected award is issued; the earlier one is superseded.")
        except ValidationError as error:
            add_service_error(form, error)
        else:
            model_admin.message_user(request, done, messages.SUCCESS)
            return redirect(reverse("admin:credentials_award_change", args=[award.pk]))
    return TemplateResponse(
        request,
        "admin/credentials/award/lifecycle.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": title,
            "explanation": explanation,
            "award": award,
            "form": form,
        },
    )
