"""django-pghistory's request context (who, which URL), on PostgreSQL only.

The history triggers exist only on PostgreSQL; on the SQLite of `make run` there is no history to
annotate, and pghistory's context wrapper would fail on SQLite cursors.
"""
from django.db import connection
from pghistory.middleware import HistoryMiddleware as PgHistoryMiddleware


class HistoryMiddleware(PgHistoryMiddleware):
    def __call__(self, request):
        if connection.vendor != "postgresql":
            return self.get_response(request)
        return super().__call__(request)
