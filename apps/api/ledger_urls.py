"""Ledger and report routes of the API (included once from apps/api/urls.py, before any catch-all)."""
from django.urls import path, register_converter

from config import converters  # noqa: F401  (registers <year:>)

from . import ledger as api
from . import reports


class SignedIntConverter:
    """Like `int` but also matches a minus sign, so a negative id is the API's JSON 404, not a page-not-found."""

    regex = r"-?\d+"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(SignedIntConverter, "id")

urlpatterns = [
    path("applications/<str:reference>/issuances/", api.IssuanceView.as_view(), name="api-issuances"),
    path("applications/<str:reference>/monitoring-reports/", api.MonitoringReportView.as_view(), name="api-monitoring-reports"),
    path("monitoring-reports/<id:pk>/verification/", api.VerificationView.as_view(), name="api-verification"),
    path("transfers/", api.TransferView.as_view(), name="api-transfers"),
    path("uses/", api.UseView.as_view(), name="api-uses"),
    path("cancellations/", api.CancellationView.as_view(), name="api-cancellations"),
    path("ledger/<str:party>/<year:year>/", api.AdjustmentView.as_view(), name="api-ledger-adjustment"),
    path("reports/", reports.ReportListView.as_view(), name="api-reports"),
    path("reports/<id:pk>/", reports.ReportDetailView.as_view(), name="api-report"),
    path("reports/<id:pk>/transitions/", reports.ReportTransitionView.as_view(), name="api-report-transitions"),
    path("reports/<id:pk>/corrections/", reports.ReportCorrectionView.as_view(), name="api-report-corrections"),
    path("reports/<id:pk>/aef.json", reports.ReportJSONView.as_view(), name="api-report-aef-json"),
    path("reports/<id:pk>/aef.xlsx", reports.ReportXLSXView.as_view(), name="api-report-aef-xlsx"),
    path("reports/<id:pk>/aef.csv.zip", reports.ReportCSVView.as_view(), name="api-report-aef-csv"),
]
