"""Smoke test of the verify benchmark (``manage.py bench_verify``) with tiny numbers: it prepares
its own PostgreSQL database, starts gunicorn, verifies a portal-issued OB 3.0 credential and
prints one JSON object. Speed is not asserted (docs/benchmarks.md)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import _missing

BASE_DIR = Path(__file__).resolve().parents[2]
SERVER = "postgres://postgres@127.0.0.1:5432"
KEYS = {
    "clients",
    "requests",
    "workers",
    "wall_seconds",
    "verifications_per_second",
    "latency_ms",
    "failures",
    "target_p95_ms",
    "target_verifications_per_second",
    "met",
    "cores",
    "tool",
    "server_cpu_ms_per_verification",
    "load_average",
}


@pytest.mark.integration
@pytest.mark.parametrize("tool", ["wrk", "python"])
def test_bench_verify_prints_figures_without_failures(tool):
    import psycopg

    try:
        psycopg.connect(f"{SERVER}/postgres", connect_timeout=3).close()
    except psycopg.OperationalError as error:
        _missing(f"PostgreSQL does not answer at {SERVER}: {error}")
    name = f"mcportal_bench_smoke_{tool}_{os.getpid()}"
    completed = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "bench_verify",
            "--clients",
            "2",
            "--requests",
            "10",
            "--tool",
            tool,
            "--seconds",
            "1",
            "--workers",
            "2",
            "--database-url",
            f"{SERVER}/{name}",
        ],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local"},
        capture_output=True,
        text=True,
        # Mostly migrate + load_demo; generous, as other work may share the cores.
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    assert KEYS <= report.keys()
    assert set(report["latency_ms"]) == {"p50", "p95", "p99", "max"}
    assert report["failures"] == 0, report.get("first_failure")
    assert (report["clients"], report["workers"], report["tool"]) == (2, 2, tool)
    if tool == "python":
        assert report["requests"] == 10
    else:  # wrk runs for --seconds and checks every answer's verdict itself
        assert report["requests"] > 0
    assert report["server_cpu_ms_per_verification"] > 0
    assert (report["target_p95_ms"], report["target_verifications_per_second"]) == (60, 500)
    with psycopg.connect(f"{SERVER}/postgres") as connection:
        left = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        assert left.fetchone() is None, "the bench database is dropped afterwards"
