"""Validation of uploaded images (issuer logos, badge images): PNG, JPEG or safe SVG.

The real type is read from the content, never trusted from the name. An SVG is accepted only
when everything in it is on the allow-list of issuers.svg_sanitiser (no script, event handler,
animation, link or reference outside the file), and it is stored as that module re-serialised
it (sanitised_upload), because SVGs are served to browsers and embedded in badges.
"""

import warnings
from io import BytesIO
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from .svg_sanitiser import NotAnSvg, sanitise_svg

MAX_IMAGE_BYTES = 1024 * 1024
MAX_IMAGE_SIDE = 4096
MAX_IMAGE_PIXELS = 4096 * 4096

EXTENSIONS = {"PNG": {".png"}, "JPEG": {".jpg", ".jpeg"}, "SVG": {".svg"}}

NOT_AN_IMAGE = _("The file is not a PNG, JPEG or SVG image.")


def validate_image_upload(file) -> None:
    """Raise ValidationError unless `file` is a PNG, JPEG or safe SVG within the limits.

    Accepts an uploaded file, a Django File or a FieldFile; files already stored (committed
    FieldFiles) were validated on upload and are skipped.
    """
    if getattr(file, "_committed", False) is True:
        return
    data = _read_limited(file)
    image_format = _raster_format(data) or _svg_format(data)
    name = getattr(file, "name", None)
    if name and PurePath(name).suffix.lower() not in EXTENSIONS[image_format]:
        raise ValidationError(
            _("The file name extension does not match its content (%(format)s)."),
            code="image_extension",
            params={"format": image_format},
        )


def _read_limited(file) -> bytes:
    file.seek(0)
    data = file.read(MAX_IMAGE_BYTES + 1)
    file.seek(0)  # let Django save the whole file afterwards
    if len(data) > MAX_IMAGE_BYTES:
        raise ValidationError(
            _("The image is larger than %(max)s."),
            code="image_too_large",
            params={"max": filesizeformat(MAX_IMAGE_BYTES)},
        )
    if not data:
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image")
    return data


def _raster_format(data: bytes) -> str | None:
    """'PNG' or 'JPEG' for a sound raster image, None when Pillow does not know it."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns below its own bomb limit; treat that as an error too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as image:
                image_format, (width, height) = image.format, image.size
                _check_dimensions(width, height)
                image.verify()
    except UnidentifiedImageError:
        return None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels() from exc
    except ValidationError:
        raise
    except Exception as exc:  # Pillow raises many types for corrupt data
        raise ValidationError(
            _("The image file is damaged or incomplete."), code="image_corrupt"
        ) from exc
    if image_format == "MPO":  # camera JPEGs with an embedded preview
        image_format = "JPEG"
    if image_format not in ("PNG", "JPEG"):
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image")
    return image_format


def _check_dimensions(width: int, height: int) -> None:
    if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE or width * height > MAX_IMAGE_PIXELS:
        raise _too_many_pixels()


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _("The image is too large: at most %(side)s × %(side)s pixels."),
        code="image_too_many_pixels",
        params={"side": MAX_IMAGE_SIDE},
    )


def _svg_format(data: bytes) -> str:
    _sanitised_svg(data)
    return "SVG"


def _sanitised_svg(data: bytes) -> bytes:
    """The allow-listed re-serialisation of an SVG upload; refuses one with unsafe content."""
    try:
        result = sanitise_svg(data)
    except NotAnSvg as exc:
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from exc
    if result.refused:
        raise _unsafe_svg(result.refused)
    return result.svg


def sanitised_upload(file):
    """`file` checked, and for an SVG its sanitised copy (the bytes we store and serve).

    PNG and JPEG are stored as uploaded (browsers never run script in them); an SVG is replaced
    by the tree issuers.svg_sanitiser rebuilt, so nothing outside the allow-list reaches disk.
    Stored files (committed FieldFiles) and empty values come back unchanged.
    """
    if not file or getattr(file, "_committed", False) is True:
        return file
    validate_image_upload(file)
    data = _read_limited(file)
    if _raster_format(data):
        return file
    return ContentFile(_sanitised_svg(data), name=PurePath(file.name).name)


def _unsafe_svg(refused: list[str]) -> ValidationError:
    return ValidationError(
        _(
            "SVG images must not contain scripts, event handlers, animation, links or "
            "references to anything outside the file. Remove these and upload again: %(items)s"
        ),
        code="unsafe_svg",
        params={"items": ", ".join(refused[:8]) + (" …" if len(refused) > 8 else "")},
    )


# Uploaded images are shown as images, never as documents of the portal: nothing in them may
# run, load or navigate, even if a browser opens one as a page (defence in depth behind the
# sanitiser). The site-wide CSP middleware keeps a header that is already set.
IMAGE_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def harden_image_response(response):
    """Set the headers every response carrying a user-supplied image needs."""
    response["Content-Security-Policy"] = IMAGE_CONTENT_SECURITY_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    return response
