from django.urls import path

from . import views

urlpatterns = [
    path("", views.account, name="account"),
    path("language/", views.save_language, name="account-language"),
    path("sessions/<int:session_id>/revoke/", views.revoke_session, name="account-revoke-session"),
    path("tokens/api/revoke/", views.revoke_api_token, name="account-revoke-api-token"),
    path("two-factor/", views.two_factor_enrol, name="two-factor-enrol"),
    path("two-factor/verify/", views.two_factor_verify, name="two-factor-verify"),
]
