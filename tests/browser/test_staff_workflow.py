"""A staff member's whole day in Chromium, in Japanese: describe and publish a programme in the
editor, import a results CSV (Shift_JIS, with a bad row) through the dry run, approve the
proposed awards, and check that another issuer's staff do not see any of it."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from badges.services import is_complete
from credentials.models import Assessment, Award, Learner, Programme
from credentials.selectors import learner_names_for
from issuers.models import AuditEvent, Membership, Role
from tests.browser.programme_editor import fill_programme
from tests.frameworks.fixtures import ensure_frameworks_loaded, fully_described_descriptors
from tests.issuers.factories import (
    TEST_PASSWORD,
    IssuerFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QA_URI = "https://www.minato-u.example.ac.jp/about/quality-assurance"
SLUG = "data-science-basics"
TITLE_JA = "データサイエンス基礎プログラム"
TITLE_EN = "Foundations of Data Science"

TEXTS = {
    "title": {"ja": TITLE_JA, "en": TITLE_EN},
    "content": {
        "ja": "統計学とプログラミングの基礎から、実データの分析と可視化までを学ぶ。",
        "en": "From statistics and programming basics to analysing and visualising real data.",
    },
    "prerequisites": {"ja": "高等学校程度の数学", "en": "Upper-secondary mathematics"},
    "learning_outcomes": [
        {
            "ja": "記述統計と推測統計の基本的な手法を説明し、適用できる。",
            "en": "Explain and apply statistics.",
        },
        {
            "ja": "Python を用いてデータの前処理と可視化ができる。",
            "en": "Clean and visualise data with Python.",
        },
    ],
}

# Line 1 is the header; line 4 is the bad row (a result that is neither pass nor fail).
CSV_ROWS = [
    ("メールアドレス", "氏名", "氏名英語", "学籍番号", "合否", "点数", "評価日"),
    ("yamada@example.ac.jp", "山田 太郎", "Taro Yamada", "S001", "合格", "85", "{date}"),
    ("suzuki@example.ac.jp", "鈴木 花子", "Hanako Suzuki", "S002", "合格", "92", "{date}"),
    ("sato@example.ac.jp", "佐藤 次郎", "Jiro Sato", "S003", "保留", "50", "{date}"),
    ("tanaka@example.ac.jp", "田中 一郎", "Ichiro Tanaka", "S004", "不合格", "40", "{date}"),
]
BAD_LINE = 4

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _shot(page, step: int, name: str, *, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"staff_workflow_{step}_{name}.png"
    page.screenshot(path=str(path), full_page=full_page)


def _log_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/admin/login/?next=/admin/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(TEST_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_load_state()
    assert "/admin/login/" not in page.url, page.locator("main, #content").first.inner_text()


def _descriptor(page, key: str):
    """The editor's block for one framework descriptor (its fields share labels with others)."""
    return page.locator(f"#descriptor-{key}")


def _messages(page) -> str:
    messages = page.locator("ul.messagelist")
    return messages.inner_text() if messages.count() else ""


def _write_results_csv(tmp_path: Path) -> Path:
    assessed_on = (timezone.localdate() - datetime.timedelta(days=3)).isoformat()
    lines = [",".join(cell.format(date=assessed_on) for cell in row) for row in CSV_ROWS]
    path = tmp_path / "成績_データサイエンス基礎.csv"
    # As Excel on Japanese Windows saves it: Shift_JIS (CP932), CRLF line ends.
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp932"))
    return path


@pytest.fixture
def staff_world():
    ensure_frameworks_loaded()
    issuer = IssuerFactory(
        slug="minato-u",
        name_ja="みなと大学",
        name_en="Minato University",
        qa_standard_name_ja="みなと大学 内部質保証に関する方針",
        qa_standard_name_en="Minato University internal quality assurance policy",
        qa_standard_uri=QA_URI,
    )
    owner = UserFactory(username="minato-owner", is_staff=True)
    MembershipFactory(issuer=issuer, user=owner, role=Role.OWNER)
    other_issuer = IssuerFactory(slug="kita-college", name_ja="きた短期大学", name_en="Kita")
    outsider = UserFactory(username="kita-owner", is_staff=True)
    MembershipFactory(issuer=other_issuer, user=outsider, role=Role.OWNER)
    return issuer, owner, outsider


def test_staff_member_publishes_imports_and_issues(
    live_server, browser, page, staff_world, tmp_path
):
    issuer, owner, outsider = staff_world
    base = live_server.url
    expected = fully_described_descriptors()
    expected["quality_assurance"]["internal"]["uri"] = QA_URI

    _log_in(page, base, owner.username)
    assert page.locator("html").get_attribute("lang") == "ja"

    # 1. Describe the programme in the editor, save, see it complete, publish it.
    page.goto(base + "/admin/credentials/programme/add/")
    page.get_by_label("スラッグ").fill(SLUG)
    expected.update(TEXTS)
    fill_programme(page, expected)  # clicks choices by their labels, types texts and numbers
    page.get_by_label("授与基準（日本語）", exact=False).fill("期末試験で 60 点以上を合格とする。")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_load_state()

    assert "/change/" in page.url, page.locator("#content-main").inner_text()
    sidebar = page.locator("aside.mc-side")
    assert sidebar.locator("progress.mc-meter").get_attribute("value") == "100"
    assert "100%" in sidebar.inner_text()
    assert "マイクロクレデンシャルとして公開できます。" in sidebar.inner_text()
    for key in ("title", "learning_outcomes", "quality_assurance", "credit_recognition"):
        assert _descriptor(page, key).locator(".mc-status-ok").count() == 1, key
    _shot(page, 1, "programme", full_page=False)  # the top: status, completeness, publish
    _shot(page, 1, "programme_editor_full")

    page.get_by_role("button", name="この版を公開").click()
    page.wait_for_load_state()
    assert "公開" in _messages(page), _messages(page)
    assert page.get_by_role("button", name="この版を公開").count() == 0
    _shot(page, 1, "programme_published", full_page=False)

    programme = Programme.objects.get(issuer=issuer, slug=SLUG)
    assert programme.status == Programme.Status.PUBLISHED
    version = programme.published_version
    assert version is not None and version.number == 1 and version.published_at is not None
    assert version.descriptors == expected
    assert version.descriptors["quality_assurance"]["internal"]["uri"] == QA_URI

    # 2. Import results: upload, read the dry run (bad line and reason), confirm, non-strict.
    page.get_by_role("link", name="評価結果を取り込む（CSV）").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/admin/credentials/programme/versions/{version.pk}/import/")
    page.get_by_label("CSV ファイル").set_input_files(str(_write_results_csv(tmp_path)))
    strict = page.get_by_label("厳格モード", exact=False)
    assert not strict.is_checked()
    page.get_by_label("合格した行に授与を提案する", exact=False).check()
    page.get_by_role("button", name="ファイルを確認").click()
    page.wait_for_load_state()

    report = page.locator("#content-main .module").first
    assert "まだ何も書き込まれていません" in report.inner_text()
    errors = report.get_by_role("table").locator("tbody tr")
    assert errors.count() == 1, report.inner_text()
    cells = errors.first.locator("td")
    assert cells.nth(0).inner_text().strip() == str(BAD_LINE)
    assert "保留" in cells.nth(2).inner_text() and "合格" in cells.nth(2).inner_text()
    assert "cp932" in report.inner_text().lower() or "shift" in report.inner_text().lower()
    assert not Learner.objects.exists()  # a dry run writes nothing
    _shot(page, 2, "import_dry_run")

    page.get_by_role("button", name="正常な 3 行を取り込む").click()
    page.wait_for_load_state()
    assert "3 行を取り込みました。" in _messages(page), _messages(page)
    _shot(page, 2, "import_done")

    learners = Learner.objects.filter(enrolments__issuer=issuer)
    assert set(learners.values_list("email", flat=True)) == {
        "yamada@example.ac.jp",
        "suzuki@example.ac.jp",
        "tanaka@example.ac.jp",
    }
    names = learner_names_for(learners, issuer)  # the issuer's own record of them
    assert names[learners.get(email="yamada@example.ac.jp").pk].ja == "山田 太郎"
    assert names[learners.get(email="suzuki@example.ac.jp").pk].en == "Hanako Suzuki"
    assert not Learner.objects.filter(email="sato@example.ac.jp").exists()
    assessments = Assessment.objects.filter(programme_version=version)
    passed = assessments.filter(result=Assessment.Result.PASS)
    assert set(passed.values_list("learner__email", flat=True)) == {
        "yamada@example.ac.jp",
        "suzuki@example.ac.jp",
    }
    assert assessments.filter(result=Assessment.Result.FAIL).count() == 1
    pending = Award.objects.filter(programme_version=version, status=Award.Status.PENDING)
    assert set(pending.values_list("learner__email", flat=True)) == {
        "yamada@example.ac.jp",
        "suzuki@example.ac.jp",
    }

    # 3. Approve and issue the proposed awards from the award list.
    page.goto(base + "/admin/credentials/award/")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 2
    assert "山田 太郎" in page.locator("#result_list").inner_text()
    page.locator("#action-toggle").check()
    page.get_by_role("combobox", name="操作").select_option(label="選択した授与を承認して発行する")
    page.get_by_role("button", name="実行").click()
    page.wait_for_load_state()
    assert "2 件の授与を発行しました。" in _messages(page), _messages(page)
    assert page.locator("#result_list").inner_text().count("発行済み") == 2
    _shot(page, 3, "awards_issued")

    awards = Award.objects.filter(programme_version=version)
    assert awards.count() == 2
    for award in awards:
        assert award.status == Award.Status.ISSUED
        assert award.issued_at is not None and award.approved_by == owner
        # Eager Celery in tests: the badges were signed and baked once the approval committed.
        assert is_complete(award.badge_record), award
    audited = set(AuditEvent.objects.filter(issuer=issuer).values_list("action", flat=True))
    assert {"programme.create", "programme.publish", "award.issue"} <= audited, audited
    issued_events = AuditEvent.objects.filter(issuer=issuer, action="award.issue", actor=owner)
    assert issued_events.count() == 2

    # 4. Staff of another issuer do not see the programme at all.
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    try:
        other = context.new_page()
        _log_in(other, base, outsider.username)
        other.goto(base + "/admin/credentials/programme/")
        listing = other.locator("#content-main").inner_text()
        assert TITLE_JA not in listing and SLUG not in listing
        _shot(other, 4, "other_issuer_programmes")
        response = other.goto(base + f"/admin/credentials/programme/{programme.pk}/change/")
        assert response.status == 404
        other.goto(base + "/admin/credentials/award/")
        assert "山田" not in other.locator("#content-main").inner_text()
    finally:
        context.close()
    assert Membership.objects.filter(user=outsider, issuer=issuer).count() == 0
