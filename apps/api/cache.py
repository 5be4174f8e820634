"""The shared cache of request limits (Redis): a Redis outage lets requests through rather than failing them."""
from __future__ import annotations

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class KeptClientRedisCacheClient(RedisCacheClient):
    """One `redis.Redis` per connection pool, kept: Django builds a new one (its response-callback table, a few
    hundred dictionary writes) for every command. The client is thread-safe; connections still come from the pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class FailOpenRedisCache(RedisCache):
    """Throttle counters are a brake, not a gate: with Redis unreachable (short socket timeouts in settings) a read
    is a miss and a write is skipped, so the API keeps answering; sign-in lockout counts live in PostgreSQL."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = KeptClientRedisCacheClient

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

    def count_in_window(self, current: str, previous: str, timeout: int) -> tuple[int, int]:
        """Count one request in `current` (created with `timeout` if new) and read `previous`, in one round trip.

        The same keys and integer encoding as add/incr/get, so decr takes a refused request back. (0, 0) when
        Redis is unreachable: the request passes.
        """
        current, previous = self.make_and_validate_key(current), self.make_and_validate_key(previous)

        def count():
            pipeline = self._cache.get_client(current, write=True).pipeline(transaction=False)
            pipeline.set(current, 0, ex=timeout, nx=True).incr(current).get(previous)
            _created, counted, before = pipeline.execute()
            return int(counted), int(before or 0)

        return self._tolerate("count", (0, 0), count)
