from django.urls import path

from datanets import api

urlpatterns = [
    path("datanets/", api.DatanetListApi.as_view(), name="api-datanets"),
    path("datanets/<slug:slug>/", api.DatanetDetailApi.as_view(), name="api-datanet"),
    path("datanets/<slug:slug>/members/", api.DatanetMemberListApi.as_view(), name="api-datanet-members"),
    path(
        "datanets/<slug:slug>/members/<str:username>/",
        api.DatanetMemberDetailApi.as_view(),
        name="api-datanet-member",
    ),
]

from datanets import submission_api  # noqa: E402

urlpatterns += [
    path("datanets/<slug:slug>/submissions/", submission_api.DatanetSubmissionListApi.as_view(),
         name="api-datanet-submissions"),
    path("datanets/<slug:slug>/records/", submission_api.DatanetRecordListApi.as_view(), name="api-datanet-records"),
    path("submissions/<uuid:pk>/", submission_api.SubmissionDetailApi.as_view(), name="api-submission"),
    path("submissions/<uuid:pk>/errors/", submission_api.SubmissionErrorsApi.as_view(), name="api-submission-errors"),
]
urlpatterns += [
    path("datanets/<slug:slug>/uploads/", submission_api.PresignedUploadCreateApi.as_view(), name="api-datanet-uploads"),
    path("uploads/complete/", submission_api.PresignedUploadCompleteApi.as_view(), name="api-uploads-complete"),
]
