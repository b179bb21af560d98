"""Issue #11's acceptance test: a demo designer (not a superuser) creates the programme of
docs/api.md §2 in Chromium from an empty form, by clicking choices and typing natural values
only, publishes it, and the credential issued under it verifies with Digital Bazaar."""

import pytest
import requests
from playwright.sync_api import expect

from badges import ob3
from badges.models import BadgeRecord
from credentials.models import Programme
from issuers.demo import DEMO_PASSWORD, load_demo_issuers
from tests.badges.node import node_verify
from tests.badges.ob3_world import issue, passed_assessment
from tests.browser.programme_editor import block, fill_programme
from tests.conftest import ARTIFACTS
from tests.credentials.test_programme_editor_form import documented_programme
from tests.frameworks.fixtures import ensure_frameworks_loaded

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_server, settings):
    settings.PORTAL_BASE_URL = live_server.url
    ensure_frameworks_loaded()
    return load_demo_issuers()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"programme_editor_{name}.png"), full_page=True)


def _sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/admin/login/?next=/admin/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_load_state()
    assert "/admin/login/" not in page.url


def test_a_designer_describes_publishes_and_the_credential_verifies(live_server, page, demo):
    documented = documented_programme()
    descriptors = documented["descriptors"]
    issuer = demo.issuers["toto-univ"]
    designer = demo.users["toto-designer"]
    assert not designer.is_superuser

    _sign_in(page, live_server.url, designer.username)
    page.goto(live_server.url + "/admin/credentials/programme/add/")
    html = page.content()
    assert "JSON" not in html and "null" not in html
    _shot(page, "1_empty")

    page.get_by_label("スラッグ").fill(documented["slug"])
    fill_programme(page, descriptors)
    page.get_by_label("授与基準（日本語）", exact=False).fill(documented["criteria_ja"])
    page.get_by_label("授与基準（英語）", exact=False).fill(documented["criteria_en"])
    page.get_by_label("有効期間（月数）", exact=False).fill(str(documented["validity_months"]))

    preview = page.locator("#mc-preview")
    expect(preview).to_contain_text(descriptors["title"]["ja"])
    expect(preview).to_contain_text(descriptors["title"]["en"])
    expect(preview.locator(".mc-completeness")).to_have_text("100%")
    expect(preview).to_contain_text("90時間")  # the descriptor table reads as the badge will
    _shot(page, "2_filled")
    block(page, "type_of_assessment").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "programme_editor_2_viewport.png"))  # form + preview

    page.get_by_role("button", name="保存して公開").click()
    page.wait_for_load_state()
    assert "/change/" in page.url, page.locator("#content-main").inner_text()
    _shot(page, "3_published")

    programme = Programme.objects.get(issuer=issuer, slug=documented["slug"])
    assert programme.status == Programme.Status.PUBLISHED
    version = programme.published_version
    assert version.descriptors == descriptors
    assert version.criteria_ja == documented["criteria_ja"]
    assert version.validity_months == documented["validity_months"]

    award = issue(passed_assessment(version=version))
    record = BadgeRecord.objects.get(award=award)
    credential = requests.get(ob3.credential_url(award), timeout=10).json()
    assert credential["credentialSubject"]["achievement"]["name"] == descriptors["title"]["ja"]
    result = node_verify(credential)
    assert result["verified"] is True and result["errors"] == [], result
    assert record.ob3_credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"


def test_a_mistake_is_shown_at_its_field_with_a_linked_summary_and_nothing_typed_is_lost(
    live_server, page, demo
):
    _sign_in(page, live_server.url, demo.users["toto-designer"].username)
    page.goto(live_server.url + "/admin/credentials/programme/add/")
    page.get_by_label("スラッグ").fill("mistake")
    page.locator("#id_d-title-ja").fill("間違いのあるプログラム")
    effort = block(page, "learner_effort")
    effort.get_by_label("総学習時間").fill("10")
    effort.get_by_label("うち対面・同期の時間").fill("30")
    block(page, "credit_recognition").locator("select").first.select_option(
        label="ECTS（欧州単位互換蓄積制度）"
    )
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_load_state()

    summary = page.locator("#mc-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("学習量（総学習時間） › うち対面・同期の時間")
    expect(summary).to_contain_text("単位／その他の認定 › 単位 1 › 単位")  # a value is needed
    assert "contact_hours" not in summary.inner_text() and "ects" not in summary.inner_text()
    summary.get_by_role("link", name="学習量（総学習時間） › うち対面・同期の時間").click()
    expect(page.locator("#id_d-learner_effort-contact_hours")).to_be_focused()
    expect(page.locator("#id_d-title-ja")).to_have_value("間違いのあるプログラム")
    expect(page.locator("#id_d-learner_effort-total_hours")).to_have_value("10")
    _shot(page, "4_errors")
    assert not Programme.objects.filter(slug="mistake").exists()


def test_rows_are_added_and_removed_with_the_editors_buttons(live_server, page, demo):
    _sign_in(page, live_server.url, demo.users["toto-designer"].username)
    page.goto(live_server.url + "/admin/credentials/programme/add/")
    outcomes = block(page, "learning_outcomes")
    add = outcomes.get_by_role("button", name="項目を追加")
    add.click()
    add.click()
    rows = outcomes.locator(".mc-row-list > .mc-row")
    expect(rows).to_have_count(3)
    rows.nth(1).get_by_role("button", name="削除").click()
    expect(rows).to_have_count(2)
    expect(rows.nth(1).locator(".mc-row-number")).to_have_text("2")
