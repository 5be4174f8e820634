"""django-axes lockout on every way in that passes the request: web login, admin login, API token endpoint."""
from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """Axes' check, except that a call without a request (the test client's `login()`, a shell) is not a way in.

    Every HTTP entry point (Django's LoginView, the admin login, ObtainTokenView, DRF's authentication
    classes) passes the request, so lockout applies to all of them.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
