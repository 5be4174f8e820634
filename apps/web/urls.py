from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from . import views


class LoginView(auth_views.LoginView):
    """Django's LoginView (wrapped for lockout and audit), listing the demo accounts only in `make run`'s demo mode."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["demo_mode"] = settings.DEMO_MODE
        return context


urlpatterns = [
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("queue/", views.queue, name="queue"),
    path("applications/", views.applications, name="applications"),
    path("applications/new/", views.application_create, name="application-create"),
    path("applications/export.csv", views.applications_csv, name="applications-csv"),
    path("applications/<str:reference>/", views.application_detail, name="application"),
    path("applications/<str:reference>/edit/", views.application_edit, name="application-edit"),
    path("applications/<str:reference>/transitions/<str:name>/", views.application_transition, name="application-transition"),
    path("applications/<str:reference>/transitions/<str:name>/review/", views.application_transition_review,
         name="application-transition-review"),
    path("applications/<str:reference>/documents/", views.document_upload, name="document-upload"),
    path("applications/<str:reference>/monitoring-reports/", views.monitoring_report_submit, name="monitoring-report-submit"),
    path("applications/<str:reference>/monitoring-reports/<int:report_id>/verification/", views.verification_record,
         name="verification-record"),
    path("applications/<str:reference>/documents/<int:document_id>/", views.document_download, name="document-download"),
    path("applications/<str:reference>/letter.pdf", views.letter_pdf, name="letter-pdf"),
    path("notifications/", views.notifications, name="notifications"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export.csv", views.dashboard_csv, name="dashboard-csv"),
    path("configuration/", views.configuration_index, name="configuration"),
    path("configuration/<str:code>/", views.party_configuration, name="party-configuration"),
    path("letters/check/", views.letter_check_form, name="letter-check-form"),
    path("letters/check/<str:fingerprint>/", views.letter_check, name="letter-check"),
]
