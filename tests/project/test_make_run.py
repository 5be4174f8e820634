"""`make run`'s own path, end to end: SQLite, the filesystem broker, the web server, a worker and beat from
scripts/run_all.py, the demo data — a proponent submits through the API and the reviewer's inbox and mailbox get it."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from ..factories import application_payload

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.worker


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _call(base: str, method: str, path: str, body=None, token: str | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json", **({"Authorization": f"Token {token}"} if token else {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.fixture
def running_demo(tmp_path):
    var = tmp_path / "var"
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env.update(DEBUG="1", TIERFLOW_DEMO="1", TIERFLOW_VAR_DIR=str(var), HOST="127.0.0.1", PORT=str(port),
               EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend", EMAIL_FILE_PATH=str(var / "mail"),
               SITE_URL=f"http://127.0.0.1:{port}")
    for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    log = open(tmp_path / "run_all.log", "w")
    process = subprocess.Popen([sys.executable, "scripts/run_all.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if _call(base, "GET", "/api/v1/health/")[0] == 200:
                break
        except OSError:
            pass
        assert process.poll() is None, (tmp_path / "run_all.log").read_text()
        time.sleep(0.5)
    yield base, var
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    log.close()


def _token(base: str, username: str) -> str:
    status, body = _call(base, "POST", "/api/v1/auth/token/", {"username": username, "password": "demo"})
    assert status == 200, body
    return body["token"]


def test_a_submission_in_make_run_reaches_the_reviewers_inbox_and_mailbox(running_demo):
    base, var = running_demo
    proponent = _token(base, "proponent")
    status, created = _call(base, "POST", "/api/v1/applications/", application_payload(title="Smoke test of make run"), proponent)
    assert status == 201, created
    reference = created["reference"]
    status, submitted = _call(base, "POST", f"/api/v1/applications/{reference}/transitions/", {"transition": "submit"}, proponent)
    assert status == 200 and submitted["state"] == "loa_review", submitted
    reviewer = _token(base, "sabah.reviewer")
    deadline = time.monotonic() + 60
    inbox: list = []
    while time.monotonic() < deadline and not inbox:
        inbox = [n for n in _call(base, "GET", "/api/v1/notifications/", token=reviewer)[1]["results"] if n["application"] == reference]
        time.sleep(0.5)
    assert inbox and inbox[0]["event"] == "submit"
    while time.monotonic() < deadline and not any(reference in p.read_text(errors="replace") for p in (var / "mail").glob("*")):
        time.sleep(0.5)
    assert any(reference in p.read_text(errors="replace") for p in (var / "mail").glob("*")), "no e-mail written under var/mail"
