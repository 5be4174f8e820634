"""The public register: anyone reads the published letters, their status and terms; nothing about people or documents."""
from __future__ import annotations

import csv
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.authorizations import services
from apps.authorizations.models import Application, LetterOfAuthorization
from apps.governance.models import Party, RegisterPublication
from tests.factories import make_application

pytestmark = pytest.mark.django_db

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def get(path: str, **headers):
    return Client().get(path, **headers)


@pytest.fixture
def letters(proponent, federal_approver):
    authorized = make_application(proponent, state="authorized", title="Sabah mangrove restoration")
    revoked = make_application(proponent, state="authorized", title="Kinabatangan peat rewetting")
    services.revoke_authorization(Application.objects.get(pk=revoked.pk), acting_user=federal_approver, comment="Double counting found.")
    pending = make_application(proponent, state="ca_review", title="Tawau solar mini-grids")
    in_review = make_application(proponent, state="loa_review", title="Sandakan biogas capture")
    return {"authorized": authorized.loa, "revoked": LetterOfAuthorization.objects.get(application=revoked),
            "pending": pending.loa, "in_review": in_review}


def assert_nothing_personal(body: str):
    for person in get_user_model().objects.all():
        if "." in person.username:  # staff accounts (sabah.approver); "proponent" is also an ordinary word
            assert person.username not in body
        if person.email:
            assert person.email not in body
    assert EMAIL.findall(body) == []
    assert "Double counting found." not in body  # the revocation's internal comment
    assert "/documents/" not in body


def test_anyone_reads_the_register_with_each_letters_terms_and_status(letters):
    response = get("/register/")
    assert response.status_code == 200
    body = response.content.decode()
    authorized = letters["authorized"]
    assert "Sabah mangrove restoration" in body and authorized.number in body
    assert f"/letters/check/{authorized.fingerprint}/" in body
    assert "Kinabatangan peat rewetting" in body
    revoked_row = body[body.index(letters["revoked"].number):][:600]
    assert "Revoked" in revoked_row
    # Default publication: in force and revoked only; the pending letter and the application under review stay out.
    assert "Tawau solar mini-grids" not in body
    assert "Sandakan biogas capture" not in body
    assert_nothing_personal(body)


def test_a_party_may_also_publish_its_pending_letters(letters):
    Party.objects.filter(pk="MYS").update(register_publication=RegisterPublication.ALL)
    body = get("/register/").content.decode()
    assert "Tawau solar mini-grids" in body
    assert "Sandakan biogas capture" not in body  # no letter yet: never in the register
    Party.objects.filter(pk="MYS").update(register_publication=RegisterPublication.NONE)
    body = get("/register/").content.decode()
    assert "Sabah mangrove restoration" not in body
    assert get("/register/MYS/").status_code == 404


def test_the_open_data_lists_the_same_letters_anonymously(letters):
    response = Client().get("/api/v1/register/")
    assert response.status_code == 200
    data = response.json()
    by_number = {row["number"]: row for row in data["results"]}
    assert set(by_number) == {letters["authorized"].number, letters["revoked"].number}
    row = by_number[letters["authorized"].number]
    assert row["status"] == "in_force" and row["host_party"] == "MYS" and row["title"] == "Sabah mangrove restoration"
    assert row["authorized_quantity"] == letters["authorized"].authorized_quantity
    assert row["check_url"] == f"/letters/check/{letters['authorized'].fingerprint}/"
    assert {"issuing_authority", "acquiring_parties", "vintage_from", "vintage_to", "purposes", "first_transfer_definition",
            "mechanism", "cooperative_approach_id", "version", "issued_at", "fingerprint"} <= set(row)
    assert by_number[letters["revoked"].number]["status"] == "revoked"
    assert data["next"] is None
    assert_nothing_personal(response.content.decode())


def test_filters_search_and_bad_input(letters):
    data = Client().get("/api/v1/register/", {"status": "revoked"}).json()
    assert [row["number"] for row in data["results"]] == [letters["revoked"].number]
    data = Client().get("/api/v1/register/", {"q": "mangrove"}).json()
    assert [row["number"] for row in data["results"]] == [letters["authorized"].number]
    assert Client().get("/api/v1/register/", {"party": "IDN"}).json()["results"] == []
    response = Client().get("/api/v1/register/", {"year": "soon", "cursor": "x"})
    assert response.status_code == 400
    assert "year" in response.json() and "code" in response.json()
    response = Client().get("/api/v1/register/", {"cursor": "bm90IGEgY3Vyc29y"})
    assert response.status_code == 400 and "cursor" in response.json()
    assert get("/register/?cursor=bm90").status_code == 400


def test_keyset_pages_walk_every_letter_once(letters, proponent):
    from apps.api import register as api

    for i in range(3):
        make_application(proponent, state="authorized", title=f"Walk {i}")
    original, api.PAGE_SIZE = api.PAGE_SIZE, 2
    try:
        seen, url = [], "/api/v1/register/?sort=quantity"
        while url:
            data = Client().get(url).json()
            seen += [row["number"] for row in data["results"]]
            url = data["next"]
    finally:
        api.PAGE_SIZE = original
    assert len(seen) == len(set(seen)) == 5


def queries(path: str) -> int:
    Client().get(path)
    with CaptureQueriesContext(connection) as captured:
        response = Client().get(path)
    assert response.status_code == 200
    return len(captured)


def test_query_count_does_not_grow_with_the_letters(letters, proponent):
    paths = ["/register/", "/api/v1/register/", "/register/MYS/", "/register/MYS/feed/"]
    small = {path: queries(path) for path in paths}
    for i in range(6):
        make_application(proponent, state="authorized", title=f"More {i}")
    assert {path: queries(path) for path in paths} == small
    assert small["/register/"] <= 8 and small["/api/v1/register/"] <= 6


def test_csv_streams_the_filtered_view(letters):
    response = get("/register/letters.csv?status=in_force")
    assert response.status_code == 200 and response.streaming
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [row["number"] for row in rows] == [letters["authorized"].number]
    assert rows[0]["status"] == "in_force"
    assert_nothing_personal(body)
    assert get("/register/letters.csv?status=nope").status_code == 400


def test_party_page_and_feed(letters):
    body = get("/register/MYS/").content.decode()
    assert "<svg" in body and "First transferred per year" in body
    assert re.findall(r"<script(?![^>]*\bsrc=)|<style|\sstyle=", body) == []  # CSP: no inline script or style
    assert_nothing_personal(body)
    feed = get("/register/MYS/feed/")
    assert feed.status_code == 200 and feed["Content-Type"].startswith("application/atom+xml")
    text = feed.content.decode()
    assert letters["authorized"].number in text and letters["revoked"].number in text
    assert f"urn:tierflow:letter:{letters['revoked'].number}:revoked" in text
    assert_nothing_personal(text)


@pytest.mark.parametrize("path", ["/register/", "/api/v1/register/", "/register/letters.csv", "/register/MYS/", "/register/MYS/feed/"])
def test_mirrors_poll_with_conditional_get(letters, path, proponent):
    first = get(path)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert get(path, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    make_application(proponent, state="authorized", title="A new letter")
    assert get(path, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_the_schema_documents_the_register():
    schema = Client().get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/register/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"party", "status", "acquiring", "year", "mechanism", "q", "sort", "cursor"}


def test_what_a_party_publishes_is_an_audited_admin_setting_with_history(client, admin_user, letters):
    from apps.audit.models import AuditEvent
    from apps.history.models import EVENT_MODELS
    from tests.governance.test_readiness import _admin_post_data

    client.force_login(admin_user)
    malaysia = Party.objects.get(code="MYS")
    assert malaysia.register_publication == RegisterPublication.DECIDED  # the default: in force and revoked
    response = client.post("/admin/governance/party/MYS/change/", _admin_post_data(malaysia, register_publication="all"))
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.filter(event="config.changed", subject_id="MYS").order_by("-seq").first()
    assert event is not None and "register" in str(event.data).lower()
    assert EVENT_MODELS["Party"].objects.filter(pgh_obj_id="MYS").order_by("-pgh_id").first().register_publication == "all"
    assert "Tawau solar mini-grids" in get("/register/").content.decode()


def test_the_register_speaks_the_readers_language(letters):
    body = get("/register/", HTTP_ACCEPT_LANGUAGE="ms").content.decode()
    assert "Daftar awam kebenaran" in body and 'lang="ms"' in body
    revoked_row = body[body.index(letters["revoked"].number):][:600]
    assert "Dibatalkan" in revoked_row  # "Revoked"


def test_a_signed_in_readers_page_is_not_for_shared_caches(client, sabah_approver, letters):
    assert get("/register/")["Cache-Control"].startswith("public")
    client.force_login(sabah_approver)
    response = client.get("/register/")
    assert response.status_code == 200 and response["Cache-Control"].startswith("private")
    assert get("/register/MYSX/").status_code == 404


def test_anonymous_open_data_is_counted_per_address(monkeypatch, letters):
    from apps.api.throttling import PerTokenThrottle

    monkeypatch.setattr(PerTokenThrottle, "THROTTLE_RATES", {**PerTokenThrottle.THROTTLE_RATES, "api": "2/min"})
    statuses = [Client(REMOTE_ADDR="198.51.100.7").get("/api/v1/register/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert Client(REMOTE_ADDR="198.51.100.8").get("/api/v1/register/").status_code == 200


def test_a_deep_page_costs_the_queries_of_the_first(letters, proponent, monkeypatch):
    from apps.register import views

    for i in range(6):
        make_application(proponent, state="authorized", title=f"Deep {i}")
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    first = Client().get("/register/")
    second_url = re.search(r'rel="next" href="\?([^"]+)"', first.content.decode()).group(1).replace("&amp;", "&")
    third_body = Client().get("/register/?" + second_url).content.decode()
    third_url = re.search(r'rel="next" href="\?([^"]+)"', third_body).group(1).replace("&amp;", "&")
    assert queries("/register/") == queries("/register/?" + third_url)


@pytest.mark.sqlite
def test_the_acquiring_party_filter_on_either_database(proponent):
    letter = make_application(proponent, state="authorized", title="Filtered by buyer").loa
    assert letter.acquiring_parties, "the demo application names an acquiring Party"
    buyer = letter.acquiring_parties[0]
    data = Client().get("/api/v1/register/", {"acquiring": buyer}).json()
    assert [row["number"] for row in data["results"]] == [letter.number]
    other = "ZZZ" if buyer != "ZZZ" else "YYY"
    assert Client().get("/api/v1/register/", {"acquiring": other}).json()["results"] == []
    assert get(f"/register/?acquiring={buyer}").status_code == 200


def test_the_register_names_the_cooperative_approach_by_its_identifier_or_provisional_code(client):
    from apps.authorizations.models import Application, LetterOfAuthorization
    from apps.governance.models import CooperativeApproach

    approach = CooperativeApproach.objects.filter(unfccc_id="").first()
    assert approach is not None
    letter = LetterOfAuthorization.objects.filter(status="in_force").select_related("application").first()
    if letter is None:
        from django.contrib.auth import get_user_model

        from ..factories import make_application

        letter = make_application(get_user_model().objects.get(username="proponent"), state="authorized").loa
    Application.objects.filter(pk=letter.application_id).update(approach=approach)
    rows = client.get("/api/v1/register/", {"page_size": 200}).json()["results"]
    row = next(r for r in rows if r["number"] == letter.number)
    assert row["cooperative_approach_id"] == approach.code
    CooperativeApproach.objects.filter(pk=approach.pk).update(unfccc_id="CA0042")
    rows = client.get("/api/v1/register/", {"page_size": 200}).json()["results"]
    assert next(r for r in rows if r["number"] == letter.number)["cooperative_approach_id"] == "CA0042"
