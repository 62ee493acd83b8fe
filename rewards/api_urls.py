from django.urls import path

from rewards import api

urlpatterns = [
    path("rewards/balance/", api.RewardBalanceApi.as_view(), name="api-rewards-balance"),
    path("datanets/<slug:slug>/pool/fund/", api.PoolFundApi.as_view(), name="api-datanet-pool-fund"),
    path("treasury/mint/", api.TreasuryMintApi.as_view(), name="api-treasury-mint"),
]
