"""Downloading the UNFCCC report (AEF) leaves an audit event naming who took it out."""
import pytest
from django.test import Client

from apps.audit.models import AuditEvent
from apps.reporting.models import Report

from ..reporting.test_federal_pages import YEAR, ledger  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/federal/reports/{pk}/aef.json", "/api/v1/reports/{pk}/aef.json"])
def test_an_aef_download_is_recorded(ledger, federal_approver, path):  # noqa: F811
    client = Client()
    client.force_login(federal_approver)
    client.post("/federal/reports/new/", {"party": "MYS", "year": YEAR})
    report = Report.objects.get(party="MYS", year=YEAR)
    response = client.get(path.format(pk=report.pk))
    assert response.status_code == 200
    event = AuditEvent.objects.filter(event="report.exported").get()
    assert (event.actor_username, event.party, event.data["parameters"]["format"]) == ("federal.approver", "MYS", "json")
    assert event.data["rows"] > 0
