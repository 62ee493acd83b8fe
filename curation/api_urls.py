from django.urls import path

from curation import review_api

urlpatterns = [
    path("datanets/<slug:slug>/review/next/", review_api.ReviewNextApi.as_view(), name="api-datanet-review-next"),
    path("reviews/", review_api.ReviewSubmitApi.as_view(), name="api-reviews"),
    path("records/<int:pk>/reviews/", review_api.RecordReviewListApi.as_view(), name="api-record-reviews"),
]

from curation import moderation_api  # noqa: E402  (reports and moderation)

urlpatterns += [
    path("reports/", moderation_api.ReportCreateApi.as_view(), name="api-reports"),
    path("moderation/reports/", moderation_api.ModerationReportListApi.as_view(), name="api-moderation-reports"),
    path("moderation/reports/<int:pk>/resolve/", moderation_api.ModerationReportResolveApi.as_view(),
         name="api-moderation-report-resolve"),
    path("moderation/audit/", moderation_api.AuditEntryListApi.as_view(), name="api-moderation-audit"),
]

from curation import release_api  # noqa: E402

urlpatterns += [
    path("datanets/<slug:slug>/releases/", release_api.DatanetReleaseListApi.as_view(), name="api-datanet-releases"),
    path("releases/<int:pk>/", release_api.ReleaseDetailApi.as_view(), name="api-release"),
    path("releases/<int:pk>/files/<str:kind>/", release_api.ReleaseFileApi.as_view(), name="api-release-file"),
]

from curation import appeal_api  # noqa: E402

urlpatterns += [
    path("records/<int:pk>/appeal/", appeal_api.RecordAppealApi.as_view(), name="api-record-appeal"),
    path("appeals/", appeal_api.AppealListApi.as_view(), name="api-appeals"),
    path("appeals/<int:pk>/resolve/", appeal_api.AppealResolveApi.as_view(), name="api-appeal-resolve"),
    path("datanets/<slug:slug>/appeals/", appeal_api.DatanetAppealListApi.as_view(), name="api-datanet-appeals"),
]

from curation import gold_api  # noqa: E402

urlpatterns += [
    path("datanets/<slug:slug>/gold/", gold_api.DatanetGoldApi.as_view(), name="api-datanet-gold"),
    path("datanets/<slug:slug>/gold/policy/", gold_api.DatanetGoldPolicyApi.as_view(), name="api-datanet-gold-policy"),
    path("datanets/<slug:slug>/curators/", gold_api.DatanetCuratorAgreementApi.as_view(),
         name="api-datanet-curators"),
]

from curation import bulk_api  # noqa: E402

urlpatterns += [
    path("datanets/<slug:slug>/review/bulk/", bulk_api.DatanetBulkDecisionApi.as_view(), name="api-datanet-review-bulk"),
]
