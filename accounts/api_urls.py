from django.urls import path

from accounts import api

urlpatterns = [
    path("auth/token/", api.TokenCreateApi.as_view(), name="api-token-create"),
    path("me/", api.MeApi.as_view(), name="api-me"),
]
