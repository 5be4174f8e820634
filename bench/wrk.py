"""Drive one URL with `wrk` (C, epoll) for a fixed time and read its summary back as JSON.

A Python load generator on the same 2 cores caps near 300 req/s and flatters a slow server; wrk does
not. The bench refuses to run an HTTP figure without it rather than fall back to a weaker generator.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile

# wrk calls done() once at the end; print one JSON line the bench parses (latencies in microseconds).
REPORT = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "non2xx": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d, '
    .. '"p50_us": %d, "p99_us": %d, "mean_us": %f}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean))
end
"""


class WrkMissing(RuntimeError):
    pass


def wrk_path() -> str:
    path = shutil.which("wrk")
    if not path:
        raise WrkMissing("wrk is not installed: the HTTP figures need it (apt-get install -y wrk; .ci/run installs it)")
    return path


def load(url: str, *, headers: dict | None = None, connections: int = 16, seconds: float = 5.0, threads: int = 2) -> dict:
    """req/s, p50/p99 in ms and errors (non-2xx and socket errors) for `connections` keep-alive clients."""
    binary = wrk_path()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(REPORT)
    header_args = [arg for name, value in (headers or {}).items() for arg in ("-H", f"{name}: {value}")]

    def run(duration: str, thread_count: int) -> subprocess.CompletedProcess:
        return subprocess.run([binary, "-t", str(thread_count), "-c", str(connections), "-d", duration, "--latency",
                               "-s", script.name, *header_args, url], check=True, capture_output=True, text=True)

    try:
        run("1s", 1)  # warm-up: both gunicorn workers have imported the app and opened their database connection
        result = run(f"{max(1, round(seconds))}s", threads)
    finally:
        os.unlink(script.name)
    line = next((line for line in result.stdout.splitlines() if line.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary: {result.stdout[-300:]} {result.stderr[-300:]}")
    data = json.loads(line.removeprefix("WRKJSON "))
    elapsed = data["duration_us"] / 1e6
    errors = data["non2xx"] + data["connect"] + data["read"] + data["write"] + data["timeout"]
    ok = data["requests"] - data["non2xx"]
    return {"requests": data["requests"], "errors": errors, "seconds": elapsed, "rps": ok / elapsed,
            "p50_ms": data["p50_us"] / 1000, "p99_ms": data["p99_us"] / 1000, "mean_ms": data["mean_us"] / 1000,
            "generator": "wrk"}
