"""The audit log in the operators' admin, every team's, read-only: a log nobody can edit."""

from __future__ import annotations

from django.contrib import admin

from storyboard.admin_site import ReadOnly
from storyboard.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnly):
    list_display = ("created_at", "team", "actor_label", "kind", "target_type", "target_text",
                    "address")
    list_filter = ("kind",)
    search_fields = ("actor_label", "target_text", "team__name")
    list_select_related = ("team",)
    date_hierarchy = "created_at"
