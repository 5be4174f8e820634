"""The bench's gunicorn entry point: Tierflow's WSGI application, plus /bench/bare/ served with no middleware.

/bench/constant/ goes through the full middleware chain (config.urls adds it under TIERFLOW_BENCH_URLS);
/bench/bare/ is the same view through a handler with an empty chain, so the two differ only by the stack.
"""
import os

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from config.wsgi import application as tierflow  # noqa: E402  (sets Django up)

BARE_PATH = "/bench/bare/"


class NoMiddlewareHandler(WSGIHandler):
    """Django's request handling (URL resolution, signals, response) with no middleware at all."""

    def load_middleware(self, is_async=False):
        configured = settings.MIDDLEWARE
        settings.MIDDLEWARE = []
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = configured


bare = NoMiddlewareHandler()


def application(environ, start_response):
    if environ.get("PATH_INFO") == BARE_PATH:
        return bare(environ, start_response)
    return tierflow(environ, start_response)
