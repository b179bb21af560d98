"""Starting and probing the real services the tests use."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import redis

REPO = Path(__file__).resolve().parent.parent.parent


def running_in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def redis_available(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def chromium_path() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def database_url(database: dict) -> str:
    """The URL of the *test* database, for processes started outside pytest."""
    name = database["NAME"]
    user = quote(database.get("USER") or "")
    password = quote(database.get("PASSWORD") or "")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = database.get("HOST") or "127.0.0.1"
    port = database.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{name}"


class CeleryWorker:
    """A `celery worker` subprocess that can be killed and started again (crash tests)."""

    QUEUES = ("celery", "signing", "baking", "mail")

    def __init__(
        self,
        *,
        broker_url: str,
        database: dict,
        queue_prefix: str = "",
        concurrency: int = 2,
        beat: bool = False,
        extra_env: dict | None = None,
    ):
        self.broker_url = broker_url
        self.database = database
        self.queue_prefix = queue_prefix
        self.queues = ",".join(queue_prefix + name for name in self.QUEUES)
        self.concurrency = concurrency
        self.beat = beat
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen | None = None
        self.log_path = REPO / "test-artifacts" / "celery-worker.log"

    def env(self) -> dict:
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.test",
            DATABASE_URL=database_url(self.database),
            CELERY_BROKER_URL=self.broker_url,
            CELERY_RESULT_BACKEND=self.broker_url,
            CELERY_TASK_ALWAYS_EAGER="false",
            CELERY_QUEUE_PREFIX=self.queue_prefix,
        )
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 60) -> None:
        self.log_path.parent.mkdir(exist_ok=True)
        hostname = f"test-{uuid.uuid4().hex[:8]}@%h"
        command = [
            sys.executable, "-m", "celery", "-A", "config.celery_app", "worker",
            "--loglevel=INFO", f"--concurrency={self.concurrency}", "--pool=prefork",
            "-n", hostname, "--without-gossip", "--without-mingle", "--without-heartbeat",
            "-Q", self.queues,
        ]  # fmt: skip
        if self.beat:  # the batch sweep's schedule, in this worker (one beat per test)
            schedule = self.log_path.parent / f"beat-{uuid.uuid4().hex[:8]}"
            command += ["--beat", "--schedule", str(schedule)]
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            command, cwd=REPO, env=self.env(), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.wait_until_ready(timeout)

    def wait_until_ready(self, timeout: float) -> None:
        from config.celery_app import app

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Celery worker exited early; see {self.log_path}")
            replies = app.control.ping(timeout=1.0)
            if replies:
                return
        raise RuntimeError(f"Celery worker did not answer within {timeout}s; see {self.log_path}")

    def kill(self) -> None:
        """SIGKILL the whole worker process group: no clean shutdown, as in a crash."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A private `redis-server` on a free port, without persistence, that a test may kill and
    start again (on the same port) without touching the shared Redis."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self.log_path = REPO / "test-artifacts" / f"redis-{self.port}.log"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            raise RuntimeError("redis-server is not installed")
        self.log_path.parent.mkdir(exist_ok=True)
        command = [
            executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--daemonize", "no",
        ]  # fmt: skip
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited early; see {self.log_path}")
            if redis_available(self.url):
                return
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not answer within {timeout}s")

    def kill(self) -> None:
        """SIGKILL: every queued message is lost (nothing is saved)."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
