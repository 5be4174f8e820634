"""Request rates per personal token, per user otherwise, per address when anonymous."""
from rest_framework.throttling import SimpleRateThrottle

from .models import PersonalToken


class PerTokenThrottle(SimpleRateThrottle):
    scope = "api"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, PersonalToken):
            ident = f"token:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
