"""The editor's crosswalk downloads: a programme mapped onto the EU Annex I or Australia's NMF
elements, with its credit conversion, as the same CSV the API answers with."""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404

from credentials.crosswalk_export import crosswalk_csv_response
from credentials.selectors_crosswalk import EXPORT_TARGETS, UnknownVersion, crosswalk_export
from frameworks.i18n import current_lang


def crosswalk_download_view(model_admin, request, object_id, target):
    """GET …/<programme>/crosswalk/<eu|au>.csv[?version=N]: for staff who may view the programme
    (get_object only finds the user's issuers' programmes)."""
    programme = model_admin.get_object(request, unquote(object_id))
    if programme is None or target not in EXPORT_TARGETS:
        raise Http404
    if not model_admin.has_view_permission(request, programme):
        raise PermissionDenied
    number = request.GET.get("version", "")
    try:
        version_number = int(number) if number else None
        export = crosswalk_export(
            programme, target, version_number=version_number, lang=current_lang()
        )
    except (ValueError, UnknownVersion) as error:
        raise Http404 from error
    return crosswalk_csv_response(export, export.lang)
