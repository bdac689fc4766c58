"""The Django admin, for the people who run the server (docs/deployment.md, "Operators").

Superusers only: the admin sees every team's rows, so being staff is not enough. Teams' own
owners manage their team in the app (Team settings), never here."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class OperatorsAdminSite(admin.AdminSite):
    site_header = "Storyboard operators"
    site_title = "Storyboard admin"
    index_title = "Server administration"

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser


class ReadOnly(admin.ModelAdmin):
    """Rows the app's actions write: shown, never added, changed or deleted here. The actions
    apply the rules (the last owner stays, an account in use is not removed) and write the
    audit log; the admin would bypass both."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OperatorsAdminConfig(AdminConfig):
    # django-q2 and django-axes register their pages on admin.site, which this makes ours.
    default_site = "storyboard.admin_site.OperatorsAdminSite"
