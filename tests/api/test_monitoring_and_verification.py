"""Issuance only against verified monitoring: the proponent reports, the CA holder records the verification, then units are issued once."""
from __future__ import annotations

import pytest

from apps.audit.models import AuditEvent
from apps.governance.models import Party
from apps.ledger.models import Action, MonitoringReport, Verification

from ..ledger.conftest import authorized
from ..pdf_corpus import CLEAN

pytestmark = pytest.mark.django_db

REPORT = {"vintage": 2026, "period_from": "2026-01-01", "period_to": "2026-12-31", "quantity": 1200}
VERIFICATION = {"verifier": "Carbon Check (India) Pvt Ltd", "accreditation": "DOE-REF-1", "verified_quantity": 1000}


@pytest.fixture
def application(proponent):
    return authorized(proponent)


def _report(api, persona, application, **body):
    return api(persona).post(f"/api/v1/applications/{application.reference}/monitoring-reports/", {**REPORT, **body}, format="json")


def _verify(api, persona, report_id, **body):
    return api(persona).post(f"/api/v1/monitoring-reports/{report_id}/verification/", {**VERIFICATION, **body}, format="json")


def _issue(api, persona, application, **body):
    return api(persona).post(f"/api/v1/applications/{application.reference}/issuances/",
                             {"vintage": 2026, "quantity": 1000, **body}, format="json")


def test_the_proponent_reports_the_officer_verifies_and_the_verified_quantity_is_issued_once(
        api, application, proponent, federal_approver):
    response = _report(api, proponent, application)
    assert response.status_code == 201, response.json()
    report_id = response.json()["id"]
    assert _issue(api, federal_approver, application).status_code == 400  # claimed, not yet verified
    response = _verify(api, federal_approver, report_id)
    assert response.status_code == 201, response.json()
    response = _issue(api, federal_approver, application)
    assert response.status_code == 201, response.json()
    assert [a["quantity"] for a in response.json()["actions"]] == [1000]
    again = _issue(api, federal_approver, application, quantity=1)
    assert again.status_code == 400 and "quantity" in again.json()
    named = _issue(api, federal_approver, application, quantity=1, monitoring_report=report_id)
    assert named.status_code == 409
    assert Action.objects.filter(action_type="Issuance").count() == 1
    events = list(AuditEvent.objects.filter(subject_id=application.reference, event__startswith="ledger.")
                  .values_list("event", flat=True))
    assert events == ["ledger.monitoring_report", "ledger.verification", "ledger.issuance"]


def test_issuance_beyond_the_verified_quantity_is_a_400_naming_quantity(api, application, proponent, federal_approver):
    report_id = _report(api, proponent, application).json()["id"]
    _verify(api, federal_approver, report_id)
    response = _issue(api, federal_approver, application, quantity=1001)
    assert response.status_code == 400
    assert "1000" in response.json()["quantity"][0]
    assert not Action.objects.exists()


def test_a_verification_of_another_vintage_does_not_cover_the_issuance(api, application, proponent, federal_approver):
    report_id = _report(api, proponent, application, vintage=2027, period_from="2027-01-01", period_to="2027-12-31").json()["id"]
    _verify(api, federal_approver, report_id)
    assert _issue(api, federal_approver, application, vintage=2026).status_code == 400
    assert _issue(api, federal_approver, application, vintage=2026, monitoring_report=report_id).json().get("vintage")
    assert _issue(api, federal_approver, application, vintage=2027).status_code == 201


@pytest.mark.parametrize("body,field", [
    ({"period_from": "2026-06-01", "period_to": "2026-05-31"}, "period_to"),
    ({"quantity": 0}, "quantity"),
    ({"quantity": -5}, "quantity"),
    ({"vintage": 2031, "period_from": "2031-01-01", "period_to": "2031-12-31"}, "vintage"),
    ({"vintage": 2027}, "vintage"),  # outside the monitoring period
    ({"period_from": "1 January 2026"}, "period_from"),
    ({"period_to": None}, "period_to"),
    ({"document": 999999}, "document"),
])
def test_bad_monitoring_reports_are_400s_naming_the_field(api, application, proponent, body, field):
    response = _report(api, proponent, application, **body)
    assert response.status_code == 400, response.json()
    assert field in response.json() and response.json()["code"]
    assert not MonitoringReport.objects.exists()


def test_only_the_proponent_submits_monitoring_reports(api, application, federal_approver, indonesia_approver):
    assert _report(api, federal_approver, application).status_code == 403
    assert _report(api, indonesia_approver, application).status_code == 404
    assert not MonitoringReport.objects.exists()


@pytest.mark.parametrize("body,field", [
    ({"verified_quantity": 1201}, "verified_quantity"),
    ({"verified_quantity": 0}, "verified_quantity"),
    ({"verifier": "  "}, "verifier"),
    ({"accreditation": ""}, "accreditation"),
    ({"verified_quantity": "many"}, "verified_quantity"),
])
def test_bad_verifications_are_400s_naming_the_field(api, application, proponent, federal_approver, body, field):
    report_id = _report(api, proponent, application).json()["id"]
    response = _verify(api, federal_approver, report_id, **body)
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not Verification.objects.exists()


def test_only_the_ca_holders_approver_records_a_verification_and_only_once(
        api, application, proponent, federal_approver, sabah_approver, indonesia_approver):
    report_id = _report(api, proponent, application).json()["id"]
    assert _verify(api, proponent, report_id).status_code == 403
    assert _verify(api, sabah_approver, report_id).status_code == 403
    assert _verify(api, indonesia_approver, report_id).status_code == 404
    assert _verify(api, federal_approver, 999999).status_code == 404
    assert _verify(api, federal_approver, report_id).status_code == 201
    assert _verify(api, federal_approver, report_id).status_code == 409
    assert Verification.objects.count() == 1


def test_a_party_that_does_not_require_verification_issues_article_6_2_units_without_it(api, application, federal_approver):
    Party.objects.filter(code="MYS").update(issuance_requires_verification=False)
    assert _issue(api, federal_approver, application).status_code == 201


def test_article_6_4_issuance_needs_a_verified_report_whatever_the_party_says(api, proponent, federal_approver):
    Party.objects.filter(code="MYS").update(issuance_requires_verification=False)
    application = authorized(proponent, article_6_4=True)
    response = _issue(api, federal_approver, application)
    assert response.status_code == 400 and "quantity" in response.json()
    report_id = _report(api, proponent, application).json()["id"]
    _verify(api, federal_approver, report_id)
    response = _issue(api, federal_approver, application, monitoring_report=report_id)
    assert response.status_code == 201, response.json()
    shares = {(a["action_type"], a["subtype"]): a["quantity"] for a in response.json()["actions"]}
    assert shares[("Transfer", "Mandatory transfer to the Adaptation Fund (A6.4 ERs)")] == 50
    assert shares[("Cancellation", "Mandatory cancellation to deliver OMGE")] == 20


def test_the_demo_data_requires_verification_of_every_host_party(db):
    assert set(Party.objects.filter(is_host=True).values_list("issuance_requires_verification", flat=True)) == {True}


def test_the_verification_report_is_uploaded_with_the_verification_and_checked_like_any_document(
        api, application, proponent, federal_approver, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.authorizations.models import Document

    report_id = _report(api, proponent, application).json()["id"]
    script = SimpleUploadedFile("report.pdf", b"<script>alert(1)</script>", content_type="application/pdf")
    refused = api(federal_approver).post(f"/api/v1/monitoring-reports/{report_id}/verification/",
                                         {**VERIFICATION, "file": script}, format="multipart")
    assert refused.status_code == 400 and "file" in refused.json()
    pdf = SimpleUploadedFile("verification.pdf", CLEAN, content_type="application/pdf")
    response = api(federal_approver).post(f"/api/v1/monitoring-reports/{report_id}/verification/",
                                          {**VERIFICATION, "file": pdf}, format="multipart")
    assert response.status_code == 201, response.json()
    document = Document.objects.get(pk=response.json()["document"])
    assert (document.application_id, document.uploaded_by) == (application.pk, federal_approver)
    assert Verification.objects.get().document == document
