"""The staff screens of issue #16 in Chromium, in Japanese: an owner proposes a consortium
agreement and the partner's owner consents to it; an awarding officer reads what the portal
verified about a learner's outside badge, is told a decision needs a reason, and approves it,
which completes the learner's stack."""

from decimal import Decimal
from pathlib import Path

import pytest

from credentials import services
from credentials.models import Award, Recognition
from credentials.services.recognition import (
    OutsideBadge,
    record_outside_achievement,
    set_recognition_rule,
)
from issuers.models import IssuerAgreement, Role
from tests.credentials.factories import AwardFactory, EnrolmentFactory, ProgrammeVersionFactory
from tests.issuers.factories import TEST_PASSWORD, IssuerFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _sign_in(page, live_server, username: str, next_path: str) -> None:
    page.goto(f"{live_server.url}/admin/login/?next={next_path}")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(TEST_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_load_state()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


@pytest.fixture
def issuers(db):
    kita = IssuerFactory(slug="kita-u", name_ja="北大学", name_en="Kita University")
    minami = IssuerFactory(slug="minami-u", name_ja="南大学", name_en="Minami University")
    MembershipFactory(issuer=kita, role=Role.OWNER, user__username="kita-owner")
    MembershipFactory(issuer=minami, role=Role.OWNER, user__username="minami-owner")
    return kita, minami


def test_an_owner_proposes_an_agreement_and_the_partner_consents(live_server, browser, issuers):
    kita, minami = issuers
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        _sign_in(page, live_server, "kita-owner", "/admin/issuers/issueragreement/add/")
        assert "連携協定を提案" in page.title()
        page.get_by_label("相手機関").select_option(label="南大学")
        page.get_by_label("協定名").fill("南北大学 単位互換協定")
        page.get_by_role("button", name="提案").click()
        page.wait_for_load_state()
        assert "相手機関が同意すると発効します" in page.content()
        assert page.locator("[data-status]").inner_text() == "相手機関の同意待ち"
        _shot(page, "agreement_proposed_ja.png")
        url = page.url
    finally:
        context.close()

    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        _sign_in(page, live_server, "minami-owner", url.replace(live_server.url, ""))
        page.get_by_role("button", name="同意").click()
        page.wait_for_load_state()
        assert page.locator("[data-status]").inner_text() == "発効中"
        _shot(page, "agreement_in_force_ja.png")
    finally:
        context.close()
    agreement = IssuerAgreement.objects.get()
    assert (agreement.proposer, agreement.partner, agreement.status) == (kita, minami, "active")


@pytest.fixture
def pending_recognition(issuers):
    kita, _minami = issuers
    officer = MembershipFactory(issuer=kita, role=Role.ISSUER, user__username="kita-officer").user
    designer = MembershipFactory(issuer=kita, role=Role.DESIGNER).user
    basics = ProgrammeVersionFactory(programme__issuer=kita, programme__slug="basics")
    statistics = ProgrammeVersionFactory(programme__issuer=kita, programme__slug="statistics")
    target = ProgrammeVersionFactory(
        programme__issuer=kita, programme__slug="applied", auto_issue_stack=True
    )
    requirement = services.set_stack_requirement(
        actor=designer, target=target.programme, required=[basics.programme, statistics.programme]
    )
    set_recognition_rule(
        actor=designer,
        requirement=requirement,
        stands_for=statistics.programme,
        min_level=6,
        min_hours=Decimal("30"),
    )
    learner = EnrolmentFactory(issuer=kita).learner
    AwardFactory(assessment__learner=learner, assessment__programme_version=basics, issued=True)
    achievement = record_outside_achievement(
        learner=learner,
        badge=OutsideBadge(
            format="ob3",
            source="{}",
            issuer_id="did:web:open.example.org",
            issuer_name="Open University of Example",
            achievement_name="Applied Statistics",
            achievement_id="https://open.example.org/achievements/stat",
            level=6,
            hours=Decimal("45"),
            verification={
                "verdict": "valid",
                "checks": [
                    {
                        "code": "signature",
                        "status": "pass",
                        "message_ja": "署名は有効です。",
                        "message_en": "The signature is valid.",
                    }
                ],
            },
        ),
    )
    return officer, achievement.recognitions.get(), target, learner


def test_an_officer_reads_the_verification_and_approves_with_a_reason(
    live_server, page, pending_recognition
):
    _officer, recognition, target, learner = pending_recognition
    _sign_in(page, live_server, "kita-officer", "/admin/credentials/recognition/")
    row = page.locator("#result_list tbody tr")
    assert row.count() == 1
    assert "判断待ち" in row.inner_text() and "Applied Statistics" in row.inner_text()
    row.get_by_role("link").first.click()
    page.wait_for_load_state()
    body = page.locator("#content-main").inner_text()
    assert "ポータルが検証した内容" in body and "署名は有効です。" in body
    assert "Open University of Example" in body and "45" in body

    page.get_by_role("button", name="承認").click()  # no reason yet: the browser says so
    reason = page.get_by_label("理由")
    assert reason.evaluate("field => field.validity.valueMissing") is True
    recognition.refresh_from_db()
    assert recognition.status == Recognition.Status.PENDING

    reason.fill("JEQF レベル 6・45 時間の統計学で、統計基礎と同等と判断")
    page.get_by_role("button", name="承認").click()
    page.wait_for_load_state()
    assert "認定を承認しました。" in page.content()
    _shot(page, "recognition_approved_ja.png")
    recognition.refresh_from_db()
    assert recognition.status == Recognition.Status.APPROVED
    award = Award.objects.get(programme_version=target, learner=learner)
    assert award.status == Award.Status.ISSUED
