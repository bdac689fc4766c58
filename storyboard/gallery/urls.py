from django.urls import path

from storyboard.gallery import views

app_name = "gallery"
urlpatterns = [
    path("", views.index, name="index"),
]
