"""/api/v1/batches/: start a batch job from a list or a results file, follow it, read its
failed items (JSON pages, or one CSV file). Jobs run in the background: POST answers 202."""

import json

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, renderers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from common.body_limits import MULTIPART_SLACK
from common.idempotency import idempotent
from credentials import selectors_batches
from credentials.batch_export import failed_items_csv
from credentials.forms import MAX_IMPORT_BYTES
from credentials.services import batches as batch_services
from credentials.services.imports.reading import CsvFileError

from . import serializers as s
from .views import ERRORS, IDEMPOTENCY, ApiView, Pagination, _programme, _published_version, _valid


class BatchPagination(Pagination):
    ordering = ("-created_at", "-id")  # newest job first


class ErrorPagination(Pagination):
    ordering = ("line",)


class CsvRenderer(renderers.BaseRenderer):
    """`Accept: text/csv` on the errors endpoint. The rows are streamed by the view; this
    renders only what else may come back there, problems, as JSON."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data, ensure_ascii=False).encode()


class _NoFormatOverride:
    URL_FORMAT_OVERRIDE = None


class AcceptNegotiation(DefaultContentNegotiation):
    """The Accept header alone chooses JSON or CSV: one way to ask, no `?format=`."""

    settings = _NoFormatOverride()


def _batches(user):
    return selectors_batches.batches_for_user(user)


def _batch(user, id):
    return get_object_or_404(_batches(user), public_id=id)


def _started(batch) -> Response:
    body = s.BatchOutputSerializer(batch).data
    return Response(
        body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["links"]["self"]}
    )


class BatchListView(ApiView):
    pagination_class = BatchPagination
    parser_classes = [JSONParser, MultiPartParser]
    required_scopes = {"GET": "awards:read", "POST": "awards:write"}
    # common.body_limits: the results import's file limit, for the CSV and the JSON list alike
    # (100,000 typical rows are about 15 MB of JSON).
    max_body_bytes = MAX_IMPORT_BYTES + MULTIPART_SLACK

    @extend_schema(
        operation_id="batches_list",
        parameters=[s.BatchFilterInputSerializer],
        responses={200: s.BatchOutputSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        filters = _valid(s.BatchFilterInputSerializer, request.query_params)
        batches = _batches(request.user).prefetch_related("follow_ups")
        if "state" in filters:
            batches = batches.filter(state=filters["state"])
        if "program" in filters:
            batches = batches.filter(programme_version__programme_id=filters["program"])
        paginator = BatchPagination()
        page = paginator.paginate_queryset(batches, request, view=self)
        return paginator.get_paginated_response(s.BatchOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="batches_create",
        request={
            "application/json": s.BatchInputSerializer,
            "multipart/form-data": s.BatchCsvInputSerializer,
        },
        parameters=[IDEMPOTENCY],
        responses={202: s.BatchOutputSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request):
        common = {"actor": request.user, "api_client": request.auth, "request": request}
        if request.content_type.startswith("multipart/"):
            data = _valid(s.BatchCsvInputSerializer, request.data)
            version = _published_version(_programme(request.user, data["program"]))
            upload = data["file"]
            try:
                batch = batch_services.start_batch_from_csv(
                    programme_version=version, data=upload.read(), filename=upload.name or "",
                    notify=data["notify"], **common,
                )  # fmt: skip
            except CsvFileError as error:
                raise exceptions.ValidationError({"file": error.messages}) from error
        else:
            data = _valid(
                s.BatchInputSerializer, request.data, max_items=batch_services.MAX_BATCH_ITEMS
            )
            version = _published_version(_programme(request.user, data["program"]))
            batch = batch_services.start_batch_from_list(
                programme_version=version, rows=data["items"], notify=data["notify"], **common
            )
        return _started(_batches(request.user).get(pk=batch.pk))


class BatchDetailView(ApiView):
    required_scopes = {"GET": "awards:read"}

    @extend_schema(
        operation_id="batches_retrieve", responses={200: s.BatchOutputSerializer, **ERRORS}
    )
    def get(self, request, id):
        return Response(s.BatchOutputSerializer(_batch(request.user, id)).data)


class BatchErrorsView(ApiView):
    pagination_class = ErrorPagination
    renderer_classes = [renderers.JSONRenderer, CsvRenderer]
    content_negotiation_class = AcceptNegotiation
    required_scopes = {"GET": "awards:read"}

    @extend_schema(
        operation_id="batches_errors",
        parameters=[OpenApiParameter("format", exclude=True)],
        responses={
            (200, "application/json"): s.BatchErrorSerializer(many=True),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description=(
                    "Every failed item as a results file to correct and send again (UTF-8, "
                    "BOM): the row's columns as sent, then the original line and the reason, "
                    "headed in the Accept-Language (Japanese by default)."
                ),
            ),
            **ERRORS,
        },
    )
    def get(self, request, id):
        batch = _batch(request.user, id)
        failed = selectors_batches.failed_items(batch)
        if request.accepted_renderer.format == "csv":
            return failed_items_csv(batch, f"batch-{batch.public_id}-errors.csv")
        paginator = ErrorPagination()
        page = paginator.paginate_queryset(failed, request, view=self)
        return paginator.get_paginated_response(s.BatchErrorSerializer(page, many=True).data)
