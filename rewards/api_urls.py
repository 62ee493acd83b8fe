from django.urls import path

from rewards import api, usage_api

urlpatterns = [
    path("rewards/balance/", api.RewardBalanceApi.as_view(), name="api-rewards-balance"),
    path("datanets/<slug:slug>/pool/fund/", api.PoolFundApi.as_view(), name="api-datanet-pool-fund"),
    path("treasury/mint/", api.TreasuryMintApi.as_view(), name="api-treasury-mint"),
    path("models/", usage_api.AIModelListApi.as_view(), name="api-models"),
    path("models/<int:pk>/", usage_api.AIModelDetailApi.as_view(), name="api-model"),
    path("models/<int:pk>/prepay/", usage_api.AIModelPrepayApi.as_view(), name="api-model-prepay"),
    path("models/<int:pk>/usage/", usage_api.UsageEventCreateApi.as_view(), name="api-model-usage"),
    path("attributions/<int:pk>/", usage_api.AttributionDetailApi.as_view(), name="api-attribution"),
]
