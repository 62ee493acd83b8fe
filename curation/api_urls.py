from django.urls import path

from curation import review_api

urlpatterns = [
    path("datanets/<slug:slug>/review/next/", review_api.ReviewNextApi.as_view(), name="api-datanet-review-next"),
    path("reviews/", review_api.ReviewSubmitApi.as_view(), name="api-reviews"),
    path("records/<int:pk>/reviews/", review_api.RecordReviewListApi.as_view(), name="api-record-reviews"),
]
