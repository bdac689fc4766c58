from django.urls import path

from storyboard.webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("", views.index, name="index"),
    path("add/", views.add, name="add"),
    path("<int:webhook_id>/delete/", views.remove, name="remove"),
    path("<int:webhook_id>/ping/", views.ping, name="ping"),
    path("deliveries/<uuid:delivery_id>/resend/", views.resend, name="resend"),
]
