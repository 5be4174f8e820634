from django.urls import path

from config import converters  # noqa: F401  (registers <year:>)

from . import views

app_name = "reporting"

urlpatterns = [
    path("reports/", views.report_list, name="list"),
    path("reports/new/", views.report_create, name="create"),
    path("reports/<int:pk>/", views.report_detail, name="detail"),
    path("reports/<int:pk>/transition/", views.report_transition, name="transition"),
    path("reports/<int:pk>/correct/", views.report_correct, name="correct"),
    path("reports/<int:pk>/aef.<str:fmt>", views.report_export, name="export"),
    path("ledger/<str:party>/", views.ledger_party, name="ledger"),
    path("ledger/<str:party>/<year:year>/", views.ledger_year, name="ledger-year"),
]
