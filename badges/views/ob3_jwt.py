"""The OB 3.0 credential as a VC-JWT (when its issuer issues one), plain and baked.

Baked on request from the stored token and the programme's badge image (a PNG iTXt chunk
`openbadgecredential`, or the SVG `verify` attribute, as 1EdTech OB 3.0 bakes a VC-JWT); the
token itself never changes once signed.
"""

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

from badges import baked, baking, selectors, vc_jwt
from badges.models import BadgeRecord
from issuers.images import harden_image_response

IMAGE_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


def _token_record(public_id) -> BadgeRecord:
    try:
        record = selectors.record_for_public_id(public_id)
    except BadgeRecord.DoesNotExist as error:
        raise Http404 from error
    if not record.ob3_jwt:
        raise Http404
    return record


@require_safe
def credential_jwt(request, public_id):
    """The VC-JWT; still served after revocation (its status entry says so)."""
    record = _token_record(public_id)
    response = HttpResponse(record.ob3_jwt, content_type=vc_jwt.MEDIA_TYPE)
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_safe
def baked_jwt_image(request, public_id, suffix: str):
    if suffix not in IMAGE_TYPES:
        raise Http404
    record = _token_record(public_id)
    version = record.award.programme_version
    bakers = baked.bakers_for(version)  # the base images prepared once, as for the other images
    if suffix == "png":
        body = bakers.png.bake(keyword=baking.OB3_PNG_KEYWORD, text=record.ob3_jwt)
    else:
        body = bakers.ob3_svg.bake(verify=record.ob3_jwt)
    programme = version.programme
    filename = f"{programme.issuer.slug}-{programme.slug}-v{version.number}-ob3-jwt.{suffix}"
    response = HttpResponse(body, content_type=IMAGE_TYPES[suffix])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return harden_image_response(response)
