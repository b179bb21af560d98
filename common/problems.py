"""RFC 9457 problem responses for every API error, in the request's language
(LocaleMiddleware: Accept-Language, default ja). `problem_exception_handler` is DRF's
EXCEPTION_HANDLER; `Unprocessable` is the 422 the rules answer with."""

import logging

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE = "urn:mc-portal:problem:{code}"
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
