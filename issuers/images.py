"""Validation of uploaded images (issuer logos, badge images): PNG, JPEG or safe SVG.

The real type is read from the content, never trusted from the name; SVG is accepted only
without scripts, event handlers or references to anything outside the file, because SVGs are
served to browsers and embedded in badges.
"""

import re
import warnings
from io import BytesIO
from pathlib import PurePath

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

MAX_IMAGE_BYTES = 1024 * 1024
MAX_IMAGE_SIDE = 4096
MAX_IMAGE_PIXELS = 4096 * 4096

EXTENSIONS = {"PNG": {".png"}, "JPEG": {".jpg", ".jpeg"}, "SVG": {".svg"}}
SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"
# Elements that run code or pull in other documents.
FORBIDDEN_SVG_ELEMENTS = {"script", "foreignobject", "iframe", "embed", "object", "handler"}
# SMIL animation can rewrite attributes at run time, e.g. turn an href into a remote URL.
ANIMATION_ELEMENTS = {"set", "animate"}
# Inline raster data is part of the file; any other reference leaves it.
SAFE_DATA_URI = re.compile(r"^data:image/(png|jpeg);base64,", re.IGNORECASE)
CSS_URL = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)", re.IGNORECASE)

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
    if b"<?xml-stylesheet" in data:
        raise _unsafe_svg()
    try:
        root = fromstring(data, forbid_dtd=True)
    except (DefusedXmlException, SyntaxError, ValueError) as exc:  # ParseError is a SyntaxError
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from exc
    if root.tag not in (f"{SVG_NAMESPACE}svg", "svg"):
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if _local(element.tag).lower() in FORBIDDEN_SVG_ELEMENTS:
            raise _unsafe_svg()
        if _local(element.tag) == "style" and _has_external_css(element.text or ""):
            raise _unsafe_svg()
        if _local(element.tag) in ANIMATION_ELEMENTS and _animates_unsafely(element):
            raise _unsafe_svg()
        for attribute, value in element.attrib.items():
            if _unsafe_attribute(_local(attribute).lower(), value):
                raise _unsafe_svg()
    return "SVG"


def _unsafe_attribute(name: str, value: str) -> bool:
    if name.startswith("on"):  # event handlers: onload, onclick, …
        return True
    if "javascript:" in value.replace(" ", "").lower():
        return True
    if name == "href":
        return not (value.startswith("#") or SAFE_DATA_URI.match(value.strip()))
    return _has_external_css(value)


def _animates_unsafely(element) -> bool:
    target = _local(element.get("attributeName", "")).lower()
    return target == "href" or target.startswith("on")


def _has_external_css(text: str) -> bool:
    if "@import" in text.lower():
        return True
    return any(
        not (target.startswith("#") or SAFE_DATA_URI.match(target))
        for target in CSS_URL.findall(text)
    )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _unsafe_svg() -> ValidationError:
    return ValidationError(
        _("SVG images must not contain scripts, event handlers or external references."),
        code="unsafe_svg",
    )
