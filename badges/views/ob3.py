"""Public Open Badges 3.0 endpoints. Thin: reads come from badges.selectors, the documents
from badges.ob3 / badges.extension / badges.status. Everything here is public by design
(verifiers are anonymous) and readable cross-origin."""

from __future__ import annotations

import io
import json

from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified
from django.views.decorators.http import require_safe

from badges import baked, extension, ob3, selectors, status
from badges.images import badge_images
from badges.models import BadgeRecord, Endorsement, StatusList
from badges.views import versioned
from badges.views.conditional import not_modified, strong_etag
from credentials.models import ProgrammeVersion
from issuers.images import harden_image_response
from issuers.models import Issuer


def _json(document: dict, content_type: str, *, max_age: int = 300, request=None) -> HttpResponse:
    """Serialised JSON with a strong ETag of its bytes; with the request, a matching
    If-None-Match answers 304 (a revocation changes a status list's bytes, so its ETag too)."""
    return _json_bytes(_serialised(document), content_type, max_age=max_age, request=request)


def _serialised(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def _json_bytes(body: bytes, content_type: str, *, max_age: int, request=None) -> HttpResponse:
    etag = strong_etag(body)
    if request is not None and not_modified(request, etag):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["ETag"] = etag
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"public, max-age={max_age}"
    return response


@transaction.non_atomic_requests  # reads only: no transaction round trips per request
@require_safe
def did_document(request, slug: str):
    def render() -> bytes:
        try:
            issuer = selectors.issuer_by_slug(slug)
        except Issuer.DoesNotExist as error:
            raise Http404 from error
        return _serialised(ob3.did_document(issuer))

    body = versioned.body_for_version("badges:did-document", {"slug": slug}, render)
    return _json_bytes(body, "application/did+ld+json", max_age=300, request=request)


@require_safe
def credential(request, public_id):
    """The signed credential; still served after revocation (its status entry says so).

    Signed once, never changed (revocation and suspension live in the status lists): its bytes
    are kept per process after the first request, so later requests make no query, and carry a
    strong ETag and a long cache lifetime; a matching If-None-Match answers 304."""
    body, etag = _signed_credential_bytes(public_id)
    if not_modified(request, etag):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=f"{ob3.CREDENTIAL_MEDIA_TYPE}; charset=utf-8")
    response["ETag"] = etag
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"public, max-age={SIGNED_MAX_AGE}"
    return response


SIGNED_MAX_AGE = 86400
_SIGNED_BYTES: dict = {}
_SIGNED_BYTES_MAX = 10_000  # per process; about 10 KB each


def _signed_credential_bytes(public_id) -> tuple[bytes, str]:
    found = _SIGNED_BYTES.get(public_id)
    if found is not None:
        return found
    try:
        record = selectors.record_for_public_id(public_id)
    except BadgeRecord.DoesNotExist as error:
        raise Http404 from error
    if not record.ob3_credential:
        raise Http404  # not signed yet: nothing to keep
    body = json.dumps(record.ob3_credential, ensure_ascii=False, indent=2).encode("utf-8")
    found = (body, strong_etag(body))
    if len(_SIGNED_BYTES) >= _SIGNED_BYTES_MAX:
        _SIGNED_BYTES.clear()
    _SIGNED_BYTES[public_id] = found
    return found


def _version(issuer_slug: str, programme_slug: str, number: int) -> ProgrammeVersion:
    try:
        return selectors.published_version(issuer_slug, programme_slug, number)
    except ProgrammeVersion.DoesNotExist as error:
        raise Http404 from error


@require_safe
def achievement(request, issuer_slug: str, programme_slug: str, number: int):
    version = _version(issuer_slug, programme_slug, number)
    return _json(ob3.achievement_document(version), "application/ld+json")


@require_safe
def achievement_image(request, issuer_slug: str, programme_slug: str, number: int):
    version = _version(issuer_slug, programme_slug, number)
    png, _svg = badge_images(version)
    response = HttpResponse(png, content_type="image/png")
    response["Access-Control-Allow-Origin"] = "*"
    return harden_image_response(response)


@require_safe
def endorsement(request, public_id):
    """The signed EndorsementCredential; still served once withdrawn, like a revoked badge's
    credential (badges issued before carry it; withdrawal only stops new embedding)."""
    try:
        found = selectors.endorsement_for_public_id(public_id)
    except Endorsement.DoesNotExist as error:
        raise Http404 from error
    if not found.credential:
        raise Http404
    return _json(found.credential, ob3.CREDENTIAL_MEDIA_TYPE)


@transaction.non_atomic_requests  # re-signing (rare) has its own transaction
@require_safe
def status_list(request, public_id):
    def render() -> bytes:
        try:
            found = selectors.status_list_for_public_id(public_id)
        except StatusList.DoesNotExist as error:
            raise Http404 from error
        document = found.credential
        if not document or found.signed_version < found.version:
            # Normally signed by the pipeline; this covers a list whose signing was interrupted.
            document = status.signed_status_list_credential(found)
        return _serialised(document)

    # A revocation bumps the list's version: the next request renders the new bits.
    body = versioned.body_for_version("badges:status-list", {"public_id": public_id}, render)
    return _json_bytes(body, ob3.CREDENTIAL_MEDIA_TYPE, max_age=60, request=request)


@require_safe
def mc_context(request):
    return _json(extension.mc_context(), extension.CONTEXT_MEDIA_TYPE, max_age=86400)


@require_safe
def mc_schema(request):
    return _json(extension.mc_schema(), extension.SCHEMA_MEDIA_TYPE, max_age=86400)


@require_safe
def baked_image(request, public_id, variant: str):
    if variant not in baked.VARIANTS:
        raise Http404
    content_type = baked.VARIANTS[variant]
    body, filename, etag = _baked_bytes(public_id, variant)
    if not_modified(request, etag):
        response = HttpResponseNotModified()
    else:
        response = FileResponse(
            io.BytesIO(body), as_attachment=True, filename=filename, content_type=content_type
        )
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={SIGNED_MAX_AGE}"
    return harden_image_response(response)


# Baked when first asked (badges.baked), then kept per process: no query and no baking for later
# requests. The payload never changes once signed; the base image rarely does (an issuer's new
# name in the generated design, a re-sanitised SVG upload): a process serves such a change once
# it restarts or this cache is cleared, and the strong ETag tells clients the bytes changed.
_BAKED: dict = {}
_BAKED_MAX = 1_000  # per process; tens of KB each


def _baked_bytes(public_id, variant: str) -> tuple[bytes, str, str]:
    found = _BAKED.get((public_id, variant))
    if found is not None:
        return found
    try:
        record = selectors.record_for_public_id(public_id)
        body = baked.bake_variant(record, variant)
    except (BadgeRecord.DoesNotExist, baked.NotSigned) as error:
        raise Http404 from error
    version = record.award.programme_version
    programme = version.programme
    filename = f"{programme.issuer.slug}-{programme.slug}-v{version.number}-{variant}"
    found = (body, filename, strong_etag(body))
    if len(_BAKED) >= _BAKED_MAX:
        _BAKED.clear()
    _BAKED[(public_id, variant)] = found
    return found
