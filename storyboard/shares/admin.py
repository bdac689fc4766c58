"""Share links in the operators' admin, read-only, without their token's or password's hash."""

from __future__ import annotations

from django.contrib import admin

from storyboard.admin_site import ReadOnly
from storyboard.shares.models import ShareLink


@admin.register(ShareLink)
class ShareLinkAdmin(ReadOnly):
    list_display = ("id", "team", "clip", "created_by", "created_at", "expires_at",
                    "revoked_at", "protected", "guests_may_decide", "last_opened_at")
    list_filter = ("guests_may_decide",)
    search_fields = ("team__name",)
    list_select_related = ("team", "clip", "created_by")
    exclude = ("token_hash", "password_hash")

    @admin.display(boolean=True, description="Password")
    def protected(self, share):
        return bool(share.password_hash)
