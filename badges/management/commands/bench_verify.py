"""Benchmark (not a test) of the public verify endpoint, POST /api/v1/verify/.

Prepares a fresh database (PostgreSQL ``mcportal_bench`` by default), loads the demo data with
PORTAL_BASE_URL set to the address gunicorn will listen on (so the portal-issued OB 3.0
credential's did:web and status list are the portal's own, resolved in-process by the
verifier), starts gunicorn with
``config.settings.bench``, sends ``--requests`` verifications from ``--clients`` threads and
prints one JSON object. Gunicorn is stopped and the database dropped whatever happens.
See docs/benchmarks.md ("Verify endpoint")."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import requests
from django.core.management.base import BaseCommand, CommandError

from badges.benchmarking import wrk_post
from badges.benchmarking.database import BenchDatabase

BASE_DIR = Path(__file__).resolve().parents[3]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/mcportal_bench"
TARGET_P95_MS = 60  # issue #15 (was 100 before it)
TARGET_RATE = 500  # verifications per second, issue #15
VERIFY_PATH = "/api/v1/verify/"
GUNICORN_LOG = Path(tempfile.gettempdir()) / "mcportal-bench-gunicorn.log"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * fraction // 1))  # ceil
    return sorted_values[int(rank) - 1]


def _server_cpu_seconds(server: subprocess.Popen) -> float:
    """User + system CPU of gunicorn's worker processes so far."""
    total = 0.0
    for child in psutil.Process(server.pid).children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def _database(url: str) -> BenchDatabase:
    try:
        return BenchDatabase(url)
    except ValueError as error:
        raise CommandError(f"--database-url: {error}") from error


class Command(BaseCommand):
    help = "Benchmark POST /api/v1/verify/ on gunicorn with concurrent clients; prints JSON."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=20)
        parser.add_argument("--requests", type=int, default=2000)
        # Verification is CPU-bound Python: one sync worker per core queues requests in order
        # (best p95 and throughput on 2 cores, docs/benchmarks.md); threads only contend for
        # the GIL and stretch the tail.
        parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (cores)")
        parser.add_argument(
            "--threads",
            type=int,
            default=1,
            help="threads per gunicorn worker (gthread); 1 = sync workers",
        )
        parser.add_argument("--warmup", type=int, default=None, help="requests before timing")
        parser.add_argument(
            "--tool",
            choices=("wrk", "python"),
            default=None,
            help="load generator: wrk (default where installed: C, takes little of the cores) "
            "or Python threads with requests (--requests counts; slower, shares the GIL)",
        )
        parser.add_argument(
            "--seconds", type=float, default=10, help="with wrk: how long to send requests"
        )
        parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)

    def handle(
        self,
        *args,
        clients,
        requests,
        workers,
        threads,
        warmup,
        database_url,
        tool,
        seconds,
        **options,
    ):
        if clients < 1 or requests < 1:
            raise CommandError("--clients and --requests must be at least 1.")
        tool = tool or ("wrk" if wrk_post.available() else "python")
        if tool == "wrk" and not wrk_post.available():
            raise CommandError("--tool wrk: wrk is not installed (apt-get install wrk).")
        cores = os.cpu_count() or 1
        workers = workers or cores
        warmup = warmup if warmup is not None else max(2 * workers, clients)
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.bench",
            "DATABASE_URL": database_url,
            "PORTAL_BASE_URL": base_url,
            "PYTHONUNBUFFERED": "1",
        }
        database = _database(database_url)
        server = None
        log = None
        # SIGTERM (e.g. `timeout`) unwinds like Ctrl-C, so gunicorn and the database go too.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        try:
            database.create()
            self._manage(env, "migrate", "--noinput", "-v", "0")
            self._manage(env, "load_demo", "--base-url", base_url)
            credential = json.loads(
                self._manage(
                    env,
                    "shell",
                    "-c",
                    "import json; from badges.models import BadgeRecord; "
                    "r = BadgeRecord.objects.exclude(ob3_credential=None).order_by('pk').first(); "
                    "print(json.dumps(r.ob3_credential))",
                )
                .strip()
                .splitlines()[-1]
            )
            log = open(GUNICORN_LOG, "w")
            server = self._start_gunicorn(env, port, workers, threads, log)
            self._wait_ready(base_url, server)
            url = base_url + VERIFY_PATH
            self._run(url, credential, warmup, clients)  # warm-up: imports, caches, connections
            load_before = os.getloadavg()[0]
            cpu_before = _server_cpu_seconds(server)
            if tool == "wrk":
                body = json.dumps({"json": credential}).encode("utf-8")
                measured = wrk_post.post_load(
                    url, body, '"verdict":"valid"', seconds=seconds, connections=clients
                )
            else:
                started = time.perf_counter()
                latencies, failures, first_failure = self._run(url, credential, requests, clients)
                wall = time.perf_counter() - started
            load_after = os.getloadavg()[0]
            server_cpu = _server_cpu_seconds(server) - cpu_before
        finally:
            if server is not None:
                self._stop(server)
            if log is not None:
                log.close()
            database.drop()
        if tool == "wrk":
            requests, wall = measured["requests"], measured["seconds"]
            # Socket errors and unanswered requests count as failures too.
            failures = measured["failures"] + measured["socket_errors"]
            failures += max(0, requests - measured["answered"] - measured["socket_errors"])
            first_failure = measured["first_failure"]
            latency = {
                name: round(measured[f"{name}_us"] / 1000, 1)
                for name in ("p50", "p95", "p99", "max")
            }
        else:
            latencies.sort()
            ms = [value * 1000 for value in latencies]
            latency = {
                "p50": round(_percentile(ms, 0.50), 1),
                "p95": round(_percentile(ms, 0.95), 1),
                "p99": round(_percentile(ms, 0.99), 1),
                "max": round(ms[-1], 1),
            }
        rate = round(requests / wall, 1)
        report = {
            "tool": tool,
            "clients": clients,
            "requests": requests,
            "workers": workers,
            "threads": threads,
            "wall_seconds": round(wall, 2),
            "verifications_per_second": rate,
            "latency_ms": latency,
            # CPU the gunicorn workers spent per verification: unlike the rate, it hardly
            # depends on what else the machine is doing.
            "server_cpu_ms_per_verification": round(server_cpu * 1000 / max(1, requests), 2),
            "failures": failures,
            "target_p95_ms": TARGET_P95_MS,
            "target_verifications_per_second": TARGET_RATE,
            "met": failures == 0 and latency["p95"] <= TARGET_P95_MS and rate >= TARGET_RATE,
            "cores": cores,
            "load_average": {"before": load_before, "after": load_after},
        }
        if first_failure:
            report["first_failure"] = first_failure
        self.stdout.write(json.dumps(report))

    # -- helpers ------------------------------------------------------------------------------

    def _start_gunicorn(self, env: dict, port: int, workers: int, threads: int, log):
        """gunicorn on config.wsgi in its own session (stopped with its group by _stop)."""
        return subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--worker-class",
                "gthread" if threads > 1 else "sync",
                "--log-level",
                "warning",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def _manage(self, env: dict, *arguments: str) -> str:
        completed = subprocess.run(  # noqa: S603 (our own interpreter, manage.py)
            [sys.executable, "manage.py", *arguments],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise CommandError(
                f"manage.py {arguments[0]} failed:\n{completed.stderr[-3000:]}{completed.stdout}"
            )
        return completed.stdout

    def _wait_ready(self, base_url: str, server: subprocess.Popen, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError(f"gunicorn exited; see {GUNICORN_LOG}")
            try:
                requests.get(base_url + VERIFY_PATH, timeout=10)
                return
            except requests.RequestException:
                time.sleep(0.2)
        raise CommandError("gunicorn did not start within 30 s")

    def _stop(self, server: subprocess.Popen) -> None:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()

    def _run(self, url: str, credential: dict, total: int, clients: int):
        """``total`` requests from ``clients`` threads, each with its own Session."""
        latencies: list[float] = []
        failures = 0
        first_failure: list[str] = []
        lock = threading.Lock()
        remaining = [total]
        # Encoded once: the load generator shares the machine's cores with the server.
        payload = json.dumps({"json": credential}).encode("utf-8")
        headers = {"Content-Type": "application/json"}

        def client() -> None:
            nonlocal failures
            with requests.Session() as session:
                while True:
                    with lock:
                        if remaining[0] <= 0:
                            return
                        remaining[0] -= 1
                    started = time.perf_counter()
                    problem = None
                    try:
                        response = session.post(url, data=payload, headers=headers, timeout=60)
                        elapsed = time.perf_counter() - started
                        if response.status_code != 200:
                            problem = f"HTTP {response.status_code}: {response.text[:300]}"
                        elif response.json().get("verdict") != "valid":
                            body = response.json()
                            failed = [c for c in body.get("checks", []) if c["status"] == "fail"]
                            problem = f"verdict {body.get('verdict')!r}: {failed[:2]}"
                    except (requests.RequestException, ValueError) as error:
                        elapsed = time.perf_counter() - started
                        problem = f"{type(error).__name__}: {error}"
                    with lock:
                        latencies.append(elapsed)
                        if problem:
                            failures += 1
                            if not first_failure:
                                first_failure.append(problem)

        threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return latencies, failures, (first_failure[0] if first_failure else None)
