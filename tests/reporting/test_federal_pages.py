"""The federal approver's journey in the web: open the year's report, fix what validation flags, approve, download."""
from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from apps.ledger.services import transfer_itmos
from apps.governance.models import Party
from apps.reporting.models import Report

from ..factories import issue_verified
from ..ledger.conftest import authorized

YEAR = timezone.now().year


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ledger(proponent, federal_approver):
    application = authorized(proponent)  # sector/mitigation type outside the AEF vocabulary: validation flags them
    issue_verified(application=application, acting_user=federal_approver, vintage=2026, quantity=2000)
    transfer_itmos(application=application, acting_user=federal_approver, vintage=2026, quantity=700,
                   to_party=Party.objects.get(code="KOR"))
    return application


def test_federal_approver_opens_fixes_approves_and_downloads_the_report(ledger, federal_approver):
    web = client_for(federal_approver)
    assert "Open the report" in web.get("/federal/reports/").content.decode()
    response = web.post("/federal/reports/new/", {"party": "MYS", "year": YEAR})
    report = Report.objects.get(party="MYS", year=YEAR)
    assert response["Location"] == f"/federal/reports/{report.pk}/"
    page = web.get(f"/federal/reports/{report.pk}/").content.decode()
    for table in ("Submission", "Authorizations", "Actions", "Holdings", "Authorized entities"):
        assert f"<h2>{table}</h2>" in page
    assert "Sector(s)&#x27;: &#x27;Forestry and other land use&#x27; is not an AEF controlled value" in page
    assert "first transferred 700 − used towards the NDC 0" in page

    web.post(f"/federal/reports/{report.pk}/transition/", {"transition": "submit_for_review"})
    assert Report.objects.get(pk=report.pk).state == "draft"  # refused while validation flags problems
    for column, value in (("Sector(s)", "Forestry and land use"), ("Mitigation type", "Removals")):
        web.post(f"/federal/reports/{report.pk}/correct/", {
            "table": "Authorizations", "row_key": ledger.loa.number, "column": column, "value": value})
    assert "to fix before review" not in web.get(f"/federal/reports/{report.pk}/").content.decode()
    web.post(f"/federal/reports/{report.pk}/transition/", {"transition": "submit_for_review"})
    web.post(f"/federal/reports/{report.pk}/transition/", {"transition": "approve"})
    assert Report.objects.get(pk=report.pk).state == "approved"

    download = web.get(f"/federal/reports/{report.pk}/aef.xlsx")
    assert download["Content-Disposition"].endswith(f'AEF-MYS-{YEAR}-v1.0.xlsx"')
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    rows = list(book["Actions"].iter_rows(values_only=True))
    first_transfer = [r for r in rows if r[1] == "First transfer"][0]
    assert first_transfer[15] == "700" and first_transfer[20] == "KOR"


def test_every_figure_traces_to_its_actions(ledger, federal_approver):
    page = client_for(federal_approver).get(f"/federal/ledger/MYS/{YEAR}/").content.decode()
    assert "700 − 0 = 700" in page
    assert ledger.reference in page and "First transfer to another Party" in page


def test_a_state_officer_cannot_open_the_federal_report(ledger, federal_approver, sabah_approver):
    report = Report.objects.create(party_id="MYS", year=YEAR, created_by=federal_approver)
    assert client_for(sabah_approver).get(f"/federal/reports/{report.pk}/").status_code == 404
    assert client_for(sabah_approver).post(f"/federal/reports/{report.pk}/transition/", {"transition": "approve"}).status_code == 404


def test_the_supervisor_sees_the_report_but_gets_no_approve_button(ledger, federal_approver, federal_supervisor):
    report = Report.objects.create(party_id="MYS", year=YEAR, created_by=federal_approver)
    page = client_for(federal_supervisor).get(f"/federal/reports/{report.pk}/").content.decode()
    assert "<h2>Actions</h2>" in page and 'value="approve"' not in page


def test_the_pages_carry_no_inline_script_or_style(ledger, federal_approver):
    report = Report.objects.create(party_id="MYS", year=YEAR, created_by=federal_approver)
    web = client_for(federal_approver)
    for url in ("/federal/reports/", f"/federal/reports/{report.pk}/", "/federal/ledger/MYS/", f"/federal/ledger/MYS/{YEAR}/"):
        html = web.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert " style=" not in html.split("</header>")[-1], url


def test_a_malay_speaking_federal_officer_reads_the_report_pages_in_malay(ledger, federal_approver):
    web = client_for(federal_approver)
    web.post("/account/language/", {"language": "ms"})
    listing = web.get("/federal/reports/").content.decode()
    assert "Laporan UNFCCC (Agreed Electronic Format)" in listing and "Buka laporan" in listing
    assert "Open the report" not in listing
    web.post("/federal/reports/new/", {"party": "MYS", "year": YEAR})
    report = Report.objects.get(party="MYS", year=YEAR)
    detail = web.get(f"/federal/reports/{report.pk}/").content.decode()
    assert f"Pelarasan sepadan {YEAR}: pertama kali dipindahkan 700 − digunakan ke arah NDC 0" in detail
    ledger_page = web.get(f"/federal/ledger/MYS/{YEAR}/").content.decode()
    assert f"Pertama kali dipindahkan pada {YEAR} (ditambah): 700" in ledger_page
