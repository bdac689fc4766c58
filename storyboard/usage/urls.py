from django.urls import path

from storyboard.usage import views

app_name = "usage"
urlpatterns = [
    path("", views.index, name="index"),
    path("cap/", views.team_cap, name="team_cap"),
]
