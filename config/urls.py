from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("apps.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("federal/", include("apps.reporting.urls")),  # issue 6: the federal tier's report pages
    path("", include("apps.web.urls")),
]

if settings.TIERFLOW_BENCH_URLS:  # never set in production; `make bench` sets it for its own server
    from bench.views import constant

    urlpatterns += [path("bench/constant/", constant)]
