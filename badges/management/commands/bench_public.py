"""Benchmark (not a test) of the public edge: what LinkedIn links, QR codes, verifiers and
wallets fetch. Same set-up as bench_verify (a fresh bench database with the demo data, gunicorn
with one sync worker per core on config.settings.bench), then `wrk` (or, without it, a Python
load generator) against each URL for --seconds, and one JSON object: requests per second per
URL and each as a ratio to a static CSS file served by the same gunicorn (WhiteNoise) in the
same run, the ceiling of this stack on this machine. See docs/benchmarks.md ("Public edge")."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time

import requests
from django.core.management.base import CommandError

from badges.management.commands import bench_verify
from badges.management.commands.bench_verify import GUNICORN_LOG, _database, _free_port

STATIC_PATH = "/static/css/portal.css"
_WRK_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")


class Command(bench_verify.Command):
    help = "Benchmark the public documents and pages on gunicorn (wrk); prints JSON."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=10, help="per URL")
        parser.add_argument("--connections", type=int, default=20)
        parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (cores)")
        parser.add_argument("--database-url", default=bench_verify.DEFAULT_DATABASE_URL)

    def handle(self, *args, seconds, connections, workers, database_url, **options):
        cores = os.cpu_count() or 1
        workers = workers or cores
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
        server = log = None
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        results: dict[str, float] = {}
        try:
            database.create()
            self._manage(env, "migrate", "--noinput", "-v", "0")
            self._manage(env, "load_demo", "--base-url", base_url)
            public_id, issuer, programme, number = (
                self._manage(
                    env,
                    "shell",
                    "-c",
                    "from badges.models import BadgeRecord; "
                    "r = BadgeRecord.objects.exclude(ob3_credential={}).order_by('pk').first(); "
                    "v = r.award.programme_version; "
                    "print(r.award.public_id, v.programme.issuer.slug, v.programme.slug, v.number)",
                )
                .strip()
                .splitlines()[-1]
                .split()
            )
            paths = {
                "static css (ceiling)": STATIC_PATH,
                "OB 3.0 credential": f"/ob3/credentials/{public_id}",
                "OB 2.0 assertion": f"/ob2/assertions/{public_id}",
                "baked OB 3.0 PNG": f"/badges/{public_id}/ob3.png",
                "credential page": f"/credentials/{public_id}/",
                "status list": "",  # filled from the credential below
                "did:web document": f"/issuers/{issuer}/did.json",
                "OB 2.0 BadgeClass": f"/ob2/badgeclasses/{issuer}/{programme}/v{number}",
            }
            log = open(GUNICORN_LOG, "w")
            server = self._start_gunicorn(env, port, workers, 1, log)
            self._wait_ready(base_url, server)
            credential = requests.get(base_url + paths["OB 3.0 credential"], timeout=10).json()
            status = credential["credentialStatus"]
            first = status[0] if isinstance(status, list) else status
            paths["status list"] = first["statusListCredential"].removeprefix(base_url)
            load_before = os.getloadavg()
            for name, path in paths.items():
                answer = requests.get(base_url + path, timeout=10)
                if answer.status_code != 200:
                    raise CommandError(f"{name}: {path} answered {answer.status_code}")
                results[name] = self._rate(base_url + path, seconds, connections)
            load_after = os.getloadavg()
        finally:
            if server is not None:
                self._stop(server)
            if log is not None:
                log.close()
            database.drop()
        ceiling = results["static css (ceiling)"]
        report = {
            "tool": "wrk" if shutil.which("wrk") else "python",
            "seconds_per_url": seconds,
            "connections": connections,
            "workers": workers,
            "cores": cores,
            "load_average": {"before": load_before, "after": load_after},
            "requests_per_second": {name: round(rate, 1) for name, rate in results.items()},
            "ratio_to_static": {name: round(rate / ceiling, 3) for name, rate in results.items()},
        }
        self.stdout.write(json.dumps(report, ensure_ascii=False))

    def _rate(self, url: str, seconds: int, connections: int) -> float:
        wrk = shutil.which("wrk")
        if wrk:
            threads = str(min(2, connections))
            completed = subprocess.run(  # noqa: S603 (wrk, fixed arguments)
                [wrk, "-t", threads, "-c", str(connections), "-d", f"{seconds}s", url],
                capture_output=True,
                text=True,
                check=True,
            )
            match = _WRK_RATE.search(completed.stdout)
            if match is None:
                raise CommandError(f"wrk printed no rate: {completed.stdout}")
            return float(match.group(1))
        return _python_rate(url, seconds, connections)


def _python_rate(url: str, seconds: int, connections: int) -> float:
    """Requests per second from `connections` threads with keep-alive sessions (slower than
    wrk: the load generator shares the cores, so only the ratios compare)."""
    done = [0] * connections
    deadline = time.monotonic() + seconds

    def client(index: int) -> None:
        session = requests.Session()
        while time.monotonic() < deadline:
            session.get(url, timeout=30)
            done[index] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - started)
