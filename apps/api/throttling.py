"""Request rates per personal token, per user otherwise, per address when anonymous; counted in the shared cache.

DRF's throttles keep a list of timestamps they read, extend and write back: two processes doing that at once lose
each other's requests, and DRF trusts a client-sent X-Forwarded-For. These count with one atomic increment per
request in the current window (weighing in the previous one), so every process shares one count, and key on the address settings say to trust.
"""
from __future__ import annotations

from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle

from apps.accounts.addresses import client_address

from .models import PersonalToken


class SharedCounterMixin:
    def get_ident(self, request):
        return client_address(request) or "unknown"

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window, into = divmod(self.now, self.duration)
        self.window_ends = self.now - into + self.duration
        current, previous_key = f"{self.key}:{int(window)}", f"{self.key}:{int(window) - 1}"
        count, previous = self._count(current, previous_key, 2 * self.duration + 1)
        # Sliding estimate: the previous window's count, weighted by how much of it still lies within one period.
        if previous * (1 - into / self.duration) + count <= self.num_requests:
            return True
        try:
            self.cache.decr(current)  # a refused request does not count, as in DRF
        except ValueError:
            pass  # the window's key expired in between: nothing to take back
        return self.throttle_failure()

    def _count(self, current: str, previous: str, timeout: int) -> tuple[int, int]:
        if hasattr(self.cache, "count_in_window"):  # Redis: one round trip
            return self.cache.count_in_window(current, previous, timeout)
        self.cache.add(current, 0, timeout)  # the in-process cache of a single-machine `make run`
        try:
            count = self.cache.incr(current)
        except ValueError:  # expired between add and incr: this request opens the window
            self.cache.add(current, 1, timeout)
            count = 1
        return count, self.cache.get(previous, 0) or 0

    def wait(self):
        return max(self.window_ends - self.now, 1)


class PerTokenThrottle(SharedCounterMixin, SimpleRateThrottle):
    scope = "api"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, PersonalToken):
            ident = f"token:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ScopedSharedThrottle(SharedCounterMixin, ScopedRateThrottle):
    """A view's `throttle_scope` (the token endpoint's per-address limit), counted like PerTokenThrottle."""

    def allow_request(self, request, view):
        # ScopedRateThrottle reads the rate from the view's scope here, before counting.
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)
