from django.urls import path

from storyboard.review import views

app_name = "review"
urlpatterns = [
    path("", views.index, name="index"),
]
