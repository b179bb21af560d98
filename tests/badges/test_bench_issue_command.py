"""Smoke test of the batch-issuing benchmark (``manage.py bench_issue``) with tiny numbers: its
own PostgreSQL database, two real Celery workers on its own queues, signing compared with
@digitalbazaar/vc, a sample checked by the independent verifiers. Speed is not asserted
(docs/benchmarks.md)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.badges.node import require_node_harness
from tests.conftest import _missing
from tests.interop.ob2 import require_ob2_venv
from tests.support.services import redis_available

BASE_DIR = Path(__file__).resolve().parents[2]
SERVER = "postgres://postgres@127.0.0.1:5432"
BROKER = "redis://127.0.0.1:6379/14"
KEYS = {
    "awards", "issued", "failed", "state", "chunk_size", "chunks", "workers", "wall_seconds",
    "awards_per_second", "stage_ms_per_award", "stage_ms_per_award_by_task", "peak_rss_mb",
    "cores", "load_average_before", "signing", "sample", "met",
}  # fmt: skip
SIGNING_KEYS = {
    "credentials", "repeat", "ours_ms", "theirs_ms", "ours_over_theirs", "times_faster",
    "ours_path", "ours_identical_to_stored", "theirs_identical_to_stored",
}  # fmt: skip


@pytest.mark.integration
@pytest.mark.interop
def test_bench_issue_issues_every_award_and_every_sampled_credential_verifies(tmp_path):
    import psycopg

    try:
        psycopg.connect(f"{SERVER}/postgres", connect_timeout=3).close()
    except psycopg.OperationalError as error:
        _missing(f"PostgreSQL does not answer at {SERVER}: {error}")
    if not redis_available(BROKER):
        _missing(f"Redis does not answer at {BROKER}")
    require_node_harness()
    require_ob2_venv()
    name = f"mcportal_bench_issue_smoke_{os.getpid()}"
    sample_dir = tmp_path / "sample"
    completed = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "bench_issue",
            "--awards",
            "40",
            "--chunk-size",
            "10",
            "--sample",
            "4",
            "--compare",
            "10",
            "--repeat",
            "1",
            "--timeout",
            "300",
            "--sample-dir",
            str(sample_dir),
            "--database-url",
            f"{SERVER}/{name}",
            "--broker-url",
            BROKER,
        ],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local"},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    assert KEYS <= report.keys()
    assert (report["awards"], report["issued"], report["failed"]) == (40, 40, 0)
    assert (report["state"], report["chunks"], report["workers"]) == ("completed", 4, 2)
    for stage in ("compose", "sign_ob3", "sign_ob2", "database"):
        assert report["stage_ms_per_award"][stage] > 0
    # Stage 2 bakes and writes nothing since issue #15: only its database work is left.
    assert set(report["stage_ms_per_award_by_task"]["bake"]) == {"database"}
    rss = report["peak_rss_mb"]
    assert rss["samples"] > 0 and rss["max_process"] > 0 and rss["ru_maxrss_max"] > 0
    assert 0 < rss["max_worker_tree_pss"] <= rss["max_worker_tree"]
    signing = report["signing"]
    assert SIGNING_KEYS <= signing.keys()
    # Ed25519 is deterministic: both signers reproduce every stored credential exactly.
    assert signing["ours_identical_to_stored"] == signing["credentials"] == 10
    assert signing["theirs_identical_to_stored"] == 10
    sample = report["sample"]
    assert (sample["sampled"], sample["verified"], sample["failed"]) == (4, 4, 0), sample
    assert all(check == {"verified": 4, "failed": 0} for check in sample["checks"].values())
    written = sorted(path.name for path in sample_dir.iterdir())
    assert len(written) == 5 and "manifest.json" in written
    first = sample_dir / written[0]
    assert {p.name for p in first.iterdir()} == {
        "ob3.json", "ob2.jws", "ob2-assertion.json", "ob2.png", "ob2.svg", "ob3.png", "ob3.svg"
    }  # fmt: skip
    with psycopg.connect(f"{SERVER}/postgres") as connection:
        left = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        assert left.fetchone() is None, "the bench database is dropped afterwards"
