"""Benchmark (not a test) of batch issuing end to end: PostgreSQL, Redis, Celery workers.

A fresh PostgreSQL database (``mcportal_bench_issue`` by default) is created and migrated; then
the command runs itself again with ``config.settings.bench_issue`` on it (the *inner* run):
the demo university and a fully described programme, ``--awards`` result rows of new learners,
``--workers`` `celery worker` processes on this run's own queues, and the job started through
credentials.services.batches.start_batch_from_list. Timed from the start call until the job is
finished in the record. Then, with the workers stopped: OB 3.0 signing ours vs
@digitalbazaar/vc on unsigned credentials of the same awards, and a sample written to
``--sample-dir`` and checked by the independent verifiers against the portal served by gunicorn
on loopback. Prints one JSON object. Workers, gunicorn, the database, the media folder and the
run's Redis queues go whatever happens (the database and media stay with ``--keep``).
See docs/benchmarks.md ("Batch issuing")."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import models

from badges.benchmarking.processes import BASE_DIR, free_port, stop_group

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/mcportal_bench_issue"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/14"
INNER = "MCPORTAL_BENCH_ISSUE_INNER"
SETTINGS = "config.settings.bench_issue"
LOG_DIR = Path(tempfile.gettempdir())
# Issue #15: 10,000 awards in ≤ 10 s (the batch issue had ≤ 30 s).
TARGETS = {"awards_per_second": 10_000 / 10, "times_faster": 5, "peak_rss_mb": 250}


def _evenly(items: list, count: int) -> list:
    """``count`` items spread over the whole list (every chunk, not just the first)."""
    if count >= len(items):
        return list(items)
    step = len(items) / count
    return [items[int(n * step)] for n in range(count)]


class Command(BaseCommand):
    help = "Benchmark batch issuing on real Celery workers; prints one JSON object."

    def add_arguments(self, parser):
        parser.add_argument("--awards", type=int, default=10_000)
        parser.add_argument("--chunk-size", type=int, default=None, help="BATCH_CHUNK_SIZE")
        parser.add_argument("--in-flight", type=int, default=None, help="BATCH_CHUNKS_IN_FLIGHT")
        parser.add_argument("--workers", type=int, default=2, help="worker processes")
        parser.add_argument("--sample", type=int, default=50, help="awards checked and written")
        parser.add_argument("--sample-dir", default="bench-output/issue-sample")
        parser.add_argument("--compare", type=int, default=200, help="credentials signed by both")
        parser.add_argument("--repeat", type=int, default=3, help="timed signing rounds")
        parser.add_argument("--timeout", type=int, default=900, help="seconds for the job")
        parser.add_argument("--keep", action="store_true", help="keep the database and media")
        parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
        parser.add_argument("--broker-url", default=DEFAULT_BROKER_URL)

    def handle(self, *args, **options):
        if options["awards"] < 1 or options["workers"] < 1:
            raise CommandError("--awards and --workers must be at least 1.")
        if os.environ.get(INNER) == "1":
            return self._inner(**options)
        return self._outer(**options)

    # -- outer: the database, the environment, cleaning up ------------------------------------

    def _outer(self, **options):
        from badges.benchmarking.database import BenchDatabase, delete_queues

        try:
            database = BenchDatabase(options["database_url"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        prefix = f"bench-issue-{uuid.uuid4().hex[:8]}-"
        media = Path(tempfile.mkdtemp(prefix="mc-portal-bench-issue-media-"))
        env = {
            **os.environ,
            INNER: "1",
            "DJANGO_SETTINGS_MODULE": SETTINGS,
            "DATABASE_URL": options["database_url"],
            "CELERY_BROKER_URL": options["broker_url"],
            "CELERY_RESULT_BACKEND": options["broker_url"],
            "CELERY_QUEUE_PREFIX": prefix,
            "PORTAL_BASE_URL": f"http://127.0.0.1:{free_port()}",
            "DJANGO_MEDIA_ROOT": str(media),
            "PYTHONUNBUFFERED": "1",
        }
        for option, name in (
            ("chunk_size", "BATCH_CHUNK_SIZE"),
            ("in_flight", "BATCH_CHUNKS_IN_FLIGHT"),
        ):
            if options[option]:
                env[name] = str(options[option])
        # SIGTERM (e.g. `timeout`) unwinds like Ctrl-C, so the inner run and its workers go too.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        inner = None
        try:
            database.create()
            self._manage(env, "migrate", "--noinput", "-v", "0")
            inner = subprocess.Popen(  # noqa: S603 (our own interpreter, manage.py)
                [sys.executable, "manage.py", "bench_issue", *self._forwarded(options)],
                cwd=BASE_DIR, env=env, start_new_session=True,
            )  # fmt: skip
            returncode = inner.wait()
        finally:
            stop_group(inner, timeout=60)  # it stops its workers and gunicorn first
            delete_queues(options["broker_url"], prefix)
            if options["keep"]:
                self.stderr.write(f"kept: database {database.name}, media {media}")
            else:
                database.drop()
                shutil.rmtree(media, ignore_errors=True)
        if returncode != 0:
            raise CommandError(f"the benchmark failed (exit {returncode}); see above")

    @staticmethod
    def _forwarded(options) -> list[str]:
        names = ("awards", "workers", "sample", "sample_dir", "compare", "repeat", "timeout")
        return [
            part for name in names for part in (f"--{name.replace('_', '-')}", str(options[name]))
        ]

    def _manage(self, env: dict, *arguments: str) -> None:
        completed = subprocess.run(  # noqa: S603 (our own interpreter, manage.py)
            [sys.executable, "manage.py", *arguments],
            cwd=BASE_DIR, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if completed.returncode != 0:
            raise CommandError(f"manage.py {arguments[0]} failed:\n{completed.stderr[-3000:]}")

    # -- inner: the run itself, on the bench settings --------------------------------------------

    def _inner(self, *, awards, workers, sample, sample_dir, compare, repeat, timeout, **_):
        from badges.benchmarking import sample as checks
        from badges.benchmarking import signing
        from badges.benchmarking.processes import Portal, RssSampler, Workers
        from badges.benchmarking.world import learner_rows, prepare_world
        from credentials.services.batches import start_batch_from_list

        if settings.SETTINGS_MODULE != SETTINGS or settings.CELERY_TASK_ALWAYS_EAGER:
            raise CommandError(f"The inner run needs {SETTINGS} (run the command without {INNER}).")
        # The outer run stops this one with SIGTERM: unwind, so workers and gunicorn stop too.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        self._say("preparing the issuer, the programme and the rows")
        actor, version = prepare_world()
        rows = learner_rows(awards)
        load_before = [round(value, 2) for value in os.getloadavg()]
        pool = Workers(
            workers, settings.CELERY_QUEUE_PREFIX, LOG_DIR / "mcportal-bench-issue-workers.log"
        )
        try:
            pool.start()
            self._say(f"{workers} workers ready; issuing {awards} awards")
            with RssSampler(pool.pids) as sampler:
                started = time.perf_counter()
                batch = start_batch_from_list(
                    actor=actor, programme_version=version, rows=rows, notify=False
                )
                batch = self._wait(batch, started + timeout, pool.log_path)
                wall = time.perf_counter() - started
        finally:
            pool.stop()
        report = self._figures(batch, awards, workers, wall, sampler)
        # Other work on the machine skews every figure: the 1/5/15-minute load before the run.
        report["load_average_before"] = load_before
        records = self._records(batch)
        if not records:
            raise CommandError(f"No credential was issued: {report}")
        self._say(f"issued in {wall:.1f} s; timing OB 3.0 signing, ours and Digital Bazaar's")
        report["signing"] = signing.compare(_evenly(records, compare), repeat)
        folder = (BASE_DIR / sample_dir).resolve()
        picked = _evenly(records, sample)
        entries = checks.write_sample(picked, folder)
        self._say(f"checking {len(entries)} sampled awards with the independent verifiers")
        with Portal(
            int(settings.PORTAL_BASE_URL.rsplit(":", 1)[1]),
            LOG_DIR / "mcportal-bench-issue-gunicorn.log",
        ):
            report["sample"] = {**checks.verify_sample(folder, entries), "folder": str(folder)}
        report["met"] = self._met(report)
        self.stdout.write(json.dumps(report, ensure_ascii=False))

    def _say(self, message: str) -> None:
        self.stderr.write(f"bench_issue [{time.strftime('%H:%M:%S')}]: {message}")

    def _wait(self, batch, deadline: float, log: Path):
        from credentials.models import BatchChunk, IssuingBatch
        from credentials.services.batches import item_counts

        while time.perf_counter() < deadline:
            batch = IssuingBatch.objects.get(pk=batch.pk)
            if batch.is_finished:
                return batch
            time.sleep(0.05)
        chunks = dict(
            BatchChunk.objects.filter(batch=batch)
            .values_list("state")
            .annotate(n=models.Count("id"))
            .order_by()
        )
        raise CommandError(
            f"The job did not finish in time: {batch.state}, chunks {chunks}, "
            f"items {item_counts(batch)}; workers' log: {log}"
        )

    def _figures(self, batch, awards, workers, wall, sampler) -> dict:
        from credentials.models import BatchChunk
        from credentials.services.batches import item_counts

        counts = item_counts(batch)
        issued = counts["issued"]
        by_task: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        merged: dict[str, float] = defaultdict(float)
        ru_maxrss = 0.0
        for metrics in BatchChunk.objects.filter(batch=batch).values_list("metrics", flat=True):
            for task, figures in (metrics or {}).items():
                ru_maxrss = max(ru_maxrss, figures.get("peak_rss_mb", 0.0))
                for stage, ms in figures.get("ms", {}).items():
                    by_task[task][stage] += ms
                    merged[stage] += ms
        per_award = max(issued, 1)
        return {
            "awards": awards,
            "issued": issued,
            "failed": counts["failed"],
            "state": batch.state,
            "chunk_size": batch.chunk_size,
            "chunks": BatchChunk.objects.filter(batch=batch).count(),
            "workers": workers,
            "wall_seconds": round(wall, 2),
            "awards_per_second": round(issued / wall, 1),
            # Worker milliseconds per award, summed over the workers (not wall time).
            "stage_ms_per_award": {s: round(ms / per_award, 3) for s, ms in sorted(merged.items())},
            "stage_ms_per_award_by_task": {
                task: {s: round(ms / per_award, 3) for s, ms in sorted(stages.items())}
                for task, stages in sorted(by_task.items())
            },
            "peak_rss_mb": {**sampler.report(), "ru_maxrss_max": ru_maxrss},
            "cores": os.cpu_count(),
        }

    def _records(self, batch) -> list:
        from badges.models import BadgeRecord
        from credentials.models import BatchItem

        awards = BatchItem.objects.filter(batch=batch, state=BatchItem.State.ISSUED).values("award")
        return list(
            BadgeRecord.objects.filter(award__in=awards)
            .select_related(
                "award__learner",
                "award__programme_version__programme__issuer",
                "status_list",
                "ob3_signing_key",
                "ob2_signing_key",
            )
            .order_by("pk")
        )

    @staticmethod
    def _met(report: dict) -> dict:
        sample = report["sample"]
        return {
            "awards_per_second": report["awards_per_second"] >= TARGETS["awards_per_second"],
            "times_faster": report["signing"]["times_faster"] >= TARGETS["times_faster"],
            # Every process, and every worker's whole tree (prefork parent + child, PSS).
            "peak_rss_mb": max(
                report["peak_rss_mb"]["max_process"], report["peak_rss_mb"]["max_worker_tree_pss"]
            )
            <= TARGETS["peak_rss_mb"],
            "sample_verified": sample["sampled"] > 0 and sample["failed"] == 0,
        }
