from django.urls import path

from rewards import settlement_views, usage_views, views

app_name = "rewards"

urlpatterns = [
    path("rewards/", views.dashboard, name="dashboard"),
    path("rewards/wallet/", settlement_views.wallet, name="wallet"),
    path("rewards/wallet/challenge/", settlement_views.wallet_challenge, name="wallet_challenge"),
    path("rewards/settlements/", settlement_views.settlements_staff, name="settlements_staff"),
    path("rewards/settlements/run/", settlement_views.settlements_run, name="settlements_run"),
    path("rewards/settlements/reconcile/", settlement_views.settlements_reconcile, name="settlements_reconcile"),
    path("rewards/settlements/<uuid:pk>/proof/", settlement_views.settlement_proof, name="settlement_proof"),
    path("models/", usage_views.model_list, name="models"),
    path("models/new/", usage_views.model_new, name="model_new"),
    path("models/<int:pk>/", usage_views.model_detail, name="model"),
    path("models/<int:pk>/prepay/", usage_views.model_prepay, name="model_prepay"),
    path("attributions/<int:pk>/", usage_views.attribution_detail, name="attribution"),
]
