"""The benchmark's processes: Celery workers on their own queues, a gunicorn serving the portal
on loopback (for the independent verifiers), and a sampler of the workers' resident memory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psutil

BASE_DIR = Path(__file__).resolve().parents[2]
QUEUES = ("celery", "signing", "baking", "mail")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_group(process: subprocess.Popen | None, timeout: float = 20) -> None:
    """SIGTERM the process group we started (start_new_session), SIGKILL if it lingers."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


class Workers:
    """``count`` `celery worker` processes (prefork, concurrency 1 each), every queue of
    ``queue_prefix``, with this process's environment (bench settings)."""

    def __init__(self, count: int, queue_prefix: str, log_path: Path):
        self.count = count
        self.queues = ",".join(queue_prefix + name for name in QUEUES)
        self.names = [f"bench-issue-{n + 1}-{uuid.uuid4().hex[:6]}@bench" for n in range(count)]
        self.log_path = log_path
        self.processes: list[subprocess.Popen] = []

    def start(self, timeout: float = 60) -> None:
        log = open(self.log_path, "ab")
        for name in self.names:
            self.processes.append(
                subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "config.celery_app",
                        "worker",
                        "--loglevel=WARNING",
                        "--concurrency=1",
                        "--pool=prefork",
                        "-n",
                        name,
                        "--without-gossip",
                        "--without-mingle",
                        "--without-heartbeat",
                        "-Q",
                        self.queues,
                    ],
                    cwd=BASE_DIR,
                    env=os.environ.copy(),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        from celery import current_app as app

        deadline = time.monotonic() + timeout
        waiting = set(self.names)
        while waiting and time.monotonic() < deadline:
            for process in self.processes:
                if process.poll() is not None:
                    raise RuntimeError(f"a Celery worker exited early; see {self.log_path}")
            for reply in app.control.ping(destination=sorted(waiting), timeout=1.0):
                waiting -= set(reply)
        if waiting:
            raise RuntimeError(f"Celery workers did not answer in {timeout} s: {self.log_path}")

    def stop(self) -> None:
        for process in self.processes:
            stop_group(process)

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self.processes]


class RssSampler:
    """Samples the resident memory of each worker's process tree every ``interval`` seconds, in
    a thread; peaks in MiB per process (main / child, by pid), per tree and overall."""

    def __init__(self, root_pids: list[int], interval: float = 0.1):
        self.root_pids = root_pids
        self.interval = interval
        self.per_process: dict[str, float] = {}
        self.per_tree: dict[int, float] = {}
        self.per_tree_pss: dict[int, float] = {}
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        roots = {pid: psutil.Process(pid) for pid in self.root_pids}
        while not self._stop.is_set():
            for number, (pid, root) in enumerate(roots.items(), start=1):
                self._sample(number, pid, root)
            self.samples += 1
            self._stop.wait(self.interval)

    def _sample(self, number: int, pid: int, root: psutil.Process) -> None:
        try:
            tree = [("main", root)] + [("child", c) for c in root.children(recursive=True)]
        except psutil.Error:
            return
        total = proportional = 0.0
        for role, process in tree:
            try:
                rss = process.memory_info().rss / 2**20
                # PSS splits pages a forked child shares with its parent between them, so
                # the tree's sum is its real footprint (its RSS sum counts them twice).
                pss = process.memory_full_info().pss / 2**20
            except psutil.Error:
                continue
            total += rss
            proportional += pss
            key = f"worker{number} {role} {process.pid}"
            self.per_process[key] = max(self.per_process.get(key, 0.0), rss)
        self.per_tree[pid] = max(self.per_tree.get(pid, 0.0), total)
        self.per_tree_pss[pid] = max(self.per_tree_pss.get(pid, 0.0), proportional)

    def report(self) -> dict:
        return {
            "max_process": round(max(self.per_process.values(), default=0.0), 1),
            "max_worker_tree": round(max(self.per_tree.values(), default=0.0), 1),
            "max_worker_tree_pss": round(max(self.per_tree_pss.values(), default=0.0), 1),
            "by_process": {key: round(value, 1) for key, value in sorted(self.per_process.items())},
            "samples": self.samples,
            "interval_ms": int(self.interval * 1000),
        }


class Portal:
    """gunicorn serving the portal at ``base_url`` (PORTAL_BASE_URL), so that did:web
    documents, status lists, the extension context and OB 2.0 documents resolve on loopback."""

    def __init__(self, port: int, log_path: Path, workers: int = 2):
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.workers = workers
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Portal:
        import requests

        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--threads",
                "8",
                "--worker-class",
                "gthread",
                "--keep-alive",
                "0",
                "--log-level",
                "warning",
            ],
            cwd=BASE_DIR,
            env=os.environ.copy(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            try:
                requests.get(self.base_url + "/", timeout=5)
                return self
            except requests.RequestException:
                time.sleep(0.2)
        stop_group(self.process)
        raise RuntimeError("gunicorn did not start within 30 s")

    def __exit__(self, *exc_info) -> None:
        stop_group(self.process)
