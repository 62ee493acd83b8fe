from django.urls import path

from curation import review_views

app_name = "curation"

urlpatterns = [
    path("d/<slug:slug>/review/", review_views.review_page, name="review"),
    path("d/<slug:slug>/review/next/", review_views.review_next, name="review_next"),
    path("d/<slug:slug>/review/decide/", review_views.review_decide, name="review_decide"),
]
