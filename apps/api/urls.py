from django.urls import include, path
from rest_framework.routers import DefaultRouter


from . import cooperative_approaches, reference_views, tokens, views
from .register import RegisterView
from .auth import ObtainTokenView
from .notifications import HealthView
from .throttling import ScopedSharedThrottle
from .webhooks import EndpointViewSet

router = DefaultRouter()
router.register("applications", views.ApplicationViewSet, basename="application")
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("parties", reference_views.PartyViewSet, basename="party")
router.register("tiers", reference_views.TierViewSet, basename="tier")
router.register("jurisdictions", reference_views.JurisdictionViewSet, basename="jurisdiction")
router.register("authorities", reference_views.AuthorityViewSet, basename="authority")
router.register("duty-assignments", reference_views.DutyAssignmentViewSet, basename="duty-assignment")
router.register("cooperative-approaches", cooperative_approaches.CooperativeApproachViewSet, basename="cooperative-approach")
router.register("tokens", tokens.PersonalTokenViewSet, basename="personal-token")
router.register("webhooks/endpoints", EndpointViewSet, basename="webhook-endpoint")

urlpatterns = [
    # DRF's ObtainAuthToken turns throttles off; the token scope (TIERFLOW_TOKEN_RATE) is switched back on here.
    path("auth/token/", ObtainTokenView.as_view(throttle_classes=[ScopedSharedThrottle]), name="api-token"),
    path("queue/", reference_views.QueueView.as_view(), name="queue"),
    path("health/", HealthView.as_view(), name="api-health"),
    path("register/", RegisterView.as_view(), name="register-api"),
    path("", include("apps.api.ledger_urls")),  # ledger and UNFCCC report endpoints
    path("", include(router.urls)),
]
