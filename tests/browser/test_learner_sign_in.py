"""A learner signs in by e-mail link in Chromium, sees the awards, hides one page: anyone else
then gets 404 for it, while the learner still sees it."""

import re
from pathlib import Path

import pytest
from django.core import mail

from badges.models import BadgeRecord
from credentials.models import Award
from credentials.services import issue_award
from issuers.models import Role
from tests.badges.ob2_world import make_issuer, make_version
from tests.credentials.factories import AssessmentFactory, EnrolmentFactory, LearnerFactory
from tests.frameworks.fixtures import ensure_frameworks_loaded
from tests.issuers.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
EMAIL = "hanako.yamada@example.ac.jp"


def _shot(page, step: int, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"learner_{step}_{name}.png"), full_page=True)


def _issue(learner, issuer_slug: str, programme_slug: str) -> Award:
    """Through the credentials service: the badges task runs eagerly after commit."""
    issuer = make_issuer(slug=issuer_slug)
    version = make_version(issuer, programme__slug=programme_slug)
    EnrolmentFactory(issuer=issuer, learner=learner)
    officer = MembershipFactory(
        issuer=issuer, role=Role.ISSUER, user__username=f"{issuer_slug}-officer"
    ).user
    assessment = AssessmentFactory(learner=learner, programme_version=version)
    award = issue_award(actor=officer, assessment=assessment)
    assert BadgeRecord.objects.filter(award=award).exclude(ob3_credential={}).exists()
    return award


def test_learner_signs_in_by_mail_and_hides_a_page(live_server, settings, page, browser):
    ensure_frameworks_loaded()
    settings.PORTAL_BASE_URL = live_server.url
    learner = LearnerFactory(email=EMAIL, name_ja="山田 花子", name_en="Hanako Yamada")
    first = _issue(learner, "minato-u", "data-science")
    second = _issue(learner, "kita-society", "ai-ethics")

    page.goto(f"{live_server.url}/learner/sign-in/")
    page.get_by_label("メールアドレス").fill(EMAIL)
    _shot(page, 1, "sign_in")
    page.get_by_role("button", name="サインインリンクを送信").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "メールを確認してください"
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/learner/sign-in/[A-Za-z0-9_-]+/", mail.outbox[0].body).group(0)

    page.goto(link)
    page.get_by_role("button", name="MC Portal にサインイン").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/learner/"
    rows = page.locator("table.learner-awards tbody tr")
    assert rows.count() == 2
    for award in (first, second):
        assert page.get_by_role("link", name=award.programme_version.title).is_visible()
    _shot(page, 2, "area")

    row = page.locator(f'tr[data-award="{first.public_id}"]')
    row.get_by_role("button", name="ページを非公開にする").click()
    page.wait_for_load_state()
    assert page.locator(f'tr[data-award="{first.public_id}"]').get_by_text("非公開").is_visible()
    credential_url = f"{live_server.url}/credentials/{first.public_id}/"

    stranger = browser.new_context(locale="ja-JP")
    try:
        response = stranger.new_page().goto(credential_url)
        assert response.status == 404
    finally:
        stranger.close()

    response = page.goto(credential_url)
    assert response.status == 200
    assert page.locator(".owner-only-notice").is_visible()
    _shot(page, 3, "hidden_page_owner")
