from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("d/<slug:slug>/webhooks/", views.endpoint_list, name="list"),
    path("d/<slug:slug>/webhooks/<int:pk>/", views.endpoint_detail, name="detail"),
    path("d/<slug:slug>/webhooks/<int:pk>/deliveries/", views.deliveries, name="deliveries"),
    path("d/<slug:slug>/webhooks/<int:pk>/deliveries/<int:delivery_id>/redeliver/", views.redeliver,
         name="redeliver"),
    path("d/<slug:slug>/webhooks/<int:pk>/secret/", views.secret, name="secret"),
    path("d/<slug:slug>/webhooks/<int:pk>/active/", views.set_active, name="set_active"),
    path("d/<slug:slug>/webhooks/<int:pk>/delete/", views.delete, name="delete"),
]
