"""Idempotency-Key replay for POST handlers of API views.

It knows no app: any authenticated client object whose model has an `idempotency_records`
related manager (issuers.ApiClient has) gets its first successful responses stored and replayed.
"""

import hashlib
import json
from functools import wraps

from django.core.files.uploadedfile import UploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response

from .problems import Unprocessable

IDEMPOTENCY_HEADER = "Idempotency-Key"


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
        if key is None or not hasattr(client, "idempotency_records"):
            return handler(view, request, *args, **kwargs)
        if not 1 <= len(key) <= 255:
            raise exceptions.ValidationError(
                {IDEMPOTENCY_HEADER: [_("Use a key of 1 to 255 characters.")]}
            )
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            type(client).objects.select_for_update().filter(pk=client.pk).first()
            record = client.idempotency_records.filter(key=key).first()
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
                client.idempotency_records.create(
                    key=key,
                    fingerprint=fingerprint,
                    status_code=response.status_code,
                    body=json.loads(json.dumps(response.data, cls=DjangoJSONEncoder)),
                    location=response.get("Location", ""),
                )
            return response

    return wrapper
