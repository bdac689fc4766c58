from django.urls import path

from storyboard.library import views

app_name = "library"
urlpatterns = [
    path("", views.index, name="index"),
]
