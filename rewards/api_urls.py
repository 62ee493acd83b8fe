from django.urls import path

from rewards import api, settlement_api, usage_api

urlpatterns = [
    path("rewards/balance/", api.RewardBalanceApi.as_view(), name="api-rewards-balance"),
    path("rewards/history/", api.RewardHistoryApi.as_view(), name="api-rewards-history"),
    path("datanets/<slug:slug>/pool/fund/", api.PoolFundApi.as_view(), name="api-datanet-pool-fund"),
    path("treasury/mint/", api.TreasuryMintApi.as_view(), name="api-treasury-mint"),
    path("wallet/", settlement_api.WalletApi.as_view(), name="api-wallet"),
    path("wallet/challenge/", settlement_api.WalletChallengeApi.as_view(), name="api-wallet-challenge"),
    path("wallet/link/", settlement_api.WalletLinkApi.as_view(), name="api-wallet-link"),
    path("settlements/", settlement_api.SettlementListApi.as_view(), name="api-settlements"),
    path("settlements/run/", settlement_api.SettlementRunApi.as_view(), name="api-settlements-run"),
    path("settlements/reconciliation/", settlement_api.SettlementReconcileApi.as_view(),
         name="api-settlements-reconciliation"),
    path("settlements/<uuid:pk>/proof/", settlement_api.SettlementProofApi.as_view(), name="api-settlement-proof"),
    path("models/", usage_api.AIModelListApi.as_view(), name="api-models"),
    path("models/<int:pk>/", usage_api.AIModelDetailApi.as_view(), name="api-model"),
    path("models/<int:pk>/prepay/", usage_api.AIModelPrepayApi.as_view(), name="api-model-prepay"),
    path("models/<int:pk>/usage/", usage_api.UsageEventCreateApi.as_view(), name="api-model-usage"),
    path("attributions/<int:pk>/", usage_api.AttributionDetailApi.as_view(), name="api-attribution"),
]
