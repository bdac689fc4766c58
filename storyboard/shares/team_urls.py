from django.urls import path

from storyboard.shares import team_views

app_name = "shares"
urlpatterns = [
    path("", team_views.index, name="index"),
    path("clips/<int:clip_id>/new/", team_views.create, name="create"),
    path("storyboards/<int:board_id>/new/", team_views.create_takes, name="create_takes"),
    path("sequences/<int:sequence_id>/new/", team_views.create_reel, name="create_reel"),
    path("<int:link_id>/revoke/", team_views.revoke, name="revoke"),
]
