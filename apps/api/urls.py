from django.urls import include, path
from rest_framework.routers import DefaultRouter

from apps.webhooks.api import EndpointViewSet

from . import reference_views, tokens, views

router = DefaultRouter()
router.register("applications", views.ApplicationViewSet, basename="application")
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("parties", reference_views.PartyViewSet, basename="party")
router.register("tiers", reference_views.TierViewSet, basename="tier")
router.register("jurisdictions", reference_views.JurisdictionViewSet, basename="jurisdiction")
router.register("authorities", reference_views.AuthorityViewSet, basename="authority")
router.register("duty-assignments", reference_views.DutyAssignmentViewSet, basename="duty-assignment")
router.register("tokens", tokens.PersonalTokenViewSet, basename="personal-token")
router.register("webhooks/endpoints", EndpointViewSet, basename="webhook-endpoint")

urlpatterns = [
    path("auth/token/", tokens.ThrottledObtainToken.as_view(), name="api-token"),
    path("queue/", reference_views.QueueView.as_view(), name="queue"),
    path("", include(router.urls)),
]
