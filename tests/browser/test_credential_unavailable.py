"""A missing or private credential page in Chromium: the site's own page in Japanese, whose
link leads to /verify/."""

import uuid
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_a_missing_credential_page_explains_itself_and_leads_to_verify(live_server, page):
    response = page.goto(f"{live_server.url}/credentials/{uuid.uuid4()}/")

    assert response.status == 404
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "この証明書は非公開に設定されているか、存在しません"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "credential_unavailable_ja.png"), full_page=True)
    page.locator("[data-link='verify']").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/verify/"
