"""Status read: GET /api/v1/applications/{reference}/ under gunicorn (2 workers, DEBUG=0), driven by wrk.

Two baselines in the same run, same server: /bench/constant/, a view returning a constant JSON object
through the full middleware chain (the target's baseline), and /bench/bare/, the same view with no
middleware (bench.wsgi). Their difference is what the stack costs; detail minus constant is the view.
wrk (16 connections, 2 threads) shares the 2 cores with the server, equally for the three URLs.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx  # only to wait for the server to answer
from django.contrib.auth import get_user_model
from django.db import connection

from apps.accounts.contract_tokens import token_for
from apps.authorizations.models import Application

from .common import Row, fmt
from .fig_transitions import run_chain
from .wrk import load, wrk_path
from .seed import seed_drafts

BASE_DIR = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def status_read(sizes: dict) -> list[Row]:
    from django.utils import timezone

    wrk_path()  # fail now, clearly, rather than after seeding
    (application_id,) = seed_drafts(1, "STATUS", now=timezone.now())
    run_chain(application_id)  # an authorized application with its LoA, stages and history
    reference = Application.objects.get(pk=application_id).reference
    raw_token, _created = token_for(get_user_model().objects.get(username="proponent"))  # only its digest is stored
    port = _free_port()
    env = {**os.environ, "TIERFLOW_BENCH_URLS": "1", "DEBUG": "0", "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret"),
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0", "LOG_LEVEL": "WARNING",
           "SECURE_SSL_REDIRECT": "0",
           # The throttle still runs on every request; only its limit is lifted, or one token's 1,200/min would turn into 429s.
           "TIERFLOW_API_RATE": "100000000/min"}
    connection.close()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "bench.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(f"{base}/bench/constant/", server)
        clients, seconds = sizes["http_clients"], sizes["http_seconds"]
        bare = load(f"{base}/bench/bare/", connections=clients, seconds=seconds)
        baseline = load(f"{base}/bench/constant/", connections=clients, seconds=seconds)
        tierflow = load(f"{base}/api/v1/applications/{reference}/", headers={"Authorization": f"Token {raw_token}"},
                        connections=clients, seconds=seconds)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    # Two workers saturating two cores: about 2 / (req/s) of CPU per request (wrk takes its share of all three).
    for name, run in (("bare", bare), ("constant", baseline), ("detail", tierflow)):
        if not run["rps"]:
            raise RuntimeError(f"the {name} URL answered no request successfully ({run['errors']} errors)")
    per_request = {name: 2000 / run["rps"] for name, run in (("bare", bare), ("constant", baseline), ("detail", tierflow))}
    ratio = tierflow["rps"] / baseline["rps"]
    stack = baseline["rps"] / bare["rps"]
    note = (f"wrk {clients} connections, {seconds:.0f} s each; p99 {fmt(tierflow['p99_ms'], 'ms')} vs {fmt(baseline['p99_ms'], 'ms')}; "
            f"p50 {fmt(tierflow['p50_ms'], 'ms')} vs {fmt(baseline['p50_ms'], 'ms')}; errors {tierflow['errors']}/{baseline['errors']}; "
            f"per request ≈ {fmt(per_request['bare'], 'ms')} Django without middleware + {fmt(per_request['constant'] - per_request['bare'], 'ms')} "
            f"middleware + {fmt(per_request['detail'] - per_request['constant'], 'ms')} the detail view")
    raw = {"tierflow": tierflow, "baseline": baseline, "bare": bare, "per_request_ms": per_request}
    return [
        Row(figure="status read (wrk, gunicorn 2 workers)", tierflow=fmt(tierflow["rps"], "req/s"),
            baseline=fmt(baseline["rps"], "req/s"), ratio=ratio, target="≥ 0.4", met=ratio >= 0.4 and tierflow["errors"] == 0,
            note=note, raw=raw),
        Row(figure="constant view, full middleware vs none", tierflow=fmt(baseline["rps"], "req/s"),
            baseline=fmt(bare["rps"], "req/s"), ratio=stack, target="reported",
            note=f"p50 {fmt(baseline['p50_ms'], 'ms')} vs {fmt(bare['p50_ms'], 'ms')}; errors {baseline['errors']}/{bare['errors']}"),
    ]
