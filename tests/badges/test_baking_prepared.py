"""Prepared bakers (one base image, many payloads) give exactly the bytes bake_png/bake_svg give,
for every payload, including hostile ones, and refuse what those refuse."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, PngImagePlugin

from badges import images
from badges.baking import (
    OB2_PNG_KEYWORD,
    OB3_PNG_KEYWORD,
    BakingError,
    InvalidImage,
    PreparedPng,
    PreparedSvg,
    bake_png,
    bake_svg,
    unbake_png,
)
from tests.badges.test_baking import ASSERTION, CREDENTIAL, HOSTED_URL, JWS, SVG, png_bytes

HOSTILE_TEXTS = [
    JWS,
    json.dumps({"narrative": "a ]]> b ]]]]> c <![CDATA[ d"}, ensure_ascii=False),
    json.dumps({"名前": "データサイエンス基礎 🎓 é ß \u2028 \ufeff"}, ensure_ascii=False),
    json.dumps({"evidence": ["証拠" * 50_000, "]]>" * 10_000]}, ensure_ascii=False),  # ~330 KB
    json.dumps({"quotes": "\"'&<>\t\r\n", "ws": "  "}),
]


def credential_of_realistic_size() -> dict:
    """About 12 KB, like a signed OpenBadgeCredential with a fully described achievement."""
    return {
        **CREDENTIAL,
        "credentialSubject": {
            "achievement": {
                "criteria": {"narrative": "課題を提出し、試験に合格すること。]]> " * 120},
                "alignment": [
                    {"targetName": f"能力 {n}", "targetUrl": f"urn:x:{n}"} for n in range(40)
                ],
            }
        },
        "proof": {"type": "DataIntegrityProof", "proofValue": "z" + "5" * 86},
    }


@pytest.fixture(scope="module")
def png_with_texts() -> bytes:
    """A PNG already holding text chunks with both baking keywords, and another text."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", "Inkscape 1.3")
    info.add_itxt(OB2_PNG_KEYWORD, "an.old.jws")
    info.add_text(OB3_PNG_KEYWORD, "https://legacy.example/badge")
    info.add_itxt("Description", "大学のバッジ画像", lang="ja")
    return png_bytes(Image.new("RGBA", (24, 24), (0, 90, 160, 255)), info)


@pytest.fixture(scope="module")
def production_images() -> tuple[bytes, bytes]:
    """The PNG and the PNG-embedding SVG every batch bakes into."""
    png = images.drawn_png("データサイエンス基礎", "seed")
    return png, images.svg_embedding_png(png, "データサイエンス基礎")


def svgs(production_svg: bytes, version: str) -> list[bytes]:
    previous = {"2.0": {"verify": HOSTED_URL}, "3.0": {"credential_json": CREDENTIAL}}[version]
    return [
        SVG,
        production_svg,
        b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>',
        b'\xef\xbb\xbf<svg xmlns="http://www.w3.org/2000/svg"   />',
        bake_svg(SVG, version=version, **previous),  # a payload of this version already
    ]


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
@pytest.mark.parametrize("keyword", [OB2_PNG_KEYWORD, OB3_PNG_KEYWORD])
def test_prepared_png_bakes_the_same_bytes_as_bake_png(
    png_with_texts, production_images, keyword, text
):
    for base in (png_with_texts, production_images[0]):
        prepared = PreparedPng(base)
        for _ in range(2):  # the cached tail is reused
            assert prepared.bake(keyword=keyword, text=text) == bake_png(
                base, keyword=keyword, text=text
            )


def test_one_prepared_png_serves_both_keywords_in_any_order(png_with_texts):
    prepared = PreparedPng(png_with_texts)
    texts = {OB2_PNG_KEYWORD: JWS, OB3_PNG_KEYWORD: json.dumps(CREDENTIAL)}
    for keyword in [OB3_PNG_KEYWORD, OB2_PNG_KEYWORD, OB3_PNG_KEYWORD]:
        baked = prepared.bake(keyword=keyword, text=texts[keyword])
        assert baked == bake_png(png_with_texts, keyword=keyword, text=texts[keyword])
        assert unbake_png(baked)[keyword] == texts[keyword]


@settings(max_examples=200, deadline=None)
@given(text=st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00")))
def test_prepared_png_matches_bake_png_for_any_text(text):
    base = png_bytes(Image.new("L", (4, 4), 7))
    assert PreparedPng(base).bake(keyword=OB3_PNG_KEYWORD, text=text) == bake_png(
        base, keyword=OB3_PNG_KEYWORD, text=text
    )


@pytest.mark.parametrize("text", ["nul\x00inside", "lone \ud800 surrogate", 42])
def test_prepared_png_refuses_what_bake_png_refuses(png_with_texts, text):
    with pytest.raises(BakingError) as expected:
        bake_png(png_with_texts, keyword=OB2_PNG_KEYWORD, text=text)
    with pytest.raises(type(expected.value)):
        PreparedPng(png_with_texts).bake(keyword=OB2_PNG_KEYWORD, text=text)


def test_prepared_png_refuses_a_broken_base_once_at_preparation(png_with_texts):
    with pytest.raises(InvalidImage, match="corrupt PNG"):
        PreparedPng(png_with_texts[:40] + b"\x00" + png_with_texts[41:])


def _svg_payloads() -> list[tuple[str, dict]]:
    hostile = [json.loads(text) for text in HOSTILE_TEXTS[1:]]
    return [
        ("2.0", {"verify": JWS}),
        ("2.0", {"verify": HOSTED_URL, "assertion_json": ASSERTION}),
        ("2.0", {"verify": HOSTED_URL}),
        ("3.0", {"verify": JWS}),
        ("3.0", {"credential_json": credential_of_realistic_size()}),
        *[("3.0", {"credential_json": body}) for body in hostile],
        *[("3.0", {"credential_json": json.dumps(body, ensure_ascii=False)}) for body in hostile],
    ]


@pytest.mark.parametrize(("version", "kwargs"), _svg_payloads())
def test_prepared_svg_bakes_the_same_bytes_as_bake_svg(production_images, version, kwargs):
    for base in svgs(production_images[1], version):
        checked_every_time = PreparedSvg(base, version, check_every=True)
        checked_first_time = PreparedSvg(base, version)
        expected = bake_svg(base, version=version, **kwargs)
        for _ in range(2):
            assert checked_every_time.bake(**kwargs) == expected
            assert checked_first_time.bake(**kwargs) == expected


@settings(max_examples=150, deadline=None)
@given(narrative=st.text())
def test_prepared_svg_matches_bake_svg_for_any_text(narrative):
    body = {"narrative": narrative}
    try:
        expected = bake_svg(SVG, version="3.0", credential_json=body)
    except BakingError as refused:  # characters XML cannot carry: refused alike
        with pytest.raises(type(refused)):
            PreparedSvg(SVG, "3.0", check_every=True).bake(credential_json=body)
        return
    assert PreparedSvg(SVG, "3.0", check_every=True).bake(credential_json=body) == expected


@pytest.mark.parametrize(
    ("version", "kwargs"),
    [
        ("2.0", {"credential_json": CREDENTIAL}),
        ("2.0", {"verify": "not a jws or url"}),
        ("3.0", {"credential_json": '{"bad": "\x01"}'}),
        ("3.0", {"credential_json": "[1, 2]"}),
    ],
)
def test_prepared_svg_refuses_what_bake_svg_refuses(version, kwargs):
    with pytest.raises(BakingError) as expected:
        bake_svg(SVG, version=version, **kwargs)
    with pytest.raises(type(expected.value), match=str(expected.value)[:20]):
        PreparedSvg(SVG, version).bake(**kwargs)


@pytest.mark.parametrize(
    ("base", "version"),
    [
        (SVG.replace(b"<title>", b"<script>alert(1)</script><title>"), "2.0"),
        (b"<html/>", "3.0"),
        (bake_svg(SVG, version="2.0", verify=JWS), "3.0"),  # prefix bound to OB 2.0, in use
        (SVG, "1.0"),
    ],
)
def test_prepared_svg_refuses_what_bake_svg_refuses_at_preparation(base, version):
    with pytest.raises(BakingError) as expected:
        bake_svg(base, version=version, verify=JWS)
    with pytest.raises(type(expected.value)):
        PreparedSvg(base, version)
