"""An issuing officer starts a batch from a Shift_JIS results file in Chromium and watches its
job page: queued while no worker runs, then, once a real Celery worker starts, the bar
(updated by polling the JSON endpoint, no reload) reaches 100% and the bad row is listed."""

import datetime
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from credentials.models import Award, IssuingBatch
from issuers.models import Role
from tests.conftest import route_to_prefixed_queues
from tests.credentials.factories import ProgrammeVersionFactory
from tests.frameworks.fixtures import ensure_frameworks_loaded
from tests.issuers.factories import IssuerFactory, MembershipFactory, UserFactory
from tests.support.services import CeleryWorker

from .test_staff_workflow import _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LEARNERS = 12
BAD_LINE = LEARNERS + 2  # after the header and the good rows


def _results_file(tmp_path: Path) -> Path:
    assessed_on = (timezone.localdate() - datetime.timedelta(days=3)).isoformat()
    lines = ["メールアドレス,氏名,合否,点数,評価日"]
    lines += [f"gakusei{i}@example.ac.jp,学生 {i},合格,80,{assessed_on}" for i in range(LEARNERS)]
    lines.append(f"horyu@example.ac.jp,保留 花子,保留,50,{assessed_on}")
    path = tmp_path / "期末成績.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp932"))
    return path


@pytest.fixture
def late_worker(redis_url):
    """Tasks go to queues of this test's own; the worker is started only when the test says."""
    from config.celery_app import app

    prefix = f"test-{uuid.uuid4().hex[:12]}-"
    previous = route_to_prefixed_queues(app, prefix)
    worker = CeleryWorker(
        broker_url=redis_url, database=settings.DATABASES["default"], queue_prefix=prefix
    )
    try:
        yield worker
    finally:
        worker.stop()
        for name, value in previous.items():
            setattr(app.conf, name, value)


def test_the_job_page_follows_a_batch_to_100_percent(live_server, page, tmp_path, late_worker):
    ensure_frameworks_loaded()
    issuer = IssuerFactory(slug="minato-u", name_ja="みなと大学", name_en="Minato University")
    ProgrammeVersionFactory(programme__issuer=issuer, programme__slug="ds-basics")
    officer = UserFactory(username="minato-officer")
    MembershipFactory(issuer=issuer, user=officer, role=Role.ISSUER)
    polls = []
    page.on("request", lambda r: polls.append(r.url) if r.url.endswith("progress.json") else None)

    _log_in(page, live_server.url, officer.username)
    page.goto(live_server.url + "/admin/credentials/issuingbatch/")
    page.get_by_role("link", name="一括発行", exact=True).click()
    page.get_by_label("CSV ファイル").set_input_files(str(_results_file(tmp_path)))
    page.get_by_role("button", name="一括発行", exact=True).click()
    page.wait_for_load_state()

    batch = IssuingBatch.objects.get()
    assert page.url.endswith(f"/admin/credentials/issuingbatch/{batch.pk}/change/")
    bar = page.get_by_role("progressbar")
    # Only the unreadable row is through (failed as it was read): 1 of 13.
    assert bar.get_attribute("aria-valuenow") == str(100 // (LEARNERS + 1))
    assert page.locator('[data-field="state_label"]').inner_text() == "待機中"
    page.wait_for_timeout(2_000)  # at least one poll while nothing moves
    assert polls, "the page polls its progress"
    assert page.locator('[data-field="waiting"]').inner_text() == str(LEARNERS)
    page.screenshot(path=str(_artifact("queued")), full_page=True)

    # Once the job is finished the page reloads itself, for the final lists and links.
    with page.expect_event("load", timeout=120_000):
        late_worker.start()
        # A locator assertion, not wait_for_function: the page's CSP forbids evaluating strings.
        expect(page.locator("[role=progressbar]")).to_have_attribute(
            "aria-valuenow", "100", timeout=120_000
        )
        page.screenshot(path=str(_artifact("done")), full_page=True)
    assert page.locator('[data-field="state_label"]').inner_text() == "完了（エラーあり）"
    assert page.locator('[data-field="issued"]').inner_text() == str(LEARNERS)
    failed = page.locator("#failed-items tbody tr")
    assert failed.count() == 1
    assert failed.first.locator("td").first.inner_text() == str(BAD_LINE)
    assert "保留" in failed.first.inner_text()
    assert page.get_by_role("button", name="バッチを取り消す").count() == 0
    page.screenshot(path=str(_artifact("finished")), full_page=True)

    batch.refresh_from_db()
    assert batch.state == IssuingBatch.State.COMPLETED_WITH_ERRORS
    assert Award.objects.filter(batch_items__batch=batch, status="issued").count() == LEARNERS


def _artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"batch_progress_{name}.png"
