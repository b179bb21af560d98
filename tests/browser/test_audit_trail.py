"""The audit trail in Chromium, in Japanese: the browser's own time zone reaches the server
(static/js/timezone.js), the list shows labels and local times with the zone named, the filters
narrow it, and the CSV button downloads what the list shows."""

import datetime
from pathlib import Path

import pytest

from issuers.models import AuditEvent, Role
from issuers.services import record_audit
from tests.issuers.factories import TEST_PASSWORD, IssuerFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# 03:04:05 UTC: 12:04:05 in Tokyo, 05:04:05 in Berlin (summer time).
MOMENT = datetime.datetime(2026, 4, 1, 3, 4, 5, tzinfo=datetime.UTC)


@pytest.fixture
def trail(db):
    issuer = IssuerFactory(slug="minato-u", name_ja="みなと大学")
    owner = MembershipFactory(issuer=issuer, role=Role.OWNER, user__username="owner").user
    other = IssuerFactory(slug="kita-society", name_ja="北学会")
    for actor, action, target in (
        (owner, "issuer.update", issuer),
        (None, "signing_key.rotate", issuer),
        (None, "issuer.update", other),
    ):
        event = record_audit(actor=actor, action=action, target=target, issuer=target)
        AuditEvent.objects.filter(pk=event.pk).update(created_at=MOMENT)
    return owner


def test_staff_read_the_audit_trail_in_japanese_in_their_browsers_time_zone(
    live_server, browser, trail
):
    context = browser.new_context(
        locale="ja-JP", timezone_id="Europe/Berlin", viewport={"width": 1280, "height": 900},
        accept_downloads=True,
    )  # fmt: skip
    page = context.new_page()
    try:
        page.goto(live_server.url + "/admin/login/?next=/admin/issuers/auditevent/")
        page.get_by_label("ユーザー名").fill("owner")
        page.get_by_label("パスワード").fill(TEST_PASSWORD)
        page.get_by_role("button", name="ログイン").click()
        # The first page was drawn in Tokyo time; the script sets the cookie and reloads once.
        page.wait_for_selector("[data-time-zone='Europe/Berlin']")

        assert page.locator("#result_list tbody tr").count() == 2  # not 北学会's event
        assert page.get_by_text("時刻はお使いのタイムゾーン Europe/Berlin で表示しています。")
        table = page.locator("#result_list").inner_text()
        assert "発行機関のプロフィールを変更" in table and "署名鍵を更新（ローテーション）" in table
        assert "2026-04-01 05:04:05" in table and "12:04:05" not in table
        assert "北学会" not in table
        assert page.locator("#result_list thead").text_content().count("Europe/Berlin") == 1
        page.screenshot(path=str(_artifact("audit_trail_ja_list.png")), full_page=True)

        page.locator("#changelist-filter").get_by_role(
            "link", name="署名鍵を更新（ローテーション）"
        ).click()
        page.wait_for_load_state()
        assert page.locator("#result_list tbody tr").count() == 1
        with page.expect_download() as download_info:
            page.locator("[data-action='export-csv']").click()
        content = Path(download_info.value.path()).read_bytes().decode("utf-8")
        assert content.startswith("\ufeff日時 (Europe/Berlin),操作,")
        assert "2026-04-01T05:04:05+02:00,署名鍵を更新（ローテーション）" in content
        assert "issuer.update" not in content
        page.screenshot(path=str(_artifact("audit_trail_ja_filtered.png")), full_page=True)
    finally:
        context.close()


def _artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name


def test_the_award_page_shows_its_history_and_opens_an_event(live_server, page):
    from credentials.services import revoke_award
    from issuers.models import Membership
    from tests.badges.ob2_world import issued_award, make_issuer, make_version
    from tests.issuers.factories import UserFactory

    issuer = make_issuer(slug="minato-u", name_ja="みなと大学")
    owner = UserFactory(username="owner")
    Membership.objects.create(issuer=issuer, user=owner, role=Role.OWNER)
    award = issued_award(make_version(issuer))
    revoke_award(actor=owner, award=award, reason="誤って発行したため")

    page.goto(live_server.url + f"/admin/login/?next=/admin/credentials/award/{award.pk}/change/")
    page.get_by_label("ユーザー名").fill("owner")
    page.get_by_label("パスワード").fill(TEST_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    history = page.locator("[data-section='history']")
    history.wait_for()

    assert "履歴" in history.inner_text() and "授与を取り消し" in history.inner_text()
    page.screenshot(path=str(_artifact("audit_award_history_ja.png")), full_page=True)
    history.locator("tr[data-action='award.revoke']").get_by_role("link", name="表示").click()
    page.wait_for_load_state()
    assert "/admin/issuers/auditevent/" in page.url
    assert "誤って発行したため" in page.locator("#content").inner_text()
