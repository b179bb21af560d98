"""An employer on /verify/ in Chromium: uploads the baked PNG a candidate sent and reads the
verdict, in Japanese and in English; then the issuer revokes the award."""

from pathlib import Path

import pytest

from tests.badges.ob2_world import make_issuer, make_version
from tests.badges.test_public_verify import issue, revoke, tampered_png
from tests.frameworks.fixtures import ensure_frameworks_loaded
from tests.support.baked_images import served_image

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _shot(page, step: int, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"verify_page_{step}_{name}.png"), full_page=True)


def _upload(page, data: bytes, button: str) -> str:
    page.locator("#id_file").set_input_files(
        files=[{"name": "badge.png", "mimeType": "image/png", "buffer": data}]
    )
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()
    return page.locator("#verify-result .verdict-title").inner_text()


def test_employer_verifies_a_baked_badge(live_server, settings, page):
    ensure_frameworks_loaded()
    settings.PORTAL_BASE_URL = live_server.url
    settings.VERIFY_ALLOW_LOOPBACK = True
    version = make_version(make_issuer(slug="minato-u"), programme__slug="data-science")
    record = issue(version)
    baked = served_image(record, "ob3.png")

    page.goto(live_server.url + "/verify/")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.get_by_label("バッジ画像（PNG または SVG）").is_visible()
    _shot(page, 1, "form")

    assert _upload(page, baked, "検証する") == "有効です"
    assert page.locator("[data-element=learning_outcomes]").is_visible()
    assert page.locator("#verify-result").get_attribute("aria-live") == "polite"
    _shot(page, 2, "valid")

    assert _upload(page, tampered_png(record), "検証する") == "有効ではありません"
    _shot(page, 3, "tampered")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert _upload(page, baked, "Verify") == "This badge is valid"
    _shot(page, 4, "valid_en")

    page.get_by_role("button", name="日本語").click()
    page.wait_for_load_state()
    revoke(record)
    assert _upload(page, baked, "検証する") == "失効しています"
    _shot(page, 5, "revoked")


def test_empty_form_is_explained_without_javascript_errors(live_server, page):
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    page.goto(live_server.url + "/verify/")
    page.get_by_role("button", name="検証する", exact=True).click()
    page.wait_for_load_state()
    assert "バッジの URL、JSON、JWS を貼り付けるか" in page.get_by_role("alert").first.inner_text()
    assert errors == []
