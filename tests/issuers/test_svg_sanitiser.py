"""The SVG allow-list (issuers.svg_sanitiser) on hostile and benign files, and the upload paths
that store its output: issuer logos and programme badge images."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from badges.baking import bake_svg, unbake
from badges.images import svg_embedding_png
from credentials import services as credential_services
from credentials.badge_design import default_badge_svg
from issuers import services as issuer_services
from issuers.images import sanitised_upload, validate_image_upload
from issuers.models import Role
from issuers.svg_sanitiser import sanitise_svg
from tests.frameworks.fixtures import fully_described_descriptors
from tests.issuers.factories import MembershipFactory
from tests.issuers.svg_samples import (
    DANGEROUS_MARKERS,
    DOCTYPES,
    HOSTILE,
    ILLUSTRATOR_EXPORT,
    INKSCAPE_EXPORT,
    svg,
    tiny_png,
    tiny_png_data_uri,
)

JWS = "eyJhbGciOiJSUzI1NiJ9.eyJpZCI6InVybjp1dWlkOjdmMzMifQ.Qm9ndXMtc2lnbmF0dXJl"
SVG_XMLNS = 'xmlns="http://www.w3.org/2000/svg"'


def assert_inert(data: bytes) -> None:
    text = data.decode("utf-8").replace(SVG_XMLNS, "").lower()
    found = [marker for marker in DANGEROUS_MARKERS if marker in text]
    assert not found, f"{found} left in {text[:400]}"


def refusal_of(data: bytes, name: str = "upload.svg") -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_image_upload(SimpleUploadedFile(name, data))
    return caught.value


@pytest.mark.parametrize(("case", "data", "named"), HOSTILE, ids=[case for case, *_ in HOSTILE])
def test_a_hostile_svg_is_refused_naming_what_is_unsafe(case, data, named):
    error = refusal_of(data)
    assert error.code == "unsafe_svg"
    with translation.override("en"):
        assert named.lower() in error.messages[0].lower()


@pytest.mark.parametrize(("case", "data", "named"), HOSTILE, ids=[case for case, *_ in HOSTILE])
def test_what_the_sanitiser_keeps_of_a_hostile_svg_is_inert(case, data, named):
    result = sanitise_svg(data)
    assert result.refused
    assert_inert(result.svg)


@pytest.mark.parametrize(("case", "data"), DOCTYPES, ids=[case for case, _ in DOCTYPES])
def test_a_doctype_is_refused_before_any_entity_is_expanded(case, data):
    assert refusal_of(data).code == "not_an_image"


def test_the_refusal_is_in_japanese_by_default_and_in_english_on_request():
    error = refusal_of(svg("<script>alert(1)</script>"))
    with translation.override("ja"):
        japanese = error.messages[0]
    with translation.override("en"):
        english = error.messages[0]
    assert "スクリプト" in japanese and "<script>" in japanese
    assert "scripts" in english and "<script>" in english


def _canonical(data: bytes) -> str:
    return ET.canonicalize(data.decode("utf-8"), strip_text=True)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(
            default_badge_svg(title="データサイエンス基礎", subtitle="Alpha", seed="a").encode(),
            id="generated badge design",
        ),
        pytest.param(svg_embedding_png(tiny_png(), "データ"), id="uploaded png wrapped in svg"),
    ],
)
def test_the_portals_own_svgs_pass_through_unchanged(data):
    result = sanitise_svg(data)
    assert result.refused == []
    assert _canonical(result.svg) == _canonical(data)


@pytest.mark.parametrize(
    "data", [INKSCAPE_EXPORT, ILLUSTRATOR_EXPORT], ids=["inkscape", "illustrator"]
)
def test_editor_exports_are_accepted_and_keep_their_drawing(data):
    validate_image_upload(SimpleUploadedFile("export.svg", data))
    result = sanitise_svg(data)
    assert result.refused == []
    kept = result.svg.decode()
    for drawing in ("linearGradient", "<circle", "<text", "<style>", "st1", "stroke", "#"):
        if drawing in data.decode():
            assert drawing in kept
    assert "inkscape" not in kept and "sodipodi" not in kept and "rdf:" not in kept


def test_the_inkscape_export_keeps_every_local_reference_and_the_inline_png():
    kept = sanitise_svg(INKSCAPE_EXPORT).svg.decode()
    for reference in ('href="#star"', 'href="#gold"', "url(#round)", "url(#glow)", "url(#fade)"):
        assert reference in kept
    assert f'href="{tiny_png_data_uri()}"' in kept
    assert "url(#shadow)" in kept and "stroke:url(#gold)" in kept


def test_a_sanitised_svg_bakes_and_unbakes():
    clean = sanitise_svg(INKSCAPE_EXPORT).svg
    baked = bake_svg(clean, version="2.0", verify=JWS)
    [badge] = unbake(baked)
    assert badge.payload == JWS
    assert sanitise_svg(baked).refused == []  # a baked badge re-uploaded loses its old payload


def test_an_uploaded_svg_is_stored_as_the_sanitised_tree():
    stored = sanitised_upload(SimpleUploadedFile("logo.svg", INKSCAPE_EXPORT))
    assert stored.name == "logo.svg"
    assert stored.read() == sanitise_svg(INKSCAPE_EXPORT).svg


def test_a_png_upload_is_stored_as_uploaded():
    upload = SimpleUploadedFile("logo.png", tiny_png())
    assert sanitised_upload(upload) is upload


def test_an_issuer_logo_is_stored_sanitised_and_a_hostile_one_is_refused(issuer_a, owner_a):
    issuer, owner = issuer_a, owner_a
    issuer_services.update_issuer_profile(
        actor=owner, issuer=issuer, logo=SimpleUploadedFile("logo.svg", INKSCAPE_EXPORT)
    )
    issuer.refresh_from_db()
    with issuer.logo.open("rb") as stored:
        assert stored.read() == sanitise_svg(INKSCAPE_EXPORT).svg
    _case, hostile, _named = HOSTILE[0]
    with pytest.raises(ValidationError) as caught:
        issuer_services.update_issuer_profile(
            actor=owner, issuer=issuer, logo=SimpleUploadedFile("evil.svg", hostile)
        )
    assert "logo" in caught.value.message_dict
    issuer.refresh_from_db()
    assert issuer.logo.name.startswith("issuers/logos/logo")  # the first logo stays


def test_a_programme_badge_image_is_stored_sanitised(issuer_a):
    designer = MembershipFactory(issuer=issuer_a, role=Role.DESIGNER).user
    programme = credential_services.create_programme(
        actor=designer,
        issuer=issuer_a,
        slug="badge-art",
        descriptors=fully_described_descriptors(),
        badge_image=SimpleUploadedFile("badge.svg", ILLUSTRATOR_EXPORT),
    )
    version = programme.latest_version
    with version.badge_image.open("rb") as stored:
        data = stored.read()
    assert data == sanitise_svg(ILLUSTRATOR_EXPORT).svg
    assert b"data-name" not in data and b"<!--" not in data


def test_labels_and_names_are_kept_as_written():
    data = svg('<g id="badge" class="a b" aria-label="Badge (2026) — info@example.ac.jp"/>')
    result = sanitise_svg(data)
    assert result.refused == []
    assert 'aria-label="Badge (2026) — info@example.ac.jp"' in result.svg.decode()


@pytest.mark.parametrize(
    "body",
    [
        "<rect fill=\"url( 'javascript:alert(1)' )\"/>",
        "<SCRIPT>alert(1)</SCRIPT>",
        '<rect xml:base="https://evil.example/" width="1"/>',
        '<rect style="behavior:url(x.htc)"/>',
        "<style>@font-face{font-family:x;src:url(https://evil.example/f.woff)}</style>",
        "<style>rect[fill]{fill:red}</style>",
    ],
)
def test_more_tricks_are_refused(body):
    result = sanitise_svg(svg(body))
    assert result.refused
    assert_inert(result.svg)


def test_stored_svgs_from_before_the_sanitiser_are_rewritten_in_place(issuer_a):
    from django.core.files.base import ContentFile
    from django.core.management import call_command

    _case, hostile, _named = HOSTILE[0]
    issuer_a.logo.save("old.svg", ContentFile(hostile))
    name = issuer_a.logo.name
    out = io.StringIO()
    call_command("sanitise_stored_svgs", stdout=out)
    assert "<a>" in out.getvalue() and "1 file(s) sanitised" in out.getvalue()
    issuer_a.refresh_from_db()
    assert issuer_a.logo.name == name
    with issuer_a.logo.open("rb") as stored:
        data = stored.read()
    assert data == sanitise_svg(hostile).svg
    assert_inert(data)


@pytest.mark.parametrize(
    "data", [INKSCAPE_EXPORT, ILLUSTRATOR_EXPORT], ids=["inkscape", "illustrator"]
)
def test_sanitising_twice_changes_nothing_more(data):
    once = sanitise_svg(data).svg
    assert sanitise_svg(once).svg == once


def test_css_filter_and_shape_functions_are_drawing_and_kept():
    data = svg(
        '<g style="filter:drop-shadow(1px 1px 2px rgb(0 0 0 / 50%)) blur(1px);'
        'clip-path:circle(40% at 50% 50%)"><rect width="9" height="9"/></g>'
    )
    result = sanitise_svg(data)
    assert result.refused == []
    assert "drop-shadow(" in result.svg.decode() and "circle(40%" in result.svg.decode()


def test_attributes_of_other_editors_namespaces_are_dropped_quietly():
    data = svg(
        '<g xmlns:corel="http://www.corel.com/coreldraw/odm/2003" corel:layer="1" '
        'h:onclick="alert(1)" xlink:title="t"><rect width="9" height="9"/></g>'
    )
    result = sanitise_svg(data)
    assert result.refused == []
    assert_inert(result.svg)
    assert "corel" not in result.svg.decode() and "title" not in result.svg.decode()
