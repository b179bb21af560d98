"""The editor's live preview: how the badge and the verify page will read, and completeness.

The same view renders it on page load and, as the staff member types, for the form's current
entries (nothing is saved): so the preview and the saved programme come from one renderer.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.template.response import TemplateResponse

from credentials import selectors
from credentials.forms import ProgrammeEditorForm
from frameworks.crosswalk import crosswalk
from frameworks.i18n import pick
from frameworks.selectors import get_default_framework, vocabulary_index
from frameworks.validation import validate_programme
from issuers.permissions import Action
from issuers.selectors import issuers_for_user

PREVIEW_TEMPLATE = "admin/credentials/programme/_preview.html"


def editor_form(request, programme, data=None, files=None):
    """(the editor's form for `programme`, or a new one; the framework it edits against)."""
    framework = get_default_framework()
    form = ProgrammeEditorForm(
        data,
        files,
        groups=selectors.programme_descriptor_groups(framework),
        issuers=issuers_for_user(request.user, Action.EDIT_PROGRAMME),
        vocabularies=vocabulary_index(framework),
        programme=programme,
    )
    return form, framework


def _title(descriptors: dict, lang: str) -> str:
    title = descriptors.get("title")
    if not isinstance(title, dict):
        return ""
    return pick(title.get("ja") or "", title.get("en") or "", lang)


def preview_context(descriptors: dict, framework, issuer) -> dict:
    report = validate_programme(descriptors, framework, awarding_body=issuer)
    tables = {
        lang: crosswalk(descriptors, framework, lang=lang, awarding_body=issuer)
        for lang in ("ja", "en")
    }
    rows = [
        {"ja": ja, "en": en}
        for ja, en in zip(tables["ja"].elements, tables["en"].elements, strict=True)
        if ja.status in ("present", "invalid")
    ]
    return {
        "preview": {
            "title_ja": _title(descriptors, "ja"),
            "title_en": _title(descriptors, "en"),
            "issuer_ja": pick(issuer.name_ja, issuer.name_en, "ja") if issuer else "",
            "issuer_en": pick(issuer.name_ja, issuer.name_en, "en") if issuer else "",
            "rows": rows,
            "report": report,
        }
    }


def preview_view(model_admin, request, object_id=None):
    """The preview fragment for the posted (unsaved) editor form."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    programme = model_admin.get_object(request, object_id) if object_id else None
    if object_id and programme is None:
        raise PermissionDenied
    if programme is None and not model_admin.has_add_permission(request):
        raise PermissionDenied
    form, framework = editor_form(request, programme, request.POST)
    form.is_valid()  # fills descriptor_values from whatever is valid so far
    issuer = programme.issuer if programme else form.cleaned_data.get("issuer")
    existing = programme.latest_version.descriptors if programme else {}
    context = preview_context(form.descriptors(existing), framework, issuer)
    return TemplateResponse(request, PREVIEW_TEMPLATE, context)
