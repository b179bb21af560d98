"""GET /api/v1/programs/{id}/crosswalk/: a programme mapped onto the EU Annex I or Australia's
NMF elements, with its credit conversion; JSON, or CSV with `Accept: text/csv`."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, renderers
from rest_framework.response import Response

from credentials.crosswalk_export import crosswalk_csv_response
from credentials.selectors_crosswalk import UnknownVersion, crosswalk_export
from frameworks.i18n import current_lang

from .batch_views import AcceptNegotiation, CsvRenderer
from .crosswalk_serializers import CrosswalkInputSerializer, CrosswalkOutputSerializer
from .views import ERRORS, ApiView, _programme, _valid


def version_problem(error: UnknownVersion) -> exceptions.ValidationError:
    numbers = ", ".join(str(number) for number in error.numbers) or "-"
    return exceptions.ValidationError(
        {
            "version": [
                _("This programme has no version %(number)s; its versions are: %(numbers)s.")
                % {"number": error.number, "numbers": numbers}
            ]
        }
    )


class ProgramCrosswalkView(ApiView):
    renderer_classes = [renderers.JSONRenderer, CsvRenderer]
    content_negotiation_class = AcceptNegotiation
    required_scopes = {"GET": "programs:read"}

    @extend_schema(
        operation_id="programs_crosswalk",
        parameters=[CrosswalkInputSerializer, OpenApiParameter("format", exclude=True)],
        responses={
            (200, "application/json"): CrosswalkOutputSerializer,
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description=(
                    "The same export as a spreadsheet (UTF-8 with a BOM, CRLF): one row per "
                    "element, then the learning hours and one row per credit system. Headers "
                    "in the Accept-Language (ja by default, or en)."
                ),
            ),
            **ERRORS,
        },
    )
    def get(self, request, id):
        programme = _programme(request.user, id)
        query = _valid(CrosswalkInputSerializer, request.query_params)
        lang = current_lang()
        try:
            export = crosswalk_export(
                programme, query["framework"], version_number=query.get("version"), lang=lang
            )
        except UnknownVersion as error:
            raise version_problem(error) from error
        if request.accepted_renderer.format == "csv":
            return crosswalk_csv_response(export, lang)
        return Response(CrosswalkOutputSerializer(export).data)
