from django.urls import path

from storyboard.library import views

app_name = "library"
urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("images/<int:image_id>/edit/", views.image_edit, name="image_edit"),
    path("images/<int:image_id>/delete/", views.image_delete, name="image_delete"),
    path("images/<int:image_id>/<slug:variant>", views.image_file, name="image_file"),
    path("videos/<int:video_id>/edit/", views.video_edit, name="video_edit"),
    path("videos/<int:video_id>/delete/", views.video_delete, name="video_delete"),
    path("videos/<int:video_id>/<slug:variant>", views.video_file, name="video_file"),
    path("elements/new/", views.element_new, name="element_new"),
    path("elements/<int:element_id>/", views.element_detail, name="element_detail"),
    path("elements/<int:element_id>/edit/", views.element_edit, name="element_edit"),
    path("elements/<int:element_id>/delete/", views.element_delete, name="element_delete"),
    path("elements/versions/<int:version_id>/<slug:variant>", views.version_file,
         name="version_file"),
    path("share/<int:target_team_id>/", views.share, name="share"),
    path("shares/<int:share_id>/revoke/", views.share_revoke, name="share_revoke"),
]
