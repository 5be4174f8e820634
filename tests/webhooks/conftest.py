import pytest


@pytest.fixture(autouse=True)
def _publish_as_if_committed(monkeypatch):
    """A test's transaction never commits: run the webhooks' on-commit work at once (see the on-commit test for the
    real path)."""
    monkeypatch.setattr("apps.webhooks.services.after_commit", lambda callback: callback())
