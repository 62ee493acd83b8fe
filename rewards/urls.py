from django.urls import path

from rewards import usage_views, views

app_name = "rewards"

urlpatterns = [
    path("rewards/", views.dashboard, name="dashboard"),
    path("models/", usage_views.model_list, name="models"),
    path("models/new/", usage_views.model_new, name="model_new"),
    path("models/<int:pk>/", usage_views.model_detail, name="model"),
    path("models/<int:pk>/prepay/", usage_views.model_prepay, name="model_prepay"),
    path("attributions/<int:pk>/", usage_views.attribution_detail, name="attribution"),
]
