from django.urls import path

from storyboard.boards import public_media, views

app_name = "boards"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:board_id>/", views.detail, name="detail"),
    path("media/<str:signed>/", public_media.public_media, name="public_media"),
]
