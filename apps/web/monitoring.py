"""Monitoring reports and their verification on the application page: the proponent reports, the registry
operator's approver records the accredited verifier's result; the ledger services keep the rules."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from apps.ledger import services as ledger
from apps.ledger.models import MonitoringReport
from apps.ledger.selectors import monitoring_reports_of
from apps.permissions import records_verification_for, submits_monitoring_for

from .forms import MonitoringReportForm, VerificationForm, apply_service_errors

MONITORING_PREFIX = "monitoring"


def verification_prefix(report_id: int) -> str:
    return f"verification-{report_id}"


def _verification_of(report: MonitoringReport):
    try:
        return report.verification
    except MonitoringReport.verification.RelatedObjectDoesNotExist:
        return None


def monitoring_context(user, application, *, monitoring_form=None, verification_form=None, verification_report_id=None) -> dict:
    """What the page's monitoring section shows this user: the reports, and the forms the user may fill in."""
    reports = monitoring_reports_of(application)
    may_verify = bool(reports) and records_verification_for(user, application)
    for report in reports:
        report.verification_or_none = _verification_of(report)
        report.verification_form = None
        if may_verify and report.verification_or_none is None:
            report.verification_form = (verification_form if report.pk == verification_report_id
                                        else VerificationForm(prefix=verification_prefix(report.pk)))
    may_report = submits_monitoring_for(user, application) and ledger.accepts_monitoring(application)
    return {
        "monitoring_failed": bool(monitoring_form is not None and monitoring_form.errors
                                  or verification_form is not None and verification_form.errors),
        "monitoring_reports": reports,
        "monitoring_form": (monitoring_form or MonitoringReportForm(prefix=MONITORING_PREFIX)) if may_report else None,
    }


def _recorded(form, record) -> int:
    """Run the ledger service `record()` for a valid form: the HTTP status, with the service's refusal on the form."""
    try:
        record()
    except ValidationError as error:
        apply_service_errors(form, error)
        return 400
    except ledger.LedgerConflict as error:
        form.add_error(None, str(error))
        return 409
    return 200


def submit_report(request, application) -> tuple[MonitoringReportForm, int, str]:
    """Submit the posted report: (form, HTTP status, success message); status 200 when it was recorded."""
    form = MonitoringReportForm(request.POST, request.FILES, prefix=MONITORING_PREFIX)
    if not form.is_valid():
        return form, 400, ""
    data = dict(form.cleaned_data)  # a refusal takes its field out of cleaned_data
    status = _recorded(form, lambda: ledger.submit_monitoring_report(
        application=application, acting_user=request.user, vintage=data["vintage"], period_from=data["period_from"],
        period_to=data["period_to"], quantity=data["quantity"], upload=data["file"]))
    return form, status, _("Monitoring report submitted for vintage %(vintage)s.") % {"vintage": data["vintage"]}


def record_verification(request, report: MonitoringReport) -> tuple[VerificationForm, int, str]:
    """Record the posted verification of `report`: (form, HTTP status, success message)."""
    form = VerificationForm(request.POST, request.FILES, prefix=verification_prefix(report.pk))
    if not form.is_valid():
        return form, 400, ""
    data = dict(form.cleaned_data)  # a refusal takes its field out of cleaned_data
    status = _recorded(form, lambda: ledger.record_verification(
        monitoring_report=report, acting_user=request.user, verifier=data["verifier"], accreditation=data["accreditation"],
        verified_quantity=data["verified_quantity"], upload=data["file"]))
    return form, status, _("Verification recorded: %(quantity)s t verified.") % {"quantity": f"{data['verified_quantity']:,}"}
