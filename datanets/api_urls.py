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
