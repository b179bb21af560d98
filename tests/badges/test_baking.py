"""Badge baking: PNG iTXt splicing and SVG elements, round trips and hostile input."""

from __future__ import annotations

import io
import json
import re
import struct
import time
import xml.etree.ElementTree as ET
import zipfile
import zlib

import pytest
from PIL import Image, PngImagePlugin

from badges.baking import (
    MAX_IMAGE_BYTES,
    OB2_PNG_KEYWORD,
    OB2_SVG_NAMESPACE,
    OB3_PNG_KEYWORD,
    OB3_SVG_NAMESPACE,
    PNG_SIGNATURE,
    BakedBadge,
    BakingError,
    ImageTooLarge,
    InvalidImage,
    InvalidPayload,
    UnsafeSvg,
    bake_png,
    bake_svg,
    png_chunks,
    png_text_chunks,
    sniff_image_format,
    unbake,
    unbake_png,
    unbake_svg,
)

JWS = "eyJhbGciOiJSUzI1NiJ9.eyJpZCI6InVybjp1dWlkOjEifQ.c2lnbmF0dXJlLWJ5dGVz-_0"
HOSTED_URL = "https://mc.example.jp/ob2/assertions/42?lang=ja&v=2"
ASSERTION = {
    "@context": "https://w3id.org/openbadges/v2",
    "type": "Assertion",
    "id": HOSTED_URL,
    "badge": "https://mc.example.jp/ob2/badges/7",
    "narrative": "データサイエンス基礎を修了。「]]>」や <タグ> & 記号も含む。",
}
CREDENTIAL = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "name": "マイクロクレデンシャル：データサイエンス基礎",
    "credentialSubject": {"achievement": {"criteria": {"narrative": "課題 ]]> を提出"}}},
}
SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b"<!-- \xe3\x83\x90\xe3\x83\x83\xe3\x82\xb8 badge art -->\n"
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"\n'
    b"     viewBox=\"0 0 100 100\" aria-label=\"score &gt; 60 'ok'\" data-x='a>b'>\n"
    b"  <title>\xe3\x83\x87\xe3\x83\xbc\xe3\x82\xbf\xe3\x82\xb5\xe3\x82\xa4\xe3\x82\xa8\xe3\x83"
    b"\xb3\xe3\x82\xb9</title>\n"
    b'  <defs><linearGradient id="g"><stop offset="0" stop-color="#005aa0"/></linearGradient>'
    b"</defs>\n"
    b'  <circle cx="50" cy="50" r="48" fill="url(#g)"/>\n'
    b'  <use xlink:href="#g"/>\n'
    b"</svg>\n"
)


def png_bytes(image: Image.Image, pnginfo=None) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=pnginfo)
    return buffer.getvalue()


def chunk(ctype: bytes, data: bytes, *, crc: int | None = None) -> bytes:
    crc = zlib.crc32(ctype + data) if crc is None else crc
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", crc)


def chunk_types(data: bytes) -> list[bytes]:
    return [c.type for c in png_chunks(data)]


def raw_chunks(data: bytes) -> list[bytes]:
    return [data[c.start : c.end] for c in png_chunks(data)]


@pytest.fixture(scope="module")
def rgba_png() -> bytes:
    image = Image.new("RGBA", (48, 32))
    image.putdata([(x * 5, y * 7, (x * y) % 256, 128 + x) for y in range(32) for x in range(48)])
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", "Inkscape 1.3")
    info.add_itxt("Description", "大学のバッジ画像", lang="ja")
    return png_bytes(image, info)


@pytest.fixture(scope="module")
def palette_png() -> bytes:
    image = Image.new("P", (16, 16))
    image.putpalette([i % 256 for i in range(768)])
    image.putdata([(x + y) % 4 for y in range(16) for x in range(16)])
    image.info["transparency"] = 0
    return png_bytes(image)


@pytest.fixture(scope="module")
def gray16_png() -> bytes:
    image = Image.new("I;16", (8, 8))
    image.putdata([i * 1000 for i in range(64)])
    return png_bytes(image)


# --- PNG: baking ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keyword", "text", "version", "kind"),
    [
        (OB2_PNG_KEYWORD, JWS, "2.0", "jws"),
        (OB2_PNG_KEYWORD, json.dumps(ASSERTION, ensure_ascii=False), "2.0", "json"),
        (OB2_PNG_KEYWORD, HOSTED_URL, "2.0", "url"),
        (OB3_PNG_KEYWORD, json.dumps(CREDENTIAL, ensure_ascii=False), "3.0", "json"),
    ],
)
def test_png_round_trip(rgba_png, keyword, text, version, kind):
    baked = bake_png(rgba_png, keyword=keyword, text=text)

    assert unbake_png(baked)[keyword] == text
    assert unbake(baked) == [BakedBadge(version, "png", text, kind)]


def test_png_itxt_is_uncompressed_right_after_ihdr_with_a_correct_crc(rgba_png):
    text = json.dumps(ASSERTION, ensure_ascii=False)

    baked = bake_png(rgba_png, keyword=OB2_PNG_KEYWORD, text=text)

    assert baked.startswith(PNG_SIGNATURE)
    assert chunk_types(baked)[:2] == [b"IHDR", b"iTXt"]
    (length,) = struct.unpack(">I", baked[33:37])
    assert baked[37:41] == b"iTXt"
    data = baked[41 : 41 + length]
    # keyword NUL, compression flag 0, method 0, empty language tag NUL, empty translation NUL
    assert data == b"openbadges\x00\x00\x00\x00\x00" + text.encode("utf-8")
    (crc,) = struct.unpack(">I", baked[41 + length : 45 + length])
    assert crc == zlib.crc32(b"iTXt" + data)


def test_png_japanese_text_survives_and_pillow_reads_it(rgba_png):
    text = json.dumps(CREDENTIAL, ensure_ascii=False)

    baked = bake_png(rgba_png, keyword=OB3_PNG_KEYWORD, text=text)

    with Image.open(io.BytesIO(baked)) as image:
        image.load()
        assert image.text[OB3_PNG_KEYWORD] == text  # an independent iTXt parser
        assert image.text["Description"] == "大学のバッジ画像"
    assert "マイクロクレデンシャル" in unbake_png(baked)[OB3_PNG_KEYWORD]


@pytest.mark.parametrize("fixture", ["rgba_png", "palette_png", "gray16_png"])
def test_png_pixels_and_other_chunks_are_unchanged(request, fixture):
    original = request.getfixturevalue(fixture)

    baked = bake_png(original, keyword=OB2_PNG_KEYWORD, text=JWS)

    with Image.open(io.BytesIO(original)) as before, Image.open(io.BytesIO(baked)) as after:
        assert (after.mode, after.size) == (before.mode, before.size)
        assert after.tobytes() == before.tobytes()
        if before.mode == "P":
            assert after.getpalette() == before.getpalette()
            assert after.info.get("transparency") == before.info.get("transparency")
    # Every original chunk is copied byte for byte; only the iTXt is new.
    new = raw_chunks(baked)
    assert new[0] == raw_chunks(original)[0]
    assert [c for c in new if c[4:8] != b"iTXt" or b"openbadges\x00" not in c[:20]] == raw_chunks(
        original
    )
    assert len(baked) == len(original) + 12 + len(b"openbadges\x00\x00\x00\x00\x00") + len(JWS)


def test_png_rebaking_leaves_exactly_one_chunk_per_keyword(rgba_png):
    once = bake_png(rgba_png, keyword=OB2_PNG_KEYWORD, text=JWS)
    twice = bake_png(once, keyword=OB2_PNG_KEYWORD, text=HOSTED_URL)
    both = bake_png(twice, keyword=OB3_PNG_KEYWORD, text=json.dumps(CREDENTIAL))

    ob2 = [c for c in png_text_chunks(twice) if c.keyword == OB2_PNG_KEYWORD]
    assert [(c.type, c.text) for c in ob2] == [("iTXt", HOSTED_URL)]
    keywords = [c.keyword for c in png_text_chunks(both) if c.type == "iTXt"]
    assert keywords.count(OB2_PNG_KEYWORD) == 1
    assert keywords.count(OB3_PNG_KEYWORD) == 1
    assert [b.version for b in unbake(both)] == ["2.0", "3.0"]
    # Baking the same payload again gives the same bytes.
    assert bake_png(once, keyword=OB2_PNG_KEYWORD, text=JWS) == once


def test_png_legacy_text_chunk_is_read_and_replaced(rgba_png):
    info = PngImagePlugin.PngInfo()
    info.add_text(OB2_PNG_KEYWORD, "https://legacy.example.org/assertions/1")
    with Image.open(io.BytesIO(rgba_png)) as image:
        legacy = png_bytes(image, info)

    assert unbake(legacy) == [
        BakedBadge("2.0", "png", "https://legacy.example.org/assertions/1", "url")
    ]
    rebaked = bake_png(legacy, keyword=OB2_PNG_KEYWORD, text=JWS)
    assert [c.type for c in png_text_chunks(rebaked) if c.keyword == OB2_PNG_KEYWORD] == ["iTXt"]
    assert unbake_png(rebaked)[OB2_PNG_KEYWORD] == JWS


def test_png_compressed_itxt_from_other_bakers_is_read(rgba_png):
    text = json.dumps(ASSERTION, ensure_ascii=False)
    data = b"openbadges\x00\x01\x00ja\x00\x00" + zlib.compress(text.encode("utf-8"))
    png = rgba_png[:33] + chunk(b"iTXt", data) + rgba_png[33:]

    assert unbake_png(png)[OB2_PNG_KEYWORD] == text


def test_png_first_itxt_wins_when_a_foreign_file_has_two(rgba_png):
    first = chunk(b"iTXt", b"openbadges\x00\x00\x00\x00\x00first")
    second = chunk(b"iTXt", b"openbadges\x00\x00\x00\x00\x00second")
    png = rgba_png[:33] + first + second + rgba_png[33:]

    assert unbake_png(png)[OB2_PNG_KEYWORD] == "first"
    assert unbake_png(bake_png(png, keyword=OB2_PNG_KEYWORD, text="new"))[OB2_PNG_KEYWORD] == "new"


def test_png_data_after_iend_is_ignored_and_dropped(rgba_png):
    png = rgba_png + b"PK\x03\x04 a smuggled zip"

    baked = bake_png(png, keyword=OB2_PNG_KEYWORD, text=JWS)

    assert unbake_png(png) == unbake_png(rgba_png)
    assert baked.endswith(chunk(b"IEND", b""))
    assert b"smuggled" not in baked


def test_png_baking_is_fast_on_a_large_image():
    image = Image.frombytes("RGB", (1400, 1400), (bytes(range(251)) * 23_427)[: 1400 * 1400 * 3])
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=0)
    large = buffer.getvalue()
    assert len(large) > 5_000_000

    started = time.perf_counter()
    baked = bake_png(large, keyword=OB2_PNG_KEYWORD, text=JWS)
    assert unbake_png(baked)[OB2_PNG_KEYWORD] == JWS
    assert time.perf_counter() - started < 1.0  # chunk splicing, no pixel work (~20 ms)


# --- PNG: hostile or broken input ----------------------------------------------------------------


@pytest.mark.parametrize("cut", [4, 8, 20, 40, -30, -12, -1])
def test_png_truncated_is_refused(rgba_png, cut):
    with pytest.raises(InvalidImage, match=r"truncated|bad signature"):
        unbake_png(rgba_png[:cut])
    with pytest.raises(InvalidImage):
        bake_png(rgba_png[:cut], keyword=OB2_PNG_KEYWORD, text=JWS)


def test_png_bad_crc_is_refused(rgba_png):
    idat = next(c for c in png_chunks(rgba_png) if c.type == b"IDAT")
    corrupt = bytearray(rgba_png)
    corrupt[idat.data_start + 3] ^= 0xFF

    with pytest.raises(InvalidImage, match="CRC mismatch in IDAT"):
        unbake_png(bytes(corrupt))
    with pytest.raises(InvalidImage, match="CRC"):
        bake_png(bytes(corrupt), keyword=OB2_PNG_KEYWORD, text=JWS)


def test_png_absurd_chunk_length_is_refused_without_allocating(rgba_png):
    two_gb = rgba_png[:33] + struct.pack(">I", 0x8000_0000) + b"tEXt" + b"x" * 64

    started = time.perf_counter()
    with pytest.raises(InvalidImage, match="declares 2,147,483,648 bytes"):
        unbake_png(two_gb)
    max_legal = rgba_png[:33] + struct.pack(">I", 0x7FFF_FFFF) + b"tEXt" + b"x" * 64
    with pytest.raises(InvalidImage, match="truncated"):
        unbake_png(max_legal)
    assert time.perf_counter() - started < 0.5


def test_png_structure_errors_are_refused(rgba_png):
    ihdr_end = 33
    no_ihdr_first = PNG_SIGNATURE + chunk(b"tEXt", b"a\x00b") + rgba_png[8:]
    bad_type = rgba_png[:ihdr_end] + chunk(b"t3Xt", b"a\x00b") + rgba_png[ihdr_end:]
    no_idat = rgba_png[:ihdr_end] + chunk(b"IEND", b"")
    bad_itxt = rgba_png[:ihdr_end] + chunk(b"iTXt", b"openbadges") + rgba_png[ihdr_end:]
    bad_utf8 = rgba_png[:ihdr_end] + chunk(b"iTXt", b"k\x00\x00\x00\x00\x00\xff") + rgba_png[33:]

    with pytest.raises(InvalidImage, match="first chunk must be a 13-byte IHDR"):
        unbake_png(no_ihdr_first)
    with pytest.raises(InvalidImage, match="invalid chunk type"):
        unbake_png(bad_type)
    with pytest.raises(InvalidImage, match="no IDAT"):
        bake_png(no_idat, keyword=OB2_PNG_KEYWORD, text=JWS)
    with pytest.raises(InvalidImage, match="iTXt"):
        unbake_png(bad_itxt)
    with pytest.raises(InvalidImage, match="not UTF-8"):
        unbake_png(bad_utf8)


def test_png_compressed_itxt_bomb_is_refused(rgba_png):
    bomb = zlib.compress(b"{" + b" " * (8 * 1024 * 1024), 9)  # 8 MB of spaces, ~8 KB
    png = rgba_png[:33] + chunk(b"iTXt", b"openbadges\x00\x01\x00\x00\x00" + bomb) + rgba_png[33:]

    with pytest.raises(ImageTooLarge, match="inflates"):
        unbake_png(png)


def test_foreign_files_renamed_png_are_refused():
    jpeg = io.BytesIO()
    Image.new("RGB", (4, 4)).save(jpeg, "JPEG")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("badge.png", b"not really")

    for data, name in [(jpeg.getvalue(), "a JPEG"), (archive.getvalue(), "a ZIP archive")]:
        with pytest.raises(InvalidImage, match=name):
            unbake(data)
        with pytest.raises(InvalidImage, match=f"not a PNG: {name}"):
            bake_png(data, keyword=OB2_PNG_KEYWORD, text=JWS)
        with pytest.raises(InvalidImage, match=f"not a PNG: {name}"):
            unbake_png(data)


def test_huge_inputs_are_refused_before_parsing():
    huge_png = PNG_SIGNATURE + bytes(MAX_IMAGE_BYTES)
    huge_svg = b"<svg>" + b" " * MAX_IMAGE_BYTES + b"</svg>"

    for call in (
        lambda: unbake(huge_png),
        lambda: unbake_png(huge_png),
        lambda: bake_png(huge_png, keyword=OB2_PNG_KEYWORD, text=JWS),
        lambda: unbake(huge_svg),
        lambda: bake_svg(huge_svg, version="2.0", verify=JWS),
    ):
        with pytest.raises(ImageTooLarge, match="over the 10,485,760-byte limit"):
            call()


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("", JWS),
        ("k" * 80, JWS),
        (" openbadges", JWS),
        ("open  badges", JWS),
        ("バッジ", JWS),
        (OB2_PNG_KEYWORD, "a\x00b"),
        (OB2_PNG_KEYWORD, "\ud800"),
        (OB2_PNG_KEYWORD, b"bytes"),
    ],
)
def test_png_bad_keywords_and_texts_are_refused(rgba_png, keyword, text):
    with pytest.raises(InvalidPayload):
        bake_png(rgba_png, keyword=keyword, text=text)


# --- SVG: baking ---------------------------------------------------------------------------------


def _root_start_tag_end(svg: bytes) -> int:
    """Offset just after the root start tag of SVG (whose last attribute is data-x='a>b')."""
    return svg.index(b">", svg.index(b"data-x='a>b'") + len(b"data-x='a>b'")) + 1


def test_svg_ob2_signed_round_trip():
    baked = bake_svg(SVG, version="2.0", verify=JWS)

    end = _root_start_tag_end(baked)
    assert baked[end:].startswith(f'<openbadges:assertion verify="{JWS}"/>'.encode())
    assert unbake_svg(baked) == {"2.0": {"verify": JWS, "json": None}}
    assert unbake(baked) == [BakedBadge("2.0", "svg", JWS, "jws", JWS)]


def test_svg_ob2_hosted_puts_the_url_in_verify_and_the_json_in_cdata():
    text = json.dumps(ASSERTION, ensure_ascii=False)

    baked = bake_svg(SVG, version="2.0", verify=HOSTED_URL, assertion_json=text)

    root = ET.fromstring(baked)  # noqa: S314 (our own output)
    element = root[0]
    assert element.tag == f"{{{OB2_SVG_NAMESPACE}}}assertion"
    assert element.get("verify") == HOSTED_URL  # the & was escaped and reads back
    assert element.text == text  # "]]>" inside the JSON survived the split CDATA
    assert b"<![CDATA[" in baked and b"]]]]><![CDATA[>" in baked
    assert unbake(baked) == [BakedBadge("2.0", "svg", text, "json", HOSTED_URL)]


def test_svg_ob3_credential_in_cdata():
    baked = bake_svg(SVG, version="3.0", credential_json=CREDENTIAL)

    root = ET.fromstring(baked)  # noqa: S314 (our own output)
    assert root[0].tag == f"{{{OB3_SVG_NAMESPACE}}}credential"
    assert root[0].get("verify") is None
    assert json.loads(root[0].text) == CREDENTIAL
    [badge] = unbake(baked)
    assert (badge.version, badge.kind, json.loads(badge.payload)) == ("3.0", "json", CREDENTIAL)


def test_svg_ob3_vc_jwt_in_verify():
    baked = bake_svg(SVG, version="3.0", verify=JWS)

    assert f'<openbadges:credential verify="{JWS}"></openbadges:credential>'.encode() in baked
    assert unbake(baked) == [BakedBadge("3.0", "svg", JWS, "jws", JWS)]


@pytest.mark.parametrize(
    ("version", "namespace", "kwargs"),
    [
        ("2.0", OB2_SVG_NAMESPACE, {"verify": JWS}),
        ("3.0", OB3_SVG_NAMESPACE, {"credential_json": CREDENTIAL}),
    ],
)
def test_svg_preserves_the_original_document(version, namespace, kwargs):
    baked = bake_svg(SVG, version=version, **kwargs)

    declaration = f' xmlns:openbadges="{namespace}"'.encode()
    end = _root_start_tag_end(baked)
    element_end = baked.index(b"</openbadges:credential>") + 24 if version == "3.0" else None
    if element_end is None:
        element_end = baked.index(b"/>", end) + 2
    restored = (baked[:end] + baked[element_end:]).replace(declaration, b"", 1)
    assert restored == SVG
    assert baked[:end].endswith(b"'a>b'" + declaration + b">")


def test_svg_with_bom_and_self_closing_root():
    svg = b'\xef\xbb\xbf<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'

    baked = bake_svg(svg, version="3.0", credential_json=CREDENTIAL)

    assert baked.startswith(b'\xef\xbb\xbf<svg xmlns="http://www.w3.org/2000/svg" width="1"')
    assert baked.endswith(b"</openbadges:credential></svg>")
    assert json.loads(unbake(baked)[0].payload) == CREDENTIAL


def test_svg_rebaking_replaces_the_previous_payload():
    once = bake_svg(SVG, version="2.0", verify=JWS)
    twice = bake_svg(once, version="2.0", verify=HOSTED_URL, assertion_json=ASSERTION)

    assert twice.count(b"<openbadges:assertion") == 1
    assert twice.count(b"xmlns:openbadges=") == 1
    assert unbake_svg(twice)["2.0"]["verify"] == HOSTED_URL
    assert bake_svg(once, version="2.0", verify=JWS) == once  # idempotent


def test_svg_payload_left_deep_inside_by_another_baker_is_moved_first():
    foreign = SVG.replace(
        b"</svg>",
        b'<g><openbadges:assertion xmlns:openbadges="http://openbadges.org" verify="a.b.c">'
        b"</openbadges:assertion></g></svg>",
    )
    assert unbake_svg(foreign)["2.0"]["verify"] == "a.b.c"

    baked = bake_svg(foreign, version="2.0", verify=JWS)

    root = ET.fromstring(baked)  # noqa: S314 (our own output)
    found = root.findall(f".//{{{OB2_SVG_NAMESPACE}}}assertion")
    assert len(found) == 1
    assert root[0] is found[0]
    assert found[0].get("verify") == JWS
    assert b"<g></g></svg>" in baked


def test_svg_cannot_mix_versions_under_one_prefix():
    ob2 = bake_svg(SVG, version="2.0", verify=JWS)

    with pytest.raises(BakingError, match=re.escape("bound to http://openbadges.org")):
        bake_svg(ob2, version="3.0", credential_json=CREDENTIAL)


def test_svg_unused_foreign_prefix_binding_is_rebound():
    svg = SVG.replace(b"<svg ", b'<svg xmlns:openbadges="http://openbadges.org" ', 1)

    baked = bake_svg(svg, version="3.0", credential_json=CREDENTIAL)

    assert baked.count(b"xmlns:openbadges=") == 1
    assert f'xmlns:openbadges="{OB3_SVG_NAMESPACE}"'.encode() in baked
    assert unbake(baked)[0].version == "3.0"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"version": "2.0"}, "needs verify"),
        ({"version": "2.0", "verify": "ftp://x"}, "JWS or an http"),
        ({"version": "2.0", "verify": "mc.example.jp"}, "JWS or an http"),  # dotted, not a JWS
        ({"version": "2.0", "verify": JWS, "assertion_json": ASSERTION}, "without an assertion"),
        (
            {"version": "2.0", "verify": HOSTED_URL, "assertion_json": {"id": "https://x/1"}},
            "not the assertion id",
        ),
        ({"version": "2.0", "verify": HOSTED_URL, "assertion_json": "{not json"}, "valid JSON"),
        ({"version": "2.0", "verify": HOSTED_URL, "assertion_json": "[1]"}, "JSON object"),
        ({"version": "2.0", "verify": JWS, "credential_json": CREDENTIAL}, "for OB 3.0"),
        ({"version": "3.0"}, "credential_json= or verify="),
        ({"version": "3.0", "verify": JWS, "credential_json": CREDENTIAL}, "or verify="),
        ({"version": "3.0", "verify": HOSTED_URL}, "VC-JWT"),
        ({"version": "3.0", "assertion_json": ASSERTION}, "for OB 2.0"),
        ({"version": "3.0", "credential_json": '{"a": "\\u0001"}'}, None),
        ({"version": "1.0", "verify": JWS}, "unknown Open Badges version"),
    ],
)
def test_svg_bad_payload_arguments_are_refused(kwargs, message):
    if message is None:  # a JSON escape is fine: no raw control character reaches the XML
        assert unbake(bake_svg(SVG, **kwargs))[0].payload == kwargs["credential_json"]
        return
    with pytest.raises(InvalidPayload, match=message):
        bake_svg(SVG, **kwargs)


def test_svg_raw_control_characters_are_refused():
    with pytest.raises(InvalidPayload, match="XML cannot carry"):
        bake_svg(SVG, version="2.0", verify=HOSTED_URL + "\x01")


# --- SVG: hostile input --------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE svg [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&lol9;</text></svg>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&secret;</text></svg>"""

PLAIN_DOCTYPE = (
    b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
    b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'
    b'<svg xmlns="http://www.w3.org/2000/svg"/>'
)


@pytest.mark.parametrize("svg", [BILLION_LAUGHS, XXE, PLAIN_DOCTYPE], ids=["laughs", "xxe", "dtd"])
def test_svg_dtds_and_entities_are_refused_everywhere(svg):
    started = time.perf_counter()
    with pytest.raises(UnsafeSvg, match="DTDs and entities"):
        bake_svg(svg, version="2.0", verify=JWS)
    with pytest.raises(UnsafeSvg):
        unbake_svg(svg)
    with pytest.raises(UnsafeSvg):
        unbake(svg)
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    ("fragment", "reason"),
    [
        (b"<script>alert(1)</script>", "<script> element"),
        (b'<script xlink:href="https://evil.example/x.js"/>', "<script> element"),
        (b'<foreignObject><div xmlns="http://www.w3.org/1999/xhtml"/></foreignObject>', "foreign"),
        (b'<circle r="1" onload="alert(1)"/>', "event handler attribute onload"),
        (b'<a xlink:href=" java&#10;script:alert(1)"><circle r="1"/></a>', "script URL in href"),
        (b'<a href="JavaScript:alert(1)"/>', "script URL in href"),
        (b'<set attributeName="href" to="javascript:alert(1)"/>', "script URL in to"),
        (b'<iframe src="data:text/html,x"/>', "<iframe> element"),
    ],
)
def test_svg_active_content_is_refused_on_bake(fragment, reason):
    svg = SVG.replace(b"</svg>", fragment + b"</svg>")

    with pytest.raises(UnsafeSvg, match=reason):
        bake_svg(svg, version="2.0", verify=JWS)


def test_svg_stylesheet_processing_instruction_is_refused():
    svg = b'<?xml-stylesheet href="https://evil.example/a.css"?>' + SVG.split(b"?>", 1)[1]

    with pytest.raises(UnsafeSvg, match="xml-stylesheet"):
        bake_svg(svg, version="2.0", verify=JWS)


def test_svg_unbake_reads_payloads_from_scripted_files_without_running_anything():
    """Verification must still read a third party's badge; nothing is rendered here."""
    scripted = bake_svg(SVG, version="2.0", verify=JWS).replace(
        b"</svg>", b"<script>alert(1)</script></svg>"
    )

    assert unbake(scripted)[0].payload == JWS


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'><g></svg>", "not a well-formed SVG"),
        (b"<html><body/></html>", "root element is <html>"),
        (b"<svg xmlns='urn:not-svg'/>", "root element is <svg>"),
        (b"<?xml version='1.0' encoding='ISO-8859-1'?><svg/>", "only UTF-8"),
        ("<svg/>".encode("utf-16"), "UTF-16"),
        (b"<svg>\xff\xfe</svg>", "not a well-formed SVG"),
        (b"", "not a PNG or SVG"),
        (b"just text", "not a PNG or SVG"),
        (b"GIF89a....", "a GIF"),
    ],
)
def test_broken_svgs_and_unknown_formats_are_refused(data, message):
    with pytest.raises(InvalidImage, match=message):
        unbake(data)


def test_sniffing_and_images_without_badges():
    plain_png = png_bytes(Image.new("L", (2, 2)))

    assert sniff_image_format(plain_png) == "png"
    assert sniff_image_format(b"  \n<?xml version='1.0'?><svg/>") == "svg"
    assert unbake(plain_png) == []
    assert unbake(SVG) == []
    assert unbake_svg(SVG) == {}
