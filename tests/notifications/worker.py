"""A real Celery worker as a subprocess, on the test database and the test Redis (for `@pytest.mark.worker` tests)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from config.celery import app

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def purge_queue() -> None:
    with app.connection_for_write() as broker:
        broker.default_channel.queue_purge(app.conf.task_default_queue)


class Worker:
    def __init__(self, tmp: Path, *, email_dir: Path, email_backend: str = "django.core.mail.backends.filebased.EmailBackend",
                 extra_env: dict | None = None, name: str = "worker"):
        self.log = tmp / f"{name}.log"
        env = {
            **os.environ,
            "DATABASE_URL": database_url(), "CELERY_BROKER_URL": settings.CELERY_BROKER_URL, "DEBUG": "1",
            "EMAIL_BACKEND": email_backend, "EMAIL_FILE_PATH": str(email_dir), "CONN_MAX_AGE": "0",
            **(extra_env or {}),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1",
             "--without-gossip", "--without-mingle", "--loglevel=INFO", f"--hostname={name}@%h"],
            cwd=ROOT, env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.wait_for("ready.")

    def output(self) -> str:
        return self.log.read_text()

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"worker never said {text!r}:\n{self.output()[-3000:]}")
            time.sleep(0.1)

    def pool_children(self) -> list[int]:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True).stdout
        return [int(pid) for pid in out.split()]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def wait_until(condition, timeout: float = 30, message: str = "condition") -> None:
    """Poll until the condition holds (the worker is another process); fail with a message after `timeout`."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        time.sleep(0.1)
