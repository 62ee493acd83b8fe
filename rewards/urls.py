from django.urls import path

from rewards import views

app_name = "rewards"

urlpatterns = [
    path("rewards/", views.dashboard, name="dashboard"),
]
