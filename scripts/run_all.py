"""`make run`: the web server, a Celery worker and Celery beat together; Ctrl-C (or one of them dying) stops all three.

On one machine with no outside services: SQLite and the filesystem broker under var/ (unless DATABASE_URL /
CELERY_BROKER_URL say otherwise), emails written as files under var/mail/. In production run the three
separately (README: "Notifications, deadlines and workers").
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "8000")
PYTHON = sys.executable

COMMANDS = {
    "web": [PYTHON, "manage.py", "runserver", "--noreload", f"{HOST}:{PORT}"],
    # One process: SQLite takes one writer at a time; on PostgreSQL + Redis raise --concurrency.
    "worker": [PYTHON, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=INFO",
               "--without-gossip", "--without-mingle", "--without-heartbeat"],
    "beat": [PYTHON, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"],
}


def main() -> int:
    processes: dict[str, subprocess.Popen] = {}
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for name, command in COMMANDS.items():
        # Own process groups, so Ctrl-C reaches only this supervisor, which then stops each child in turn.
        processes[name] = subprocess.Popen(command, start_new_session=True)
        print(f"[run_all] started {name} (pid {processes[name].pid}): {' '.join(command[1:])}", flush=True)
    status = 0
    while not stopping:
        for name, process in processes.items():
            if process.poll() is not None:
                print(f"[run_all] {name} exited with status {process.returncode}; stopping the others.", flush=True)
                status = process.returncode or 1
                stopping = True
                break
        time.sleep(0.5)
    for name, process in processes.items():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for name, process in processes.items():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        print(f"[run_all] {name} stopped.", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
