from django.urls import path

from webhooks import api

urlpatterns = [
    path("datanets/<slug:slug>/webhooks/", api.WebhookListApi.as_view(), name="api-datanet-webhooks"),
    path("datanets/<slug:slug>/webhooks/<int:pk>/", api.WebhookDetailApi.as_view(), name="api-datanet-webhook"),
    path("datanets/<slug:slug>/webhooks/<int:pk>/secret/", api.WebhookSecretApi.as_view(),
         name="api-datanet-webhook-secret"),
    path("datanets/<slug:slug>/webhooks/<int:pk>/deliveries/", api.WebhookDeliveryListApi.as_view(),
         name="api-datanet-webhook-deliveries"),
    path("datanets/<slug:slug>/webhooks/<int:pk>/deliveries/<int:delivery_id>/redeliver/",
         api.WebhookRedeliverApi.as_view(), name="api-datanet-webhook-redeliver"),
]
