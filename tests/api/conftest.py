"""API test helpers: throttle counters start empty; personal tokens for personas."""
import pytest
from django.core.cache import cache

from apps.api.services import create_personal_token


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token_for(db):
    """`token_for(persona)` -> a new personal token string for that persona."""

    def make(persona, name="tests"):
        return create_personal_token(user=persona, name=name)[1]

    return make
