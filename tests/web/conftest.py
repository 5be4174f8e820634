"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("TIERFLOW_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(os.environ.get("TIERFLOW_SCREENSHOTS", Path(__file__).resolve().parents[2] / "var" / "screenshots"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (.ci/run installs it with apt-get)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ["--no-sandbox", "--disable-dev-shm-usage"]}


@pytest.fixture(scope="session")
def screenshot_dir():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    print(f"\nBrowser screenshots: {SCREENSHOTS}")
    return SCREENSHOTS


@pytest.fixture(autouse=True)
def orm_beside_playwright(request, monkeypatch):
    """Playwright's sync API runs an event loop in the test's thread; the ORM calls a browser test makes are
    still synchronous. Allowed for those tests only, so nothing else (a `check --deploy` subprocess) inherits it."""
    if "page" in request.fixturenames:
        monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
