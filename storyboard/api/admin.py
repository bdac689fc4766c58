"""API tokens in the operators' admin, read-only and without their hash (revoke one on Team
settings → API tokens, where the audit log records it)."""

from __future__ import annotations

from django.contrib import admin

from storyboard.admin_site import ReadOnly
from storyboard.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnly):
    list_display = ("name", "team", "user", "created_at", "last_used_at", "revoked_at")
    search_fields = ("name", "team__name", "user__username")
    list_select_related = ("team", "user")
    exclude = ("token_hash",)
