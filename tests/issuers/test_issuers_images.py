"""validate_image_upload: real PNG/JPEG/safe SVG only, within byte and pixel limits."""

import io
import os
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from issuers.images import MAX_IMAGE_BYTES, validate_image_upload


def raster(fmt="PNG", size=(64, 64), name=None, noise=False):
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (200, 30, 60))
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return SimpleUploadedFile(name or f"logo.{fmt.lower()}", buffer.getvalue())


def png_bomb(width, height):
    """A real, tiny PNG that would decompress to width × height 1-bit pixels."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = zlib.compress(b"\0" * ((width // 8 + 1) * height), 9)
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    data = (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )
    return SimpleUploadedFile("bomb.png", data)


def svg(body, name="badge.svg", extra_ns=""):
    text = (
        f'<svg xmlns="http://www.w3.org/2000/svg" {extra_ns} width="100" height="100">{body}</svg>'
    )
    return SimpleUploadedFile(name, text.encode())


XLINK = 'xmlns:xlink="http://www.w3.org/1999/xlink"'


def code_of(file):
    with pytest.raises(ValidationError) as excinfo:
        validate_image_upload(file)
    return excinfo.value.code


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_good_raster_image_passes_and_is_rewound_for_saving(fmt):
    upload = raster(fmt)
    content = upload.read()

    validate_image_upload(upload)

    assert upload.read() == content


def test_a_safe_svg_with_internal_references_and_inline_png_passes():
    tiny_png = "data:image/png;base64,iVBORw0KGgo="
    validate_image_upload(
        svg(
            '<defs><linearGradient id="g"><stop offset="0"/></linearGradient></defs>'
            '<circle id="c" r="40" fill="url(#g)" style="stroke: url(#g)"/>'
            f'<use xlink:href="#c"/><image href="{tiny_png}" width="1" height="1"/>',
            extra_ns=XLINK,
        )
    )


def test_an_image_over_the_byte_limit_is_rejected():
    upload = raster(size=(800, 800), noise=True)
    assert upload.size > MAX_IMAGE_BYTES
    assert code_of(upload) == "image_too_large"


def test_a_decompression_bomb_is_rejected_by_its_pixel_count_before_decoding():
    bomb = png_bomb(20000, 20000)
    assert bomb.size < 100_000
    assert code_of(bomb) == "image_too_many_pixels"


def test_an_image_with_one_oversized_side_is_rejected():
    assert code_of(raster(size=(5000, 2))) == "image_too_many_pixels"


def test_non_image_bytes_named_png_are_rejected():
    upload = SimpleUploadedFile("logo.png", b"MZ\x90\x00 this is an executable, not a picture")
    assert code_of(upload) == "not_an_image"


def test_an_empty_file_is_rejected():
    assert code_of(SimpleUploadedFile("logo.png", b"")) == "not_an_image"


def test_a_gif_is_not_an_accepted_type():
    assert code_of(raster("GIF", name="logo.gif")) == "not_an_image"


def test_a_jpeg_named_png_is_rejected_because_the_extension_lies():
    assert code_of(raster("JPEG", name="logo.png")) == "image_extension"


def test_a_truncated_png_is_rejected_as_damaged():
    data = raster().read()
    assert code_of(SimpleUploadedFile("logo.png", data[: len(data) // 2])) == "image_corrupt"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("<script>alert(1)</script>", id="script element"),
        pytest.param('<circle r="4" onload="alert(1)"/>', id="onload handler"),
        pytest.param('<a onclick="steal()"><text>x</text></a>', id="onclick handler"),
        pytest.param(
            '<image xlink:href="https://evil.example/track.png" width="1" height="1"/>',
            id="external xlink href",
        ),
        pytest.param('<use href="sprites.svg#icon"/>', id="external use href"),
        pytest.param('<a href="javascript:alert(1)"><text>x</text></a>', id="javascript url"),
        pytest.param(
            '<image href="data:image/svg+xml;base64,PHN2Zy8+" width="1" height="1"/>',
            id="nested svg data uri",
        ),
        pytest.param(
            '<rect width="9" height="9" style="fill: url(https://evil.example/p.svg#a)"/>',
            id="external css url",
        ),
        pytest.param("<style>@import url(https://evil.example/x.css);</style>", id="css import"),
        pytest.param(
            '<a href="#x"><set attributeName="href" to="https://evil.example/"/></a>',
            id="animated href",
        ),
        pytest.param(
            '<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>',
            id="foreign object",
        ),
    ],
)
def test_unsafe_svg_is_rejected(body):
    assert code_of(svg(body, extra_ns=XLINK)) == "unsafe_svg"


def test_svg_with_entity_expansion_is_rejected():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>'
    )
    assert code_of(SimpleUploadedFile("bomb.svg", bomb)) == "not_an_image"


def test_svg_with_an_external_stylesheet_instruction_is_rejected():
    data = b'<?xml-stylesheet href="https://evil.example/x.css"?><svg xmlns="http://www.w3.org/2000/svg"/>'
    assert code_of(SimpleUploadedFile("x.svg", data)) == "unsafe_svg"


def test_xml_that_is_not_svg_is_rejected():
    assert code_of(SimpleUploadedFile("x.svg", b"<html><body/></html>")) == "not_an_image"


def test_an_svg_named_png_is_rejected_because_the_extension_lies():
    assert code_of(svg("<circle r='4'/>", name="logo.png")) == "image_extension"


def test_the_error_message_is_translated(settings):
    from django.utils import translation

    with pytest.raises(ValidationError) as excinfo:
        validate_image_upload(svg("<script/>"))
    with translation.override("en"):
        english = excinfo.value.messages[0]
    with translation.override("ja"):
        japanese = excinfo.value.messages[0]
    assert "scripts" in english
    assert japanese != english
