"""POST load with wrk (C, so the load generator takes little of the cores it shares with the
server): a Lua script sends one JSON body, checks every answer (HTTP 200 and the expected text
in the body) and prints the latency percentiles and the failures as one JSON line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

MARK = "MCBENCH "

SCRIPT = r"""
local f = assert(io.open(os.getenv("MC_BENCH_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
local expected = os.getenv("MC_BENCH_EXPECT")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  failures, responses, first = 0, 0, ""
end

function response(status, headers, body)
  responses = responses + 1
  if status ~= 200 or not string.find(body, expected, 1, true) then
    failures = failures + 1
    if first == "" then first = tostring(status) .. " " .. string.sub(body, 1, 300) end
  end
end

function done(summary, latency, requests)
  local failed, answered, first_failure = 0, 0, ""
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("failures")
    answered = answered + thread:get("responses")
    if first_failure == "" then first_failure = thread:get("first") end
  end
  local errors = summary.errors
  io.write(string.format(
    'MCBENCH {"requests":%d,"seconds":%.3f,"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"failures":%d,"answered":%d,"socket_errors":%d,"first_failure":"%s"}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, failed, answered,
    errors.connect + errors.read + errors.write + errors.timeout,
    string.gsub(first_failure, '[%c"\\]', " ")))
end
"""


def available() -> bool:
    return shutil.which("wrk") is not None


def post_load(url: str, body: bytes, expect: str, *, seconds: float, connections: int) -> dict:
    """Closed-loop POSTs of `body` to `url` from `connections` connections for `seconds`;
    every answer must be HTTP 200 and contain `expect`."""
    with tempfile.TemporaryDirectory() as folder:
        script, body_path = Path(folder, "post.lua"), Path(folder, "body.json")
        script.write_text(SCRIPT)
        body_path.write_bytes(body)
        env = {**os.environ, "MC_BENCH_BODY": str(body_path), "MC_BENCH_EXPECT": expect}
        threads = str(min(2, connections))
        completed = subprocess.run(  # noqa: S603 (wrk, fixed arguments)
            [
                shutil.which("wrk") or "wrk",
                "-t",
                threads,
                "-c",
                str(connections),
                "-d",
                f"{max(1, round(seconds))}s",
                "--timeout",
                "60s",
                "-s",
                str(script),
                url,
            ],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed: {completed.stdout}{completed.stderr}")
    for line in completed.stdout.splitlines():
        if line.startswith(MARK):
            return json.loads(line[len(MARK) :])
    raise RuntimeError(f"wrk printed no result: {completed.stdout}{completed.stderr}")
