from django.urls import include, path
from rest_framework.routers import DefaultRouter

from apps.notifications.api import HealthView

from . import views
from .auth import ObtainTokenView

router = DefaultRouter()
router.register("applications", views.ApplicationViewSet, basename="application")
router.register("notifications", views.NotificationViewSet, basename="notification")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("health/", HealthView.as_view(), name="api-health"),
    path("", include("apps.ledger.api_urls")),  # issue 6: ledger and UNFCCC report endpoints
    path("", include(router.urls)),
]
