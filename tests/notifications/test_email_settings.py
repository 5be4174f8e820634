"""Where notification email goes is read from the environment (EMAIL_URL or EMAIL_BACKEND & co.)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def mailers_with(**env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("EMAIL_")}
    environment.update(DEBUG="1", DJANGO_SETTINGS_MODULE="config.settings", **env)
    code = "import json; from django.conf import settings; print(json.dumps(settings.MAILERS))"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("env", "backend", "options"), [
    ({"EMAIL_URL": "smtp://robot%40gov.my:s%2Fcret@mail.gov.my:587?tls=1"}, "smtp.EmailBackend",
     {"host": "mail.gov.my", "port": 587, "username": "robot@gov.my", "password": "s/cret", "use_tls": True, "use_ssl": False}),
    ({"EMAIL_URL": "smtps://mail.gov.my"}, "smtp.EmailBackend", {"port": 465, "use_ssl": True}),
    ({"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": "/tmp/tierflow-mail"},
     "filebased.EmailBackend", {"file_path": "/tmp/tierflow-mail"}),
    ({}, "console.EmailBackend", {}),
])
def test_the_mailer_comes_from_the_environment(env, backend, options):
    result = mailers_with(**env)
    assert result.returncode == 0, result.stderr
    default = json.loads(result.stdout)["default"]
    assert default["BACKEND"].endswith(backend)
    assert options.items() <= default["OPTIONS"].items()


def test_an_unknown_email_url_scheme_stops_start_up_with_a_clear_message():
    result = mailers_with(EMAIL_URL="ftp://mail.gov.my")
    assert result.returncode != 0
    assert "EMAIL_URL must start with smtp://" in result.stderr
