"""The shared cache of request limits (Redis): a Redis outage lets requests through rather than failing them."""
from __future__ import annotations

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class FailOpenRedisCache(RedisCache):
    """Throttle counters are a brake, not a gate: with Redis unreachable (short socket timeouts in settings) a read
    is a miss and a write is skipped, so the API keeps answering; sign-in lockout counts live in PostgreSQL."""

    def _tolerate(self, operation: str, default, call):
        try:
            return call()
        except RedisError as error:
            log.warning("limits cache unavailable during %s: %s", operation, error)
            return default

    def get(self, key, default=None, version=None):
        return self._tolerate("get", default, lambda: super(FailOpenRedisCache, self).get(key, default, version))

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._tolerate("set", None, lambda: super(FailOpenRedisCache, self).set(key, value, timeout, version))

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._tolerate("add", False, lambda: super(FailOpenRedisCache, self).add(key, value, timeout, version))

    def incr(self, key, delta=1, version=None):
        return self._tolerate("incr", 0, lambda: super(FailOpenRedisCache, self).incr(key, delta, version))
