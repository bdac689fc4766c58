from django.urls import path

from storyboard.shares import guest_views

app_name = "share"
urlpatterns = [
    path("<str:share_token>/", guest_views.page, name="page"),
    path("<str:share_token>/unlock/", guest_views.unlock, name="unlock"),
    path("<str:share_token>/name/", guest_views.name, name="name"),
    path("<str:share_token>/comment/", guest_views.comment, name="comment"),
    path("<str:share_token>/decide/", guest_views.decide, name="decide"),
    path("<str:share_token>/media/<str:signed>/", guest_views.media, name="media"),
    # A link of a storyboard's takes: each take's page, comments and decision.
    path("<str:share_token>/takes/<int:clip_id>/", guest_views.take, name="take"),
    path("<str:share_token>/takes/<int:clip_id>/comment/", guest_views.comment,
         name="take_comment"),
    path("<str:share_token>/takes/<int:clip_id>/decide/", guest_views.decide,
         name="take_decide"),
]
