"""docs/api.md is executable: its ```sh blocks run, in order, in one bash with real curl
against a live portal, and every HTTP status they get is checked."""

import io
import json
import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from badges.baking import unbake
from credentials.models import Award, IssuingBatch
from tests.frameworks.fixtures import ensure_frameworks_loaded
from tests.issuers.factories import IssuerFactory

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
BLOCK = re.compile(r"^```sh\n(.*?)^```$", re.MULTILINE | re.DOTALL)
# Every curl call appends "<status line> <arguments>" to $STATUS_LOG; the doc's own options
# are passed through unchanged.
PRELUDE = r"""
set -euo pipefail
curl() {
  local rc=0
  command curl -D "$WORKDIR/.headers" "$@" || rc=$?
  local args="$*" status
  status="$(head -1 "$WORKDIR/.headers" | tr -d '\r')"
  printf '%s\t%s\n' "$status" "${args//$'\n'/ }" >> "$STATUS_LOG"
  return $rc
}
"""
EXPECTED = [
    ("201", "POST", "/api/v1/programs/"),
    ("200", "POST", "/publish/"),
    ("200", "PUT", "/api/v1/learners/"),
    ("201", "POST", "/api/v1/assessments/"),
    ("201", "POST", "/api/v1/awards/"),
    ("200", "GET", "/api/v1/awards/"),
    ("200", "GET", "/ob3.png"),
    ("200", "POST", "/revoke/"),
    ("202", "POST", "/api/v1/batches/"),  # a JSON list
    ("202", "POST", "/api/v1/batches/"),  # a CSV upload
    ("200", "GET", "/api/v1/batches/"),  # polled once: eager Celery finished it on commit
    ("200", "GET", "/errors/"),
    ("200", "GET", "/errors/"),  # as CSV
    ("400", "POST", "/api/v1/awards/"),  # the error-format example
    ("201", "POST", "/api/v1/programs/"),  # the Idempotency-Key replay (the stored 201)
    ("200", "GET", "/api/v1/awards/"),  # updated_since
    ("200", "GET", "/crosswalk/"),  # EU, as JSON
    ("200", "GET", "/crosswalk/"),  # Australia, as CSV
]


def sh_blocks() -> list[str]:
    return BLOCK.findall(DOC.read_text(encoding="utf-8"))


@pytest.fixture
def portal(live_server, settings):
    ensure_frameworks_loaded()
    settings.PORTAL_BASE_URL = live_server.url
    issuer = IssuerFactory(slug="minato-u", name_ja="みなと大学", name_en="Minato University")
    out = io.StringIO()
    call_command(
        "create_api_client",
        issuer="minato-u",
        name="moodle",
        scopes=[
            "programs:read",
            "programs:write",
            "learners:write",
            "assessments:write",
            "awards:read",
            "awards:write",
            "awards:revoke",
            "webhooks:manage",
        ],
        stdout=out,
    )
    token = out.getvalue().strip().splitlines()[-1]  # the command prints the token last
    return live_server.url, token, issuer


def test_every_sh_block_of_the_api_guide_runs(portal, tmp_path):
    base, token, issuer = portal
    blocks = sh_blocks()
    assert len(blocks) >= 10
    script = (
        PRELUDE
        + "\n".join(blocks)
        + '\necho "PROGRAM=$PROGRAM_ID AWARD=$AWARD_ID BATCH=$BATCH_ID CSV_BATCH=$CSV_BATCH_ID"\n'
    )
    status_log = tmp_path / "statuses"
    env = {
        "PATH": "/usr/bin:/bin:/usr/local/bin",
        "HOME": str(tmp_path),
        "BASE": base,
        "TOKEN": token,
        "WORKDIR": str(tmp_path),
        "STATUS_LOG": str(status_log),
    }
    run = subprocess.run(
        ["/bin/bash", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr

    calls = [line.split("\t", 1) for line in status_log.read_text().splitlines()]
    assert len(calls) == len(EXPECTED), calls
    for (status_line, arguments), (status, method, path) in zip(calls, EXPECTED, strict=True):
        assert status_line.split()[1] == status, (status_line, arguments)
        if method != "GET":
            assert f"-X {method}" in arguments, arguments
        assert path in arguments, arguments

    ids = dict(re.findall(r"(PROGRAM|AWARD|CSV_BATCH|BATCH)=(\S+)", run.stdout))
    award = Award.objects.select_related("programme_version__programme").get(public_id=ids["AWARD"])
    assert award.status == Award.Status.REVOKED
    programme = award.programme_version.programme
    assert (programme.pk, programme.slug, programme.issuer) == (
        int(ids["PROGRAM"]),
        "ds-foundations",
        issuer,
    )
    # The downloaded PNG carries the OB 3.0 credential of this award and programme.
    (baked,) = [b for b in unbake((tmp_path / "badge-ob3.png").read_bytes()) if b.version == "3.0"]
    credential = json.loads(baked.payload)
    assert credential["id"].endswith(str(award.public_id))
    achievement = credential["credentialSubject"]["achievement"]
    assert (
        f"/ob3/achievements/minato-u/ds-foundations/v{award.programme_version.number}"
        in (achievement["id"])
    )
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"

    # The batch: two results issued or recorded, the broken e-mail reported (also as CSV).
    batch = IssuingBatch.objects.get(public_id=ids["BATCH"])
    assert batch.state == IssuingBatch.State.COMPLETED_WITH_ERRORS
    assert (batch.total, batch.done_count, batch.failed_count) == (3, 2, 1)
    assert "completed_with_errors: 2 done, 1 failed, 0 to go of 3" in run.stdout
    taro = Award.objects.get(batch_items__batch=batch)
    assert (taro.learner.email, taro.status) == ("taro.minato@example.ac.jp", Award.Status.ISSUED)
    report = (tmp_path / "batch-errors.csv").read_text(encoding="utf-8-sig").splitlines()
    # The failed row as it was sent, headed in Japanese (the default), ready to send again.
    assert report[0] == (
        "学籍番号,氏名,氏名（英語）,メールアドレス,合否,点数,成績,評価日,評価方法,"
        "エビデンスURL,エビデンス,元の行,エラー理由"
    )
    assert report[1].startswith(",港 三郎,,saburo.minato@example,pass,90,,2026-07-31,written_exam,")
    assert ",3," in report[1] and len(report) == 2
    # The crosswalk: the printed conversion, and the Australian CSV with Japanese headers.
    assert "ucts converted 1.9–2.4 UCTS | 90 h ÷ 38–48 h/UCTS = 1.9–2.4 UCTS" in run.stdout
    crosswalk = (tmp_path / "crosswalk-au.csv").read_bytes()
    assert crosswalk.startswith("\ufeff区分,キー,".encode())
    uploaded = IssuingBatch.objects.get(public_id=ids["CSV_BATCH"])
    assert (uploaded.state, uploaded.source_name) == (IssuingBatch.State.COMPLETED, "results.csv")
