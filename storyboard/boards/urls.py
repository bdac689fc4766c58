from django.urls import path

from storyboard.boards import views

app_name = "boards"
urlpatterns = [
    path("", views.index, name="index"),
]
