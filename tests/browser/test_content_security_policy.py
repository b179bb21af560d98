"""The site-wide Content-Security-Policy in Chromium: every page and admin page carries it, and
the pages staff and the public use work under it with no violation reported (no inline script,
no handler attribute, nothing from elsewhere): the verify page (upload a baked badge), the
credential page, the programme editor, the assessment grid, the award list and a batch job
page that polls its JSON progress."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from credentials.models import IssuingBatch
from credentials.services import batches
from issuers.models import Role
from tests.badges.ob2_world import make_issuer, make_version
from tests.badges.test_public_verify import issue
from tests.frameworks.fixtures import ensure_frameworks_loaded
from tests.issuers.factories import MembershipFactory, UserFactory
from tests.support.baked_images import served_image

from .test_staff_workflow import _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


class Watch:
    """CSP violations seen by the page (events) and by Chromium's console."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)

    def _console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def visit(self, url: str):
        response = self.page.goto(url)
        self.page.wait_for_load_state("networkidle")
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, url
        self.assert_clean(url)
        return response

    def assert_clean(self, where: str) -> None:
        events = self.page.evaluate("window.__cspViolations || []")
        assert events == [] and self.console == [], (where, events, self.console)


@pytest.fixture
def world(settings, live_server):
    ensure_frameworks_loaded()
    settings.PORTAL_BASE_URL = live_server.url
    issuer = make_issuer(slug="minato-u")
    version = make_version(issuer, programme__slug="data-science")
    officer = UserFactory(username="minato-officer", is_staff=True)
    MembershipFactory(issuer=issuer, user=officer, role=Role.OWNER)
    record = issue(version)
    return issuer, version, officer, record


def test_public_pages_work_under_the_policy(live_server, page, world, tmp_path):
    _issuer, _version, _officer, record = world
    watch = Watch(page)
    watch.visit(f"{live_server.url}/")
    watch.visit(f"{live_server.url}/credentials/{record.award.public_id}/")
    assert page.locator("img.credential-image").evaluate("img => img.naturalWidth") > 0
    watch.visit(f"{live_server.url}/verify/")
    baked = tmp_path / "badge.png"
    baked.write_bytes(served_image(record, "ob3.png"))
    page.locator("#id_file").set_input_files(str(baked))
    page.get_by_role("button", name="検証する", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#verify-result .verdict-title").inner_text() == "有効です"
    watch.assert_clean("verify result")
    watch.visit(f"{live_server.url}/api/docs/")  # Swagger UI, from our static files
    page.locator(".swagger-ui .opblock").first.wait_for()
    watch.assert_clean("API docs")


def test_staff_pages_work_under_the_policy(live_server, page, world):
    issuer, version, officer, _record = world
    rows = [
        {
            "email": f"b{i}@example.ac.jp",
            "result": "pass",
            "assessed_on": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        }
        for i in range(2)
    ]
    batch = batches.start_batch_from_list(actor=officer, programme_version=version, rows=rows)
    # Shown as still running, so that the page polls its JSON progress.
    IssuingBatch.objects.filter(pk=batch.pk).update(state=IssuingBatch.State.RUNNING)

    watch = Watch(page)
    _log_in(page, live_server.url, officer.username)
    base = f"{live_server.url}/admin"
    for path in (
        "/",
        f"/credentials/programme/{version.programme_id}/change/",
        f"/credentials/programme/versions/{version.pk}/assessments/",
        "/credentials/award/",
        f"/issuers/issuer/{issuer.pk}/change/",
    ):
        watch.visit(base + path)
    with page.expect_response(lambda response: response.request.resource_type == "fetch") as polled:
        watch.visit(f"{base}/credentials/issuingbatch/{batch.pk}/change/")
    assert polled.value.ok
    assert polled.value.headers["content-type"].startswith("application/json")
    page.wait_for_timeout(2000)  # another poll or two
    watch.assert_clean("batch job page after polling")


def test_the_watch_sees_an_inline_script_the_policy_blocks(live_server, page, client):
    """Control: under the portal's policy an inline script is reported, so silence means none."""
    policy = client.get("/")["Content-Security-Policy"]
    page.route(
        "**/csp-control",
        lambda route: route.fulfill(
            body="<p onclick='x()'>x</p><script>document.title = 'ran'</script>",
            content_type="text/html",
            headers={"Content-Security-Policy": policy},
        ),
    )
    watch = Watch(page)
    page.goto(f"{live_server.url}/csp-control")
    page.wait_for_timeout(300)
    assert page.title() != "ran"
    assert page.evaluate("window.__cspViolations")[0].startswith("script-src")
    assert watch.console  # Chromium's own report too
