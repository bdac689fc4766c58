from django.urls import path

from storyboard.gallery import views

app_name = "gallery"
urlpatterns = [
    path("", views.index, name="index"),
    path("clips/<int:clip_id>/", views.clip, name="clip"),
    path("clips/<int:clip_id>/star/", views.favourite, name="favourite"),
    path("takes/<int:board_id>/", views.takes, name="takes"),
    path("compare/", views.compare, name="compare"),
]
