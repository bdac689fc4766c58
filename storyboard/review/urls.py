from django.urls import path

from storyboard.review import views

app_name = "review"
urlpatterns = [
    path("", views.index, name="index"),
    path("clips/<int:clip_id>/", views.clip, name="clip"),
    path("clips/<int:clip_id>/notes.csv", views.notes_csv, name="notes_csv"),
    path("clips/<int:clip_id>/notes.edl", views.notes_edl, name="notes_edl"),
    path("clips/<int:clip_id>/comment/", views.comment, name="comment"),
    path("clips/<int:clip_id>/approve/", views.approve, name="approve"),
    path("clips/<int:clip_id>/retake/", views.retake, name="retake"),
]
