"""Status read: GET /api/v1/applications/{reference}/ under gunicorn (2 workers), 16 concurrent clients.

Baseline: /bench/constant/, a bare Django view returning a constant JSON object, served by the same
gunicorn and middleware (enabled only by TIERFLOW_BENCH_URLS). The load generator shares the 2 cores.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework.authtoken.models import Token

from apps.authorizations.models import Application

from .common import Row, fmt
from .fig_transitions import run_chain
from .loadgen import load
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

    (application_id,) = seed_drafts(1, "STATUS", now=timezone.now())
    run_chain(application_id)  # an authorized application with its LoA, stages and history
    reference = Application.objects.get(pk=application_id).reference
    token, _ = Token.objects.get_or_create(user=get_user_model().objects.get(username="proponent"))
    port = _free_port()
    env = {**os.environ, "TIERFLOW_BENCH_URLS": "1", "DEBUG": "0", "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret"),
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0", "LOG_LEVEL": "WARNING",
           "SECURE_SSL_REDIRECT": "0"}
    connection.close()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(f"{base}/bench/constant/", server)
        clients, seconds = sizes["http_clients"], sizes["http_seconds"]
        baseline = load(f"{base}/bench/constant/", clients=clients, seconds=seconds)
        tierflow = load(f"{base}/api/v1/applications/{reference}/", headers={"Authorization": f"Token {token.key}"},
                        clients=clients, seconds=seconds)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    ratio = tierflow["rps"] / baseline["rps"]
    note = (f"p99 {fmt(tierflow['p99_ms'], 'ms')} vs {fmt(baseline['p99_ms'], 'ms')}; p50 {fmt(tierflow['p50_ms'], 'ms')} vs "
            f"{fmt(baseline['p50_ms'], 'ms')}; errors {tierflow['errors']}/{baseline['errors']}")
    return [Row(figure="status read (gunicorn 2 workers, 16 clients)", tierflow=fmt(tierflow["rps"], "req/s"),
                baseline=fmt(baseline["rps"], "req/s"), ratio=ratio, target="≥ 0.4", met=ratio >= 0.4 and tierflow["errors"] == 0,
                note=note, raw={"tierflow": tierflow, "baseline": baseline})]
