from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

# Swagger UI from drf-spectacular-sidecar's static files under the site's own policy: the split view serves its
# start-up script as a file, and our template links a stylesheet instead of an inline <style>.
api_docs = SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html")
# ReDoc writes its styles into <style> elements at run time: they carry this response's nonce. Two more it writes
# as its bundle loads, before it knows the nonce, are allowed by hash: an empty one and its fixed base style.
REDOC_STYLE_HASHES = ["'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='", "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='"]
# Its search index runs in a worker it builds from a blob: of its own bundle.
api_redoc = csp_override({**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.NONCE, *REDOC_STYLE_HASHES],
                          "worker-src": [CSP.SELF, "blob:"]})(
    SpectacularRedocView.as_view(url_name="schema", template_name="api/redoc.html"))

from apps.accounts.views import set_language
from apps.api.web import personal_tokens

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("apps.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("federal/", include("apps.reporting.urls")),  # the federal tier's report pages
    path("api/docs/", api_docs, name="api-docs"),
    path("api/redoc/", api_redoc, name="api-redoc"),
    path("favicon.ico", RedirectView.as_view(url=settings.STATIC_URL + "favicon.png", permanent=True)),
    path("audit/", include("apps.audit.urls")),
    path("register/", include("apps.register.urls")),  # the public register: no sign-in
    path("account/tokens/", personal_tokens, name="personal-tokens"),
    path("account/", include("apps.accounts.urls")),
    path("i18n/setlang/", set_language, name="set_language"),  # the switcher also remembers a signed-in person's choice
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("apps.casework.urls")),  # claim, assign, internal notes, my cases
    path("", include("apps.web.urls")),
]

# A URL no route matches (an API lookup with a dot in it, say) answers in the API's error body under /api/.
handler404 = "apps.api.errors.not_found"

if settings.TIERFLOW_BENCH_URLS:  # never set in production; `make bench` sets it for its own server
    from bench.views import constant

    # bench.wsgi serves /bench/bare/ without middleware; both reach the same view.
    urlpatterns += [path("bench/constant/", constant), path("bench/bare/", constant)]
