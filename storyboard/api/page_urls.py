from django.urls import path

from storyboard.api import views

app_name = "api_tokens"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:token_id>/revoke/", views.revoke, name="revoke"),
]
