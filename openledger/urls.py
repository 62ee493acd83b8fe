from django.contrib import admin
from django.urls import include, path
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
