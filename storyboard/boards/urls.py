from django.urls import path

from storyboard.boards import public_media, views

app_name = "boards"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("import/", views.import_view, name="import"),
    path("rates/", views.rates, name="rates"),
    path("<int:board_id>/", views.detail, name="detail"),
    path("<int:board_id>/save/", views.save, name="save"),
    path("<int:board_id>/preview/", views.preview, name="preview"),
    path("previews/<int:preview_id>/", views.preview_file, name="preview_file"),
    path("<int:board_id>/export/", views.export, name="export"),
    path("<int:board_id>/duplicate/", views.duplicate, name="duplicate"),
    path("<int:board_id>/delete/", views.delete, name="delete"),
    path("media/<str:signed>/", public_media.public_media, name="public_media"),
]
