"""The header leads each person where their work is, the docs come from the site itself, and there is a favicon."""
import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db


def page_for(user, path: str) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(path).content.decode()


def test_staff_see_a_link_to_the_admin_and_others_do_not(admin_user, proponent):
    assert '<a href="/admin/">Admin</a>' in page_for(admin_user, "/applications/")
    assert 'href="/admin/"' not in page_for(proponent, "/applications/")


def test_federal_officers_see_links_to_the_reports_and_their_party_s_ledger(federal_approver, sabah_approver):
    header = page_for(federal_approver, "/queue/")
    assert '<a href="/federal/reports/">Reports</a>' in header
    assert '<a href="/federal/ledger/MYS/">Ledger</a>' in header
    client = Client()
    client.force_login(federal_approver)
    assert client.get("/federal/reports/").status_code == 200 and client.get("/federal/ledger/MYS/").status_code == 200
    state_header = page_for(sabah_approver, "/queue/")
    assert "/federal/reports/" not in state_header and "/federal/ledger/" not in state_header


def test_every_page_has_a_favicon():
    assert 'rel="icon" href="/static/favicon.svg"' in page_for(None, "/accounts/login/")
    response = Client().get("/favicon.ico")
    assert response.status_code == 301 and response.url == "/static/favicon.png"


def test_the_api_docs_load_swagger_ui_and_redoc_from_the_site_under_its_own_policy(client):
    for path, asset in [("/api/docs/", "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"),
                        ("/api/redoc/", "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js")]:
        response = client.get(path)
        assert response.status_code == 200
        html = response.content.decode()
        assert asset in html and "cdn.jsdelivr" not in html and "fonts.googleapis" not in html and "<style" not in html
        policy = response["Content-Security-Policy"]
        assert "https:" not in policy and "unsafe-inline" not in policy
        assert finders.find(asset.removeprefix("/static/")), asset  # shipped by drf-spectacular-sidecar, collected with ours
