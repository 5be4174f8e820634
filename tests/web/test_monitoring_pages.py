"""Monitoring reports and verifications on the application page, as the proponent and the registry operator use them."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.audit.models import AuditEvent
from apps.ledger.models import MonitoringReport, Verification

from ..factories import make_application
from ..pdf_corpus import CLEAN as CLEAN_PDF
from .test_pages import assert_accessible, client_for, text_of

pytestmark = pytest.mark.django_db

REPORT = {"monitoring-vintage": "2026", "monitoring-period_from": "2026-01-01", "monitoring-period_to": "2026-06-30",
          "monitoring-quantity": "1200"}


def _verification(report_id: int, **overrides) -> dict:
    data = {"verifier": "Carbon Check (India) Pvt Ltd", "accreditation": "DOE-0001", "verified_quantity": "1000", **overrides}
    return {f"verification-{report_id}-{key}": value for key, value in data.items()}


def test_the_proponent_reports_and_the_registry_operator_records_the_verification(proponent, federal_approver, sabah_reviewer):
    application = make_application(proponent, state="authorized")
    page = f"/applications/{application.reference}/"
    own = client_for(proponent).get(page)
    assert 'id="monitoring-heading"' in text_of(own) and 'name="monitoring-quantity"' in text_of(own)
    assert_accessible(own)

    report_file = SimpleUploadedFile("monitoring.pdf", CLEAN_PDF, content_type="application/pdf")
    submitted = client_for(proponent).post(f"{page}monitoring-reports/", {**REPORT, "monitoring-file": report_file})
    assert submitted.status_code == 302 and submitted.url == page
    report = MonitoringReport.objects.get(application=application)
    assert (report.vintage, report.quantity, report.document.title) == (2026, 1200, "Monitoring report, vintage 2026")

    assert 'name="verification-' not in text_of(client_for(sabah_reviewer).get(page))  # the LoA tier does not verify
    officer = client_for(federal_approver).get(page)
    assert f'name="verification-{report.pk}-verifier"' in text_of(officer) and "Not verified yet" in text_of(officer)
    assert_accessible(officer)
    recorded = client_for(federal_approver).post(f"{page}monitoring-reports/{report.pk}/verification/", _verification(report.pk))
    assert recorded.status_code == 302
    assert Verification.objects.get(monitoring_report=report).verified_quantity == 1000
    after = text_of(client_for(proponent).get(page))
    assert "by Carbon Check (India) Pvt Ltd (DOE-0001)" in after
    assert AuditEvent.objects.filter(subject_id=application.reference, event="ledger.verification").count() == 1


def test_a_report_with_a_period_ending_before_it_starts_is_refused_beside_the_field(proponent):
    application = make_application(proponent, state="authorized")
    response = client_for(proponent).post(f"/applications/{application.reference}/monitoring-reports/",
                                          {**REPORT, "monitoring-period_to": "2025-12-31"})
    assert response.status_code == 400
    body = text_of(response)
    assert "The monitoring period cannot end before it starts." in body and "<title>Error:" in body
    assert 'href="#id_monitoring-period_to"' in body  # the error summary links to the field
    assert not MonitoringReport.objects.filter(application=application).exists()


def test_a_verification_above_the_claim_is_refused_and_a_second_one_is_a_conflict(proponent, federal_approver):
    application = make_application(proponent, state="authorized")
    client_for(proponent).post(f"/applications/{application.reference}/monitoring-reports/", REPORT)
    report = MonitoringReport.objects.get(application=application)
    url = f"/applications/{application.reference}/monitoring-reports/{report.pk}/verification/"
    too_much = client_for(federal_approver).post(url, _verification(report.pk, verified_quantity="1300"))
    assert too_much.status_code == 400 and "cannot exceed the 1200 t claimed" in text_of(too_much)
    assert not Verification.objects.exists()
    assert client_for(federal_approver).post(url, _verification(report.pk)).status_code == 302
    again = client_for(federal_approver).post(url, _verification(report.pk))
    assert again.status_code == 409 and "already verified" in text_of(again)
    assert Verification.objects.count() == 1


def test_nobody_else_reports_or_verifies(proponent, sabah_approver, sarawak_approver):
    application = make_application(proponent, state="authorized")
    base = f"/applications/{application.reference}/monitoring-reports/"
    assert client_for(sabah_approver).post(base, REPORT).status_code == 403
    assert client_for(sarawak_approver).post(base, REPORT).status_code == 404
    client_for(proponent).post(base, REPORT)
    report = MonitoringReport.objects.get(application=application)
    assert client_for(proponent).post(f"{base}{report.pk}/verification/", _verification(report.pk)).status_code == 403
    assert not Verification.objects.exists()


def test_no_monitoring_form_before_the_authorization_is_in_force(proponent):
    application = make_application(proponent, state="loa_review")
    assert 'name="monitoring-quantity"' not in text_of(client_for(proponent).get(f"/applications/{application.reference}/"))
    refused = client_for(proponent).post(f"/applications/{application.reference}/monitoring-reports/", REPORT)
    assert refused.status_code == 409 and not MonitoringReport.objects.exists()


@pytest.mark.parametrize("changes", [
    {"monitoring-vintage": "twenty"}, {"monitoring-vintage": "1800"}, {"monitoring-period_from": "2026-13-45"},
    {"monitoring-quantity": "-1"}, {"monitoring-quantity": "1e3"}, {"monitoring-quantity": ""}, {"monitoring-vintage": "2035"},
    {"monitoring-file": SimpleUploadedFile("report.pdf", b"not a pdf at all", content_type="application/pdf")},
])
def test_bad_monitoring_input_is_a_400_that_writes_nothing(proponent, changes):
    application = make_application(proponent, state="authorized")
    response = client_for(proponent).post(f"/applications/{application.reference}/monitoring-reports/", {**REPORT, **changes})
    assert response.status_code == 400
    assert "There is a problem" in text_of(response)
    assert not MonitoringReport.objects.filter(application=application).exists()
