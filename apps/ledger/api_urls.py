"""Ledger and report routes of the API (included once from apps/api/urls.py, before any catch-all)."""
from django.urls import path

from apps.api import converters  # noqa: F401  (registers <year:>)
from apps.reporting import api as reports

from . import api

urlpatterns = [
    path("applications/<str:reference>/issuances/", api.IssuanceView.as_view(), name="api-issuances"),
    path("transfers/", api.TransferView.as_view(), name="api-transfers"),
    path("uses/", api.UseView.as_view(), name="api-uses"),
    path("cancellations/", api.CancellationView.as_view(), name="api-cancellations"),
    path("ledger/<str:party>/<year:year>/", api.AdjustmentView.as_view(), name="api-ledger-adjustment"),
    path("reports/", reports.ReportListView.as_view(), name="api-reports"),
    path("reports/<int:pk>/", reports.ReportDetailView.as_view(), name="api-report"),
    path("reports/<int:pk>/transitions/", reports.ReportTransitionView.as_view(), name="api-report-transitions"),
    path("reports/<int:pk>/corrections/", reports.ReportCorrectionView.as_view(), name="api-report-corrections"),
    path("reports/<int:pk>/aef.json", reports.ReportJSONView.as_view(), name="api-report-aef-json"),
    path("reports/<int:pk>/aef.xlsx", reports.ReportXLSXView.as_view(), name="api-report-aef-xlsx"),
    path("reports/<int:pk>/aef.csv.zip", reports.ReportCSVView.as_view(), name="api-report-aef-csv"),
]
