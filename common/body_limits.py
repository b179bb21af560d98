"""Request bodies are bounded before anything reads them.

Django reads a file upload whole (to memory or a temporary file) and DRF's JSON parser reads the
stream whole, before any view can look at the size: a 120 MB anonymous upload grew a worker by
hundreds of MB. :class:`RequestBodyLimitMiddleware`, first in MIDDLEWARE, therefore answers 413
(an RFC 9457 problem on the API, a page elsewhere, in Japanese or English) when

* the declared Content-Length is over the endpoint's limit: nothing of the body is read;
* the body has no Content-Length (chunked): it is read here, counting, and reading stops at the
  first byte past the limit. A body within the limit is handed on as if it had been sent with a
  Content-Length (Django alone would ignore such a body).

The limit is the view's ``max_body_bytes`` (set with :func:`limit_request_body` on a function
view, as a class attribute on an API view), the admin's for staff pages (file imports), or
DEFAULT_MAX_BODY_BYTES. It sits after LocaleMiddleware (the answer is in the request's language)
and before everything that could read the body (CSRF, DRF, the views).
"""

import io
import math

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

MULTIPART_SLACK = 64 * 1024  # boundaries, part headers and the small fields next to a file
DEFAULT_MAX_BODY_BYTES = 2_621_440  # 2.5 MB, Django's DATA_UPLOAD_MAX_MEMORY_SIZE
# Staff pages upload results files and images: the import's own limit.
# The staff results import's file limit (credentials.forms.MAX_IMPORT_BYTES; common imports no
# app, so tests/api/test_request_body_limits.py keeps the two equal) plus the form around it.
ADMIN_MAX_BODY_BYTES = 20 * 1024 * 1024 + MULTIPART_SLACK
_READ_CHUNK = 64 * 1024


def limit_request_body(max_bytes: int):
    """Decorator: this view accepts bodies of up to ``max_bytes`` (plus multipart slack)."""

    def decorate(view):
        view.max_body_bytes = max_bytes + MULTIPART_SLACK
        return view

    return decorate


def body_limit_for(path: str) -> int:
    """The most bytes a request body to ``path`` may have."""
    try:
        match = resolve(path)
    except Resolver404:
        return DEFAULT_MAX_BODY_BYTES
    declared = getattr(match.func, "max_body_bytes", None)
    if declared is None:
        declared = getattr(getattr(match.func, "cls", None), "max_body_bytes", None)
    if declared is not None:
        return declared
    if "admin" in match.namespaces:
        return ADMIN_MAX_BODY_BYTES
    return DEFAULT_MAX_BODY_BYTES


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = request.META.get("CONTENT_LENGTH")
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not (declared and declared != "0") and not chunked:
            # No body (every GET a verifier, wallet or QR code sends): no limit to look up.
            return self.get_response(request)
        limit = body_limit_for(request.path_info)
        if declared:
            try:
                too_large = int(declared) > limit
            except ValueError:
                too_large = False  # Django treats it as no body
            if too_large:
                return too_large_response(request, limit)
        elif chunked:
            body = _read_at_most(request.META["wsgi.input"], limit)
            if body is None:
                return too_large_response(request, limit)
            request._stream = io.BytesIO(body)
            request.META["CONTENT_LENGTH"] = str(len(body))
        return self.get_response(request)


def _read_at_most(stream, limit: int) -> bytes | None:
    """The whole stream, or None as soon as it passes ``limit`` bytes (the rest is not read)."""
    chunks, size = [], 0
    while True:
        chunk = stream.read(min(_READ_CHUNK, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)


def too_large_response(request, limit: int):
    # Rounded down, so that the slack for multipart framing does not show (20.06 MB → 20).
    megabytes = f"{math.floor(limit * 10 / 2**20) / 10:.1f}".removesuffix(".0")
    detail = _("The request body is larger than this endpoint accepts (%(limit)s MB).") % {
        "limit": megabytes
    }
    if request.path_info.startswith("/api/"):
        body = {
            "type": "urn:mc-portal:problem:payload-too-large",
            "title": _("The request is too large."),
            "status": 413,
            "detail": detail,
            "instance": request.path_info,
        }
        response = JsonResponse(
            body,
            status=413,
            content_type="application/problem+json",
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = render(request, "413.html", {"detail": detail}, status=413)
    # The unread body stays on the connection: don't let the server try to reuse it.
    response["Connection"] = "close"
    return response
