"""A learner's credential page in Chromium: what an employer sees after following a shared link
(or the OB 2.0 assertion URL inside the badge)."""

from pathlib import Path

import pytest

from tests.badges.ob2_world import make_issuer, make_version
from tests.badges.test_public_verify import issue, revoke
from tests.frameworks.fixtures import ensure_frameworks_loaded

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _shot(page, step: int, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"credential_page_{step}_{name}.png"), full_page=True)


def test_credential_page_from_the_badge_link(live_server, settings, page):
    ensure_frameworks_loaded()
    settings.PORTAL_BASE_URL = live_server.url
    version = make_version(make_issuer(slug="minato-u"), programme__slug="data-science")
    record = issue(version)
    award = record.award

    # The OB 2.0 assertion URL baked into the badge leads people to the page.
    page.goto(record.ob2_assertion["id"])
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/credentials/{award.public_id}/"
    assert page.locator("h1").inner_text() == version.title
    assert page.locator(".verdict-title").inner_text() == "有効です"
    assert page.locator(".qr-code svg").is_visible()
    assert page.locator("img.credential-image").evaluate("img => img.naturalWidth") > 0
    linkedin = page.get_by_role("link", name="LinkedIn のプロフィールに追加")
    assert "startTask=CERTIFICATION_NAME" in linkedin.get_attribute("href")
    _shot(page, 1, "valid")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    _shot(page, 2, "mobile")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator(".verdict-title").inner_text() == "This badge is valid"
    _shot(page, 3, "english")

    page.get_by_role("button", name="日本語").click()
    page.wait_for_load_state()
    revoke(record)
    page.reload()
    assert page.locator(".verdict-title").inner_text() == "失効しています"
    _shot(page, 4, "revoked")
