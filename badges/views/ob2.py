"""Open Badges 2.0 public endpoints: JSON-LD for verifiers, a plain page for people.

Thin views: documents come from badges.ob2, rows from badges.selectors. Every URL here is
inside badges already issued, so their shapes never change (badges/urls_ob2.py).
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from badges import ob2, ob2_extension
from badges.models import BadgeRecord, Endorsement
from badges.narrative import criteria_narrative
from badges.selectors import (
    award_state_for_public_id,
    endorsement_for_public_id,
    issuer_by_slug,
    published_version,
    record_for_public_id,
)
from badges.views.conditional import not_modified, strong_etag
from credentials.badge_design import version_badge_image
from credentials.models import Award, ProgrammeVersion
from issuers.images import harden_image_response
from issuers.models import Issuer
from issuers.selectors import published_key

JSON_LD = "application/ld+json"
# Offered in this order: a client without a preference (validators, curl) gets JSON-LD.
OFFERED = (JSON_LD, "application/json", "text/html")


def _wants_html(request) -> bool:
    return request.get_preferred_type(OFFERED) == "text/html"


def _json(document: dict, *, status: int = 200, content_type: str = JSON_LD, cors=False):
    response = JsonResponse(
        document,
        status=status,
        content_type=content_type,
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    if cors:
        # Extension contexts and schemas are fetched by validators running in browsers too.
        response["Access-Control-Allow-Origin"] = "*"
    return response


def _negotiated(request, document: dict, template: str, context: dict):
    if _wants_html(request):
        response = render(request, template, {"document": document, **context})
    else:
        response = _json(document)
    response["Vary"] = "Accept"
    return response


def _issuer_or_404(slug: str) -> Issuer:
    try:
        return issuer_by_slug(slug)
    except Issuer.DoesNotExist:
        raise Http404 from None


def _version_or_404(issuer_slug: str, programme_slug: str, number: int) -> ProgrammeVersion:
    try:
        return published_version(issuer_slug, programme_slug, number)
    except ProgrammeVersion.DoesNotExist:
        raise Http404 from None


@require_safe
def issuer(request, slug: str):
    issuer = _issuer_or_404(slug)
    document = ob2.issuer_profile(issuer)
    return _negotiated(request, document, "badges/ob2_issuer.html", {"issuer": issuer})


def _issuer_key_or_404(issuer, key_id: str):
    """One of the issuer's published RSA keys (active or retired; never a revoked one)."""
    signing_key = published_key(key_id)
    if (
        signing_key is None
        or signing_key.issuer_id != issuer.pk
        or signing_key.algorithm != signing_key.Algorithm.RSA2048
    ):
        raise Http404
    return signing_key


@require_safe
def issuer_for_key(request, slug: str, key_id: str):
    issuer = _issuer_or_404(slug)
    return _json(ob2.issuer_profile(issuer, signing_key=_issuer_key_or_404(issuer, key_id)))


@require_safe
def badgeclass_for_key(request, issuer_slug: str, programme_slug: str, number: int, key_id: str):
    version = _version_or_404(issuer_slug, programme_slug, number)
    signing_key = _issuer_key_or_404(version.programme.issuer, key_id)
    return _json(ob2.badge_class(version, signing_key=signing_key))


@require_safe
def key(request, key_id: str):
    signing_key = published_key(key_id)
    if signing_key is None or signing_key.algorithm != signing_key.Algorithm.RSA2048:
        raise Http404
    return _json(ob2.cryptographic_key(signing_key))


@require_safe
def revocations(request, slug: str):
    return _json(ob2.revocation_list(_issuer_or_404(slug)))


@require_safe
def badgeclass(request, issuer_slug: str, programme_slug: str, number: int):
    version = _version_or_404(issuer_slug, programme_slug, number)
    document = ob2.badge_class(version)
    context = {"version": version, "narrative": criteria_narrative(version)}
    return _negotiated(request, document, "badges/ob2_badgeclass.html", context)


@require_safe
def badgeclass_image(request, issuer_slug: str, programme_slug: str, number: int):
    data, content_type = version_badge_image(_version_or_404(issuer_slug, programme_slug, number))
    return harden_image_response(HttpResponse(data, content_type=content_type))


@transaction.non_atomic_requests  # reads only: no transaction round trips per request
@require_safe
def assertion(request, public_id):
    cached = _ASSERTION_BYTES.get(public_id)
    if cached is not None and not _wants_html(request):
        # Already signed and kept: only the award's state is read (one indexed lookup).
        if award_state_for_public_id(public_id) == (Award.Status.ISSUED, None):
            return _signed_json(request, cached)
    try:
        record = record_for_public_id(public_id)
    except BadgeRecord.DoesNotExist:
        raise Http404 from None
    award = record.award
    if _wants_html(request) and award.status == Award.Status.ISSUED:
        # People (browsers) get the credential page; verifiers keep getting JSON-LD below.
        response = redirect("badges:credential-page", public_id=award.public_id)
        response["Vary"] = "Accept"
        return response
    if ob2.suspended_or_revoked(award):
        # OB 2.0 hosted verification: a revoked (or, while it lasts, suspended) assertion
        # answers 410 with only these keys.
        return _json(ob2.revoked_assertion(award), status=410)
    if award.status != Award.Status.ISSUED or not record.ob2_assertion:
        raise Http404
    if _wants_html(request):
        context = {"award": award, "version": award.programme_version}
        return _negotiated(request, record.ob2_assertion, "badges/ob2_assertion.html", context)
    return _signed_json(request, _assertion_bytes(public_id, record))


# The assertion's answer changes when the award is revoked or suspended (410), so caches must
# revalidate every time ("no-cache"): the status is read per request, the signed bytes and their
# strong ETag are kept per process (they never change once signed), and a matching
# If-None-Match answers 304 without a body.
_ASSERTION_BYTES: dict = {}
_ASSERTION_BYTES_MAX = 10_000


def _assertion_bytes(key, record: BadgeRecord) -> tuple[bytes, str]:
    found = _ASSERTION_BYTES.get(key)
    if found is None:
        body = json.dumps(
            record.ob2_assertion, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
        ).encode("utf-8")
        found = (body, strong_etag(body))
        if len(_ASSERTION_BYTES) >= _ASSERTION_BYTES_MAX:
            _ASSERTION_BYTES.clear()
        _ASSERTION_BYTES[key] = found
    return found


def _signed_json(request, found: tuple[bytes, str]):
    body, etag = found
    if not_modified(request, etag):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=JSON_LD)
    response["ETag"] = etag
    response["Cache-Control"] = "public, no-cache"
    response["Vary"] = "Accept"
    return response


@require_safe
def endorsement(request, public_id):
    try:
        found = endorsement_for_public_id(public_id)
    except Endorsement.DoesNotExist:
        raise Http404 from None
    if found.status == Endorsement.Status.WITHDRAWN:
        # Like a revoked hosted assertion: 410 Gone with only these keys.
        document = {
            "@context": ob2.OB2_CONTEXT,
            "id": found.ob2_endorsement.get("id"),
            "revoked": True,
            "revocationReason": "推薦者により取り下げられました / Withdrawn by the endorser",
        }
        return _json(document, status=410)
    if not found.ob2_endorsement:
        raise Http404
    return _json(found.ob2_endorsement)


@require_safe
def extension_context(request):
    return _json(ob2_extension.context_document(), cors=True)


@require_safe
def extension_schema(request):
    return _json(ob2_extension.descriptors_schema(), content_type="application/json", cors=True)


@require_safe
def extension_issuer_schema(request):
    return _json(ob2_extension.issuer_schema(), content_type="application/json", cors=True)
