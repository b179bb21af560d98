"""REST API plumbing shared by every endpoint: RFC 9457 problem responses, Idempotency-Key
replay, and the OpenAPI description of the bearer scheme.

Problems are written in the request's language (LocaleMiddleware: Accept-Language, default ja).
"""

import hashlib
import json
import logging
from functools import wraps

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from issuers.models import ApiClient, IdempotencyRecord

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE = "urn:mc-portal:problem:{code}"
IDEMPOTENCY_HEADER = "Idempotency-Key"
logger = logging.getLogger("django.request")


class Unprocessable(exceptions.APIException):
    """A well-formed request the rules refuse (unpublishable programme, revoked award, …)."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "unprocessable"

    def __init__(self, detail=None, code=None, errors=None):
        super().__init__(detail or _("The request cannot be carried out."), code)
        self.errors = errors or {}


def _titles() -> dict[int, str]:
    # Built per call: the titles must be translated into the request's language.
    return {
        400: _("The request is not valid."),
        401: _("Authentication is required."),
        403: _("Not allowed."),
        404: _("Not found."),
        405: _("Method not allowed."),
        406: _("Not acceptable."),
        415: _("Unsupported media type."),
        422: _("The request cannot be carried out."),
        429: _("Too many requests."),
    }


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"field.sub[0]": [messages]}."""
    errors: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            for name, messages in flatten_errors(value, path).items():
                errors.setdefault(name, []).extend(messages)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            errors.setdefault(prefix or "non_field_errors", []).extend(str(item) for item in detail)
        else:
            for index, item in enumerate(detail):
                for name, messages in flatten_errors(item, f"{prefix}[{index}]").items():
                    errors.setdefault(name, []).extend(messages)
    else:
        errors.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return errors


def _from_django(exc):
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            errors = {field: list(messages) for field, messages in exc.message_dict.items()}
            errors = {("non_field_errors" if k == "__all__" else k): v for k, v in errors.items()}
            detail = next(iter(next(iter(errors.values()), [])), None)
        else:
            errors = {"non_field_errors": list(exc.messages)}
            detail = " ".join(exc.messages)
        return Unprocessable(detail=detail, code="unprocessable", errors=errors)
    if isinstance(exc, ObjectDoesNotExist | Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    return exc


def problem_exception_handler(exc, context):
    """DRF EXCEPTION_HANDLER: every error as application/problem+json."""
    exc = _from_django(exc)
    response = exception_handler(exc, context)
    if response is None:
        if settings.DEBUG:
            return None  # Django's technical 500 page helps while developing
        return _server_error(exc, context)
    code = response.status_code
    body = {
        "type": PROBLEM_TYPE.format(code=_problem_code(exc)),
        "title": _titles().get(code, str(exc.default_detail)),
        "status": code,
    }
    errors = getattr(exc, "errors", None)
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
        body["detail"] = _("See the errors for each field.")
    else:
        body["detail"] = str(exc.detail) if not isinstance(exc.detail, dict | list) else ""
    if errors:
        body["errors"] = errors
    request = context.get("request")
    if request is not None:
        body["instance"] = request.path
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def _server_error(exc, context) -> Response:
    """An unexpected exception as a 500 problem: clients get the same format for every error.

    Django's handler would log the error; DRF no longer reaches it, so it is logged here
    (django.request, like Django does) and the transaction is rolled back.
    """
    set_rollback()
    request = context.get("request")
    logger.error(
        "Internal Server Error: %s",
        getattr(request, "path", "?"),
        exc_info=(type(exc), exc, exc.__traceback__),
        extra={"status_code": 500, "request": getattr(request, "_request", None)},
    )
    body = {
        "type": PROBLEM_TYPE.format(code="server-error"),
        "title": _("Server error."),
        "status": 500,
        "detail": _("Something went wrong on our side. Please try again later."),
    }
    if request is not None:
        body["instance"] = request.path
    response = Response(body, status=500, content_type=PROBLEM_CONTENT_TYPE)
    response._has_been_logged = True  # logged above, with the traceback
    return response


def _problem_code(exc) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "validation-error"
    codes = getattr(exc, "default_code", "error")
    return str(getattr(exc, "problem_code", codes)).replace("_", "-")


class IdempotencyConflict(Unprocessable):
    default_code = "idempotency_conflict"
    problem_code = "idempotency-key-reused"


def _digest(value) -> str:
    # An uploaded file counts by its content, not its name: another file is another request.
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return f"file:{value.name}:{digest.hexdigest()}"
    return str(value)


def _fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, cls=DjangoJSONEncoder, default=_digest)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def idempotent(handler):
    """Honour `Idempotency-Key` on a POST handler of an API-client view.

    The first successful response is stored per client and key, and replayed for a retry with
    the same body; the same key with another body is a 422 problem. Errors are not stored:
    they changed nothing, so a retry runs again. The client's row lock serialises concurrent
    retries, so a duplicate never runs twice.
    """

    @wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(IDEMPOTENCY_HEADER)
        client = getattr(request, "auth", None)
        if key is None or not isinstance(client, ApiClient):
            return handler(view, request, *args, **kwargs)
        if not 1 <= len(key) <= 255:
            raise exceptions.ValidationError(
                {IDEMPOTENCY_HEADER: [_("Use a key of 1 to 255 characters.")]}
            )
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            ApiClient.objects.select_for_update().filter(pk=client.pk).first()
            record = IdempotencyRecord.objects.filter(client=client, key=key).first()
            if record is not None:
                if record.fingerprint != fingerprint:
                    raise IdempotencyConflict(
                        _("This Idempotency-Key was already used with a different request.")
                    )
                headers = {"Idempotent-Replayed": "true"}
                if record.location:
                    headers["Location"] = record.location
                return Response(record.body, status=record.status_code, headers=headers)
            response = handler(view, request, *args, **kwargs)
            if 200 <= response.status_code < 300:
                IdempotencyRecord.objects.create(
                    client=client,
                    key=key,
                    fingerprint=fingerprint,
                    status_code=response.status_code,
                    body=json.loads(json.dumps(response.data, cls=DjangoJSONEncoder)),
                    location=response.get("Location", ""),
                )
            return response

    return wrapper


class ApiClientAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "issuers.authentication.ApiClientAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An API client token (mcp_…) created by issuer staff in the admin or with "
                "`manage.py create_api_client`. Each token belongs to one issuer and carries "
                "scopes: programs:read, programs:write, learners:write, assessments:write, "
                "awards:read, awards:write, awards:revoke, webhooks:manage."
            ),
        }


def document_not_acceptable(result, generator, request, public):
    """drf-spectacular hook: every operation can answer 406 when the Accept header asks for
    nothing it renders (JSON, and CSV where listed), with a problem document."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault(
                    "406",
                    {
                        "description": "Not Acceptable: the Accept header names no format this "
                        "operation renders (application/problem+json, RFC 9457)."
                    },
                )
    return result
