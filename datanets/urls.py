from django.urls import path

from datanets import contribution_views, record_views, views

app_name = "datanets"

urlpatterns = [
    path("", views.explore, name="explore"),
    path("new/", views.create, name="create"),
    path("new/field-row/", views.field_row, name="field_row"),
    path("d/<slug:slug>/", views.detail, name="detail"),
    path("d/<slug:slug>/edit/", views.edit, name="edit"),
    path("d/<slug:slug>/policies/", views.policies, name="policies"),
    path("d/<slug:slug>/status/", views.set_status, name="set_status"),
    path("d/<slug:slug>/members/", views.members, name="members"),
    path("d/<slug:slug>/records/", record_views.record_browse, name="records"),
    path("d/<slug:slug>/members/<str:username>/role/", views.member_role, name="member_role"),
    path("d/<slug:slug>/members/<str:username>/remove/", views.member_remove, name="member_remove"),
    path("me/contributions/", contribution_views.my_contributions, name="my_contributions"),
    path("submissions/<uuid:pk>/", contribution_views.submission_detail, name="submission"),
    path("submissions/<uuid:pk>/progress/", contribution_views.submission_progress, name="submission_progress"),
    path("submissions/<uuid:pk>/errors.<str:fmt>", contribution_views.submission_errors_download,
         name="submission_errors"),
]
