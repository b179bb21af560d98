"""Images baked by badges/baking.py, read back by IMS Global's openbadges-bakery (and the PNG and
XML parsers it uses: pypng, which checks every chunk CRC, and defusedxml's minidom); images baked
by the bakery's own authors, read by our unbake.

openbadges-bakery knows only OB 2.0 (``openbadges`` keyword, ``openbadges:assertion``); for
OB 3.0 the checks are structural, through the same parsers.
"""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from badges.baking import (
    OB2_PNG_KEYWORD,
    OB2_SVG_NAMESPACE,
    OB3_PNG_KEYWORD,
    OB3_SVG_NAMESPACE,
    BakedBadge,
    bake_png,
    bake_svg,
    unbake,
)
from tests.interop.ob2 import bakery_testfile, require_ob2_venv, run_bakery

pytestmark = pytest.mark.interop

JWS = (
    "eyJhbGciOiJSUzI1NiJ9.eyJpZCI6InVybjp1dWlkOjdmMzMifQ."
    "Qm9ndXMtc2lnbmF0dXJlLWJ5dGVzLWZvci1iYWtpbmctb25seQ"
)
HOSTED_URL = "http://127.0.0.1:8000/ob2/assertions/7f33?lang=ja&v=2"
ASSERTION = {
    "@context": "https://w3id.org/openbadges/v2",
    "type": "Assertion",
    "id": HOSTED_URL,
    "recipient": {"type": "email", "hashed": True, "salt": "塩", "identity": "sha256$00"},
    "badge": "http://127.0.0.1:8000/ob2/badges/1",
    "issuedOn": "2025-04-01T09:00:00+09:00",
    "verification": {"type": "hosted"},
    "narrative": "データサイエンス基礎を修了（評価：]]> 優）",
}
CREDENTIAL = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "name": "マイクロクレデンシャル：データサイエンス基礎",
    "credentialSubject": {"achievement": {"name": "データサイエンス基礎"}},
}
SVG = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">\n'
    "  <title>データサイエンス基礎</title>\n"
    '  <circle cx="32" cy="32" r="30" fill="#005aa0"/>\n'
    "</svg>\n"
).encode()


@pytest.fixture(scope="module", autouse=True)
def _harness():
    require_ob2_venv()


@pytest.fixture(scope="module")
def png() -> bytes:
    image = Image.new("RGBA", (32, 32), (0, 90, 160, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _itxt(structure: list[dict], keyword: str) -> list[dict]:
    return [c for c in structure if c["type"] == "iTXt" and c.get("keyword") == keyword]


def _elements(structure: list[dict], tag: str) -> list[dict]:
    return [e for e in structure[1:] if e["tagName"] == tag]


# --- OB 2.0: the bakery reads what we bake -------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [JWS, json.dumps(ASSERTION, ensure_ascii=False)],
    ids=["jws", "json"],
)
def test_ob2_png_unbakes_with_the_bakery(png, tmp_path, text):
    path = _write(tmp_path, "badge.png", bake_png(png, keyword=OB2_PNG_KEYWORD, text=text))

    seen = run_bakery(path)

    assert seen["imageType"] == "PNG"
    assert seen["payload"] == text
    types = [c["type"] for c in seen["structure"]]  # pypng read every chunk and its CRC
    assert types[:2] == ["IHDR", "iTXt"] and types[-1] == "IEND"
    [chunk] = _itxt(seen["structure"], OB2_PNG_KEYWORD)
    assert chunk["compression"] == 0
    assert chunk["text"] == text


def test_ob2_png_rebaked_shows_one_chunk_to_the_bakery(png, tmp_path):
    first = bake_png(png, keyword=OB2_PNG_KEYWORD, text=json.dumps(ASSERTION))
    path = _write(tmp_path, "rebaked.png", bake_png(first, keyword=OB2_PNG_KEYWORD, text=JWS))

    seen = run_bakery(path)

    assert seen["payload"] == JWS
    assert len(_itxt(seen["structure"], OB2_PNG_KEYWORD)) == 1


def test_ob2_svg_signed_unbakes_with_the_bakery(tmp_path):
    path = _write(tmp_path, "badge.svg", bake_svg(SVG, version="2.0", verify=JWS))

    seen = run_bakery(path)

    assert seen["imageType"] == "SVG"
    assert seen["payload"] == JWS
    assert seen["structure"][0]["rootAttributes"]["xmlns:openbadges"] == OB2_SVG_NAMESPACE
    [element] = _elements(seen["structure"], "openbadges:assertion")
    assert element["namespace"] == OB2_SVG_NAMESPACE
    assert element["isFirstElementChild"]
    assert element["attributes"] == {"verify": JWS}
    assert element["body"] == ""


def test_ob2_svg_hosted_unbakes_with_the_bakery(tmp_path):
    text = json.dumps(ASSERTION, ensure_ascii=False)
    baked = bake_svg(SVG, version="2.0", verify=HOSTED_URL, assertion_json=text)
    path = _write(tmp_path, "hosted.svg", baked)

    seen = run_bakery(path)

    assert seen["payload"] == HOSTED_URL  # the bakery hands the verify URL to validators
    [element] = _elements(seen["structure"], "openbadges:assertion")
    assert element["isFirstElementChild"]
    assert element["attributes"] == {"verify": HOSTED_URL}
    assert element["body"] == text  # the CDATA sections, split around "]]>", join back


def test_the_bakery_side_checks_crcs(png, tmp_path):
    """The structural checks have teeth: pypng rejects a chunk whose CRC does not match."""
    baked = bytearray(bake_png(png, keyword=OB2_PNG_KEYWORD, text=JWS))
    baked[45] ^= 0x01  # a byte of our iTXt data

    seen = run_bakery(_write(tmp_path, "corrupt.png", bytes(baked)), malformed_ok=True)

    assert "Checksum error in iTXt chunk" in seen["structureError"]
    assert seen["payload"] is None


# --- OB 3.0: structure through the bakery's parsers ------------------------------------------


def test_ob3_png_is_structurally_sound_and_invisible_to_the_ob2_bakery(png, tmp_path):
    text = json.dumps(CREDENTIAL, ensure_ascii=False)
    path = _write(tmp_path, "ob3.png", bake_png(png, keyword=OB3_PNG_KEYWORD, text=text))

    seen = run_bakery(path)

    assert seen["payload"] is None  # openbadgecredential is not mistaken for openbadges
    [chunk] = _itxt(seen["structure"], OB3_PNG_KEYWORD)
    assert chunk["compression"] == 0
    assert json.loads(chunk["text"]) == CREDENTIAL
    assert [c["type"] for c in seen["structure"]][:2] == ["IHDR", "iTXt"]


def test_png_with_both_versions_gives_the_bakery_the_ob2_payload(png, tmp_path):
    both = bake_png(
        bake_png(png, keyword=OB2_PNG_KEYWORD, text=JWS),
        keyword=OB3_PNG_KEYWORD,
        text=json.dumps(CREDENTIAL),
    )

    seen = run_bakery(_write(tmp_path, "both.png", both))

    assert seen["payload"] == JWS
    assert {c.get("keyword") for c in seen["structure"] if c["type"] == "iTXt"} == {
        OB2_PNG_KEYWORD,
        OB3_PNG_KEYWORD,
    }


def test_ob3_svg_is_structurally_sound(tmp_path):
    path = _write(tmp_path, "ob3.svg", bake_svg(SVG, version="3.0", credential_json=CREDENTIAL))

    seen = run_bakery(path)

    assert seen["payload"] is None  # no openbadges:assertion: the OB 2.0 bakery finds nothing
    assert seen["structure"][0]["rootAttributes"]["xmlns:openbadges"] == OB3_SVG_NAMESPACE
    [element] = _elements(seen["structure"], "openbadges:credential")
    assert element["namespace"] == OB3_SVG_NAMESPACE
    assert element["isFirstElementChild"]
    assert element["attributes"] == {}
    assert json.loads(element["body"]) == CREDENTIAL


# --- the other direction: files baked by the bakery's authors, read by us ---------------------


def test_bakery_sample_png_unbakes_with_ours(tmp_path):
    data = bakery_testfile("baked_heart.png")

    seen = run_bakery(_write(tmp_path, "heart.png", data))
    [badge] = unbake(data)

    assert badge == BakedBadge("2.0", "png", seen["payload"], "json")
    assert json.loads(badge.payload)["uid"] == "123"


def test_bakery_sample_svg_unbakes_with_ours(tmp_path):
    data = bakery_testfile("baked_example.svg")

    seen = run_bakery(_write(tmp_path, "example.svg", data))
    [badge] = unbake(data)

    assert badge.verify == seen["payload"] == "https://example.org/assertion.json"
    assert badge.kind == "json"
    assert json.loads(badge.payload)["uid"] == "abcdef12345"


def test_unbaked_bakery_samples_have_nothing_for_either():
    assert unbake(bakery_testfile("public_domain_heart.png")) == []
    assert unbake(bakery_testfile("unbaked_example.svg")) == []


def test_rebaking_a_bakery_baked_image_replaces_its_payload(tmp_path):
    png = bake_png(bakery_testfile("baked_heart.png"), keyword=OB2_PNG_KEYWORD, text=JWS)
    svg = bake_svg(bakery_testfile("baked_example.svg"), version="2.0", verify=JWS)

    seen_png = run_bakery(_write(tmp_path, "heart.png", png))
    seen_svg = run_bakery(_write(tmp_path, "example.svg", svg))

    assert seen_png["payload"] == JWS
    assert len(_itxt(seen_png["structure"], OB2_PNG_KEYWORD)) == 1
    assert seen_svg["payload"] == JWS
    assert len(_elements(seen_svg["structure"], "openbadges:assertion")) == 1


def test_an_uploaded_svg_after_sanitising_bakes_and_the_bakery_reads_it(tmp_path):
    from issuers.svg_sanitiser import sanitise_svg
    from tests.issuers.svg_samples import INKSCAPE_EXPORT

    clean = sanitise_svg(INKSCAPE_EXPORT).svg
    path = _write(tmp_path, "badge.svg", bake_svg(clean, version="2.0", verify=JWS))

    seen = run_bakery(path)

    assert seen["imageType"] == "SVG"
    assert seen["payload"] == JWS
    [element] = _elements(seen["structure"], "openbadges:assertion")
    assert element["isFirstElementChild"]
