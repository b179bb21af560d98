"""Chromium, driven by Playwright, on the live portal."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_is_japanese_first_and_switches_to_english(live_server, page):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert "マイクロクレデンシャル" in page.locator("main").inner_text()

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()

    assert page.locator("html").get_attribute("lang") == "en"
    assert "Japanese Micro-credential Framework" in page.locator("main").inner_text()


def test_staff_sign_in_page_is_reachable_from_the_home_page(live_server, page):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="スタッフ用サインイン").click()
    page.wait_for_load_state()
    assert page.locator("input[name=username]").is_visible()
