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
]
