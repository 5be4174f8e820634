"""A list page costs the same number of queries for 2 or 40 applications; a detail a small fixed number."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ..factories import make_application

pytestmark = pytest.mark.django_db


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_queries_do_not_grow_with_the_page(api, proponent):
    for _ in range(2):
        make_application(proponent, state="loa_review")
    few = queries_for(api(proponent), "/api/v1/applications/")  # a fresh client: a fresh user, as per request
    for _ in range(10):
        make_application(proponent, state="authorized")
    assert queries_for(api(proponent), "/api/v1/applications/") == few
    assert few <= 10


def test_detail_is_a_handful_of_queries(api, sabah_approver, proponent):
    application = make_application(proponent, state="authorized")
    assert queries_for(api(sabah_approver), f"/api/v1/applications/{application.reference}/") <= 10
