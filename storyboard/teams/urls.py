from django.urls import path

from storyboard.teams import account_views, views

app_name = "teams"
urlpatterns = [
    path("", views.team_settings, name="settings"),
    path("rename/", views.rename, name="rename"),
    path("invitations/", views.invite, name="invite"),
    path("invitations/<int:invitation_id>/revoke/", views.revoke_invitation, name="revoke"),
    path("members/<int:member_id>/role/", views.change_role, name="change_role"),
    path("members/<int:member_id>/remove/", views.remove_member, name="remove_member"),
    path("leave/", views.leave, name="leave"),
    path("switch/", views.switch, name="switch"),
    path("new/", views.create, name="create"),
    path("none/", views.no_team, name="none"),
    path("join/<str:token>/", views.accept, name="accept"),
    path("accounts/new/", account_views.account_new, name="account_new"),
    path("accounts/<int:account_id>/edit/", account_views.account_edit, name="account_edit"),
    path("accounts/<int:account_id>/test/", account_views.account_test, name="account_test"),
    path("accounts/<int:account_id>/remove/", account_views.account_remove,
         name="account_remove"),
]
