from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path
from django.views.defaults import page_not_found
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from openledger import health

api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("datanets.api_urls")),
    path("", include("curation.api_urls")),
    path("", include("rewards.api_urls")),
    path("", include("webhooks.api_urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", health.healthz, name="healthz"),
    path("", include("curation.urls")),
    path("", include("rewards.urls")),
    path("", include("webhooks.urls")),
    path("", include("datanets.urls")),
]


def not_found(request, exception=None):
    """A URL no route matches (e.g. a non-numeric id): the API keeps its JSON error shape."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found: no API endpoint has this address.", "code": "not_found",
                             "errors": {}}, status=404)
    return page_not_found(request, exception)


handler404 = not_found
