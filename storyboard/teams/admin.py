"""Teams, memberships, invitations and provider accounts in the operators' admin, read-only:
roles, members and accounts change on Team settings, where the rules and the audit log apply.
Credentials are never shown (the encrypted column is left out), nor invitation tokens' hashes."""

from __future__ import annotations

from django.contrib import admin

from storyboard.admin_site import ReadOnly
from storyboard.teams.models import Invitation, Membership, ProviderAccount, Team


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("user", "role", "joined_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Team)
class TeamAdmin(ReadOnly):
    list_display = ("name", "id", "created_at")
    search_fields = ("name",)
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(ReadOnly):
    list_display = ("user", "team", "role", "joined_at")
    list_filter = ("role",)
    search_fields = ("user__username", "team__name")
    list_select_related = ("user", "team")


@admin.register(Invitation)
class InvitationAdmin(ReadOnly):
    list_display = ("team", "role", "note", "created_by", "created_at", "expires_at", "used_by",
                    "revoked_at")
    exclude = ("token_hash",)
    search_fields = ("team__name", "note")
    list_select_related = ("team", "created_by", "used_by")


@admin.register(ProviderAccount)
class ProviderAccountAdmin(ReadOnly):
    list_display = ("label", "team", "dialect", "effective_base_url", "max_jobs", "vip",
                    "sandbox", "tested_at", "test_ok")
    list_filter = ("dialect", "sandbox", "test_ok")
    search_fields = ("label", "team__name")
    list_select_related = ("team",)
    # The credentials, even encrypted, never reach a page.
    exclude = ("credentials_encrypted",)
