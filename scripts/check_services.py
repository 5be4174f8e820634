"""Say in one line what is missing when PostgreSQL or Redis is not reachable, and how to start it."""
import os
import socket
import sys
from urllib.parse import urlparse

SERVICES = [
    ("PostgreSQL", os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tierflow"), 5432,
     "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"),
    ("Redis", os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0"), 6379,
     'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no'),
]


def reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


missing = [(name, url, start) for name, url, port, start in SERVICES if not reachable(url, port)]
for name, url, start in missing:
    print(f"{name} is not reachable at {urlparse(url).netloc}: start it with `{start}` (see DEVELOPERS.md).", file=sys.stderr)
sys.exit(1 if missing else 0)
