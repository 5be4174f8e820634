"""Request limits are one count for every process (in Redis when the broker is Redis), and the client's address
comes from X-Forwarded-For only through proxies the settings trust."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
TOKEN_RATE = 6
pytestmark = pytest.mark.django_db


@pytest.fixture
def token_rate(monkeypatch):
    monkeypatch.setattr("rest_framework.throttling.ScopedRateThrottle.THROTTLE_RATES", {"token": f"{TOKEN_RATE}/min"})


def _other_process(code: str, **env) -> str:
    """Run `code` in a second Python process with this test's settings and database; return what it printed."""
    database = connection.settings_dict
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "TIERFLOW_TOKEN_RATE": f"{TOKEN_RATE}/min",
                   "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}", **env}
    script = "import django, json\ndjango.setup()\nfrom django.test import Client\n" + code
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


def _token_attempts(client, times: int, **headers) -> list[int]:
    return [client.post("/api/v1/auth/token/", {}, format="json", **headers).status_code for _ in range(times)]


def test_two_processes_share_one_count_for_an_address(api, token_rate):
    statuses = json.loads(_other_process(
        "client = Client()\n"
        "print(json.dumps([client.post('/api/v1/auth/token/', '{}', content_type='application/json',"
        " REMOTE_ADDR='203.0.113.5').status_code for _ in range(4)]))"))
    assert statuses == [400] * 4  # {} is refused before any password check, so no lockout is involved
    assert _token_attempts(api(None), 4, REMOTE_ADDR="203.0.113.5") == [400, 400, 429, 429]
    assert _token_attempts(api(None), 1, REMOTE_ADDR="203.0.113.6") == [400]  # another address has its own count


def test_a_changing_x_forwarded_for_does_not_dodge_the_address_limit(api, token_rate):
    client = api(None)
    statuses = [client.post("/api/v1/auth/token/", {}, format="json", REMOTE_ADDR="203.0.113.5",
                            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(TOKEN_RATE + 2)]
    assert statuses == [400] * TOKEN_RATE + [429, 429]


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_count(api, token_rate, settings):
    settings.TIERFLOW_TRUSTED_PROXIES = 1
    client = api(None)
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    first = [client.post("/api/v1/auth/token/", {}, format="json", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.1",
                         **proxy).status_code for n in range(TOKEN_RATE + 1)]
    assert first == [400] * TOKEN_RATE + [429]  # what the client wrote left of the proxy's entry is ignored
    assert _token_attempts(client, 1, HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy) == [400]


def test_the_per_token_count_is_read_by_another_process(api, proponent, token_for):
    token = token_for(proponent)
    statuses = [api(None).get("/api/v1/parties/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    key = next(iter(k for k in _limit_keys() if "token:" in k))
    assert _other_process(f"from django.core.cache import cache\nprint(cache.get('{key}'))") == "3"


def _limit_keys() -> list[str]:
    """The keys in the limits database as Django's cache names them (without its prefix and version)."""
    raw = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"]).keys("*")
    return [key.decode().split(":", 2)[-1] for key in raw]


def test_limits_live_in_a_redis_database_of_their_own_derived_from_the_broker():
    def caches_for(broker: str) -> str:
        return _other_process("from django.conf import settings\nc = settings.CACHES['default']\n"
                              "print(c['BACKEND'].rsplit('.', 1)[-1], c.get('LOCATION', ''))", CELERY_BROKER_URL=broker)

    assert caches_for("redis://127.0.0.1:6379/3") == "FailOpenRedisCache redis://127.0.0.1:6379/11"
    assert caches_for("redis://127.0.0.1:6379/15") == "FailOpenRedisCache redis://127.0.0.1:6379/7"
    assert caches_for("").split()[0] == "LocMemCache"  # `make run`: the embedded broker, one machine
    assert settings.CACHES["default"]["LOCATION"] != settings.CELERY_BROKER_URL


def test_with_the_limits_redis_down_requests_are_still_answered_quickly():
    started = time.monotonic()
    statuses = json.loads(_other_process(
        "client = Client()\n"
        "print(json.dumps([client.post('/api/v1/auth/token/', '{}', content_type='application/json').status_code"
        " for _ in range(3)]))", TIERFLOW_LIMITS_CACHE_URL="redis://127.0.0.1:1/0"))
    assert statuses == [400, 400, 400]
    assert time.monotonic() - started < 15
