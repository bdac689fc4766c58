from django.urls import path

from storyboard.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.index, name="index"),
    path("submit/<int:board_id>/", views.submit, name="submit"),
    path("<uuid:job_id>/", views.detail, name="detail"),
    path("<uuid:job_id>/status/", views.status, name="status"),
    path("<uuid:job_id>/cancel/", views.cancel, name="cancel"),
    path("<uuid:job_id>/retry/", views.retry, name="retry"),
    path("<uuid:job_id>/remix/", views.remix, name="remix"),
    path("clips/<int:clip_id>/video/", views.clip_file, name="clip_file"),
    path("clips/<int:clip_id>/poster/", views.clip_poster, name="clip_poster"),
    path("hook/<uuid:job_id>/<str:secret>/", views.callback, name="callback"),
    # A vendor may post to the webhook URL it was given with "/callback" appended (APIMart
    # does): the same view answers there.
    path("hook/<uuid:job_id>/<str:secret>/callback", views.callback,
         name="callback_with_suffix"),
]
