from django.urls import path

from rewards import api

urlpatterns = [
    path("rewards/balance/", api.RewardBalanceApi.as_view(), name="api-rewards-balance"),
    path("rewards/history/", api.RewardHistoryApi.as_view(), name="api-rewards-history"),
    path("datanets/<slug:slug>/pool/fund/", api.PoolFundApi.as_view(), name="api-datanet-pool-fund"),
    path("treasury/mint/", api.TreasuryMintApi.as_view(), name="api-treasury-mint"),
]
