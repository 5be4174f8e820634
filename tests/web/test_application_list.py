"""Officers find cases: search, filters and sort in the URL, and the same list as a streamed CSV."""
import csv
import io

import pytest
from django.http import StreamingHttpResponse
from django.test import Client

from ..factories import make_application

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def references(html: str, *apps) -> list[bool]:
    return [a.reference in html for a in apps]


def test_search_matches_reference_title_or_proponent_and_filters_combine(sabah_approver, proponent):
    corridor = make_application(proponent, state="loa_review", title="Kinabatangan corridor restoration")
    mangrove = make_application(proponent, state="ca_review", title="Sandakan mangrove")
    client = signed_in(sabah_approver)
    assert references(client.get("/applications/", {"q": "corridor"}).content.decode(), corridor, mangrove) == [True, False]
    assert references(client.get("/applications/", {"q": mangrove.reference[-4:]}).content.decode(), corridor, mangrove) == [False, True]
    assert references(client.get("/applications/", {"q": "borneo forest"}).content.decode(), corridor, mangrove) == [True, True]
    assert references(client.get("/applications/", {"state": "ca_review"}).content.decode(), corridor, mangrove) == [False, True]
    page = client.get("/applications/", {"q": "corridor", "state": "ca_review"}).content.decode()
    assert references(page, corridor, mangrove) == [False, False] and "No application matches these filters." in page


def test_oldest_first_reverses_the_list_and_pages_keep_the_filters(sabah_approver, proponent, settings):
    made = [make_application(proponent, state="loa_review", title=f"Peat {i}") for i in range(3)]
    client = signed_in(sabah_approver)
    page = client.get("/applications/", {"sort": "oldest", "q": "peat"}).content.decode()
    assert page.index(made[0].reference) < page.index(made[2].reference)
    page = client.get("/applications/", {"q": "peat"}).content.decode()
    assert page.index(made[2].reference) < page.index(made[0].reference)


def test_the_csv_is_the_filtered_list_streamed_with_formulas_neutralised(sabah_approver, proponent):
    make_application(proponent, state="loa_review", title="=HYPERLINK(\"http://evil\")")
    kept = make_application(proponent, state="ca_review", title="Sandakan mangrove")
    client = signed_in(sabah_approver)
    page = client.get("/applications/", {"state": "ca_review"}).content.decode()
    assert 'href="/applications/export.csv?state=ca_review"' in page
    response = client.get("/applications/export.csv", {"state": "ca_review"})
    assert isinstance(response, StreamingHttpResponse) and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Reference", "Title", "Proponent"]
    assert [row[0] for row in rows[1:]] == [kept.reference]
    everything = client.get("/applications/export.csv")
    text = b"".join(everything.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text


def test_a_bad_filter_in_the_csv_address_is_a_400(sabah_approver):
    response = signed_in(sabah_approver).get("/applications/export.csv", {"state": "nonsense"})
    assert response.status_code == 400 and "nonsense" in response.content.decode()


def test_nobody_exports_what_they_may_not_see(sarawak_approver, proponent):
    sabah = make_application(proponent, state="loa_review")
    text = b"".join(signed_in(sarawak_approver).get("/applications/export.csv").streaming_content).decode("utf-8-sig")
    assert sabah.reference not in text
