from django.urls import path

from rewards import settlement_views, views

app_name = "rewards"

urlpatterns = [
    path("rewards/", views.dashboard, name="dashboard"),
    path("rewards/wallet/", settlement_views.wallet, name="wallet"),
    path("rewards/wallet/challenge/", settlement_views.wallet_challenge, name="wallet_challenge"),
    path("rewards/settlements/", settlement_views.settlements_staff, name="settlements_staff"),
    path("rewards/settlements/run/", settlement_views.settlements_run, name="settlements_run"),
    path("rewards/settlements/reconcile/", settlement_views.settlements_reconcile, name="settlements_reconcile"),
    path("rewards/settlements/<uuid:pk>/proof/", settlement_views.settlement_proof, name="settlement_proof"),
]
