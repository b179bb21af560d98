"""Running batch jobs on real worker processes from a transactional test: dedicated queues,
an optional private broker, a mailbox the worker writes to, and waiting on the job."""

from __future__ import annotations

import email
import time
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from tests.support.services import CeleryWorker

FILE_MAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
MESSAGE_SEPARATOR = b"\n" + b"-" * 79 + b"\n"


@contextmanager
def using_broker(app, url: str):
    """Point this process's Celery app at another broker (its URL is fixed when the settings
    load): the cached connection and producer pools are dropped, and restored afterwards."""

    def drop_pools():
        # Dropped, not closed: kombu keeps one pool per URL for the whole process.
        app._pool = None
        app.amqp._producer_pool = None

    previous = app.conf.broker_url
    drop_pools()
    app.conf.broker_url = url
    try:
        yield
    finally:
        drop_pools()
        app.conf.broker_url = previous


@contextmanager
def routed_to_prefix(app):
    """Queues of this test's own (a fresh prefix), so no other worker takes its tasks."""
    from tests.conftest import route_to_prefixed_queues

    prefix = f"test-{uuid.uuid4().hex[:12]}-"
    previous = route_to_prefixed_queues(app, prefix)
    try:
        yield prefix
    finally:
        for name, value in previous.items():
            setattr(app.conf, name, value)


class Workers:
    """Starts workers sharing one configuration; stops every one it started."""

    def __init__(self, *, broker_url: str, database: dict, prefix: str, env: dict, logs: Path):
        self.broker_url, self.database, self.prefix, self.env = broker_url, database, prefix, env
        self.logs = logs  # one log per worker, not the shared test-artifacts/celery-worker.log
        self.started: list[CeleryWorker] = []

    def start(self, *, beat: bool = False, **extra_env) -> CeleryWorker:
        worker = CeleryWorker(
            broker_url=self.broker_url, database=self.database, queue_prefix=self.prefix,
            concurrency=2, beat=beat,
            extra_env={**self.env, **{name: str(value) for name, value in extra_env.items()}},
        )  # fmt: skip
        self.logs.mkdir(parents=True, exist_ok=True)
        worker.log_path = self.logs / f"worker-{len(self.started)}.log"
        self.started.append(worker)
        worker.start()
        return worker

    def stop_all(self) -> None:
        for worker in self.started:
            worker.kill()


def worker_env(*, portal_url: str, mailbox: Path, **settings) -> dict:
    """Environment of a worker: the live server's URL (so ids and the did:web resolve to it),
    mail written to `mailbox`, and batch settings (BATCH_*, CELERY_VISIBILITY_TIMEOUT)."""
    env = {
        "PORTAL_BASE_URL": portal_url,
        "DJANGO_EMAIL_BACKEND": FILE_MAIL_BACKEND,
        "DJANGO_EMAIL_FILE_PATH": str(mailbox),
    }
    env.update({name: str(value) for name, value in settings.items()})
    return env


def wait_until(predicate: Callable[[], object], *, timeout: float, every: float = 0.2, what=""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"not reached within {timeout}s: {what}")


def mails_by_recipient(mailbox: Path) -> Counter:
    """How many messages the worker's file backend wrote to each address."""
    counts: Counter = Counter()
    if not mailbox.exists():
        return counts
    for path in mailbox.iterdir():
        for raw in path.read_bytes().split(MESSAGE_SEPARATOR):
            if raw.strip():
                message = email.message_from_bytes(raw.lstrip(b"\n"))
                counts[message["To"]] += 1
    return counts
