from django.urls import path

from storyboard.sequences import export_views, views

app_name = "sequences"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:sequence_id>/", views.detail, name="detail"),
    path("<int:sequence_id>/rename/", views.rename, name="rename"),
    path("<int:sequence_id>/delete/", views.delete, name="delete"),
    path("<int:sequence_id>/add/", views.add, name="add"),
    path("<int:sequence_id>/order/", views.order, name="order"),
    path("<int:sequence_id>/export/", export_views.export, name="export"),
    path("entries/<int:entry_id>/remove/", views.remove, name="remove"),
    path("entries/<int:entry_id>/earlier/", views.earlier, name="earlier"),
    path("entries/<int:entry_id>/later/", views.later, name="later"),
    path("entries/<int:entry_id>/pin/", views.pin, name="pin"),
    path("clips/<int:clip_id>/continue/", views.continue_clip, name="continue"),
    path("clips/<int:clip_id>/next-shot/", views.next_shot, name="next_shot"),
]
