"""`python -m bench.profile_read [N]`: one application-detail read in process — its queries, ms per read, and a cProfile.

Run after a bench run (it reads the bench database, whose status-read figure leaves an authorized
application and the proponent's token): the same request the status-read figure sends, through the
full middleware chain with Django's test client, no HTTP. Prints the SQL of one read, the mean of N
reads, and the TOP (40) most expensive functions by SORT (cumulative; `SORT=tottime` for own time).
"""
from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import time


def main() -> None:
    from .runner import _prepare_environment

    _prepare_environment()
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from apps.accounts.contract_tokens import token_for
    from apps.authorizations.models import Application

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    reference = (Application.objects.filter(loa__isnull=False, reference__startswith="STATUS").values_list("reference", flat=True).first()
                 or Application.objects.filter(loa__isnull=False).values_list("reference", flat=True).first())
    raw_token, _created = token_for(get_user_model().objects.get(username="proponent"))  # only its digest is stored
    client = Client(HTTP_AUTHORIZATION=f"Token {raw_token}")
    url = f"/api/v1/applications/{reference}/"
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    print(f"{len(queries.captured_queries)} queries for {url}:")
    for query in queries.captured_queries:
        print(f"  {query['time']} s  {query['sql'][:160]}")
    start = time.perf_counter()
    for _ in range(count):
        client.get(url)
    print(f"{(time.perf_counter() - start) / count * 1000:.2f} ms per read (mean of {count}, no profiler)")
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(count):
        client.get(url)
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(int(os.environ.get("TOP", 40)))
    print(out.getvalue())


if __name__ == "__main__":
    main()
