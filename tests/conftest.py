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


def route_to_prefixed_queues(app, prefix: str) -> dict:
    """Point this process's Celery app at queues named with `prefix` (as the worker started
    with CELERY_QUEUE_PREFIX=prefix names them); returns the previous settings."""
    previous = {
        "task_default_queue": app.conf.task_default_queue,
        "task_routes": app.conf.task_routes,
        "task_always_eager": app.conf.task_always_eager,
    }
    app.conf.task_always_eager = False
    app.conf.task_default_queue = f"{prefix}celery"
    app.conf.task_routes = {
        name: {"queue": prefix + route["queue"].removeprefix(settings_prefix())}
        for name, route in (previous["task_routes"] or {}).items()
    }
    return previous


def settings_prefix() -> str:
    from django.conf import settings

    return settings.CELERY_QUEUE_PREFIX


@pytest.fixture(scope="session")
def celery_worker(redis_url, django_db_setup, django_db_blocker):
    """A real `celery worker` process on the test database and the test broker, serving the
    default, signing, baking and mail queues under a prefix of this session's own (so that
    parallel test runs on one Redis never take each other's tasks)."""
    from django.conf import settings

    from config.celery_app import app

    database = settings.DATABASES["default"]
    prefix = f"test-{uuid.uuid4().hex[:12]}-"
    worker = CeleryWorker(broker_url=redis_url, database=database, queue_prefix=prefix)
    previous = route_to_prefixed_queues(app, prefix)
    try:
        worker.start()
        yield worker
    finally:
        worker.stop()
        for name, value in previous.items():
            setattr(app.conf, name, value)


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
