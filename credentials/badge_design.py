"""Badge images: checking uploads and drawing the default design.

A programme without an uploaded image gets an SVG drawn here from its title, so every award
has an image. The text is escaped: titles are user input and the SVG is served to browsers.
"""

import base64
import hashlib
import unicodedata
from io import BytesIO
from xml.sax.saxutils import escape

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from issuers.images import validate_image_upload

SVG_CONTENT_TYPE = "image/svg+xml"
PNG_CONTENT_TYPE = "image/png"
LINE_WIDTH = 10  # in full-width characters; half-width ones count as half
MAX_LINES = 4


def validate_badge_image(file) -> None:
    """The issuers' image checks, and PNG or SVG only: the formats Open Badges can bake."""
    validate_image_upload(file)
    if getattr(file, "_committed", False) is True:
        return
    file.seek(0)
    try:
        with Image.open(BytesIO(file.read())) as image:
            image_format = image.format
    except (UnidentifiedImageError, OSError):
        image_format = "SVG"  # validate_image_upload accepted it, so it is a safe SVG
    finally:
        file.seek(0)
    if image_format != "PNG" and image_format != "SVG":
        raise ValidationError(
            _("Badge images must be PNG or SVG, the formats a badge can be baked into."),
            code="badge_image_format",
        )


def _width(char: str) -> float:
    return 1.0 if unicodedata.east_asian_width(char) in ("W", "F") else 0.5


def wrap_title(title: str, width: float = LINE_WIDTH, max_lines: int = MAX_LINES) -> list[str]:
    """Break a title into lines by display width (Japanese has no spaces to break at)."""
    lines, line, used = [], "", 0.0
    for char in " ".join(title.split()):
        if used + _width(char) > width:
            lines.append(line.rstrip())
            line, used = "", 0.0
            if char == " ":
                continue
        line += char
        used += _width(char)
    if line.strip():
        lines.append(line.rstrip())
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + "…"
    return lines


def default_badge_svg(*, title: str, subtitle: str = "", seed: str = "") -> str:
    """A round badge with the title; its colour is derived from `seed` so it stays stable."""
    hue = int(hashlib.sha256((seed or title).encode()).hexdigest()[:4], 16) % 360
    lines = wrap_title(title) or ["…"]
    first_y = 300 - (len(lines) - 1) * 26
    text = "".join(
        f'<tspan x="300" y="{first_y + index * 52}">{escape(line)}</tspan>'
        for index, line in enumerate(lines)
    )
    footer = (
        f'<text x="300" y="470" font-size="24" fill="#ffffff" text-anchor="middle">'
        f"{escape(subtitle[:40])}</text>"
        if subtitle
        else ""
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="600" '
        'viewBox="0 0 600 600" role="img" '
        "font-family=\"'Noto Sans JP', 'Hiragino Sans', sans-serif\">"
        f"<title>{escape(title)}</title>"
        f'<circle cx="300" cy="300" r="290" fill="hsl({hue}, 55%, 32%)"/>'
        f'<circle cx="300" cy="300" r="262" fill="none" stroke="hsl({hue}, 60%, 80%)" '
        'stroke-width="8"/>'
        '<text font-size="44" font-weight="bold" fill="#ffffff" text-anchor="middle">'
        f"{text}</text>"
        f"{footer}"
        "</svg>"
    )


def version_badge_image(version) -> tuple[bytes, str]:
    """The version's badge image and its content type: the upload, else the generated design."""
    if version.badge_image:
        with version.badge_image.open("rb") as image:
            data = image.read()
        is_svg = version.badge_image.name.lower().endswith(".svg")
        return data, SVG_CONTENT_TYPE if is_svg else PNG_CONTENT_TYPE
    programme = version.programme
    svg = default_badge_svg(
        title=version.title_in("ja") or programme.slug,
        subtitle=programme.issuer.name_en or programme.issuer.name_ja,
        seed=f"{programme.issuer.slug}/{programme.slug}",
    )
    return svg.encode(), SVG_CONTENT_TYPE


def badge_data_uri(version) -> str:
    """The badge image as a data: URI, for staff pages (media files need no public URL)."""
    data, content_type = version_badge_image(version)
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"
