"""With production settings (DEBUG off, secrets from the environment) `check --deploy` is clean, and HTTPS is enforced."""
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def production_env() -> dict:
    # Production defaults only: drop anything the caller's shell (or `make bench`) set to loosen them.
    loosening = {"DEBUG", "TIERFLOW_REQUIRE_2FA", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "SECURE_SSL_REDIRECT",
                 "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "TIERFLOW_BENCH_URLS"}
    env = {k: v for k, v in os.environ.items() if k not in loosening and not k.startswith("SECURE_HSTS")}
    env.update(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="tierflow.example.gov",
               DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tierflow"))
    return env


def test_check_deploy_reports_no_warnings():
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="tierflow.example.gov")
plain = client.get("/accounts/login/")
secure = client.get("/accounts/login/", secure=True)
print(json.dumps({
    "plain_status": plain.status_code, "plain_location": plain.get("Location", ""),
    "hsts": secure.get("Strict-Transport-Security", ""),
    "csrf_cookie": {k: secure.cookies["csrftoken"][k] for k in ("secure", "httponly", "samesite")},
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE, "require_2fa": settings.TIERFLOW_REQUIRE_2FA,
}))
"""


def test_production_redirects_to_https_sends_hsts_and_secure_cookies_and_requires_2fa():
    env = production_env() | {"DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["plain_status"] == 301 and probe["plain_location"] == "https://tierflow.example.gov/accounts/login/"
    assert probe["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert probe["csrf_cookie"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert probe["session_cookie_secure"] is True
    assert probe["require_2fa"] is True


@pytest.mark.parametrize("missing", ["SECRET_KEY"])
def test_production_refuses_to_start_without_a_secret_key(missing):
    env = production_env()
    env.pop(missing)
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_the_default_test_run_has_two_factor_off():
    # `make test` starts with DEBUG=1, so the default is off; the two-factor tests switch it on.
    assert not settings.TIERFLOW_REQUIRE_2FA
