"""Hostile SVGs in Chromium (security issue #13).

1. Uploaded through the real staff paths (the programme editor as a designer, the issuer form
   as an owner), every hostile SVG is refused with an error naming what is unsafe, and nothing
   is stored; benign exports are stored sanitised and look the same as the original.
2. A hostile SVG already on disk (stored before the sanitiser existed) is served so that it
   stays inert: opened as a page, shown in an <img> and clicked, no dialog opens and nothing
   navigates. A control serves the same bytes without the headers and sees the attack run,
   so the dialog listener is known to work.
"""

from __future__ import annotations

import base64
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections
from django.test import Client
from PIL import Image, ImageChops

from credentials.badge_design import default_badge_svg
from credentials.models import ProgrammeVersion
from issuers.models import Role
from issuers.svg_sanitiser import sanitise_svg
from tests.credentials.factories import ProgrammeVersionFactory
from tests.frameworks.fixtures import ensure_frameworks_loaded
from tests.issuers.factories import IssuerFactory, MembershipFactory, UserFactory
from tests.issuers.svg_samples import (
    DANGEROUS_MARKERS,
    HOSTILE,
    ILLUSTRATOR_EXPORT,
    INKSCAPE_EXPORT,
)

from .test_staff_workflow import _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The cases that do something when opened or clicked (the rest only load or leak).
ACTIVE = {
    "smil set xlink:href to java<TAB>script:",
    "animate onclick into existence",
    "entity-encoded scheme",
    "mixed-case scheme",
    "tab and newline inside scheme",
    "script element",
    "onload on the root",
    "onclick on a shape",
    "foreignObject with XHTML",
    "XHTML meta refresh",
    "XHTML img onerror",
}
ACTIVE_CASES = [(case, data) for case, data, _named in HOSTILE if case in ACTIVE]


@pytest.fixture
def world():
    ensure_frameworks_loaded()
    issuer = IssuerFactory(slug="minato-u", name_ja="みなと大学", name_en="Minato University")
    owner = UserFactory(username="minato-owner", is_staff=True)
    MembershipFactory(issuer=issuer, user=owner, role=Role.OWNER)
    designer = UserFactory(username="minato-designer", is_staff=True)
    MembershipFactory(issuer=issuer, user=designer, role=Role.DESIGNER)
    version = ProgrammeVersionFactory(programme__issuer=issuer, programme__slug="ds-basics")
    return issuer, owner, designer, version


def _upload(page, url: str, field: str, name: str, data: bytes) -> str:
    page.goto(url)
    page.locator(f"#id_{field}").set_input_files(
        {"name": name, "mimeType": "image/svg+xml", "buffer": data}
    )
    page.locator("input[name=_save]").first.click()
    page.wait_for_load_state()
    return page.locator("#content").inner_text()


def _stored_badge_images(programme) -> list[bytes]:
    images = []
    for version in ProgrammeVersion.objects.filter(programme=programme):
        if version.badge_image:
            with version.badge_image.open("rb") as file:
                images.append(file.read())
    return images


def test_hostile_svgs_are_refused_in_the_programme_editor_and_the_issuer_form(
    live_server, page, world
):
    issuer, owner, designer, version = world
    programme = version.programme
    editor = f"{live_server.url}/admin/credentials/programme/{programme.pk}/change/"
    _log_in(page, live_server.url, designer.username)
    for case, data, named in HOSTILE:
        text = _upload(page, editor, "badge_image", "badge.svg", data)
        assert "SVG 画像には" in text and named.lower() in text.lower(), case
    assert _stored_badge_images(programme) == []

    page.context.clear_cookies()
    _log_in(page, live_server.url, owner.username)
    issuer_form = f"{live_server.url}/admin/issuers/issuer/{issuer.pk}/change/"
    for case, data, named in HOSTILE[:6]:
        text = _upload(page, issuer_form, "logo", "logo.svg", data)
        assert "SVG 画像には" in text and named.lower() in text.lower(), case
    issuer.refresh_from_db()
    assert not issuer.logo


def _png(screenshot: bytes) -> Image.Image:
    return Image.open(io.BytesIO(screenshot)).convert("RGB")


def _rendered(page, data: bytes) -> Image.Image:
    uri = "data:image/svg+xml;base64," + base64.b64encode(data).decode()
    page.set_content(f'<body style="margin:0;background:#fff"><img id="i" src="{uri}"></body>')
    page.wait_for_function("document.getElementById('i').complete")
    return _png(page.locator("#i").screenshot())


def test_benign_uploads_are_stored_sanitised_and_look_the_same(live_server, page, world):
    _issuer, _owner, designer, version = world
    editor = f"{live_server.url}/admin/credentials/programme/{version.programme.pk}/change/"
    _log_in(page, live_server.url, designer.username)
    designs = {
        "inkscape": INKSCAPE_EXPORT,
        "illustrator": ILLUSTRATOR_EXPORT,
        "generated": default_badge_svg(title="データ基礎", subtitle="Minato", seed="x").encode(),
    }
    for name, data in designs.items():
        text = _upload(page, editor, "badge_image", f"{name}.svg", data)
        assert "SVG 画像には" not in text, name
        stored = ProgrammeVersion.objects.filter(programme=version.programme).latest("number")
        with stored.badge_image.open("rb") as file:
            kept = file.read()
        assert kept == sanitise_svg(data).svg, name
        lowered = kept.decode().replace('xmlns="http://www.w3.org/2000/svg"', "").lower()
        assert not [marker for marker in DANGEROUS_MARKERS if marker in lowered], name
        before, after = _rendered(page, data), _rendered(page, kept)
        assert before.size == after.size, name
        assert ImageChops.difference(before, after).getbbox() is None, name


def _watch(page) -> list[str]:
    dialogs: list[str] = []

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return dialogs


def _open_and_click(page, url: str) -> None:
    page.goto(url)
    page.mouse.click(100, 100)
    page.wait_for_timeout(300)


def _serving(body: bytes):
    return lambda route: route.fulfill(body=body, content_type="image/svg+xml")


def test_the_dialog_listener_sees_an_unprotected_attack(live_server, browser):
    """Control: the same bytes without the image headers do run in this Chromium."""
    context = browser.new_context()  # its own: a page a javascript: URL replaced may hang
    page = context.new_page()
    dialogs = _watch(page)
    for case in ("script element", "smil set xlink:href to java<TAB>script:"):
        data = dict(ACTIVE_CASES)[case]
        page.route("**/unprotected.svg", _serving(data))
        _open_and_click(page, f"{live_server.url}/unprotected.svg")
        page.unroute("**/unprotected.svg")
    context.close()
    assert len(dialogs) == 2


def _through_the_media_view(route):
    """Django's live test server answers MEDIA_URL itself (LiveServerThread wraps the app in
    its own media handler), so Chromium is given what config.views.media answers, headers and
    body, as production serves it."""
    path = "/" + route.request.url.split("/", 3)[3]
    try:
        response = Client().get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    finally:
        # Playwright calls this in its own greenlet, which gets its own database connection.
        connections.close_all()
    route.fulfill(status=response.status_code, headers=dict(response.items()), body=body)


def test_hostile_svgs_on_disk_stay_inert_when_opened_shown_and_clicked(live_server, page, world):
    issuer, _owner, _designer, version = world
    programme = version.programme
    image_url = (
        f"{live_server.url}/ob2/badgeclasses/{issuer.slug}/{programme.slug}/v{version.number}/image"
    )
    dialogs = _watch(page)
    page.route("**/media/**", _through_the_media_view)
    for case, data in ACTIVE_CASES:
        version.badge_image.name = default_storage.save(
            "credentials/badges/legacy.svg", ContentFile(data)
        )
        version.save(update_fields=["badge_image"])
        _open_and_click(page, image_url)
        assert page.url == image_url, case
        page.goto("about:blank")
        page.set_content(f'<img src="{image_url}" width="200" height="200">')
        page.mouse.click(100, 100)
        page.wait_for_timeout(200)
        assert dialogs == [], case

        logo = default_storage.save("issuers/logos/legacy.svg", ContentFile(data))
        logo_url = f"{live_server.url}/media/{logo}"
        with page.expect_download() as download:
            try:
                page.goto(logo_url)
            except Exception as error:  # Chromium reports the navigation as a download
                assert "Download is starting" in str(error)
        assert download.value.suggested_filename.endswith(".svg")
        page.goto("about:blank")
        page.set_content(f'<img src="{logo_url}" width="200" height="200">')
        page.mouse.click(100, 100)
        page.wait_for_timeout(200)
        assert dialogs == [], case
