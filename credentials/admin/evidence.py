"""Evidence files on the assessment page: the files kept for it (name, kind, size, SHA-256) and
a small form to attach one (credentials.services.evidence does the checking and the audit)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from credentials.models import EvidenceFile
from credentials.services.evidence import ALLOWED_LABEL, MAX_EVIDENCE_BYTES, attach_evidence_file
from issuers.admin import may
from issuers.permissions import Action

from .common import add_service_error


class EvidenceInline(admin.TabularInline):
    model = EvidenceFile
    fields = readonly_fields = ["name", "genre", "content_type", "size", "sha256", "created_at"]
    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return True  # shown on an assessment page the user may already view (scoped there)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EvidenceUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Evidence file"),
        help_text=gettext_lazy("%(allowed)s, at most %(max)s MB. The badge names it with a digest.")
        % {"allowed": ALLOWED_LABEL, "max": MAX_EVIDENCE_BYTES // 2**20},
    )
    genre = forms.CharField(
        label=gettext_lazy("Kind of evidence"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("e.g. Report, Portfolio"),
    )


def evidence_upload_view(model_admin, request, object_id):
    assessment = model_admin.get_object(request, object_id)
    if assessment is None:
        return redirect(reverse("admin:credentials_assessment_changelist"))
    if not may(request, assessment.programme_version.programme.issuer, Action.RECORD_ASSESSMENT):
        raise PermissionDenied
    form = EvidenceUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            attach_evidence_file(
                actor=request.user,
                assessment=assessment,
                upload=form.cleaned_data["file"],
                genre=form.cleaned_data["genre"],
                request=request,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            model_admin.message_user(request, _("The evidence file is attached."), messages.SUCCESS)
            return redirect(reverse("admin:credentials_assessment_change", args=[assessment.pk]))
    return TemplateResponse(
        request,
        "admin/credentials/assessment/evidence.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": _("Attach an evidence file"),
            "assessment": assessment,
            "form": form,
        },
    )
