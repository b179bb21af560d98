"""Shared fixtures: the real services (PostgreSQL, Redis), a real Celery worker process and
Chromium driven by Playwright. With CI=true a missing service fails the run; elsewhere the tests
that need it are skipped with the reason."""

import os
import uuid
from pathlib import Path

import pytest

from tests.support.services import (
    CeleryWorker,
    chromium_path,
    redis_available,
    running_in_ci,
)

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def _missing(reason: str):
    if running_in_ci():
        pytest.fail(f"{reason} (CI=true: a missing service is a failure)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def redis_url(django_db_setup) -> str:
    from django.conf import settings

    url = settings.CELERY_BROKER_URL
    if not redis_available(url):
        _missing(f"Redis does not answer at {url}")
    return url


@pytest.fixture(scope="session")
def celery_worker(redis_url, django_db_setup, django_db_blocker):
    """A real `celery worker` process on the test database and the test broker."""
    from django.conf import settings

    from config.celery_app import app

    database = settings.DATABASES["default"]
    # A queue of this session's own, so that parallel test runs on one Redis never take
    # each other's tasks.
    queue = f"test-{uuid.uuid4().hex[:12]}"
    worker = CeleryWorker(broker_url=redis_url, database=database, queues=queue)
    previous_queue = app.conf.task_default_queue
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        worker.start()
        yield worker
    finally:
        worker.stop()
        app.conf.task_always_eager = True
        app.conf.task_default_queue = previous_queue


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        _missing("Chromium is not installed at /usr/bin/chromium (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser context per test; a screenshot of the last page goes to test-artifacts/."""
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    name = request.node.nodeid.split("::")[-1].replace("/", "_")[:120]
    try:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    finally:
        context.close()
