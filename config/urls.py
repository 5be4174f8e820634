from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from django.views.decorators.csp import csp_override

# The API docs load Swagger UI from its CDN; the split view serves its start-up script as a file, so the
# page needs no inline script. Only this page may load from the CDN.
SWAGGER_CDN = "https://cdn.jsdelivr.net"
api_docs = csp_override({**settings.SECURE_CSP, "script-src": ["'self'", SWAGGER_CDN], "style-src": ["'self'", SWAGGER_CDN],
                         "img-src": ["'self'", "data:", SWAGGER_CDN]})(SpectacularSwaggerSplitView.as_view(url_name="schema"))

from apps.accounts.views import set_language
from apps.api.web import personal_tokens

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("apps.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("federal/", include("apps.reporting.urls")),  # the federal tier's report pages
    path("api/docs/", api_docs, name="api-docs"),
    path("audit/", include("apps.audit.urls")),
    path("account/tokens/", personal_tokens, name="personal-tokens"),
    path("account/", include("apps.accounts.urls")),
    path("i18n/setlang/", set_language, name="set_language"),  # the switcher also remembers a signed-in person's choice
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("apps.web.urls")),
]

# A URL no route matches (an API lookup with a dot in it, say) answers in the API's error body under /api/.
handler404 = "apps.api.errors.not_found"

if settings.TIERFLOW_BENCH_URLS:  # never set in production; `make bench` sets it for its own server
    from bench.views import constant

    # bench.wsgi serves /bench/bare/ without middleware; both reach the same view.
    urlpatterns += [path("bench/constant/", constant), path("bench/bare/", constant)]
