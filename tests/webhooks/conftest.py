import pytest


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """A test's transaction never commits: `with committed():` runs what the commit would have run, as it would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
