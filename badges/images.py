"""The two image formats every badge is baked in, from the programme version's image.

A version has a PNG or an SVG (uploaded, or the generated design). The other format is made
here without new dependencies: a PNG becomes an SVG that embeds it, and an SVG (which cannot
be rasterised with what we have) is replaced by a simple deterministic Pillow drawing of the
badge: a coloured disc and the title (Noto Sans CJK where installed, else Pillow's font).
"""

from __future__ import annotations

import base64
import hashlib
import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from credentials.badge_design import version_badge_image, wrap_title

CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SIZE = 600


def _font(size: int):
    if CJK_FONT.exists():
        return ImageFont.truetype(str(CJK_FONT), size)
    return ImageFont.load_default(size)


def _hue_rgb(seed: str) -> tuple[int, int, int]:
    digest = hashlib.sha256(seed.encode()).digest()
    return 40 + digest[0] % 120, 40 + digest[1] % 120, 60 + digest[2] % 120


def drawn_png(title: str, seed: str) -> bytes:
    """A plain round badge with the title, the same bytes for the same input."""
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, SIZE - 10, SIZE - 10), fill=_hue_rgb(seed or title))
    draw.ellipse((38, 38, SIZE - 38, SIZE - 38), outline=(255, 255, 255), width=8)
    lines = wrap_title(title) or ["…"]
    font = _font(44)
    top = SIZE // 2 - (len(lines) * 52) // 2
    for number, line in enumerate(lines):
        draw.text((SIZE // 2, top + number * 52 + 26), line, font=font, fill="white", anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def svg_embedding_png(png: bytes, title: str) -> bytes:
    from xml.sax.saxutils import escape

    with Image.open(io.BytesIO(png)) as image:
        width, height = image.size
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img"><title>{escape(title)}</title>'
        f'<image width="{width}" height="{height}" href="data:image/png;base64,{data}"/></svg>'
    ).encode()


def badge_source(version) -> tuple[bytes, str, str, str]:
    """What the version's badge images are made from: its image (the upload or the generated
    design), that image's content type, the title and the colour seed. Cheap (no drawing), so
    callers can tell from it whether images made earlier still hold (badges.baked)."""
    data, content_type = version_badge_image(version)
    title = version.title_in("ja") or version.programme.slug
    seed = f"{version.programme.issuer.slug}/{version.programme.slug}"
    return data, content_type, title, seed


def images_from_source(source: tuple[bytes, str, str, str]) -> tuple[bytes, bytes]:
    """(PNG, SVG) made from what :func:`badge_source` returned."""
    data, content_type, title, seed = source
    if content_type == "image/svg+xml":
        return drawn_png(title, seed), data
    return data, svg_embedding_png(data, title)


def badge_images(version) -> tuple[bytes, bytes]:
    """(PNG, SVG) of the version's badge, before baking."""
    return images_from_source(badge_source(version))
