from django.urls import path

from . import views

urlpatterns = [
    path("", views.audit_index, name="audit-index"),
    path("export/", views.audit_export, name="audit-export"),
]
