"""verify_badge input handling: baked PNG/SVG images (badges.baking) give the same result as the
JSON / JWS inside them; unreadable input gives a clear bilingual error."""

import io
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from PIL import Image

from badges.baking import bake_png, bake_svg
from badges.jws import sign_assertion_jws
from badges.verification import SafeFetcher, verify_badge
from badges.verification.inputs import MAX_INPUT_BYTES, MAX_TEXT_BYTES
from tests.badges.test_verification_ob3 import credential, sign
from tests.badges.verification_support import Reply, Site
from tests.interop.ob2 import LoopbackSite, assertion_document, publish_issuer

NOW = datetime(2026, 1, 15, tzinfo=UTC)
SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<circle cx="5" cy="5" r="4" fill="#005aa0"/></svg>\n'
)


@pytest.fixture(scope="module")
def png():
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (0, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def verify(data, **kwargs):
    kwargs.setdefault("now", NOW)
    kwargs.setdefault("fetcher", SafeFetcher(allow_loopback=True))
    result = verify_badge(data, **kwargs)
    json.dumps(result.as_dict(), ensure_ascii=False)
    return result


def without_input_notes(result) -> dict:
    data = result.as_dict()
    data["checks"] = [c for c in data["checks"] if c["code"] != "input"]
    data.pop("source")
    return data


def test_baked_ob3_png_and_svg_give_the_same_result_as_the_json(png):
    signed = sign(credential())
    text = json.dumps(signed, ensure_ascii=False)
    expected = without_input_notes(verify(signed, email="hanako.yamada@example.jp"))
    assert expected["verdict"] == "valid"
    baked_png = bake_png(png, keyword="openbadgecredential", text=text)
    baked_svg = bake_svg(SVG, version="3.0", credential_json=text)
    for image, source in ((baked_png, "png"), (baked_svg, "svg")):
        result = verify(image, email="hanako.yamada@example.jp")
        assert result.source == source
        assert result.check("input").status == "pass"
        assert "3.0" in result.check("input").message_en
        assert without_input_notes(result) == expected


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_baked_ob2_jws_png_and_svg_give_the_same_result_as_the_jws(png, rsa_key):
    site = LoopbackSite().start()
    try:
        issuer = publish_issuer(site, [rsa_key], png)
        token = sign_assertion_jws(
            assertion_document(
                issuer,
                assertion_id=issuer.assertion_url("b1"),
                email="a@example.jp",
                salt="s",
                verification={"type": "signed", "creator": issuer.key_urls[0]},
            ),
            rsa_key,
        )
        expected = without_input_notes(verify(token))
        assert expected["verdict"] == "valid", expected["checks"]
        baked = [bake_png(png, keyword="openbadges", text=token)]
        baked.append(bake_svg(SVG, version="2.0", verify=token))
        for image in baked:
            assert without_input_notes(verify(image)) == expected
    finally:
        site.stop()


def test_url_of_a_baked_image(png):
    signed = sign(credential())
    with Site() as site:
        image = bake_png(png, keyword="openbadgecredential", text=json.dumps(signed))
        site.routes["/badges/1/ob3.png"] = Reply(body=image, content_type="image/png")
        result = verify(site.url("/badges/1/ob3.png"))
    assert result.verdict == "valid"
    assert result.source == "url"
    assert result.format == "ob3"


@pytest.mark.parametrize("image", ["png", "svg"])
def test_image_without_a_badge_is_a_clear_error(png, image):
    result = verify(png if image == "png" else SVG)
    assert result.verdict == "error"
    check = result.check("input")
    assert check.message_en == "This image contains no baked badge."
    assert check.message_ja == "この画像にはバッジ情報が埋め込まれていません。"


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ('{"@context": ', "not valid JSON"),
        (b'{"a": 1,}', "not valid JSON"),
        ("[1, 2]", "not an object"),
        (b"\x00\x01\x02\xff\xfe random", "not recognised"),
        ("just some words", "not recognised"),
        (b"\x89PNG\r\n\x1a\n truncated", "cannot be read"),
        ('{"hello": "world"}', "neither an Open Badges 2.0"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><unclosed></svg>", "cannot be read"),
    ],
)
def test_unreadable_input_is_a_clear_error(data, fragment):
    result = verify(data)
    assert result.verdict == "error"
    assert fragment in result.check("input").message_en
    assert result.check("input").message_ja


def test_oversized_input_is_refused():
    result = verify(b"\x89PNG\r\n\x1a\n" + b"\x00" * MAX_INPUT_BYTES)
    assert result.verdict == "error"
    assert "too large" in result.check("input").message_en
    text = '{"a": "' + "x" * MAX_TEXT_BYTES + '"}'
    assert "too large" in verify(text).check("input").message_en


def test_unsafe_url_input_is_an_error_without_a_request():
    result = verify_badge("https://169.254.169.254/latest/meta-data/", now=NOW)
    assert result.verdict == "error"
    assert "internal network" in result.check("input").message_en


@pytest.mark.parametrize(
    "document",
    [
        {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "VerifiableCredential"},
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": 5,
            "credentialSubject": [],
            "credentialStatus": [None, "x", {"type": "BitstringStatusListEntry"}],
            "validFrom": 7,
            "proof": {"type": "DataIntegrityProof", "verificationMethod": 1},
        },
        {"type": "Assertion", "id": None, "badge": [], "recipient": "x", "verification": 3},
        {"type": "Assertion", "id": "https://10.0.0.1/a", "verification": {"type": "hosted"}},
    ],
)
def test_malformed_documents_give_a_result_not_an_exception(document):
    result = verify(document, email="a@example.jp")
    assert result.verdict in ("invalid", "error")
    assert any(check.status == "fail" for check in result.checks)
